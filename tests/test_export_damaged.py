"""Export from a read-only data folder, and from a database with a damaged page."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.exporting import export_signups
from kiosk.store import Store
from tests import factories

COUNT = 400


@pytest.fixture
def usb(tmp_path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def fill(data: Path, count: int) -> list:
    with Store(data / "kiosk.db") as store:
        return [store.save_signup(factories.make_record(i)) for i in range(count)]


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def jsonl_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- read-only data folder --------------------------------------------------------


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def read_only_data(tmp_path):
    """A data folder with sign-ups on a tmpfs that is then remounted read-only."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount; the simulated variant still runs")
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    if _mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)).returncode:
        pytest.skip("cannot mount a tmpfs here; the simulated variant still runs")
    data = mount_point / "data"
    saved = fill(data, 5)
    if _mount("-o", "remount,ro", str(mount_point)).returncode:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
        pytest.skip("cannot remount read-only here")
    yield data, saved
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def assert_written_not_marked(code: int, out: str, err: str, usb: Path, saved: list) -> None:
    [path] = usb.iterdir()
    assert jsonl_ids(path) == [r.id for r in saved]
    assert out == f"wrote {len(saved)} sign-ups to {path}\n"
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"kiosk export: {path} is complete, but the sign-ups could not be marked")
    assert "read-only" in err and "the next export will include them again" in err


def test_export_from_a_read_only_data_folder_writes_the_file_and_says_it_could_not_mark(
    read_only_data, usb, capsys
):
    data, saved = read_only_data
    code, out, err = run(capsys, "export", "--format", "jsonl", "--out", usb, "--data-dir", data)
    assert_written_not_marked(code, out, err, usb, saved)
    # Counting still works too.
    code, out, err = run(capsys, "stats", "--json", "--data-dir", data)
    assert (code, err, json.loads(out)["unexported"]) == (0, "", 5)


def test_export_when_the_data_folder_cannot_be_written_simulated(
    data_dir, usb, capsys, monkeypatch
):
    """For machines without mount: the folder reports itself unwritable (as for a non-root user)."""
    saved = fill(data_dir, 3)
    real_access = os.access

    def no_writing_here(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).is_relative_to(data_dir):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", no_writing_here)
    code, out, err = run(
        capsys, "export", "--format", "jsonl", "--out", usb, "--data-dir", data_dir
    )
    assert_written_not_marked(code, out, err, usb, saved)
    monkeypatch.undo()
    with Store(data_dir / "kiosk.db") as store:
        assert store.stats().unexported == 3


# -- a damaged page -------------------------------------------------------------------


def damage_one_page(db: Path, needle: bytes) -> tuple[int, bytes]:
    """Scribble over the b-tree page header of the page holding `needle`; (page number, page)."""
    with Store(db) as store:
        page_size = store._run(lambda d: d.execute("PRAGMA page_size").fetchone()[0])
    data = bytearray(db.read_bytes())
    offset = data.index(needle)
    page = offset // page_size
    original = bytes(data[page * page_size : (page + 1) * page_size])
    data[page * page_size : page * page_size + 8] = b"\xee" * 8
    db.write_bytes(bytes(data))
    return page, original


def unreadable_alone(db: Path, saved: list) -> set[str]:
    """The sign-ups SQLite cannot read even one at a time (the oracle: row by row)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    lost = set()
    try:
        for record in saved:
            try:
                conn.execute("SELECT * FROM signups WHERE id = ?", [record.id]).fetchall()
            except sqlite3.DatabaseError:
                lost.add(record.id)
    finally:
        conn.close()
    return lost


def lost_to(db: Path, saved: list, page_bytes: bytes) -> set[str]:
    lost = unreadable_alone(db, saved)
    # The damage is one page: a handful of neighbours, the marked one among them.
    on_page = {r.id for r in saved if r.email.encode() in page_bytes}
    assert on_page <= lost and len(lost) <= len(on_page) + 2, (len(on_page), len(lost))
    return lost


def test_export_salvages_every_readable_row_of_a_damaged_database(data_dir, usb, capsys):
    saved = fill(data_dir, COUNT)
    db = data_dir / "kiosk.db"
    _page, page_bytes = damage_one_page(db, b"visitor200@example.org")
    lost = lost_to(db, saved, page_bytes)
    assert 0 < len(lost) < COUNT // 4
    damaged = digest(db)

    code, out, err = run(
        capsys, "export", "--format", "jsonl", "--out", usb, "--data-dir", data_dir
    )

    [path] = usb.iterdir()
    expected = [r.id for r in saved if r.id not in lost]  # oldest first, as always
    assert jsonl_ids(path) == expected
    assert code == 1 and err == ""
    assert out == (
        f"exported {len(expected)} sign-ups to {path}; {len(lost)} could not be read "
        "(the database is damaged — keep the file, ask the admin); none were marked exported\n"
    )
    assert digest(db) == damaged, "the damaged database was changed"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tabular_exports_salvage_too_and_mark_nothing(data_dir, usb, fmt):
    saved = fill(data_dir, COUNT)
    _page, page_bytes = damage_one_page(data_dir / "kiosk.db", b"visitor123@example.org")
    lost = lost_to(data_dir / "kiosk.db", saved, page_bytes)

    with Store(data_dir / "kiosk.db") as store:
        result = export_signups(store, fmt, usb)

    assert (result.damaged, result.unreadable) == (True, len(lost))
    assert result.count == COUNT - len(lost)
    assert result.path.is_file() and list(usb.iterdir()) == [result.path]


def test_an_intact_database_is_not_called_damaged(data_dir, usb):
    fill(data_dir, 10)
    with Store(data_dir / "kiosk.db") as store:
        result = export_signups(store, "jsonl", usb)
        assert store.stats().unexported == 0
    assert (result.damaged, result.unreadable, result.count) == (False, 0, 10)

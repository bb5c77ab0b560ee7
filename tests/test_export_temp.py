"""A failed, killed or full-stick export leaves no personal data outside the data folder
and the finished file; the next export removes what a killed one left beside the target."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from kiosk.errors import ExportError
from kiosk.exporting import export_signups, staging
from kiosk.store import Store
from tests import factories

MARK = b"@example.org"  # every test visitor's email ends so


@pytest.fixture
def watched_tmp(tmp_path, monkeypatch) -> Path:
    """The system temp folder, pointed somewhere we can look (and empty to begin with)."""
    folder = tmp_path / "systemtmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def usb(tmp_path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def fill(data_dir: Path, count: int) -> None:
    with Store(data_dir / "kiosk.db") as store:
        for i in range(count):
            store.save_signup(factories.make_record(i))


def personal_files(root: Path, *, allowed: tuple[Path, ...]) -> list[Path]:
    """Files under `root` holding a visitor's email, other than under `allowed`."""
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and not any(path.is_relative_to(a) for a in allowed)
        and MARK in path.read_bytes()
    ]


def test_a_failed_xlsx_export_writes_nothing_to_the_system_temp_folder_and_leaves_nothing(
    data_dir, usb, watched_tmp, monkeypatch, tmp_path
):
    fill(data_dir, 50)
    real_write = zipfile.ZipFile.write
    seen_staging: list[Path] = []

    def stick_fills_while_zipping(self, filename, *args, **kwargs):
        seen_staging.append(Path(filename).parent)
        if len(seen_staging) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, filename, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "write", stick_fills_while_zipping)
    with Store(data_dir / "kiosk.db") as store, pytest.raises(ExportError) as caught:
        export_signups(store, "xlsx", usb / "tonight.xlsx")

    assert "the USB stick is full" in str(caught.value)
    # XlsxWriter's packaging files were beside the target, in the staging folder...
    assert {p.parent for p in seen_staging} == {usb}
    assert all(p.name.startswith(staging.PREFIX) for p in seen_staging)
    # ...and nothing is left anywhere: not in the system temp folder, not on the stick.
    assert list(watched_tmp.iterdir()) == []
    assert list(usb.iterdir()) == []
    assert personal_files(tmp_path, allowed=(data_dir,)) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_a_finished_export_leaves_only_the_file(data_dir, usb, watched_tmp, tmp_path, fmt):
    fill(data_dir, 20)
    with Store(data_dir / "kiosk.db") as store:
        result = export_signups(store, fmt, usb)
    assert list(usb.iterdir()) == [result.path]
    assert list(watched_tmp.iterdir()) == []
    assert personal_files(tmp_path, allowed=(data_dir, result.path)) == []


_KILLED_CHILD = """
import sys, time, zipfile
from kiosk.cli import main

real = zipfile.ZipFile.write
calls = []

def slow(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 3:  # packaging is under way: spool and sheet XML are on disk
        print("midway", flush=True)
        time.sleep(120)
    return real(self, *args, **kwargs)

zipfile.ZipFile.write = slow
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_xlsx_export_leaves_data_only_beside_the_target_and_the_next_removes_it(
    data_dir, usb, watched_tmp, tmp_path
):
    fill(data_dir, 200)
    env = {**os.environ, "TMPDIR": str(watched_tmp), "KIOSK_DATA_DIR": str(data_dir)}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, "export", "--format", "xlsx", "--out", str(usb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "midway", child.stderr.read()
        assert list(watched_tmp.iterdir()) == []  # not even while it runs
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)

    [left] = usb.iterdir()
    assert left.name.startswith(staging.PREFIX) and left.name.endswith(staging.SUFFIX)
    assert personal_files(left, allowed=()), "the kill came too late to test anything"
    assert list(watched_tmp.iterdir()) == []
    assert personal_files(tmp_path, allowed=(data_dir, left)) == []

    with Store(data_dir / "kiosk.db") as store:
        assert store.stats().unexported == 200  # the killed export marked nothing
        result = export_signups(store, "csv", usb)

    assert list(usb.iterdir()) == [result.path]
    assert personal_files(tmp_path, allowed=(data_dir, result.path)) == []


def test_leftovers_of_older_kiosks_are_removed_but_a_running_export_is_not(usb):
    running = staging.Staging(usb)  # another export, still writing
    old_part = usb / ".signups-abc123.csv.part"
    old_part.write_text("name,email\nAnn,ann@example.org\n")
    killed = usb / f"{staging.PREFIX}dead{staging.SUFFIX}"
    killed.mkdir()
    (killed / "signups.csv").write_text("Ann,ann@example.org\n")
    unrelated = usb / "holiday.jpg"
    unrelated.write_bytes(b"\xff\xd8")

    try:
        assert staging.remove_leftovers(usb) == 2
        assert sorted(usb.iterdir()) == sorted([running.path, unrelated])
    finally:
        running.discard()
    assert list(usb.iterdir()) == [unrelated]


def test_unsealing_an_xlsx_at_the_office_spools_beside_the_output_not_in_the_temp_folder(
    tmp_path, watched_tmp, monkeypatch
):
    from kiosk.sealing import generate_keypair, unseal_file, write_private_key

    pair = generate_keypair()
    key = tmp_path / "office.key"
    write_private_key(key, pair)
    kiosk_dir, office = tmp_path / "kiosk", tmp_path / "office"
    office.mkdir()
    with Store(kiosk_dir / "kiosk.db", seal_to=pair.public_b64) as store:
        for i in range(5):
            store.save_signup(factories.make_record(i))
        sealed = export_signups(store, "xlsx", kiosk_dir / "sealed.xlsx").path
    real_write = zipfile.ZipFile.write
    spooled: list[Path] = []

    def watch(self, filename, *args, **kwargs):
        spooled.append(Path(filename).parent)
        return real_write(self, filename, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "write", watch)
    unseal_file(key, sealed, office / "open.xlsx")

    assert spooled and set(spooled) == {office}
    assert list(watched_tmp.iterdir()) == []

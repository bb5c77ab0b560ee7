"""Storage faults (disk full, read-only, locked, damaged): the documented message, nothing lost."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk.errors import StorageError
from kiosk.records import SignupRecord, iso_ms, new_donation_ref, utc_now
from kiosk.store import Store

MESSAGE_START = "We couldn't save that: "
READ_MESSAGE_START = "We couldn't read the kiosk's data: "


def make_record(name: str = "Seán Ó Briain") -> SignupRecord:
    signup_id = str(uuid.uuid4())
    return SignupRecord(
        id=signup_id,
        created_at=iso_ms(utc_now()),
        device_id="tent-3f9a",
        name=name,
        email=f"v.{signup_id[:8]}@example.org",
        phone="+442890123456",
        interests=("freedom_partner", "pray"),
        consents={"email": True, "sms": False},
        consent_text={"email": "Yes, IJM UK may email me.", "sms": "Yes, IJM UK may text me."},
        donation_ref=new_donation_ref("NH"),
        content_version="nh2022",
    )


def save_some(store: Store, count: int = 5) -> list[SignupRecord]:
    return [store.save_signup(make_record(f"Visitor {n}")) for n in range(count)]


def assert_all_there(db_path: Path, saved: list[SignupRecord]) -> None:
    """Every record saved before the fault is intact, and the database is sound."""
    with Store(db_path) as store:
        assert store.check() == "ok"
        for rec in saved:
            assert store.get(rec.id) == rec
        outbox = store._run(
            lambda db: {
                r[0] for r in db.execute("SELECT s.id FROM outbox o JOIN signups s USING (seq)")
            }
        )
        assert {rec.id for rec in saved} <= outbox


def assert_message(exc: pytest.ExceptionInfo[StorageError], reason: str) -> None:
    text = str(exc.value)
    assert text.startswith((MESSAGE_START, READ_MESSAGE_START)), text
    assert reason in text, text


def _run_root(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False)


@pytest.fixture
def tmpfs(tmp_path):
    """A fresh 1 MiB tmpfs mount, or a skip where mounting is not allowed."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tiny tmpfs needs root; the simulated variant still runs")
    result = _run_root("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point))
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}); simulated variant runs")
    yield mount_point
    _run_root("umount", "-l", str(mount_point))


def _fill(folder: Path) -> Path:
    """Another program fills the disk to the last byte."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\xff" * 65536)
    except OSError:
        pass
    try:
        while True:
            os.write(fd, b"\xff")
    except OSError:
        pass
    os.close(fd)
    return filler


# -- disk full ---------------------------------------------------------------


def test_a_full_disk_says_so_keeps_earlier_signups_and_recovers_when_space_frees(tmpfs):
    db_path = tmpfs / "data" / "kiosk.db"
    store = Store(db_path)
    try:
        saved = save_some(store)
        filler = _fill(tmpfs)
        visitor = make_record("Aoife Nic Giolla")

        with pytest.raises(StorageError) as exc:
            store.save_signup(visitor)

        assert_message(exc, "the disk is full")
        assert store.get(visitor.id) is None
        filler.unlink()
        # The visitor's typed data stayed on screen: pressing Submit again now works.
        assert store.save_signup(visitor) == visitor
    finally:
        store.close()
    assert_all_there(db_path, [*saved, visitor])


def test_a_size_limited_database_reports_a_full_disk_and_reopens_once_space_frees(
    data_dir, monkeypatch
):
    """Simulated disk full for machines where mounting is not allowed: max_page_count."""
    limit: dict[str, int | None] = {"pages": None}
    original_open = Store._open

    def open_with_limit(self):
        fresh = self._db is None
        db = original_open(self)
        if fresh and limit["pages"]:
            db.conn.execute(f"PRAGMA max_page_count={limit['pages']}")
        return db

    monkeypatch.setattr(Store, "_open", open_with_limit)
    db_path = data_dir / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
        limit["pages"] = store._run(lambda db: db.execute("PRAGMA page_count").fetchone()[0])
        store._run(lambda db: store._close_connection())  # next call opens with the limit
        failed = None
        for _ in range(200):
            visitor = make_record("Zoë 🎉 Smith")
            try:
                saved.append(store.save_signup(visitor))
            except StorageError as exc:
                failed, error = visitor, exc
                break
        assert failed is not None, "the size limit never filled up"
        assert str(error).startswith(MESSAGE_START)
        assert "the disk is full" in str(error)

        # Space frees up; the limited connection was dropped, so the next one has room.
        limit["pages"] = None
        assert store.get(failed.id) is None
        assert store.stats().total == len(saved)
        assert store.save_signup(failed) == failed
    assert_all_there(db_path, [*saved, failed])


# -- read-only ---------------------------------------------------------------


def test_a_read_only_filesystem_says_read_only_and_keeps_everything(tmpfs):
    db_path = tmpfs / "data" / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
    result = _run_root("mount", "-o", "remount,ro", str(tmpfs))
    if result.returncode != 0:
        pytest.skip(f"cannot remount read-only here ({result.stderr.strip()})")

    with Store(db_path) as store, pytest.raises(StorageError) as exc:
        store.save_signup(make_record())

    assert_message(exc, "read-only")
    _run_root("mount", "-o", "remount,rw", str(tmpfs))
    assert_all_there(db_path, saved)


def test_a_read_only_data_folder_by_permissions_says_read_only(data_dir):
    db_path = data_dir / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
    db_path.chmod(0o444)
    data_dir.chmod(0o555)
    try:
        probe = data_dir / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            probe.unlink()
            pytest.skip("permissions are not enforced for this user (root); see the other variants")
        with Store(db_path) as store, pytest.raises(StorageError) as exc:
            store.save_signup(make_record())
        assert_message(exc, "read-only")
    finally:
        data_dir.chmod(0o755)
        db_path.chmod(0o644)
    assert_all_there(db_path, saved)


def test_a_database_only_openable_read_only_says_read_only_and_still_reads(data_dir, monkeypatch):
    """Simulated read-only file for any user: the store's connection is opened mode=ro."""
    db_path = data_dir / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
    real_connect = sqlite3.connect

    def connect_read_only(database, *args, **kwargs):
        if not kwargs.get("uri"):
            database, kwargs["uri"] = f"file:{database}?mode=ro", True
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect_read_only)
    with Store(db_path) as store:
        with pytest.raises(StorageError) as exc:
            store.save_signup(make_record())
        assert_message(exc, "the data folder is read-only")
        # The admin panel can still show the counts.
        assert store.stats().total == len(saved)
    monkeypatch.undo()
    assert_all_there(db_path, saved)


# -- locked by another process -------------------------------------------------

_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
"""


def test_a_database_locked_by_another_program_says_so_and_works_once_released(
    data_dir, monkeypatch
):
    # The kiosk waits 5 s for a lock; the test needs the same path, only quicker.
    monkeypatch.setattr(Store, "busy_timeout_s", 0.2)
    db_path = data_dir / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
        locker = subprocess.Popen(
            [sys.executable, "-c", _LOCKER, str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert locker.stdout.readline().strip() == "locked"
            visitor = make_record("Mary O'Neill")

            with pytest.raises(StorageError) as exc:
                store.save_signup(visitor)

            assert_message(exc, "in use by another program")
            assert store.stats().total == len(saved)  # reading still works while locked
        finally:
            locker.communicate("release\n", timeout=30)
        assert locker.returncode == 0
        assert store.save_signup(visitor) == visitor
    assert_all_there(db_path, [*saved, visitor])


# -- damaged file ----------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_header_says_damaged_and_the_file_is_left_as_it_was(data_dir):
    db_path = data_dir / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
    original = db_path.read_bytes()
    db_path.write_bytes(b"garbage garbage!" + original[16:])
    damaged = _digest(db_path)

    with Store(db_path) as store:
        for attempt in (lambda: store.save_signup(make_record()), store.stats):
            with pytest.raises(StorageError) as exc:
                attempt()
            assert_message(exc, "the database file is damaged")

    assert _digest(db_path) == damaged, "the damaged file was changed"
    assert sorted(p.name for p in data_dir.iterdir() if p.suffix != ".lock") == ["kiosk.db"]
    # An admin who repairs the header gets every sign-up back.
    db_path.write_bytes(original)
    assert_all_there(db_path, saved)


def test_damaged_pages_say_damaged_and_the_file_is_left_as_it_was(data_dir):
    db_path = data_dir / "kiosk.db"
    with Store(db_path) as store:
        saved = save_some(store)
        page_size = store._run(lambda db: db.execute("PRAGMA page_size").fetchone()[0])
    original = db_path.read_bytes()
    # Page 1 (header and schema) survives; every table and index page is scribbled over.
    db_path.write_bytes(original[:page_size] + b"\xa5" * (len(original) - page_size))
    damaged = _digest(db_path)

    with Store(db_path) as store:
        with pytest.raises(StorageError) as exc:
            store.save_signup(make_record())
        assert_message(exc, "the database file is damaged")
        with pytest.raises(StorageError) as exc:
            store.check()
        assert_message(exc, "the database file is damaged")

    assert _digest(db_path) == damaged, "the damaged file was changed"
    db_path.write_bytes(original)
    assert_all_there(db_path, saved)


# -- a full USB stick during export ------------------------------------------------


def _leave_free(folder: Path, free: int) -> None:
    """Another file takes all but `free` bytes of the stick."""
    _fill(folder)
    filler = folder / "filler.bin"
    os.truncate(filler, max(0, filler.stat().st_size - free))


@pytest.mark.parametrize("free_kib", [0, 16, 64, 160, 320])
def test_a_full_stick_is_one_clear_line_and_leaves_only_what_was_there(tmpfs, tmp_path, free_kib):
    """Whatever stage the stick fills at (staging, rows, packaging, the zip), one line."""
    data = tmp_path / "data"
    with Store(data / "kiosk.db") as store:
        for n in range(300):
            store.save_signup(make_record(f"Visitor {n}"))
    _leave_free(tmpfs, free_kib * 1024)

    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "export", "--format", "xlsx", "--out", str(tmpfs),
         "--data-dir", str(data)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"kiosk export: couldn't write the export to {tmpfs}: ")
    assert "the USB stick is full" in result.stderr
    assert [p.name for p in tmpfs.iterdir()] == ["filler.bin"]
    with Store(data / "kiosk.db") as store:
        assert store.stats().unexported == 300


# -- commands on a read-only or full disk ---------------------------------------------


def _kiosk(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        input=stdin, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_set_pin_on_a_read_only_disk_is_one_line_and_stats_still_work(tmpfs):
    data = tmpfs / "data"
    with Store(data / "kiosk.db") as store:
        save_some(store, 2)
    assert _kiosk("set-pin", "--data-dir", str(data), stdin="2468\n").returncode == 0
    result = _run_root("mount", "-o", "remount,ro", str(tmpfs))
    if result.returncode != 0:
        pytest.skip(f"cannot remount read-only here ({result.stderr.strip()})")
    try:
        pin = _kiosk("set-pin", "--data-dir", str(data), stdin="1357\n")
        stats = _kiosk("stats", "--json", "--data-dir", str(data))
    finally:
        _run_root("mount", "-o", "remount,rw", str(tmpfs))

    assert (pin.returncode, pin.stdout) == (2, ""), pin
    assert pin.stderr.count("\n") == 1 and "Traceback" not in pin.stderr, pin.stderr
    assert pin.stderr.startswith("kiosk set-pin: couldn't save the PIN: ")
    assert "read-only" in pin.stderr
    assert (stats.returncode, stats.stderr) == (0, ""), stats.stderr
    assert '"total": 2' in stats.stdout


def test_set_pin_on_a_full_disk_is_one_line(tmpfs):
    data = tmpfs / "data"
    data.mkdir()
    assert _kiosk("stats", "--data-dir", str(data)).returncode == 0  # settings and database made
    _fill(tmpfs)

    pin = _kiosk("set-pin", "--data-dir", str(data), stdin="2468\n")

    assert pin.returncode != 0 and pin.stdout == ""
    assert pin.stderr.count("\n") == 1 and "Traceback" not in pin.stderr, pin.stderr
    assert "the disk is full" in pin.stderr

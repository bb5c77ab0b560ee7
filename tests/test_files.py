"""The data folder is private: 0700, and every file the kiosk writes in it 0600."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.files import write_atomic
from kiosk.logs import setup_logging
from kiosk.security import PinGuard
from kiosk.store import Store
from tests.factories import make_record

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _loose_umask():
    """The common default: without care, new files come out 0644 and folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def use_the_kiosk(data: Path, monkeypatch) -> None:
    """A volunteer sets a PIN, a visitor signs up, someone mistypes the PIN, logs rotate."""
    monkeypatch.setattr("sys.stdin", _Stdin("2468\n"))
    assert main(["set-pin", "--data-dir", str(data)]) == 0
    with Store(data / "kiosk.db") as store:
        store.save_signup(make_record(1))
        # While the store is open its -wal and -shm files exist: check them now.
        for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "kiosk.db.lock"):
            assert mode(data / name) == 0o600, name
    PinGuard(data).attempt("0000")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_kiosk", False))
    logging.getLogger("kiosk.test").warning("a line before the rotation")
    handler.doRollover()
    logging.getLogger("kiosk.test").warning("a line after the rotation")


class _Stdin:
    def __init__(self, text: str) -> None:
        self._text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self._text


def assert_private(data: Path) -> None:
    assert mode(data) == 0o700
    assert mode(data / "logs") == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    names = {p.relative_to(data).as_posix() for p in files}
    assert {
        "kiosk.db",
        "kiosk.db.lock",
        "settings.toml",
        "admin-lockout.json",
        "logs/kiosk.log",
        "logs/kiosk.log.1",
    } <= names
    assert {p.relative_to(data).as_posix(): mode(p) for p in files} == dict.fromkeys(names, 0o600)


def test_a_fresh_data_folder_and_everything_in_it_is_private(tmp_path, monkeypatch):
    data = tmp_path / "new" / "data"  # not there yet: the kiosk creates it
    use_the_kiosk(data, monkeypatch)
    assert_private(data)


def test_an_older_kiosks_loose_folder_and_files_are_tightened(tmp_path, monkeypatch):
    data = tmp_path / "data"
    use_the_kiosk(data, monkeypatch)
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    _no_handlers()

    with Store(data / "kiosk.db") as store:
        store.save_signup(make_record(2))
    setup_logging(data / "logs")
    main(["stats", "--data-dir", str(data)])
    PinGuard(data).attempt("1111")

    assert_private(data)


def _no_handlers() -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
        root.removeHandler(handler)
        handler.close()


def test_write_atomic_is_private_unless_asked(tmp_path):
    write_atomic(tmp_path / "secret", b"x")
    write_atomic(tmp_path / "shared", b"x", private=False)
    assert mode(tmp_path / "secret") == 0o600
    assert mode(tmp_path / "shared") == 0o644

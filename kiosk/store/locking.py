"""Opening safely: the one-writer lock, file modes and what a volunteer is told on failure."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from kiosk.files import PRIVATE_FILE, open_private, tighten

READ_ONLY = "the data folder is read-only — check the disk or its permissions"


class InUseError(OSError):
    """Another process holds this data folder's writer lock."""


class _WriterLock:
    """One writing process per database, held while a Store is open.

    Two processes writing one WAL database at once can corrupt it with the SQLite
    releases Python ships (before 3.51.3), so `kiosk export` refuses to run beside
    a running kiosk instead. The OS drops the lock if the process dies.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fh = None

    def acquire(self) -> None:
        if self._fh is not None:
            return
        # Held open for the Store's lifetime; 0600 like everything in the data folder.
        fh = os.fdopen(open_private(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND), "a+b")
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise InUseError("in use by another kiosk program") from None
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def friendly(exc: sqlite3.Error | OSError) -> str:
    """What a volunteer can act on, for a storage failure."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if isinstance(exc, InUseError):
        return (
            "the kiosk is running and using this data — use Admin in the kiosk "
            "(Ctrl+Alt+Shift+A), or exit the kiosk first"
        )
    if "newer than this kiosk" in text:
        return "the database was made by a newer kiosk version — update this kiosk or ask the admin"
    if name == "SQLITE_FULL" or "full" in text or getattr(exc, "errno", None) == 28:
        return "the disk is full — free some space or use another data folder"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return READ_ONLY
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in text:
        return "the database is in use by another program — close it and try again"
    if (
        name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        or "malformed" in text
        or "not a database" in text
    ):
        return "the database file is damaged — ask the admin (keep the file; do not delete it)"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "the database cannot be opened — check the data folder exists and is writable"
    if name.startswith("SQLITE_IOERR") or isinstance(exc, OSError):
        return "the disk could not be written — check the disk or USB stick"
    return f"the database failed ({name or type(exc).__name__})"


def cannot_write(db_path: Path) -> bool:
    """True when the database's folder exists but it or the database cannot be written
    (a read-only disk or permissions): then open the Store read_only to export or count."""
    folder = db_path.parent
    return folder.is_dir() and not (
        os.access(folder, os.W_OK) and (not db_path.exists() or os.access(db_path, os.W_OK))
    )


def _make_private(db_path: Path) -> None:
    """Create the database file 0600 before SQLite does, and tighten an older one.

    SQLite gives the -wal and -shm files the database file's mode, so they follow.
    """
    try:
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        tighten(db_path)
    for suffix in ("-wal", "-shm"):
        tighten(db_path.with_name(db_path.name + suffix))

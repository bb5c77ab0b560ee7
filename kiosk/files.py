"""Files that appear whole or not at all, and kept private to the kiosk's user.

A pulled USB stick or a power cut mid-write must never leave a half file that
looks complete. The data folder is 0700 and every file in it 0600 from its first
byte: it holds names, emails and the PIN hash. No Qt here.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_POSIX = os.name == "posix"


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; best effort: some file systems refuse)."""
    if not _POSIX:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def tighten(path: Path) -> None:
    """Take group and other permissions off `path` if it has any (best effort).

    A read-only disk or a file owned by someone else keeps its mode; that is
    logged, never fatal (the kiosk still starts and reports the real problem).
    """
    if not _POSIX:
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except FileNotFoundError:
        pass
    except OSError as exc:
        # Info, not a warning: this can run before logging is set up, and a
        # command's stderr is for its one line. A read-only disk changes nothing.
        if exc.errno != errno.EROFS:
            log.info("could not make %s private: %s", path.name, exc.strerror)


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) with the folder itself 0700; tighten it if looser."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(path)
    return path


def private_data_dir(path: Path) -> Path:
    """The data folder, created or tightened to 0700, with an older kiosk's files made 0600.

    Only the kiosk's own names are touched: a data folder pointed at a shared
    place must not have other people's files changed.
    """
    private_dir(path)
    for pattern in _DATA_FILES:
        for found in path.glob(pattern):
            tighten(found)
    return path


# The database with its -wal, -shm and .lock, settings (PIN hash, sync secret), PIN lockout.
_DATA_FILES = ("kiosk.db*", "settings.toml", "admin-lockout.json")


def open_private(path: Path, flags: int) -> int:
    """os.open with the file created 0600 (an existing looser file is tightened)."""
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
    tighten(path)
    return fd


def write_atomic(path: Path, data: bytes, *, tmp: Path | None = None, private: bool = True) -> None:
    """Replace `path` with `data` atomically; on OSError the temp file is removed and it re-raises.

    `private` (the default) creates the file readable by its owner only from the
    first byte; pass False only for files meant for other users.
    """
    tmp = tmp or path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, PRIVATE_FILE if private else 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)

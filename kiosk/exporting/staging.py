"""Where an export writes before it is done: a private folder beside the target, never /tmp.

Everything an export writes (the file itself, XlsxWriter's spool and packaging
files) goes into one `.freedom-kiosk-export-*.part` folder next to the target,
and the finished file is renamed out of it. A pulled stick or a kill leaves at
most that folder, which the next export to the same place removes. No Qt here.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from kiosk.errors import ExportError

log = logging.getLogger(__name__)

PREFIX = ".freedom-kiosk-export-"
SUFFIX = ".part"
# Hidden part-files of kiosks before staging folders: also ours to remove.
_OLD_PART = ".signups-*.part"


def destination(out: Path) -> tuple[Path, Path | None]:
    """(folder to write in, final file or None to pick a unique name in the folder)."""
    if out.is_dir():
        return out, None
    if out.exists():
        raise ExportError(f"{out} already exists — choose another name or a folder")
    if not out.parent.is_dir():
        raise ExportError(f"folder {out.parent} does not exist — is the USB stick plugged in?")
    return out.parent, out


def unique_name(folder: Path, device: str, fmt: str, now: datetime) -> Path:
    stem = f"signups-{device}-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
    for n in itertools.count(1):
        candidate = folder / (f"{stem}.{fmt}" if n == 1 else f"{stem}-{n}.{fmt}")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def friendly(exc: OSError, folder: Path) -> str:
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        reason = "the USB stick is full — free some space or use another USB stick"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "it can't be written — the USB stick may be write-protected or read-only"
    elif code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
        reason = "the folder went away — was the USB stick removed? Plug it in and try again"
    else:
        reason = (
            f"{exc.strerror or type(exc).__name__} — check the USB stick has space "
            "and is not write-protected"
        )
    return f"couldn't write the export to {folder}: {reason}. Nothing was marked exported."


class Staging:
    """A private folder beside the target, held (locked) while this export runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        remove_leftovers(folder)
        try:
            self.path = Path(tempfile.mkdtemp(prefix=PREFIX, suffix=SUFFIX, dir=folder))
        except OSError as exc:
            raise ExportError(friendly(exc, folder)) from None
        self._lock = _hold(self.path)

    def file(self, name: str) -> Path:
        """A file in the staging folder: renamed out of it (atomic, same disk) when done."""
        return self.path / name

    def discard(self) -> None:
        _release(self._lock)
        self._lock = None
        shutil.rmtree(self.path, ignore_errors=True)


def remove_leftovers(folder: Path) -> int:
    """Remove what killed exports left in `folder` (not one still running). Returns how many."""
    removed = 0
    try:
        found = [*folder.glob(f"{PREFIX}*{SUFFIX}"), *folder.glob(_OLD_PART)]
    except OSError:
        return 0
    for path in found:
        if path.is_dir():
            lock = _hold(path)
            if lock is None and os.name == "posix":
                continue  # another export is writing there right now
            shutil.rmtree(path, ignore_errors=True)
            _release(lock)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
        removed += not path.exists()
    if removed:
        log.info("removed %d leftovers of an interrupted export", removed)
    return removed


def _hold(path: Path) -> int | None:
    """An exclusive lock on the staging folder, or None when another export holds it.

    The OS drops it when the process dies, so a killed export's folder is free.
    """
    if os.name != "posix":
        return None
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            os.close(fd)
            return None
        # A file system without locks: nothing can hold it, so it is no one's.
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)

"""Where an export writes before it is done: a private folder beside the target, never /tmp.

Everything an export writes (the file itself, XlsxWriter's spool and packaging
files) goes into one `.freedom-kiosk-export-*.part` folder next to the target,
and the finished file is renamed out of it. A pulled stick or a kill leaves at
most that folder: its path is noted in the data folder (RECORD), so the next
export to any place, or a Wipe, removes it. No Qt here.
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
RECORD = "export-staging.txt"
"""In the data folder: the staging folders of exports that have not finished, one a line."""


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

    def __init__(self, folder: Path, data_dir: Path | None = None) -> None:
        self.folder = folder
        self._data_dir = data_dir
        remove_leftovers(folder)
        if data_dir is not None:
            clean_recorded(data_dir)
        try:
            self.path = Path(tempfile.mkdtemp(prefix=PREFIX, suffix=SUFFIX, dir=folder))
        except OSError as exc:
            raise ExportError(friendly(exc, folder)) from None
        self._lock = _hold(self.path)
        if data_dir is not None:
            _note(data_dir, add=self.path)

    def file(self, name: str) -> Path:
        """A file in the staging folder: renamed out of it (atomic, same disk) when done."""
        return self.path / name

    def discard(self) -> None:
        _release(self._lock)
        self._lock = None
        shutil.rmtree(self.path, ignore_errors=True)
        if self._data_dir is not None and not self.path.exists():
            _note(self._data_dir, drop=self.path)


def _ours(path: Path) -> bool:
    """Only a staging folder by its name: an edited RECORD must not point us at others."""
    return path.name.startswith(PREFIX) and path.name.endswith(SUFFIX) and path.is_dir()


def _recorded(data_dir: Path) -> list[Path]:
    try:
        text = (data_dir / RECORD).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [Path(line) for line in text.splitlines() if line.strip()]


def _note(data_dir: Path, *, add: Path | None = None, drop: Path | None = None) -> None:
    paths = [p for p in _recorded(data_dir) if p != drop]
    if add is not None and add not in paths:
        paths.append(add)
    record = data_dir / RECORD
    try:
        if paths:
            # A small hint, rewritten in place (a torn write only forgets a leftover).
            fd = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write("".join(f"{p}\n" for p in paths).encode("utf-8"))
        else:
            record.unlink(missing_ok=True)
    except OSError as exc:
        log.info("could not note the export's staging folder (%s)", exc.strerror)


def clean_recorded(data_dir: Path) -> int:
    """Remove the staging folders that killed exports left, wherever they wrote (not one
    still running). Returns how many were removed."""
    removed = 0
    for path in _recorded(data_dir):
        if not _ours(path):
            _note(data_dir, drop=path)  # gone (or never ours): forget it
            continue
        lock = _hold(path)
        if lock is None and os.name == "posix":
            continue  # another export is writing there right now
        shutil.rmtree(path, ignore_errors=True)
        _release(lock)
        if not path.exists():
            removed += 1
            _note(data_dir, drop=path)
    if removed:
        log.info("removed %d staging folders of interrupted exports", removed)
    return removed


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

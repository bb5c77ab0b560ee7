"""Where an export can go: removable drives (USB sticks) and folders, found without Qt.

Linux: mount points under /media and /run/media, read from /proc/mounts.
Windows: drive letters that GetDriveTypeW calls removable. Every system call is
injectable so the tests run with a fake mounts file and fake Windows functions.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LINUX_ROOTS = ("/media/", "/run/media/")
DRIVE_REMOVABLE = 2  # GetDriveTypeW


@dataclass(frozen=True)
class Drive:
    """A place an export can go: a detected USB stick or a folder the admin chose."""

    path: Path
    label: str
    removable: bool
    free_bytes: int | None = None

    def describe(self) -> str:
        """ "KINGSTON · 14.2 GB free" (the row's first line)."""
        free = f" · {format_size(self.free_bytes)} free" if self.free_bytes is not None else ""
        return f"{self.label}{free}"


def format_size(n: int) -> str:
    """Bytes as people read them on a stick: "950 B", "14.2 GB"."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def free_bytes(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _unescape(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def linux_drives(
    mounts_file: Path = Path("/proc/mounts"),
    *,
    writable: Callable[[Path], bool] = lambda p: os.access(p, os.W_OK),
    free: Callable[[Path], int | None] = free_bytes,
) -> list[Drive]:
    """Writable mounts under /media or /run/media, in mount order, each listed once."""
    try:
        text = mounts_file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        log.warning("cannot read %s (%s)", mounts_file, exc.strerror)
        return []
    found: dict[str, Drive] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4:
            continue
        point = _unescape(parts[1])
        options = parts[3].split(",")
        if not point.startswith(LINUX_ROOTS) or "ro" in options or point in found:
            continue
        path = Path(point)
        if not writable(path):
            continue
        found[point] = Drive(path, path.name or point, True, free(path))
    return list(found.values())


class _Kernel32:
    """The three Windows calls drive detection needs (tests pass a fake)."""

    def __init__(self) -> None:
        import ctypes

        self._k = ctypes.windll.kernel32  # type: ignore[attr-defined]
        self._ctypes = ctypes

    def logical_drives(self) -> int:
        return int(self._k.GetLogicalDrives())

    def drive_type(self, root: str) -> int:
        return int(self._k.GetDriveTypeW(root))

    def volume_label(self, root: str) -> str:
        buf = self._ctypes.create_unicode_buffer(261)
        ok = self._k.GetVolumeInformationW(root, buf, 261, None, None, None, None, 0)
        return buf.value if ok else ""


def windows_drives(
    kernel32: object | None = None,
    *,
    free: Callable[[Path], int | None] = free_bytes,
) -> list[Drive]:
    """Removable drive letters (USB sticks, card readers with a card in)."""
    k = kernel32 or _Kernel32()
    mask = k.logical_drives()  # type: ignore[attr-defined]
    drives = []
    for index in range(26):
        if not mask & (1 << index):
            continue
        root = f"{chr(ord('A') + index)}:\\"
        if k.drive_type(root) != DRIVE_REMOVABLE:  # type: ignore[attr-defined]
            continue
        size = free(Path(root))
        if size is None:  # a card reader with no card: not ready
            continue
        label = k.volume_label(root) or "USB drive"  # type: ignore[attr-defined]
        drives.append(Drive(Path(root), f"{label} ({root[:2]})", True, size))
    return drives


def find_drives() -> list[Drive]:
    """The removable drives on this computer now (empty when none, never raises OSError)."""
    try:
        if sys.platform == "win32":
            return windows_drives()
        if sys.platform.startswith("linux"):
            return linux_drives()
    except OSError as exc:
        log.warning("removable drive scan failed (%s)", exc.strerror)
    return []


def drive_root(path: Path) -> Path:
    """The mount point (or drive letter) that holds `path`."""
    current = Path(os.path.abspath(path))
    while not os.path.ismount(current) and current.parent != current:
        current = current.parent
    return current


def subfolders(folder: Path, *, show_hidden: bool = False) -> list[Path]:
    """The folders directly inside `folder`, by name (unreadable ones left out)."""
    out = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if not show_hidden and entry.name.startswith("."):
                    continue
                with contextlib.suppress(OSError):
                    if entry.is_dir():
                        out.append(Path(entry.path))
    except OSError as exc:
        log.info("cannot list a folder (%s)", exc.strerror)
    return sorted(out, key=lambda p: p.name.casefold())


def can_go_up(folder: Path, root: Path) -> bool:
    """Whether the picker may show `folder`'s parent: never above `root`."""
    folder, root = Path(os.path.abspath(folder)), Path(os.path.abspath(root))
    return folder != root and root in folder.parents


def flush_to_disk(path: Path) -> None:
    """Make a finished file safe to unplug: fsync it and its folder, then the whole system.

    The exporter already fsyncs; this runs again after the rename and adds a
    system-wide sync, because some USB file systems (vfat with `flush` off)
    keep metadata in the cache until told. Raises OSError when the data may not
    have reached the disk (EIO: a failing or pulled stick), so nobody is told
    it is safe to remove; a folder fsync the file system does not support is fine.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name == "posix":
        try:
            fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            if exc.errno not in _FSYNC_UNSUPPORTED:
                raise
        os.sync()


# Some file systems refuse to fsync a folder: that is not lost data.
_FSYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES, errno.EISDIR}

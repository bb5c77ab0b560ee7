"""Files that appear whole or not at all: write a temp file, fsync, rename, fsync the folder.

A pulled USB stick or a power cut mid-write must never leave a half file that
looks complete. No Qt here.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; best effort: some file systems refuse)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(
    path: Path, data: bytes, *, tmp: Path | None = None, private: bool = False
) -> None:
    """Replace `path` with `data` atomically; on OSError the temp file is removed and it re-raises.

    `private` creates the file readable by its owner only from the first byte
    (settings hold the PIN hash and the sync secret).
    """
    tmp = tmp or path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o600 if private else 0o666)
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

"""Reading a file a person named on the command line: a regular file, of a bounded size.

A FIFO, a terminal or a link to /dev/zero would hang a read or fill memory, so
the file is opened without blocking, checked with fstat (no race with a swap
after a stat) and read only up to its cap. No Qt here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.errors import KioskError


def open_regular(path: Path, *, what: str, error: type[KioskError]) -> int:
    """An fd for reading `path`, which must be a regular file; `error` with one line if not."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"{what} {path} not found") from None
    except OSError as exc:
        raise error(f"couldn't read {what} {path}: {exc.strerror or type(exc).__name__}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error(f"{what} {path} is not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int, *, what: str, error: type[KioskError]) -> bytes:
    """The bytes of regular file `path`, at most `limit` of them (else `error`, one line)."""
    fd = open_regular(path, what=what, error=error)
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise error(f"couldn't read {what} {path}: {exc.strerror or type(exc).__name__}") from None
    if len(data) > limit:
        raise error(f"{what} {path} is too big (more than {limit:,} bytes)")
    return data

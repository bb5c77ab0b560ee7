"""Which program holds the data folder: a `kiosk` command, or the kiosk itself.

Both take the store's writer lock; a command also holds COMMAND_LOCK (shared) while
it runs, so `kiosk withdraw` beside `kiosk sync` can say "try again in a moment"
rather than "the kiosk is running". POSIX only; elsewhere the general message stays.
No Qt here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

COMMAND_LOCK = "kiosk-command.lock"
"""Held by a `kiosk` command while it writes, so another can tell it from a running kiosk."""


@contextlib.contextmanager
def command_lock(settings: Any) -> Iterator[None]:
    """Hold COMMAND_LOCK in the data folder (POSIX; best effort) for this command's run."""
    fd = None
    if os.name == "posix":
        import fcntl

        with contextlib.suppress(OSError):
            fd = os.open(settings.data_dir / COMMAND_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                fd = None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def another_command(settings: Any) -> bool:
    """True when a `kiosk` command (not the kiosk itself) holds the data folder now."""
    if os.name != "posix":
        return False
    import fcntl

    try:
        fd = os.open(settings.data_dir / COMMAND_LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False

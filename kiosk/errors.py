"""Expected failures, each with a message a volunteer can act on.

The CLI turns these into one stderr line and an exit code; the UI shows them.
"""

from __future__ import annotations

import errno


class KioskError(Exception):
    """Base for failures we expect and explain; never shown as a traceback."""

    exit_code = 1


class ContentError(KioskError):
    """The content pack is broken; `problems` has one line per problem."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SettingsError(KioskError):
    """A setting has a bad value; the message names the setting and the value."""

    exit_code = 2


class StorageError(KioskError):
    """The database could not be read or written (disk full, read-only, corrupt, locked)."""


class ImportRefusedError(KioskError):
    """A JSONL import was refused; nothing was imported."""


class ExportError(KioskError):
    """An export could not be written; nothing half-written was left behind."""


class SyncError(KioskError):
    """A sync target is misconfigured or refused the data."""


def os_error_reason(exc: OSError) -> str:
    """An OSError as a volunteer reads it: which file, and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    code = exc.errno
    if code == errno.EROFS:
        return f"{where}the disk is read-only — check the disk or use another data folder"
    if code in (errno.EACCES, errno.EPERM):
        return f"{where}permission denied — check who owns the folder and its permissions"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"{where}the disk is full — free some space"
    if code == errno.ENOENT:
        return f"{where}not found"
    if code in (errno.EIO, errno.ENODEV, errno.ENXIO):
        return f"{where}the disk could not be read or written — was it removed?"
    return f"{where}{exc.strerror or type(exc).__name__}"

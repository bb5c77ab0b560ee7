"""Expected failures, each with a message a volunteer can act on.

The CLI turns these into one stderr line and an exit code; the UI shows them.
"""

from __future__ import annotations


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

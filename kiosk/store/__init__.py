"""SQLite storage: one writer thread, one writer connection (plain sqlite3).

Every write, from the UI or the sync worker, runs on the store's own thread,
on its one connection (SQLite before 3.51.3 can corrupt a WAL when two
connections write or checkpoint at once). Bulk reads for export use a separate
read-only connection, which can neither write nor checkpoint. No Qt here.

The Store composes one mixin per flow; each lives in its own module here.
"""

from __future__ import annotations

from kiosk.records import new_donation_ref
from kiosk.store.bulk import IMPORT_CACHE_KIB, IMPORT_CHUNK, ImportCount, _ImportMixin
from kiosk.store.erasure import _ErasureMixin
from kiosk.store.export_marks import _ExportMarksMixin
from kiosk.store.locking import READ_ONLY, InUseError, cannot_write, friendly
from kiosk.store.outbox import _OutboxMixin
from kiosk.store.rows import _RECORD_COLUMNS, _row_to_record
from kiosk.store.schema import _MIGRATIONS, EVENT_KINDS, SCHEMA_VERSION
from kiosk.store.signups import _SignupsMixin
from kiosk.store.stats import Stats, _StatsMixin

__all__ = [
    "EVENT_KINDS",
    "IMPORT_CACHE_KIB",
    "IMPORT_CHUNK",
    "READ_ONLY",
    "SCHEMA_VERSION",
    "_MIGRATIONS",
    "_RECORD_COLUMNS",
    "ImportCount",
    "InUseError",
    "Stats",
    "Store",
    "_row_to_record",
    "cannot_write",
    "friendly",
    "new_donation_ref",
]


class Store(
    _SignupsMixin,
    _ImportMixin,
    _ExportMarksMixin,
    _OutboxMixin,
    _StatsMixin,
    _ErasureMixin,
):
    """The kiosk's database. Thread-safe: every call runs on the one writer thread.

    Opening is lazy and retried, so a kiosk started with a broken disk still
    shows its slides and reports the problem on the first save.
    """

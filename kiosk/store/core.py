"""The Store's plumbing: the writer thread, opening, transactions and sealing."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, Self, TypeVar

from kiosk.errors import KioskError, StorageError
from kiosk.files import private_dir
from kiosk.reading import connect_read_only
from kiosk.records import SignupRecord, iso_ms, utc_now
from kiosk.store.locking import READ_ONLY, _make_private, _WriterLock, cannot_write, friendly
from kiosk.store.schema import SCHEMA_VERSION, migrate

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Connection(sqlite3.Connection):
    """The store's connection, as `db` in every job; `db.conn` is the connection itself.

    Jobs once received a sqlite-utils Database wrapping it, and used only its
    `execute` and `conn`; importing sqlite-utils for that cost the running kiosk
    ~8 MiB and ~0.4 s (click, dateutil, pluggy...), so the jobs get sqlite3 directly.
    """

    @property
    def conn(self) -> sqlite3.Connection:
        return self


class _Core:
    """The connection, the writer thread and sealing: what every flow of Store runs on."""

    busy_timeout_s: float = 5.0  # how long a save waits for another program's lock

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] = utc_now,
        read_only: bool = False,
        seal_to: str = "",
    ) -> None:
        """`read_only`: for looking while a kiosk runs (`kiosk stats`); takes no writer lock.

        `seal_to` (the office's public key, privacy.seal_to): every personal field is
        sealed before it is written, so the database holds nothing readable; callers
        keep the plain record they saved (the thank-you name lives in memory only).
        """
        self.path = Path(path)
        self.seal_to = seal_to.strip()
        self._sealer: Any = None
        self.read_only = read_only
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-store")
        self._db: _Connection | None = None
        self._lock = _WriterLock(self.path)
        self._handed: dict[str, bool] = {}  # pending_batch ids -> sent as a marker?

    # -- plumbing ---------------------------------------------------------

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self._run(fn, doing="read the kiosk's data")

    def _run(self, fn: Callable[[sqlite3.Connection], T], doing: str = "save that") -> T:
        return self._submit(fn, doing).result()

    def _submit(self, fn: Callable[[sqlite3.Connection], T], doing: str) -> Future[T]:
        """Queue `fn` on the writer thread; its StorageError lands in the future."""

        def job() -> T:
            try:
                return fn(self._open())
            except (sqlite3.Error, OSError) as exc:
                reason = friendly(exc)
                if reason.startswith("the database cannot be opened") and self._read_only():
                    reason = READ_ONLY
                log.error("storage failure: %s (%s)", reason, type(exc).__name__)
                if isinstance(exc, sqlite3.DatabaseError) and self._db is not None:
                    # A failed commit may leave the connection unusable; reopen next time.
                    self._close_connection()
                raise StorageError(f"We couldn't {doing}: {reason}.") from exc

        if self._executor is None:
            raise StorageError(f"We couldn't {doing}: the kiosk's database is already closed.")
        return self._executor.submit(job)

    def _read_only(self) -> bool:
        """A read-only filesystem or permissions: SQLite only says it cannot open the file."""
        return cannot_write(self.path)

    def _open(self) -> _Connection:
        if self._db is not None:
            return self._db
        if self.read_only:
            conn = connect_read_only(self.path, factory=_Connection)
            conn.row_factory = sqlite3.Row
            self._db = conn
            return self._db
        private_dir(self.path.parent)
        self._lock.acquire()
        _make_private(self.path)
        conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=self.busy_timeout_s, factory=_Connection
        )
        try:
            conn.row_factory = sqlite3.Row
            # Refuse a newer kiosk's database before switching its journal mode.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"database schema {version} is newer than this kiosk ({SCHEMA_VERSION})"
                )
            conn.execute("PRAGMA journal_mode=WAL")
            # Per connection, not per file: a sign-up is durable when COMMIT returns.
            conn.execute("PRAGMA synchronous=FULL")
            # Overwrite deleted content with zeros (wipe, parked records edited away).
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_s * 1000)}")
            # Before foreign keys are on: a migration may rebuild a referenced table.
            migrate(conn)
            conn.execute("PRAGMA foreign_keys=ON")
            if self.seal_to:
                self._seal_plain_rows(conn)
        except BaseException:
            conn.close()
            raise
        self._db = conn
        return self._db

    def _close_connection(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.conn.close()
            self._db = None

    def close(self) -> None:
        """Close the connection and stop the writer thread (idempotent)."""
        if self._executor is None:
            return
        self._executor.submit(self._close_connection).result()
        self._executor.submit(self._lock.release).result()
        self._executor.shutdown(wait=True)
        self._executor = None  # type: ignore[assignment]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _now(self) -> str:
        return iso_ms(self._clock())

    @staticmethod
    def _tx(db: sqlite3.Connection, body: Callable[[sqlite3.Connection], T]) -> T:
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = body(conn)
        except BaseException:
            # SQLite may already have rolled back (disk full, I/O error); keep the real error.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def check(self) -> str:
        """PRAGMA integrity_check: "ok" or the first problem."""
        return self._read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0])

    @property
    def sealing(self) -> bool:
        """True when personal fields are sealed: Find then works by reference only."""
        return bool(self.seal_to)

    def _seal(self) -> Any:
        if self._sealer is None:
            from kiosk.sealing import Sealer  # PyNaCl only when sealing is on

            try:
                self._sealer = Sealer(self.seal_to)
            except (KioskError, ValueError) as exc:
                # Never write a sign-up unsealed when sealing was asked for.
                log.error("sealing is on but unusable (%s)", type(exc).__name__)
                raise StorageError(
                    f"We couldn't save that: privacy.seal_to can't be used ({exc})."
                ) from exc
        return self._sealer

    def _sealed(self, rec: SignupRecord) -> SignupRecord:
        return self._seal().seal_record(rec) if self.seal_to else rec

    def _seal_plain_rows(self, conn: sqlite3.Connection) -> None:
        """Seal sign-ups saved before sealing was turned on, then scrub the old text.

        VACUUM rewrites the file without the freed pages and the checkpoint empties
        the WAL, so no plain name survives on disk (as wipe does).
        """
        cols = ("first_name", "last_name", "name", "email", "phone")
        plain = " OR ".join(f"({c} IS NOT NULL AND {c} NOT LIKE 'sealed:v1:%')" for c in cols)
        rows = conn.execute(f"SELECT id, {', '.join(cols)} FROM signups WHERE {plain}").fetchall()
        if not rows:
            return
        seal = self._seal().seal_fields
        conn.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                sealed = seal(dict(zip(cols, row[1:], strict=True)))
                conn.execute(
                    f"UPDATE signups SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                    [*(sealed[c] for c in cols), row[0]],
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("sealed %d sign-ups saved before sealing was on", len(rows))

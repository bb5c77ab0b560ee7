"""SQLite storage: one writer thread, one writer connection (plain sqlite3).

Every write, from the UI or the sync worker, runs on the store's own thread,
on its one connection (SQLite before 3.51.3 can corrupt a WAL when two
connections write or checkpoint at once). Bulk reads for export use a separate
read-only connection, which can neither write nor checkpoint. No Qt here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from kiosk.errors import KioskError, StorageError
from kiosk.files import PRIVATE_FILE, open_private, private_dir, tighten
from kiosk.reading import SignupReader, connect_read_only
from kiosk.records import CONSENT, SignupRecord, iso_ms, new_donation_ref, utc_now

log = logging.getLogger(__name__)
T = TypeVar("T")

SCHEMA_VERSION = 2
EVENT_KINDS = (
    "slide_shown",
    "engage",
    "form_started",
    "form_abandoned",
    "signup_saved",
    "qr_shown",
    "save_failed",
    "idle_reset",
)

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE signups (
        -- seq: insertion order, stable across VACUUM (an INTEGER PRIMARY KEY is).
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        interests TEXT NOT NULL,
        consents TEXT NOT NULL,
        consent_text TEXT NOT NULL,
        donation_ref TEXT NOT NULL,
        content_version TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    -- (created_at, id): the export's order, read straight off the index.
    CREATE INDEX signups_created ON signups(created_at, id);
    -- Not unique: kiosks draw references independently, and an import must not fail
    -- on another kiosk's clash. A kiosk still never reuses one it holds (save_signup).
    CREATE INDEX signups_ref ON signups(donation_ref);
    -- Narrow and keyed by seq, so marking 100,000 exported appends in order and
    -- rewrites no sign-up rows.
    CREATE TABLE exported (
        seq INTEGER PRIMARY KEY REFERENCES signups(seq),
        exported_at TEXT NOT NULL
    );
    -- The office's proof of consent: one row per channel, wording as shown.
    CREATE TABLE consent_log (
        signup_id TEXT NOT NULL REFERENCES signups(id),
        channel TEXT NOT NULL,
        granted INTEGER NOT NULL,
        wording TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        content_version TEXT NOT NULL,
        PRIMARY KEY (signup_id, channel)
    );
    CREATE TABLE outbox (
        signup_id TEXT PRIMARY KEY REFERENCES signups(id),
        queued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        parked INTEGER NOT NULL DEFAULT 0,
        synced_at TEXT
    );
    CREATE INDEX outbox_pending ON outbox(synced_at, parked, queued_at);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX events_at ON events(at);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # First and last name, language, consent basis, withdrawal (SPEC 5). The table is
    # rebuilt because a withdrawn sign-up's name becomes NULL; old names split at the
    # last space (rtrim by the name's own non-space characters leaves "first ").
    2: """
    CREATE TABLE signups_v2 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        first_name TEXT,
        last_name TEXT,
        name TEXT,
        email TEXT,
        phone TEXT,
        interests TEXT NOT NULL,
        consents TEXT NOT NULL,
        consent_basis TEXT NOT NULL,
        consent_text TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT 'en',
        donation_ref TEXT NOT NULL,
        content_version TEXT NOT NULL,
        withdrawn_at TEXT,
        saved_at TEXT NOT NULL
    );
    INSERT INTO signups_v2 (
        seq, id, created_at, device_id, first_name, last_name, name, email, phone,
        interests, consents, consent_basis, consent_text, language, donation_ref,
        content_version, withdrawn_at, saved_at)
    SELECT seq, id, created_at, device_id,
        CASE WHEN instr(name, ' ') > 0
             THEN rtrim(rtrim(name, replace(name, ' ', '')), ' ') ELSE name END,
        CASE WHEN instr(name, ' ') > 0
             THEN substr(name, length(rtrim(name, replace(name, ' ', ''))) + 1) END,
        name, email, phone, interests, consents,
        COALESCE((SELECT json_group_object(key, 'consent') FROM json_each(consents)), '{}'),
        consent_text, 'en', donation_ref, content_version, NULL, saved_at
    FROM signups;
    DROP INDEX signups_created;
    DROP INDEX signups_ref;
    DROP TABLE signups;
    ALTER TABLE signups_v2 RENAME TO signups;
    CREATE INDEX signups_created ON signups(created_at, id);
    CREATE INDEX signups_ref ON signups(donation_ref);
    ALTER TABLE consent_log ADD COLUMN basis TEXT NOT NULL DEFAULT 'consent';
    ALTER TABLE consent_log ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
    """,
}


@dataclass(frozen=True)
class Stats:
    total: int
    today: int
    pending_sync: int
    unexported: int
    last_sync_at: str | None
    last_sync_error: str | None
    parked: int
    # Neither exported nor synced: what a wipe would lose for good.
    unsaved_elsewhere: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "today": self.today,
            "pending_sync": self.pending_sync,
            "unexported": self.unexported,
            "last_sync_at": self.last_sync_at,
        }


READ_ONLY = "the data folder is read-only — check the disk or its permissions"


class InUseError(OSError):
    """Another process holds this data folder's writer lock."""


class _WriterLock:
    """One writing process per database, held while a Store is open.

    Two processes writing one WAL database at once can corrupt it with the SQLite
    releases Python ships (before 3.51.3), so `kiosk export` refuses to run beside
    a running kiosk instead. The OS drops the lock if the process dies.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fh = None

    def acquire(self) -> None:
        if self._fh is not None:
            return
        # Held open for the Store's lifetime; 0600 like everything in the data folder.
        fh = os.fdopen(open_private(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND), "a+b")
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise InUseError("in use by another kiosk program") from None
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def friendly(exc: sqlite3.Error | OSError) -> str:
    """What a volunteer can act on, for a storage failure."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    if isinstance(exc, InUseError):
        return (
            "the kiosk is running and using this data — use Admin in the kiosk "
            "(Ctrl+Alt+Shift+A), or exit the kiosk first"
        )
    if "newer than this kiosk" in text:
        return "the database was made by a newer kiosk version — update this kiosk or ask the admin"
    if name == "SQLITE_FULL" or "full" in text or getattr(exc, "errno", None) == 28:
        return "the disk is full — free some space or use another data folder"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return READ_ONLY
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in text:
        return "the database is in use by another program — close it and try again"
    if (
        name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        or "malformed" in text
        or "not a database" in text
    ):
        return "the database file is damaged — ask the admin (keep the file; do not delete it)"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "the database cannot be opened — check the data folder exists and is writable"
    if name.startswith("SQLITE_IOERR") or isinstance(exc, OSError):
        return "the disk could not be written — check the disk or USB stick"
    return f"the database failed ({name or type(exc).__name__})"


# The same few consent wordings and interest lists repeat on every row: decode each once.
@functools.lru_cache(maxsize=256)
def _json_tuple(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


@functools.lru_cache(maxsize=256)
def _json_dict(text: str) -> tuple[tuple[str, Any], ...]:
    return tuple(json.loads(text).items())


def _row_to_record(row: sqlite3.Row | tuple[Any, ...]) -> SignupRecord:
    """A record from a row of _RECORD_COLUMNS, by position (tuples are fastest to read)."""
    (
        id_,
        created_at,
        device_id,
        first_name,
        last_name,
        name,
        email,
        phone,
        interests,
        consents,
        consent_basis,
        consent_text,
        language,
        donation_ref,
        content_version,
        withdrawn_at,
    ) = row
    return SignupRecord.from_store(
        id=id_,
        created_at=created_at,
        device_id=device_id,
        first_name=first_name,
        last_name=last_name,
        name=name,
        email=email,
        phone=phone,
        interests=_json_tuple(interests),
        consents=dict(_json_dict(consents)),
        consent_basis=dict(_json_dict(consent_basis)),
        consent_text=dict(_json_dict(consent_text)),
        language=language,
        donation_ref=donation_ref,
        content_version=content_version,
        withdrawn_at=withdrawn_at,
    )


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


IMPORT_CHUNK = 250
IMPORT_CACHE_KIB = 64 * 1024
_DEFAULT_CACHE = -2000  # SQLite's own default (2 MB)


def _rollback_journal(conn: sqlite3.Connection) -> bool:
    """Switch to a rollback journal for one big import, if no one else has the file open.

    In WAL mode every page of an import is written twice (the WAL, then the
    checkpoint); a rollback journal holds only the few old pages changed, and new
    pages go straight into the file. Just as durable: synchronous=EXTRA also syncs
    the folder once the journal is deleted, which commits. False if it stayed WAL.
    """
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError:  # a reader has it open: stay in WAL
        return False
    if str(mode).lower() != "delete":
        return False
    conn.execute("PRAGMA synchronous=EXTRA")
    return True


def _back_to_wal(conn: sqlite3.Connection) -> None:
    """WAL again after an import (if a reader holds the file, the next start does it)."""
    mode = "delete"
    with contextlib.suppress(sqlite3.Error):
        mode = str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
    if mode == "wal":
        conn.execute("PRAGMA synchronous=FULL")


class _Prepared(NamedTuple):
    """A record ready to insert, with its rows."""

    tag: Any
    record: SignupRecord
    signup_row: tuple[Any, ...]
    consent_rows: list[tuple[Any, ...]]


def _prepare(tag: Any, plain: SignupRecord, rec: SignupRecord, now: str) -> _Prepared:
    """The rows of one imported record `rec` (sealed when sealing is on, else `plain`):
    the same columns as _insert; consent rows in _IMPORT_CONSENT's column order."""
    head = (rec.id, rec.created_at, rec.device_id, rec.content_version, rec.language)
    return _Prepared(
        tag,
        plain,
        (
            rec.id,
            rec.created_at,
            rec.device_id,
            rec.first_name,
            rec.last_name,
            rec.name,
            rec.email,
            rec.phone,
            _dump_cached(rec.interests),
            _dump_cached(rec.consents),
            _dump_cached(rec.consent_basis),
            _dump_cached(rec.consent_text),
            rec.language,
            rec.donation_ref,
            rec.content_version,
            rec.withdrawn_at,
            now,
        ),
        [head + tail for tail in _consent_tails(rec)],
    )


_IMPORT_CONSENT = (
    "INSERT INTO consent_log (signup_id, recorded_at, device_id, content_version, language, "
    "channel, granted, wording, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_tails_memo: dict[int, tuple[Any, Any, Any, tuple[tuple[Any, ...], ...]]] = {}


def _consent_tails(rec: SignupRecord) -> tuple[tuple[Any, ...], ...]:
    """(channel, granted, wording, basis) per channel: the part of a record's consent
    rows its kiosk's records share (the same objects: see records._checked_shared),
    looked up by identity. The memo holds the objects, so no id is reused meanwhile."""
    consents, text, basis = rec.consents, rec.consent_text, rec.consent_basis
    hit = _tails_memo.get(id(consents))
    if hit is not None and hit[0] is consents and hit[1] is text and hit[2] is basis:
        return hit[3]
    tails = tuple(
        (channel, int(granted), text.get(channel, ""), basis.get(channel, CONSENT))
        for channel, granted in consents.items()
    )
    if len(_tails_memo) >= 1024:
        _tails_memo.clear()
    _tails_memo[id(consents)] = (consents, text, basis, tails)
    return tails


@dataclass(frozen=True)
class ImportCount:
    added: int
    already_here: int  # ids this kiosk held before the import
    repeats: int  # ids this same import had already added


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_dump_memo: dict[int, tuple[Any, str]] = {}


def _dump_cached(value: Any) -> str:
    """_dump for the interest lists and consent maps an import's records share (the
    same objects: see records._checked_shared), looked up by identity. The memo holds
    each object, so its id can't be reused while it is there."""
    hit = _dump_memo.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = _dump(list(value) if isinstance(value, tuple) else value)
    if len(_dump_memo) >= 1024:
        _dump_memo.clear()
    _dump_memo[id(value)] = (value, text)
    return text


_RECORD_COLUMNS = (
    "id, created_at, device_id, first_name, last_name, name, email, phone, interests, "
    "consents, consent_basis, consent_text, language, donation_ref, content_version, "
    "withdrawn_at"
)


class _Connection(sqlite3.Connection):
    """The store's connection, as `db` in every job; `db.conn` is the connection itself.

    Jobs once received a sqlite-utils Database wrapping it, and used only its
    `execute` and `conn`; importing sqlite-utils for that cost the running kiosk
    ~8 MiB and ~0.4 s (click, dateutil, pluggy...), so the jobs get sqlite3 directly.
    """

    @property
    def conn(self) -> sqlite3.Connection:
        return self


class Store:
    """The kiosk's database. Thread-safe: every call runs on the one writer thread.

    Opening is lazy and retried, so a kiosk started with a broken disk still
    shows its slides and reports the problem on the first save.
    """

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
            self._migrate(conn)
            conn.execute("PRAGMA foreign_keys=ON")
            if self.seal_to:
                self._seal_plain_rows(conn)
        except BaseException:
            conn.close()
            raise
        self._db = conn
        return self._db

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"database schema {version} is newer than this kiosk ({SCHEMA_VERSION})"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={target}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            log.info("database migrated to schema %d", target)

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

    def __enter__(self) -> Store:
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

    # -- sign-ups ---------------------------------------------------------

    def save_signup(self, record: SignupRecord) -> SignupRecord:
        """Store the sign-up, its consent log and its outbox row in one transaction.

        Returns once the transaction has committed (durably). The donation
        reference is re-drawn in the rare case it collides with a stored one.
        """

        def body(conn: sqlite3.Connection) -> SignupRecord:
            rec = record
            for _ in range(20):
                taken = conn.execute(
                    "SELECT 1 FROM signups WHERE donation_ref = ?", (rec.donation_ref,)
                ).fetchone()
                if not taken:
                    break
                prefix = rec.donation_ref.rpartition("-")[0]
                rec = dataclasses.replace(rec, donation_ref=new_donation_ref(prefix))
            self._insert(conn, rec, queue=True)
            return rec

        return self._run(lambda db: self._tx(db, body))

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

    def _insert(self, conn: sqlite3.Connection, rec: SignupRecord, *, queue: bool) -> None:
        rec = self._sealed(rec)  # the one place sign-ups are written
        now = self._now()
        conn.execute(
            f"INSERT INTO signups ({_RECORD_COLUMNS}, saved_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rec.id,
                rec.created_at,
                rec.device_id,
                rec.first_name,
                rec.last_name,
                rec.name,
                rec.email,
                rec.phone,
                _dump(list(rec.interests)),
                _dump(rec.consents),
                _dump(rec.consent_basis),
                _dump(rec.consent_text),
                rec.language,
                rec.donation_ref,
                rec.content_version,
                rec.withdrawn_at,
                now,
            ),
        )
        conn.executemany(
            "INSERT INTO consent_log (signup_id, channel, granted, wording, recorded_at, "
            "device_id, content_version, basis, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    rec.id,
                    channel,
                    int(granted),
                    rec.consent_text.get(channel, ""),
                    rec.created_at,
                    rec.device_id,
                    rec.content_version,
                    rec.consent_basis.get(channel, CONSENT),
                    rec.language,
                )
                for channel, granted in rec.consents.items()
            ],
        )
        if queue:
            conn.execute("INSERT INTO outbox (signup_id, queued_at) VALUES (?, ?)", (rec.id, now))

    def get(self, signup_id: str) -> SignupRecord | None:
        def read(db: sqlite3.Connection) -> SignupRecord | None:
            row = db.execute(
                f"SELECT {_RECORD_COLUMNS} FROM signups WHERE id = ?", [signup_id]
            ).fetchone()
            return _row_to_record(row) if row else None

        return self._read(read)

    def all_ids(self) -> set[str]:
        return self._read(lambda db: {r[0] for r in db.execute("SELECT id FROM signups")})

    # -- import (another kiosk's records) ------------------------------------------

    def import_records(self, records: Iterable[SignupRecord], *, queue: bool = True) -> int:
        """Add records from another kiosk, all or nothing; returns how many were new."""
        return self.import_stream(((None, r) for r in records), queue=queue).added

    def import_stream(
        self,
        items: Iterable[tuple[Any, SignupRecord]],
        *,
        queue: bool = True,
        on_repeat: Callable[[Any, SignupRecord, SignupRecord], None] | None = None,
        before_commit: Callable[[], None] | None = None,
        chunk_size: int = IMPORT_CHUNK,
    ) -> ImportCount:
        """Add (tag, record) pairs in ONE transaction, streamed in chunks: all or nothing.

        Ids already here before the import are skipped; an id this same import
        already added calls `on_repeat(tag, record, stored)` (the tag is the
        caller's, e.g. a line number). Anything raised while `items` is consumed,
        or by `before_commit`, rolls everything back. New records are queued for
        sync (SPEC 9: a kiosk that was never online reaches the office through one
        that is). Memory stays bounded: no list of records or ids is held.
        """

        # The writer thread reads, checks and inserts chunk by chunk. (Reading on the
        # calling thread beside it was tried: each row's insert then waits for the GIL,
        # and the two threads together spent more time than one.)
        now = self._now()

        def body(conn: sqlite3.Connection) -> ImportCount:
            start = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM signups").fetchone()[0]
            # The id-keyed indexes of 100,000 records must stay in memory: once SQLite
            # spills a dirty page mid-transaction, every later change to it is another
            # copy in the WAL. Bounded (64 MiB), and given back afterwards.
            conn.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
            added = held = repeats = 0
            # Sealed rows (when sealing is on) but the plain record kept for comparing
            # repeats: sealing draws a fresh key each time, so two seals never match.
            prepared = (_prepare(tag, rec, self._sealed(rec), now) for tag, rec in items)
            for chunk in _chunks(prepared, chunk_size):
                top = start + added  # seq counts up by one per row inserted
                a, h, r = self._import_chunk(conn, chunk, start, top, now, queue, on_repeat)
                added, held, repeats = added + a, held + h, repeats + r
            if before_commit is not None:
                before_commit()
            return ImportCount(added=added, already_here=held, repeats=repeats)

        def run(db: sqlite3.Connection) -> ImportCount:
            # Each chunk inserts its sign-ups before their consent and outbox rows, so
            # every reference holds by construction: 400,000 foreign-key lookups spared
            # on the thread that limits an import. (Settable only between transactions.)
            db.conn.execute("PRAGMA foreign_keys=OFF")
            journal = _rollback_journal(db.conn)
            try:
                return self._tx(db, body)
            finally:
                with contextlib.suppress(sqlite3.Error):
                    db.conn.execute(f"PRAGMA cache_size={_DEFAULT_CACHE}")
                    db.conn.execute("PRAGMA foreign_keys=ON")
                if journal:
                    _back_to_wal(db.conn)

        return self._run(run, "import those sign-ups")

    def _import_chunk(
        self,
        conn: sqlite3.Connection,
        chunk: list[_Prepared],
        start_seq: int,
        top_seq: int,
        now: str,
        queue: bool,
        on_repeat: Callable[[Any, SignupRecord, SignupRecord], None] | None,
    ) -> tuple[int, int, int]:
        """The one insert path of an import (a withdrawal marker for a held id comes here).

        `start_seq` is the newest row before the import, `top_seq` before this chunk.
        Usually every id is new: one INSERT OR IGNORE says so, with no lookups. When
        some were ignored, their seq tells held ids (before the import) from repeats.
        """
        inserted = conn.executemany(
            f"INSERT OR IGNORE INTO signups ({_RECORD_COLUMNS}, saved_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [p.signup_row for p in chunk],
        ).rowcount
        held = repeats = 0
        if inserted == len(chunk):
            fresh = {p.record.id: p for p in chunk}
        else:
            ids = [p.record.id for p in chunk]
            seq_of = dict(
                conn.execute(
                    f"SELECT id, seq FROM signups WHERE id IN ({','.join('?' * len(ids))})", ids
                ).fetchall()
            )
            fresh = {}
            for prepared in chunk:
                rec = prepared.record
                seq = seq_of.get(rec.id)
                if seq is None:  # ignored for another reason than its id: never quietly
                    raise sqlite3.IntegrityError(f"sign-up {rec.id} could not be stored")
                if seq <= start_seq:
                    held += 1
                elif seq > top_seq and rec.id not in fresh:
                    fresh[rec.id] = prepared
                else:
                    repeats += 1
                    if on_repeat is not None:
                        on_repeat(prepared.tag, rec, self._imported(conn, rec.id, fresh))
        if not fresh:
            return 0, held, repeats
        conn.executemany(_IMPORT_CONSENT, [row for p in fresh.values() for row in p.consent_rows])
        if queue:
            conn.executemany(
                "INSERT INTO outbox (signup_id, queued_at) VALUES (?, ?)",
                [(signup_id, now) for signup_id in fresh],
            )
        return len(fresh), held, repeats

    @staticmethod
    def _imported(
        conn: sqlite3.Connection, signup_id: str, fresh: dict[str, _Prepared]
    ) -> SignupRecord:
        """The record this import already added under `signup_id`."""
        if signup_id in fresh:
            return fresh[signup_id].record
        row = conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM signups WHERE id = ?", (signup_id,)
        ).fetchone()
        return _row_to_record(row)

    def last_seq(self) -> int:
        """The newest sign-up's insertion number (0 when empty): an export's snapshot."""
        return self._read(
            lambda db: db.execute("SELECT COALESCE(MAX(seq), 0) FROM signups").fetchone()[0]
        )

    def reader(
        self,
        *,
        unexported: bool = False,
        since: str | None = None,
        upto: int | None = None,
        batch: int = 2000,
    ) -> SignupReader:
        """The sign-ups for export, oldest first, on a read-only connection.

        `upto` (a last_seq()) leaves out anything saved or imported after it.
        Iterating a damaged database yields every readable row; the reader then
        tells how many could not be read (see kiosk.reading).
        """
        self._run(lambda db: None)  # make sure the file exists and is migrated
        return SignupReader(
            self.path,
            _RECORD_COLUMNS,
            _row_to_record,
            unexported=unexported,
            since=since,
            upto=upto,
            batch=batch,
            describe=friendly,
        )

    def iter_records(self, **filters: Any) -> Iterator[SignupRecord]:
        """Stream records oldest first (the filters of reader())."""
        yield from self.reader(**filters)

    def mark_exported(self, ids: Iterable[str]) -> None:
        id_list = list(ids)
        now = self._now()

        def body(conn: sqlite3.Connection) -> None:
            # OR IGNORE keeps the first export time; the SELECT skips unknown ids.
            conn.executemany(
                "INSERT OR IGNORE INTO exported SELECT seq, ? FROM signups WHERE id = ?",
                # In key order: B-tree inserts in order are about twice as fast.
                [(now, signup_id) for signup_id in sorted(set(id_list))],
            )

        self._run(lambda db: self._tx(db, body))

    def withdrawn_upto(self, upto: int) -> list[str]:
        """The ids withdrawn so far among sign-ups up to `upto` (take it before reading).

        A withdrawal is final, so these are withdrawal markers in every read that follows.
        """
        return self._read(
            lambda db: [
                r[0]
                for r in db.execute(
                    "SELECT id FROM signups WHERE seq <= ? AND withdrawn_at IS NOT NULL", [upto]
                )
            ]
        )

    def mark_exported_upto(
        self, upto: int, *, since: str | None = None, withdrawn: Iterable[str] | None = None
    ) -> None:
        """Mark what `iter_records(upto=upto, since=since)` gave, in one ordered sweep.

        Already exported ones keep their first export time (OR IGNORE), so an
        `unexported` export marks exactly what it wrote. `withdrawn` (withdrawn_upto()
        taken before reading): a sign-up withdrawn since then may be in the file with its
        name, so it stays unexported and its marker goes out in the next export.
        """
        now = self._now()
        sql = "INSERT OR IGNORE INTO exported SELECT seq, ? FROM signups WHERE seq <= ?"
        params: list[Any] = [now, upto]
        if withdrawn is not None:
            sql += " AND (withdrawn_at IS NULL OR id IN (SELECT value FROM json_each(?)))"
            params.append(json.dumps(sorted(set(withdrawn))))
        if since:
            sql += " AND created_at >= ?"
            params.append(since)
        self._run(lambda db: self._tx(db, lambda conn: conn.execute(sql + " ORDER BY seq", params)))

    # -- outbox -----------------------------------------------------------

    def pending_batch(self, limit: int = 100, *, due_only: bool = True) -> list[SignupRecord]:
        """Oldest records not yet synced nor parked, whose next attempt is due."""
        now = self._now()

        def read(db: sqlite3.Connection) -> list[SignupRecord]:
            sql = (
                f"SELECT {', '.join('s.' + c.strip() for c in _RECORD_COLUMNS.split(','))} "
                "FROM outbox o JOIN signups s ON s.id = o.signup_id "
                "WHERE o.synced_at IS NULL AND o.parked = 0"
            )
            params: list[Any] = []
            if due_only:
                sql += " AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
                params.append(now)
            sql += " ORDER BY o.queued_at, o.signup_id LIMIT ?"
            params.append(limit)
            return [_row_to_record(r) for r in db.execute(sql, params)]

        batch = self._read(read)
        # What was handed out, so mark_synced marks exactly that (see there).
        self._handed.update((r.id, r.withdrawn) for r in batch)
        return batch

    def next_attempt_at(self) -> str | None:
        """When the earliest waiting record may be retried (None: nothing waiting)."""
        return self._read(
            lambda db: db.execute(
                "SELECT MIN(COALESCE(next_attempt_at, queued_at)) FROM outbox "
                "WHERE synced_at IS NULL AND parked = 0"
            ).fetchone()[0]
        )

    def mark_synced(self, ids: Iterable[str | SignupRecord]) -> None:
        """Mark sent records synced: ids from pending_batch(), or the records themselves.

        A sign-up withdrawn after it was handed out as a live record was re-queued with
        its marker, which the office has not had: it stays pending.
        """
        sent: dict[str, bool | None] = {}
        for item in ids:
            if isinstance(item, SignupRecord):
                sent[item.id] = item.withdrawn
            else:
                sent[item] = self._handed.get(item)
        for signup_id in sent:
            self._handed.pop(signup_id, None)
        # Unknown (None): an id this Store never handed out; marked as before.
        live = [i for i, withdrawn in sent.items() if withdrawn is False]
        rest = [i for i, withdrawn in sent.items() if withdrawn is not False]
        id_list = list(sent)
        now = self._now()

        def body(conn: sqlite3.Connection) -> None:
            update = (
                "UPDATE outbox SET synced_at = ?, last_error = NULL, next_attempt_at = NULL "
                "WHERE synced_at IS NULL AND signup_id IN (SELECT value FROM json_each(?))"
            )
            conn.execute(update, [now, json.dumps(rest)])
            conn.execute(
                update + " AND NOT EXISTS (SELECT 1 FROM signups s WHERE s.id = "
                "outbox.signup_id AND s.withdrawn_at IS NOT NULL)",
                [now, json.dumps(live)],
            )
            parked = conn.execute(
                "SELECT 1 FROM outbox WHERE parked = 1 AND synced_at IS NULL LIMIT 1"
            ).fetchone()
            # A refused (parked) batch keeps its reason on show until the admin acts.
            self._set_meta(
                conn,
                {"last_sync_at": now} if parked else {"last_sync_at": now, "last_sync_error": ""},
            )

        if id_list:
            self._run(lambda db: self._tx(db, body))

    def mark_failed(self, ids: Iterable[str], error: str, *, retry_in_s: float | None) -> None:
        """Record a failed attempt: retry after `retry_in_s`, or park (None) until an admin acts."""
        id_list = list(ids)
        now = self._clock()
        next_at = iso_ms(now + timedelta(seconds=retry_in_s)) if retry_in_s is not None else None

        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                f"parked = ? WHERE synced_at IS NULL AND signup_id IN "
                f"({','.join('?' * len(id_list))})",
                [error, next_at, int(retry_in_s is None), *id_list],
            )
            self._set_meta(conn, {"last_sync_error": error, "last_sync_error_at": iso_ms(now)})

        if id_list:
            self._run(lambda db: self._tx(db, body))

    def unpark_all(self) -> int:
        """Give parked records another chance (after the admin fixed the target)."""
        return self._run(
            lambda db: self._tx(
                db,
                lambda conn: (
                    conn.execute(
                        "UPDATE outbox SET parked = 0, next_attempt_at = NULL WHERE parked = 1 "
                        "AND synced_at IS NULL"
                    ).rowcount
                ),
            )
        )

    def attempts(self, signup_id: str) -> int:
        return self._read(
            lambda db: db.execute(
                "SELECT attempts FROM outbox WHERE signup_id = ?", [signup_id]
            ).fetchone()[0]
        )

    # -- events, meta, stats ------------------------------------------------

    def record_event(self, kind: str, detail: str | None = None) -> None:
        """An analytics event: never personal data, only kinds and content keys."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        at = self._now()
        # Not awaited: an analytics commit (an fsync) must not hold up a tap. Later
        # calls queue behind it on the same thread; a failure is logged there.
        self._submit(
            lambda db: db.execute(
                "INSERT INTO events (at, kind, detail) VALUES (?, ?, ?)", [at, kind, detail]
            ),
            "record that",
        )

    def event_counts(self, since: str | None = None) -> dict[str, int]:
        sql = "SELECT kind, COUNT(*) FROM events"
        params = []
        if since:
            sql += " WHERE at >= ?"
            params.append(since)
        sql += " GROUP BY kind"
        return self._read(lambda db: dict(db.execute(sql, params).fetchall()))

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, values: dict[str, str]) -> None:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def set_meta(self, **values: str) -> None:
        self._run(lambda db: self._tx(db, lambda conn: self._set_meta(conn, values)))

    def meta(self, key: str) -> str | None:
        row = self._read(
            lambda db: db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        )
        return row[0] if row and row[0] != "" else None

    def stats(self, *, local_day_start: datetime | None = None) -> Stats:
        """Counts for the admin panel and `kiosk stats`; "today" is local midnight onwards."""
        start = local_day_start or _local_midnight(self._clock())

        def read(db: sqlite3.Connection) -> Stats:
            one = lambda sql, *p: db.execute(sql, p).fetchone()[0]  # noqa: E731
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            return Stats(
                total=one("SELECT COUNT(*) FROM signups"),
                today=one("SELECT COUNT(*) FROM signups WHERE created_at >= ?", iso_ms(start)),
                pending_sync=one("SELECT COUNT(*) FROM outbox WHERE synced_at IS NULL"),
                unexported=one(
                    "SELECT (SELECT COUNT(*) FROM signups) - (SELECT COUNT(*) FROM exported)"
                ),
                parked=one("SELECT COUNT(*) FROM outbox WHERE synced_at IS NULL AND parked = 1"),
                unsaved_elsewhere=one(
                    "SELECT COUNT(*) FROM signups s WHERE NOT EXISTS "
                    "(SELECT 1 FROM exported e WHERE e.seq = s.seq) AND NOT EXISTS "
                    "(SELECT 1 FROM outbox o WHERE o.signup_id = s.id AND o.synced_at IS NOT NULL)"
                ),
                last_sync_at=meta.get("last_sync_at") or None,
                last_sync_error=meta.get("last_sync_error") or None,
            )

        return self._read(read)

    def hourly_counts(self, *, local_day_start: datetime | None = None) -> list[int]:
        """Sign-ups in each local hour of today (24 numbers), for the admin chart."""
        start = local_day_start or _local_midnight(self._clock())
        end = start + timedelta(days=1)
        rows = self._read(
            lambda db: [
                r[0]
                for r in db.execute(
                    "SELECT created_at FROM signups WHERE created_at >= ? AND created_at < ?",
                    [iso_ms(start), iso_ms(end)],
                )
            ]
        )
        counts = [0] * 24
        tz = start.tzinfo
        for text in rows:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(tz)
            counts[moment.hour] += 1
        return counts

    # -- admin: funnel, find, withdraw (kiosk/funnel.py, kiosk/finding.py) ------------

    def event_hours(self, start: datetime, end: datetime) -> list[dict[str, int]]:
        """Event counts by kind for each local hour from `start` (24 dicts for a day)."""
        rows = self._read(
            lambda db: db.execute(
                "SELECT substr(at, 1, 13) AS hour, kind, COUNT(*) FROM events "
                "WHERE at >= ? AND at < ? GROUP BY hour, kind",
                [iso_ms(start), iso_ms(end)],
            ).fetchall()
        )
        hours = max(1, round((end - start).total_seconds() / 3600))
        out: list[dict[str, int]] = [{} for _ in range(hours)]
        for hour_text, kind, count in rows:
            # UTC hours map to local ones whole (time zones off by half an hour are rare).
            moment = datetime.fromisoformat(hour_text + ":00:00+00:00")
            index = int((moment - start).total_seconds() // 3600)
            index = min(max(index, 0), hours - 1)
            out[index][kind] = out[index].get(kind, 0) + count
        return out

    def find_rows(self, text: str, *, limit: int = 50) -> list[dict[str, Any]]:
        """Sign-ups whose reference or name contains `text`, newest first (for kiosk/finding.py).

        Case and accents are ignored ("sean" finds Seán), and so are the reference's
        dash and spaces ("nh7f3" finds NH-7F3KQ2). With sealing on, by reference only.
        """
        from kiosk.finding import fold, ref_key

        name_like = f"%{_like_escape(fold(text))}%"
        ref = ref_key(text)
        ref_like = f"%{_like_escape(ref)}%" if ref else None

        def read(db: sqlite3.Connection) -> list[dict[str, Any]]:
            conn = db.conn
            conn.create_function("kiosk_fold", 1, fold, deterministic=True)
            rows = conn.execute(
                "SELECT s.id, s.donation_ref, s.first_name, s.last_name, s.name, s.email, "
                "s.phone, s.created_at, s.saved_at, s.withdrawn_at, o.synced_at, e.exported_at "
                "FROM signups s LEFT JOIN outbox o ON o.signup_id = s.id "
                "LEFT JOIN exported e ON e.seq = s.seq "
                # Plain-ASCII names by SQLite's own LIKE (case-blind for ASCII); only names
                # with accents or other scripts go through Python to be folded.
                "WHERE (:names AND s.name NOT LIKE 'sealed:v1:%' AND (s.name LIKE :name "
                "ESCAPE '\\' OR (s.name GLOB '*[^ -~]*' AND kiosk_fold(s.name) LIKE :name "
                "ESCAPE '\\'))) OR (:ref IS NOT NULL AND "
                "replace(s.donation_ref, '-', '') LIKE :ref ESCAPE '\\') "
                "ORDER BY s.created_at DESC, s.seq DESC LIMIT :limit",
                {
                    # Sealed names can't be searched (only the office can read them).
                    "names": not self.sealing,
                    "name": name_like,
                    "ref": ref_like,
                    "limit": limit,
                },
            ).fetchall()
            return [dict(r) for r in rows]

        return self._read(read)

    def withdraw(self, ref_or_id: str) -> SignupRecord | None:
        """Erase one person's data on this kiosk, keeping a withdrawal marker to export and sync.

        `ref_or_id` is the sign-up's id or its donation reference (as printed, any
        case). Returns the marker (None when nothing matches). Personal fields are
        overwritten in the database files themselves (secure_delete, then the WAL
        emptied), not just unlinked.
        """
        from kiosk.finding import ref_forms

        key = ref_or_id.strip()
        forms = ref_forms(key) or [key]

        def find(conn: sqlite3.Connection) -> list[Any]:
            # Both indexed: the id, and the reference in each way it may be stored.
            return conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM signups WHERE id = ? OR donation_ref IN "
                f"({','.join('?' * len(forms))})",
                [key.lower(), *forms],
            ).fetchall()

        rows = self._read(lambda db: find(db.conn))
        if not rows:
            return None
        if len(rows) > 1:
            raise StorageError(
                f"{len(rows)} sign-ups have the reference {key} (from different kiosks) — "
                "withdraw by id instead (kiosk find shows it)"
            )
        return self._erase(_row_to_record(rows[0]), queue=True)

    def apply_withdrawal(self, marker: SignupRecord) -> bool:
        """Erase our copy of a sign-up that was withdrawn elsewhere (an imported marker).

        True when a copy was erased now; False when we hold none or it was already erased.
        """
        if not marker.withdrawn:
            raise ValueError("not a withdrawal marker")
        held = self.get(marker.id)
        if held is None or held.withdrawn:
            return False
        self._erase(held, queue=True, withdrawn_at=marker.withdrawn_at)
        return True

    def _erase(
        self, record: SignupRecord, *, queue: bool, withdrawn_at: str | None = None
    ) -> SignupRecord:
        from kiosk.records import withdrawal_marker

        if record.withdrawn:
            return record
        marker = withdrawal_marker(record, withdrawn_at or self._now())
        now = self._now()

        def body(conn: sqlite3.Connection) -> None:
            seq = conn.execute("SELECT seq FROM signups WHERE id = ?", [record.id]).fetchone()[0]
            conn.execute(
                "UPDATE signups SET first_name = NULL, last_name = NULL, name = NULL, "
                "email = NULL, phone = NULL, interests = '[]', consents = '{}', "
                "consent_basis = '{}', consent_text = '{}', withdrawn_at = ? WHERE id = ?",
                [marker.withdrawn_at, record.id],
            )
            # The marker must reach the office: in the next export and the next sync.
            conn.execute("DELETE FROM exported WHERE seq = ?", [seq])
            if queue:
                conn.execute(
                    "INSERT INTO outbox (signup_id, queued_at) VALUES (?, ?) "
                    "ON CONFLICT(signup_id) DO UPDATE SET queued_at = excluded.queued_at, "
                    "attempts = 0, next_attempt_at = NULL, last_error = NULL, parked = 0, "
                    "synced_at = NULL",
                    [record.id, now],
                )
            # A receiver's refusal may have quoted the record back at us.
            conn.execute("DELETE FROM meta WHERE key = 'last_sync_error'")

        self._run(lambda db: self._tx(db, body))
        self._run(self._scrub, doing="erase that")
        log.info("sign-up %s withdrawn", record.id)
        return marker

    @staticmethod
    def _scrub(db: sqlite3.Connection) -> None:
        # secure_delete (on for this connection) zeroed the old row where it lay; the
        # WAL still holds earlier copies of the page until it is checkpointed and
        # truncated. A reader can hold the checkpoint back for a moment: try again.
        for _ in range(50):
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return
            time.sleep(0.1)
        log.warning("the database log could not be emptied yet; it will be at the next write")

    def wipe(self) -> None:
        """Delete every sign-up, consent log, outbox row and event (end of festival)."""

        def body(conn: sqlite3.Connection) -> None:
            for table in ("outbox", "consent_log", "exported", "signups", "events"):
                conn.execute(f"DELETE FROM {table}")
            # A receiver's refusal may have quoted a record back at us.
            conn.execute("DELETE FROM meta WHERE key LIKE 'last_sync_%'")

        def scrub(db: sqlite3.Connection) -> None:
            # Deleted rows linger in free pages and in the WAL until overwritten:
            # rebuild the file, then empty the WAL, so no visitor survives on disk.
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        self._run(lambda db: self._tx(db, body))
        self._run(scrub)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def cannot_write(db_path: Path) -> bool:
    """True when the database's folder exists but it or the database cannot be written
    (a read-only disk or permissions): then open the Store read_only to export or count."""
    folder = db_path.parent
    return folder.is_dir() and not (
        os.access(folder, os.W_OK) and (not db_path.exists() or os.access(db_path, os.W_OK))
    )


def _make_private(db_path: Path) -> None:
    """Create the database file 0600 before SQLite does, and tighten an older one.

    SQLite gives the -wal and -shm files the database file's mode, so they follow.
    """
    try:
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        tighten(db_path)
    for suffix in ("-wal", "-shm"):
        tighten(db_path.with_name(db_path.name + suffix))


def _local_midnight(now: datetime) -> datetime:
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)

"""Importing another kiosk's records: one streamed, all-or-nothing transaction."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from kiosk.records import CONSENT, SignupRecord
from kiosk.store.core import _Core
from kiosk.store.rows import _RECORD_COLUMNS, _dump, _row_to_record, signup_row

T = TypeVar("T")


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
    """A record ready to insert: its sign-up row, and its consent rows once its seq is known
    (seq, *consent_head, *tail) for each of consent_tails."""

    tag: Any
    record: SignupRecord
    signup_row: tuple[Any, ...]
    consent_head: tuple[Any, ...]
    consent_tails: tuple[tuple[Any, ...], ...]


def _prepare(tag: Any, plain: SignupRecord, rec: SignupRecord, now: str) -> _Prepared:
    """The rows of one imported record `rec` (sealed when sealing is on, else `plain`):
    the same columns as _insert, in _IMPORT_CONSENT's column order."""
    return _Prepared(
        tag,
        plain,
        signup_row(rec, now, _dump_cached),
        (rec.id, rec.created_at, rec.device_id, rec.content_version, rec.language),
        _consent_tails(rec),
    )


_IMPORT_CONSENT = (
    "INSERT INTO consent_log (seq, signup_id, recorded_at, device_id, content_version, "
    "language, channel, granted, wording, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The rows a chunk inserted are exactly those past the seq it started from.
_IMPORT_OUTBOX = "INSERT INTO outbox (seq, queued_at) SELECT seq, ? FROM signups WHERE seq > ?"
_tails_memo: dict[int, tuple[Any, Any, Any, tuple[tuple[Any, ...], ...]]] = {}


def _consent_tails(rec: SignupRecord) -> tuple[tuple[Any, ...], ...]:
    """(channel, granted, wording, basis) per channel: the part of a record's consent
    rows its kiosk's records share (the same objects: see record_bounds._checked_shared),
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
    same objects: see record_bounds._checked_shared), looked up by identity. The memo holds
    each object, so its id can't be reused while it is there."""
    hit = _dump_memo.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = _dump(list(value) if isinstance(value, tuple) else value)
    if len(_dump_memo) >= 1024:
        _dump_memo.clear()
    _dump_memo[id(value)] = (value, text)
    return text


class _ImportMixin(_Core):
    """Store.import_records / import_stream and their chunked insert path."""

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
        fresh: dict[str, tuple[int, _Prepared]] = {}
        if inserted == len(chunk):
            added = list(enumerate(chunk, top_seq + 1))
        else:
            ids = [p.record.id for p in chunk]
            seq_of = dict(
                conn.execute(
                    f"SELECT id, seq FROM signups WHERE id IN ({','.join('?' * len(ids))})", ids
                ).fetchall()
            )
            for prepared in chunk:
                rec = prepared.record
                seq = seq_of.get(rec.id)
                if seq is None:  # ignored for another reason than its id: never quietly
                    raise sqlite3.IntegrityError(f"sign-up {rec.id} could not be stored")
                if seq <= start_seq:
                    held += 1
                elif seq > top_seq and rec.id not in fresh:
                    fresh[rec.id] = (seq, prepared)
                else:
                    repeats += 1
                    if on_repeat is not None:
                        on_repeat(prepared.tag, rec, self._imported(conn, rec.id, fresh))
            added = list(fresh.values())
        if not added:
            return 0, held, repeats
        conn.executemany(
            _IMPORT_CONSENT,
            [(seq, *p.consent_head, *tail) for seq, p in added for tail in p.consent_tails],
        )
        if queue:
            conn.execute(_IMPORT_OUTBOX, (now, top_seq))
        return len(added), held, repeats

    @staticmethod
    def _imported(
        conn: sqlite3.Connection, signup_id: str, fresh: dict[str, tuple[int, _Prepared]]
    ) -> SignupRecord:
        """The record this import already added under `signup_id`."""
        if signup_id in fresh:
            return fresh[signup_id][1].record
        row = conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM signups WHERE id = ?", (signup_id,)
        ).fetchone()
        return _row_to_record(row)

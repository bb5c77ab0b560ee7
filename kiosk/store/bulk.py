"""Importing another kiosk's records: one streamed, all-or-nothing transaction."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple

from kiosk.record_bounds import MEMO_CHARS_MAX, BoundedMemo
from kiosk.records import CONSENT, SignupRecord
from kiosk.store.core import _Core
from kiosk.store.rows import _RECORD_COLUMNS, _row_to_record, signup_row

IMPORT_CHUNK = 250
IMPORT_CACHE_KIB = 64 * 1024
_DEFAULT_CACHE = -2000  # SQLite's own default (2 MB)


# Sign-ups per INSERT statement of an import. Fixed, so an import compiles one such
# statement however its chunks are cut (SQLite keeps each compiled statement, about
# 0.4 MB at 250 rows: chunks of many lengths would have held tens of MiB).
ROWS_PER_INSERT = 50


def _insert_signups(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> int:
    """INSERT OR IGNORE `rows` into signups; how many went in. Rows go in in order, so
    seq counts up with them.

    ROWS_PER_INSERT rows a statement (fewer if SQLite's limit on parameters is lower:
    999 before 3.32), not executemany's one per row: the sqlite3 module's binding and
    stepping per row cost an import of 100,000 about 4 % of its work. The few rows
    left over go in one at a time.
    """
    width = len(rows[0])
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(ROWS_PER_INSERT, limit // width))
    whole = len(rows) - len(rows) % per
    inserted = 0
    if whole:
        block = _insert_sql(per, width)
        for first in range(0, whole, per):
            values = list(chain.from_iterable(rows[first : first + per]))
            inserted += conn.execute(block, values).rowcount
    if whole < len(rows):
        inserted += conn.executemany(_insert_sql(1, width), rows[whole:]).rowcount
    return inserted


@lru_cache(maxsize=4)  # a block's statement and a single row's
def _insert_sql(rows: int, columns: int) -> str:
    one = "(" + ", ".join("?" * columns) + ")"
    return f"INSERT OR IGNORE INTO signups ({_RECORD_COLUMNS}, saved_at) VALUES " + ", ".join(
        [one] * rows
    )


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


# The consents, consent_text and consent_basis columns of a sign-up row, as written.
_ConsentKey = tuple[str, str, str]


class _Prepared(NamedTuple):
    """A record ready to insert: its sign-up row, and the key of its consent rows' shared
    part (see _IMPORT_CONSENT), None when it grants or refuses no channel."""

    tag: Any
    record: SignupRecord
    signup_row: tuple[Any, ...]
    consent_key: _ConsentKey | None


def _prepare(tag: Any, plain: SignupRecord, rec: SignupRecord, now: str) -> _Prepared:
    """The row of one imported record `rec` (sealed when sealing is on, else `plain`):
    rows.signup_row, with the shared parts' JSON looked up once (see _shared_json)."""
    consents = rec.consents
    hit = _json_memo.get(id(consents))
    if (
        hit is None
        or hit[0] is not consents
        or hit[1] is not rec.consent_text
        or hit[2] is not rec.consent_basis
        or hit[3] is not rec.interests
    ):
        hit = _shared_json(rec)
    row = signup_row(rec, now, shared_json=hit[4:8])
    return _Prepared(tag, plain, row, hit[8])


_SharedJson = tuple[Any, Any, Any, Any, str, str, str, str, "_ConsentKey | None"]
_json_memo = BoundedMemo(1024)


def _shared_json(rec: SignupRecord) -> _SharedJson:
    """The JSON of the interests and consent maps an import's records share (the same
    objects: see record_bounds._checked_shared), remembered by the consents map's
    identity; the memo holds the objects, so no id is reused while they are there."""
    consents, text, basis, interests = (
        rec.consents,
        rec.consent_text,
        rec.consent_basis,
        rec.interests,
    )
    # The same columns, and the same JSON, as rows.signup_row writes.
    reference = signup_row(rec, "")
    key = (reference[9], reference[11], reference[10]) if consents else None
    shared = (consents, text, basis, interests, *reference[8:12], key)
    return _json_memo.put(id(consents), shared, sum(map(len, reference[8:12])))


# A sign-up's consent rows are its own columns (seq, id, created_at, device_id,
# content_version, language) beside a part its kiosk's records share: (channel,
# granted, wording, basis) per channel, a function of the consents, consent_text and
# consent_basis the row holds. Those three columns' text goes once into a temporary
# table of keys, each key's parts into another, and one INSERT ... SELECT per chunk
# writes every consent row of the sign-ups the chunk inserted (300,000 rows bound one
# by one from Python cost an import of 100,000 about a third of its database time).
# CROSS JOIN keeps the sign-ups outermost, so rows go in as before: by seq, channels
# in order. (Each key is stored once, however many channels it has.)
_CREATE_CONSENT_TABLES = (
    "CREATE TEMP TABLE import_consent_keys (consents TEXT NOT NULL, "
    "consent_text TEXT NOT NULL, consent_basis TEXT NOT NULL, key INTEGER NOT NULL, "
    "PRIMARY KEY (consents, consent_text, consent_basis)) WITHOUT ROWID",
    "CREATE TEMP TABLE import_consent_parts (key INTEGER NOT NULL, "
    "position INTEGER NOT NULL, channel TEXT NOT NULL, granted INTEGER NOT NULL, "
    "wording TEXT NOT NULL, basis TEXT NOT NULL, PRIMARY KEY (key, position)) WITHOUT ROWID",
)
_ADD_CONSENT_KEY = "INSERT INTO temp.import_consent_keys VALUES (?, ?, ?, ?)"
_ADD_CONSENT_PART = "INSERT INTO temp.import_consent_parts VALUES (?, ?, ?, ?, ?, ?)"
_IMPORT_CONSENT = (
    "INSERT INTO consent_log (seq, signup_id, recorded_at, device_id, content_version, "
    "language, channel, granted, wording, basis) "
    "SELECT s.seq, s.id, s.created_at, s.device_id, s.content_version, s.language, "
    "p.channel, p.granted, p.wording, p.basis "
    "FROM signups s CROSS JOIN temp.import_consent_keys k "
    "ON k.consents = s.consents AND k.consent_text = s.consent_text "
    "AND k.consent_basis = s.consent_basis "
    "CROSS JOIN temp.import_consent_parts p ON p.key = k.key "
    "WHERE s.seq > ? ORDER BY s.seq, p.position"
)
# The rows a chunk inserted are exactly those past the seq it started from.
_IMPORT_OUTBOX = "INSERT INTO outbox (seq, queued_at) SELECT seq, ? FROM signups WHERE seq > ?"
# Keys held at once: a file whose every record differs keeps the tables small.
_CONSENT_KEYS_MAX = 256


def _add_consent_parts(
    conn: sqlite3.Connection, chunk: list[_Prepared], held: dict[_ConsentKey, int]
) -> None:
    """Put the shared consent parts of `chunk` in the temporary tables, unless `held`
    (key -> its number) says they are there: (channel, granted, wording, basis) per
    channel, by position."""
    new = {p.consent_key: p.record for p in chunk if p.consent_key not in held}
    new.pop(None, None)  # no channel: no consent rows
    if not new:
        return
    if (
        len(held) + len(new) > _CONSENT_KEYS_MAX
        or _key_chars(held) + _key_chars(new) > MEMO_CHARS_MAX
    ):
        conn.execute("DELETE FROM temp.import_consent_keys")
        conn.execute("DELETE FROM temp.import_consent_parts")
        held.clear()
        new = {p.consent_key: p.record for p in chunk if p.consent_key is not None}
    keys, parts = [], []
    number = max(held.values(), default=0)
    for key, rec in new.items():
        number += 1
        held[key] = number
        keys.append((*key, number))
        text, basis = rec.consent_text, rec.consent_basis
        parts += [
            (number, n, channel, int(granted), text.get(channel, ""), basis.get(channel, CONSENT))
            for n, (channel, granted) in enumerate(rec.consents.items())
        ]
    conn.executemany(_ADD_CONSENT_KEY, keys)
    conn.executemany(_ADD_CONSENT_PART, parts)


def _key_chars(keys: Iterable[_ConsentKey]) -> int:
    return sum(len(a) + len(b) + len(c) for a, b, c in keys)


@dataclass(frozen=True)
class ImportCount:
    added: int
    already_here: int  # ids this kiosk held before the import
    repeats: int  # ids this same import had already added


def _chunks(items: Iterable[_Prepared], size: int) -> Iterator[list[_Prepared]]:
    """Up to `size` rows at a time, fewer when their consent wordings are long: a chunk
    holds at most about MEMO_CHARS_MAX characters of them. Records that share their
    wordings (the usual case) share the very same JSON, counted once."""
    chunk: list[_Prepared] = []
    chars, last = 0, None
    for item in items:
        chunk.append(item)
        text = item.signup_row[11]  # consent_text's JSON, the longest shared column
        if text is not last:
            chars += len(text)
            last = text
        if len(chunk) >= size or chars > MEMO_CHARS_MAX:
            yield chunk
            chunk, chars, last = [], 0, None
    if chunk:
        yield chunk


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
            # Inside the transaction: a rollback takes the temporary table with it.
            for create in _CREATE_CONSENT_TABLES:
                conn.execute(create)
            parts: dict[_ConsentKey, int] = {}
            added = held = repeats = 0
            # Sealed rows (when sealing is on) but the plain record kept for comparing
            # repeats: sealing draws a fresh key each time, so two seals never match.
            prepared = (_prepare(tag, rec, self._sealed(rec), now) for tag, rec in items)
            for chunk in _chunks(prepared, chunk_size):
                top = start + added  # seq counts up by one per row inserted
                a, h, r = self._import_chunk(conn, chunk, start, top, on_repeat)
                if a:
                    _add_consent_parts(conn, chunk, parts)
                    conn.execute(_IMPORT_CONSENT, (top,))
                    if queue:
                        conn.execute(_IMPORT_OUTBOX, (now, top))
                added, held, repeats = added + a, held + h, repeats + r
            conn.execute("DROP TABLE temp.import_consent_keys")
            conn.execute("DROP TABLE temp.import_consent_parts")
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
        on_repeat: Callable[[Any, SignupRecord, SignupRecord], None] | None,
    ) -> tuple[int, int, int]:
        """The sign-ups of one chunk of an import (a withdrawal marker for a held id comes
        here): (added, already here, repeats); their consent and outbox rows follow.

        `start_seq` is the newest row before the import, `top_seq` before this chunk.
        Usually every id is new: one INSERT OR IGNORE says so, with no lookups. When
        some were ignored, their seq tells held ids (before the import) from repeats.
        """
        inserted = _insert_signups(conn, [p.signup_row for p in chunk])
        if inserted == len(chunk):
            return inserted, 0, 0
        held = repeats = 0
        fresh: dict[str, tuple[int, _Prepared]] = {}
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
        return len(fresh), held, repeats

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

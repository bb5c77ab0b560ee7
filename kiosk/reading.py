"""Reading sign-ups out for export: read-only, in save order, and salvaging a damaged file.

Export reads on its own read-only connection (it can neither write nor
checkpoint), so it works beside the writer and from a read-only data folder. A
database with a damaged page still gives up every row that can be read: rows
are fetched by rowid range, a range that fails is halved until the unreadable
rows are pinned down, and those are counted, never guessed at. No Qt here.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk.errors import StorageError

log = logging.getLogger(__name__)

# Rows per range read while salvaging: small enough that a damaged page costs
# a handful of halvings, big enough that an intact file is read quickly.
SALVAGE_CHUNK = 256
# Without a usable MAX(seq), stop looking after this many empty ranges in a row.
_EMPTY_RANGES_TO_STOP = 64


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's "the file is damaged" errors (not busy, locked, full or missing)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
    )


def connect_read_only(
    path: Path, *, timeout: float = 5.0, factory: type[sqlite3.Connection] = sqlite3.Connection
) -> sqlite3.Connection:
    """A connection that never writes to `path`'s folder.

    `mode=ro` still needs the -shm file, which SQLite cannot create in a
    read-only folder; then the file is opened immutable (no locking, no WAL: a
    cleanly closed database has none, and what sits in a stranded WAL is logged
    as not read).
    """
    uri = Path(path).resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, factory=factory)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_damage(exc):
            raise
        failure = exc
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        log.warning("reading a read-only database without its WAL; recent changes may be missing")
    conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout, factory=factory)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.DatabaseError:
        conn.close()
        raise failure from None
    log.info("database opened immutable: the data folder cannot be written")
    return conn


class SignupReader:
    """Iterate sign-ups oldest first (created_at, then save order); afterwards
    `damaged` says whether the file had to be salvaged and `unreadable` how many
    rows were lost to the damage.

    `columns` is the SELECT list and `to_record` turns one such row into a record.
    A failure other than damage is raised as StorageError, worded by `describe`.
    Each iteration reads the file afresh.
    """

    def __init__(
        self,
        path: Path,
        columns: str,
        to_record: Callable[[Any], Any],
        *,
        unexported: bool = False,
        since: str | None = None,
        upto: int | None = None,
        batch: int = 2000,
        describe: Callable[[sqlite3.Error], str] = str,
    ) -> None:
        self.path = Path(path)
        self._columns = columns
        self._to_record = to_record
        self._unexported = unexported
        self._since = since
        self._upto = upto
        self._batch = batch
        self._describe = describe
        self.damaged = False
        self.unreadable = 0

    def _failed(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(f"We couldn't read the sign-ups: {self._describe(exc)}.")

    def __iter__(self) -> Iterator[Any]:
        self.damaged, self.unreadable = False, 0
        try:
            conn = connect_read_only(self.path)
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc
        last: Any = None  # the last row given: salvage carries on after it
        try:
            try:
                cursor = conn.execute(*self._ordered_sql())
                to_record = self._to_record
                # Each row is held until the next shows it ends its millisecond; rows
                # sharing one (saved in the same millisecond) go out in seq order.
                held: Any = None
                tie: list[Any] = []
                while rows := cursor.fetchmany(self._batch):
                    for row in rows:
                        if held is None:
                            held = row
                        elif row[1] != held[1]:
                            if tie:
                                tie.append(held)
                                tie.sort()  # by seq, the first column
                                for tied in tie:
                                    yield to_record(tied[2:])
                                last, tie = tie[-1], []
                            else:
                                yield to_record(held[2:])
                                last = held
                            held = row
                        else:
                            tie.append(held)
                            held = row
                if held is not None:
                    tie.append(held)
                    tie.sort()
                    for tied in tie:
                        yield to_record(tied[2:])
                return
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise self._failed(exc) from exc
                log.error("the database is damaged; salvaging every readable sign-up")
            except sqlite3.Error as exc:
                raise self._failed(exc) from exc
            self.damaged = True
            try:
                after = (last[1], last[0]) if last is not None else None
                yield from self._salvage(conn, after=after)
            except sqlite3.Error as exc:
                raise self._failed(exc) from exc
        finally:
            conn.close()

    # -- the intact file --------------------------------------------------------

    def _ordered_sql(self) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if self._unexported:
            where.append("NOT EXISTS (SELECT 1 FROM exported e WHERE e.seq = signups.seq)")
        if self._since:
            where.append("created_at >= ?")
            params.append(self._since)
        if self._upto is not None:
            where.append("seq <= ?")
            params.append(self._upto)
        sql = f"SELECT seq, created_at, {self._columns} FROM signups"
        if where:
            sql += " WHERE " + " AND ".join(where)
        # Straight off the (created_at, id) index; ties are put in seq order above,
        # cheaper than having SQLite sort every row's tail.
        return sql + " ORDER BY created_at", params

    # -- the damaged file ---------------------------------------------------------

    def _salvage(self, conn: sqlite3.Connection, after: tuple[str, int] | None) -> Iterator[Any]:
        """The rows not yet given (those sorting after `after`), read around the damage."""
        known = _indexed_seqs(conn)
        top = self._upto if self._upto is not None else _max_seq(conn, known)
        exported = _exported_seqs(conn) if self._unexported else set()
        keys: list[tuple[str, int]] = []
        seen: set[int] = set()
        bad: set[int] = set()

        def keep(row: tuple[int, Any]) -> None:
            seq, created_at = row
            seen.add(seq)
            if not isinstance(created_at, str):
                bad.add(seq)
            elif seq not in exported and (not self._since or created_at >= self._since):
                keys.append((created_at, seq))

        _read_ranges(conn, "SELECT seq, created_at FROM signups", top, keep, bad)
        keys.sort()
        sql = f"SELECT {self._columns} FROM signups WHERE seq = ?"
        for key in keys:
            if after is not None and key <= after:
                continue
            try:
                row = conn.execute(sql, (key[1],)).fetchone()
                record = self._to_record(row) if row is not None else None
            except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                if isinstance(exc, sqlite3.DatabaseError) and not is_damage(exc):
                    raise
                record = None
            if record is None:
                bad.add(key[1])
                continue
            yield record
        if known is not None:
            # The index knows which rows exist: count exactly those we could not read.
            bad = {seq for seq in known if top is None or seq <= top} - (seen - bad)
        self.unreadable = len(bad)
        log.error("salvaged the damaged database: %d rows could not be read", self.unreadable)


def _read_ranges(
    conn: sqlite3.Connection,
    select: str,
    top: int | None,
    keep: Callable[[Any], None],
    bad: set[int],
) -> None:
    """Every readable row of `select` by rowid range; rowids that fail alone go to `bad`."""
    lo, empty = 1, 0
    while top is None or lo <= top:
        hi = lo + SALVAGE_CHUNK - 1 if top is None else min(lo + SALVAGE_CHUNK - 1, top)
        before = len(bad)
        found = _read_range(conn, select, lo, hi, keep, bad)
        if top is None:
            empty = 0 if found or len(bad) > before else empty + 1
            if empty >= _EMPTY_RANGES_TO_STOP:
                break
        lo = hi + 1


def _read_range(
    conn: sqlite3.Connection,
    select: str,
    lo: int,
    hi: int,
    keep: Callable[[Any], None],
    bad: set[int],
) -> int:
    """Rows in [lo, hi]; a failing range is halved down to single rowids. Returns rows read.

    A range scan steps one row past its end, onto the next page, so a row right
    before a damaged page fails in any range: alone it is looked up, not scanned.
    """
    found = 0
    pending = [(lo, hi)]
    ranged, single = f"{select} WHERE seq BETWEEN ? AND ?", f"{select} WHERE seq = ?"
    while pending:
        a, b = pending.pop()
        try:
            rows = (
                conn.execute(ranged, (a, b)).fetchall()
                if a < b
                else (conn.execute(single, (a,)).fetchall())
            )
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            if a == b:
                bad.add(a)
            else:
                mid = (a + b) // 2
                pending += [(mid + 1, b), (a, mid)]
            continue
        for row in rows:
            keep(tuple(row))
        found += len(rows)
    return found


def _indexed_seqs(conn: sqlite3.Connection) -> set[int] | None:
    """Every sign-up's rowid, from the first index on signups that reads whole (or None)."""
    try:
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'signups'"
        ).fetchall()
    except sqlite3.DatabaseError:
        return None
    for name, sql in indexes:
        if sql and " where " in sql.lower():
            continue  # a partial index does not list every row
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            return {r[0] for r in conn.execute(f"SELECT seq FROM signups INDEXED BY {quoted}")}
        except sqlite3.DatabaseError:
            continue
    return None


def _max_seq(conn: sqlite3.Connection, known: set[int] | None) -> int | None:
    try:
        return conn.execute("SELECT MAX(seq) FROM signups").fetchone()[0] or 0
    except sqlite3.DatabaseError:
        return max(known, default=0) if known is not None else None


def _exported_seqs(conn: sqlite3.Connection) -> set[int]:
    """What was exported before; if that table is damaged, nothing (export more, not less)."""
    try:
        return {r[0] for r in conn.execute("SELECT seq FROM exported")}
    except sqlite3.DatabaseError:
        log.warning("the exported marks are damaged; exporting every readable sign-up")
        return set()

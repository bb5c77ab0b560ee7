"""The sync outbox: batches to send, sent and failed marks, backoff and meta."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from kiosk.records import SignupRecord, iso_ms
from kiosk.store.core import _Core
from kiosk.store.rows import _RECORD_COLUMNS, _row_to_record

# The outbox is keyed by the sign-up's seq (schema 3); callers name sign-ups by id.
_SEQS_OF_IDS = "SELECT seq FROM signups WHERE id IN ({})"


class _OutboxMixin(_Core):
    """Store.pending_batch, mark_synced, mark_failed, unpark_all and the meta table."""

    def pending_batch(self, limit: int = 100, *, due_only: bool = True) -> list[SignupRecord]:
        """Oldest records not yet synced nor parked, whose next attempt is due."""
        now = self._now()

        def read(db: sqlite3.Connection) -> list[SignupRecord]:
            sql = (
                f"SELECT {', '.join('s.' + c.strip() for c in _RECORD_COLUMNS.split(','))} "
                "FROM outbox o JOIN signups s ON s.seq = o.seq "
                "WHERE o.synced_at IS NULL AND o.parked = 0"
            )
            params: list[Any] = []
            if due_only:
                sql += " AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
                params.append(now)
            sql += " ORDER BY o.queued_at, o.seq LIMIT ?"
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
                "WHERE synced_at IS NULL AND seq IN "
                f"({_SEQS_OF_IDS.format('SELECT value FROM json_each(?)')})"
            )
            conn.execute(update, [now, json.dumps(rest)])
            conn.execute(
                update + " AND NOT EXISTS (SELECT 1 FROM signups s WHERE s.seq = "
                "outbox.seq AND s.withdrawn_at IS NOT NULL)",
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
        """Record a failed attempt: retry after `retry_in_s`, or park (None) until an admin acts.

        As in mark_synced, a sign-up withdrawn while its live record was on the wire was
        re-queued with its marker: the failure was not the marker's, so it stays due.
        """
        id_list = list(ids)
        live = [i for i in id_list if self._handed.pop(i, None) is False]
        now = self._clock()
        next_at = iso_ms(now + timedelta(seconds=retry_in_s)) if retry_in_s is not None else None

        def body(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                "parked = ? WHERE synced_at IS NULL AND seq IN "
                f"({_SEQS_OF_IDS.format('SELECT value FROM json_each(?)')}) "
                "AND NOT EXISTS (SELECT 1 FROM signups s WHERE s.seq = outbox.seq "
                "AND s.withdrawn_at IS NOT NULL AND s.id IN (SELECT value FROM json_each(?)))",
                [error, next_at, int(retry_in_s is None), json.dumps(id_list), json.dumps(live)],
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
                "SELECT o.attempts FROM outbox o JOIN signups s ON s.seq = o.seq WHERE s.id = ?",
                [signup_id],
            ).fetchone()[0]
        )

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

"""Export bookkeeping: which sign-ups an export has written."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from kiosk.store.core import _Core


class _ExportMarksMixin(_Core):
    """Store.mark_exported, withdrawn_upto and mark_exported_upto."""

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

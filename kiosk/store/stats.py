"""Counts for the admin panel: stats, hourly sign-ups, events and the funnel's hours."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kiosk.records import iso_ms
from kiosk.store.core import _Core
from kiosk.store.schema import EVENT_KINDS


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


class _StatsMixin(_Core):
    """Store.record_event, event_counts, stats, hourly_counts and event_hours."""

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
                    "(SELECT 1 FROM outbox o WHERE o.seq = s.seq AND o.synced_at IS NOT NULL)"
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


def _local_midnight(now: datetime) -> datetime:
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)

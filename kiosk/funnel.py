"""Today's funnel from the analytics events: slides shown → taps → started → saved → QR shown.

Counts only, never a person. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

STEPS: tuple[tuple[str, str, str], ...] = (
    # (json key, event kind, label)
    ("slides_shown", "slide_shown", "Slides shown"),
    ("taps", "engage", "Taps"),
    ("started", "form_started", "Sign-ups started"),
    ("saved", "signup_saved", "Saved"),
    ("qr_shown", "qr_shown", "QR shown"),
)


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    count: int
    rate: float | None
    """This step's count over the previous step's (None for the first, or after a zero)."""

    def rate_text(self) -> str:
        return "" if self.rate is None else f"{self.rate:.0%}"


@dataclass(frozen=True)
class Funnel:
    steps: tuple[Step, ...]
    hourly: tuple[tuple[int, ...], ...] = ()
    """Per local hour (24 rows), each step's count, for a chart or the office."""

    @property
    def conversion(self) -> float | None:
        """Saved sign-ups per tap: how many who engaged went all the way."""
        counts = {s.key: s.count for s in self.steps}
        return counts["saved"] / counts["taps"] if counts.get("taps") else None

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [
                {
                    "step": s.key,
                    "count": s.count,
                    "rate": None if s.rate is None else round(s.rate, 4),
                }
                for s in self.steps
            ],
            "conversion": None if self.conversion is None else round(self.conversion, 4),
            "hourly": [
                dict(zip((k for k, _, _ in STEPS), row, strict=True)) for row in self.hourly
            ],
        }


def funnel_from_counts(
    counts: dict[str, int], hourly: list[dict[str, int]] | None = None
) -> Funnel:
    """A Funnel from event counts by kind (missing kinds count zero)."""
    steps = []
    previous: int | None = None
    for key, kind, label in STEPS:
        count = int(counts.get(kind, 0))
        rate = count / previous if previous else None
        steps.append(Step(key, label, count, rate))
        previous = count
    rows = tuple(tuple(int(h.get(kind, 0)) for _, kind, _ in STEPS) for h in hourly or [])
    return Funnel(tuple(steps), rows)


def today_funnel(store: Any, now: datetime | None = None) -> Funnel:
    """Today's funnel (local midnight onwards) from `store`'s events."""
    moment = (now or datetime.now().astimezone()).astimezone()
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    hourly = store.event_hours(start, start + timedelta(days=1))
    totals: dict[str, int] = {}
    for hour in hourly:
        for kind, n in hour.items():
            totals[kind] = totals.get(kind, 0) + n
    return funnel_from_counts(totals, hourly)

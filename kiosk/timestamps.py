"""Times as records hold them: UTC ISO 8601 with milliseconds, one exact form."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_ms(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds: 2022-07-30T14:03:12.345Z."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment.astimezone(UTC)


_CANONICAL_TIME_HINT = "expected UTC with milliseconds, like 2022-07-30T14:03:12.345Z"
_CANONICAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")


def _is_canonical_time(text: str) -> bool:
    """UTC with milliseconds in exactly the form iso_ms writes, and a real date."""
    if not _CANONICAL_TIME.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text[:-1])
    except ValueError:
        return False
    return True

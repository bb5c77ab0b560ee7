"""The sync wire format and its safety rules, shared by targets and receivers.

Signing, the idempotency key, Retry-After, the receiver's acknowledgement, and
keeping URL credentials, query strings and secrets out of every message. No Qt,
no HTTP client here.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from kiosk.errors import SyncError
from kiosk.records import utc_now

SIGNATURE_PREFIX = "sha256="
_SNIPPET_CHARS = 200
ACK_MAX_BYTES = 64 * 1024  # an acknowledgement is tiny; a captive portal's page is not


class RetryableSyncError(SyncError):
    """The target cannot take the batch right now (network, server busy); try again later."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentSyncError(SyncError):
    """The target refused the batch; retrying the same request will not help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SyncCancelled(SyncError):
    """The pass was stopped (the kiosk is closing); nothing was marked, records stay pending."""


def idempotency_key(ids: Sequence[str]) -> str:
    """The same key for the same set of record ids, in any order."""
    return hashlib.sha256("\n".join(sorted(ids)).encode("ascii")).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Kiosk-Signature value: HMAC-SHA256 of "<timestamp>.<raw body>"."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    header: str | None,
    *,
    max_age_s: float | None = None,
    now: float | None = None,
) -> bool:
    """True when `header` is the kiosk's signature of `body` at `timestamp` (for receivers).

    With `max_age_s`, a timestamp further than that from `now` is refused too (replays).
    """
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    stamp = str(timestamp)
    if not stamp.isdigit():
        return False
    if max_age_s is not None:
        current = time.time() if now is None else now
        if abs(current - int(stamp)) > max_age_s:
            return False
    return hmac.compare_digest(sign(secret, stamp, body), header.strip())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value[:12])  # 12 digits is 30,000 years: enough, and never a huge int
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or utc_now())).total_seconds())


def parse_http_date(value: str | None) -> datetime | None:
    """A response's Date header as UTC, or None."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def accepted_ids(body: bytes, ids: Sequence[str]) -> list[str]:
    """The batch's ids the receiver's acknowledgement confirms (SPEC section 9).

    `{"accepted": N}` with N the batch's size confirms all of them; `{"accepted":
    [id, …]}` confirms those listed (others it names are ignored). Anything else (a
    captive portal's HTML, an empty body, a wrong count) raises RetryableSyncError:
    the records stay pending.
    """
    unconfirmed = "the server did not confirm the sign-ups"
    if not body.strip():
        raise RetryableSyncError(f"{unconfirmed} (an empty answer) — is sync.url the receiver?")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise RetryableSyncError(
            f"{unconfirmed} (its answer is not JSON: a Wi-Fi login page?) — "
            "check the network and sync.url"
        ) from None
    accepted = data.get("accepted") if isinstance(data, dict) else None
    if type(accepted) is int:  # not bool: {"accepted": true} confirms nothing
        if accepted == len(ids):
            return list(ids)
        raise RetryableSyncError(
            f"{unconfirmed} (it accepted {accepted:,} of {len(ids)})"
            if 0 <= accepted < 10**9
            else f"{unconfirmed} (a wrong count)"
        )
    if isinstance(accepted, list) and all(isinstance(i, str) for i in accepted):
        wanted = set(accepted)
        return [i for i in ids if i in wanted]
    raise RetryableSyncError(f'{unconfirmed} (no {{"accepted": …}} in its answer)')


# -- keeping secrets out of messages ------------------------------------------------------

_USERINFO = re.compile(r"(?<=//)[^/?#@\s]*@")
_QUERY = re.compile(r"[?#]\S*")


def redact_url(url: str) -> str:
    """`url` safe to show or log: user name, password, query and fragment removed.

    Works on text that does not parse as a URL too (an invalid sync.url is shown back).
    """
    text = "".join(ch if ch.isprintable() else "?" for ch in str(url))
    text = _USERINFO.sub("…@", text, count=1)
    return _QUERY.sub("?…", text, count=1) if _QUERY.search(text) else text


def url_secrets(url: str) -> list[str]:
    """The parts of a URL that must never appear in a message: userinfo and query values."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    found: list[str] = []
    try:
        parts = urlsplit(url)
        found += [unquote(p) for p in (parts.username, parts.password) if p]
        found += [p for p in (parts.username, parts.password) if p]
        for _, value in parse_qsl(parts.query, keep_blank_values=False):
            found.append(value)
        if parts.query:
            found.append(parts.query)
        if parts.fragment:
            found.append(parts.fragment)
    except ValueError:
        match = _USERINFO.search(url)
        if match:
            found += [s for s in re.split(r"[:@]", match.group(0)) if s]
    return [s for s in found if len(s) >= 3]


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by "…" (longest first, so parts can't survive)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "…")
    return text


def snippet(text: str, secrets: Iterable[str] = ()) -> str:
    """A short, printable, secret-free quote of a server's reply for Admin."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    flat = scrub(flat, secrets)
    return flat[:_SNIPPET_CHARS] + ("…" if len(flat) > _SNIPPET_CHARS else "")

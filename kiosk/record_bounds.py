"""A stored record's bounds, checked on import: labels, wording, counts, times."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from kiosk.timestamps import iso_ms
from kiosk.validation import EMAIL_MAX

DEFAULT_LANGUAGE = "en"
CONSENT = "consent"
SOFT_OPT_IN = "soft_opt_in"
CONSENT_BASES = (CONSENT, SOFT_OPT_IN)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?")


# Bounds of a stored record (SPEC 5), checked on import: what a kiosk can have made.
LABEL_MAX = 64  # device ids, references, versions, interest and channel keys
WORDING_MAX = 2000  # a pack's consent wording is at most 600 characters
INTERESTS_MAX = 50
CHANNELS_MAX = 20
EARLIEST = "2000-01-01T00:00:00.000Z"  # older than any kiosk: a broken clock or a forgery
FUTURE_SLACK = timedelta(days=1)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_WORDING_OK = frozenset("\n")


def plausible_email(value: str) -> bool:
    """A stored address that another kiosk accepted: bounded, one @, a dot in the domain."""
    if not 3 <= len(value) <= EMAIL_MAX:
        return False
    local, at, domain = value.rpartition("@")
    # isprintable() leaves " " as the only whitespace to rule out.
    return (
        bool(at and local and "." in domain.strip("."))
        and len(local) <= 64
        and value.isprintable()
        and " " not in value
    )


def _label(key: str, value: Any, *, min_len: int = 1) -> None:
    if not isinstance(value, str) or not min_len <= len(value) <= LABEL_MAX:
        raise ValueError(f"{key}: expected text of {min_len}–{LABEL_MAX} characters")
    if not value.isprintable():
        raise ValueError(f"{key}: contains a control or invisible character")


@functools.lru_cache(maxsize=512)
def _wording_ok(wording: str) -> bool:
    """Bounded, and no control characters but line breaks (the same few repeat: cached)."""
    return len(wording) <= WORDING_MAX and (
        wording.isprintable()
        or not any(unicodedata.category(ch) == "Cc" and ch not in _WORDING_OK for ch in wording)
    )


def check_bounds(data: dict[str, Any], now: datetime) -> None:
    """Raise ValueError unless every non-personal field is within a record's own bounds.

    Names, emails and phones are bounded by their own checks; this covers the rest:
    labels printable and short, wording bounded with no control characters (line
    breaks allowed), lists and maps bounded in count, times neither absurdly old nor
    more than a day ahead of `now`.
    """
    _checked_shared(
        data["device_id"],
        data["content_version"],
        data.get("language", DEFAULT_LANGUAGE),
        tuple(data["interests"]),
        data["consents"],
        data["consent_text"],
        data.get("consent_basis") or {},
    )
    _check_record_bounds(data, now)


def _check_record_bounds(data: dict[str, Any], now: datetime) -> None:
    ref = data["donation_ref"]
    # Not _check_label: references are unique, so its cache would only churn.
    if type(ref) is not str or not 1 <= len(ref) <= LABEL_MAX or not ref.isprintable():
        _label("donation_ref", ref)
    latest = _latest(now)
    for key in ("created_at", "withdrawn_at"):
        value = data.get(key)
        if value is not None and not EARLIEST <= value <= latest:
            raise ValueError(f"{key}: {value} is not a plausible time (this kiosk's clock?)")


# What an import remembers of the parts records share, in characters (or a key's JSON
# bytes, which hold its wordings): a hostile file whose every record has its own long
# wordings must not fill memory with them, while a pack's few wordings fit many times
# over.
MEMO_CHARS_MAX = 1_000_000


class BoundedMemo(dict):
    """A dict that forgets everything when one more entry would pass `count` entries or
    `chars` characters (each entry's size is told to `put`). Reading is plain dict.get."""

    def __init__(self, count: int, chars: int = MEMO_CHARS_MAX) -> None:
        super().__init__()
        self.count, self.chars_max, self.chars = count, chars, 0

    def put(self, key: Any, value: Any, chars: int) -> Any:
        if len(self) >= self.count or self.chars + chars > self.chars_max:
            self.clear()
        self[key] = value
        self.chars += chars
        return value

    def clear(self) -> None:
        super().clear()
        self.chars = 0


_Shared = tuple[tuple[str, ...], dict[str, bool], dict[str, str], dict[str, str]]
_SHARED_MEMO = BoundedMemo(512)
_NO_BASIS: dict[str, str] = {}


def _checked_shared(
    device_id: str,
    content_version: str,
    language: str,
    interests: tuple[str, ...],
    consents: dict[str, bool],
    consent_text: dict[str, str],
    basis: dict[str, str],
) -> _Shared:
    """Check the parts every record of one kiosk and pack shares; returns them with the
    basis filled in (older records have none).

    An import of 100,000 records repeats a handful of these: each is checked once,
    and the records share its objects (records are frozen; nothing mutates them).
    Every part remembered is held to its type here, whoever called (a choice true or
    false, wording and bases text), so finding one again by its JSON says it is good.
    """
    key = _parts_key(device_id, content_version, language, interests, consents, consent_text, basis)
    shared = _SHARED_MEMO.get(key)
    if shared is not None:
        return shared
    if not all(v is True or v is False for v in consents.values()):
        raise ValueError("consents: expected true or false for each channel")
    if not all(type(v) is str for v in consent_text.values()):
        raise ValueError("consent_text: expected the wording for each channel")
    if not all(type(v) is str for v in basis.values()):
        raise ValueError(f"consent_basis: expected {' or '.join(CONSENT_BASES)}")
    _check_label("device_id", device_id)
    _check_label("content_version", content_version, 0)
    if type(language) is not str or not _LANGUAGE.fullmatch(language):
        raise ValueError("language: expected a language code like en, ga, pl or uk")
    if len(interests) > INTERESTS_MAX:
        raise ValueError(f"interests: more than {INTERESTS_MAX}")
    for item in interests:
        _check_label("interests", item)
    for name, value in (
        ("consents", consents),
        ("consent_text", consent_text),
        ("consent_basis", basis),
    ):
        if len(value) > CHANNELS_MAX:
            raise ValueError(f"{name}: more than {CHANNELS_MAX} channels")
        for channel in value:
            _check_label(name, channel)
    for wording in consent_text.values():
        if not _wording_ok(wording):
            raise ValueError(
                f"consent_text: wording over {WORDING_MAX} characters or with a control character"
            )
    filled = basis or dict.fromkeys(consents, CONSENT)
    if not all(v in CONSENT_BASES for v in filled.values()):
        raise ValueError(f"consent_basis: expected {' or '.join(CONSENT_BASES)}")
    shared = (interests, dict(consents), dict(consent_text), dict(filled))
    if key is None:  # a lone surrogate in a wording: refused later, never remembered
        return shared
    return _SHARED_MEMO.put(key, shared, len(key))  # the key holds every wording


def _parts_key(*parts: Any) -> bytes | None:
    """The memo's key for a record's shared parts: their JSON. Equal keys mean parts
    equal in value, type and order (true is not 1, "1" is not 1, channels in the same
    order), so a part found by it needs no checking again; None for parts JSON can't
    hold (a key that isn't text, a number past 64 bits, a lone surrogate, nesting past
    254 levels). Not one-to-one outside JSON's own values: NaN and infinities are
    written as null (never remembered: see _checked_shared), a UUID or a date as
    text, so the parts must be JSON-read values, as an import's and from_json's are.

    orjson, not a tuple of the parts' items: an import makes one per record, and
    hashing and comparing nested tuples of fresh strings cost it twice as much.
    """
    try:
        return _orjson().dumps(parts)
    except TypeError:  # orjson.JSONEncodeError
        return None


@functools.cache
def _orjson() -> Any:
    import orjson  # only when records are read from JSON: not at the kiosk's start

    return orjson


def _check_label(key: str, value: Any, min_len: int = 1) -> None:
    if type(value) is not str or not _label_ok(value, min_len):
        _label(key, value, min_len=min_len)  # raises, naming what is wrong


@functools.lru_cache(maxsize=1024)
def _label_ok(value: str, min_len: int) -> bool:
    return min_len <= len(value) <= LABEL_MAX and value.isprintable()


@functools.lru_cache(maxsize=4)
def _latest(now: datetime) -> str:
    return iso_ms(now + FUTURE_SLACK)


def _shared_seen(data: dict[str, Any], language: Any) -> _Shared | None:
    """The checked shared parts of `data` if an earlier record had exactly these, else None
    (see _parts_key: only parts equal to checked ones in value and type are found)."""
    return _SHARED_MEMO.get(
        _parts_key(
            data["device_id"],
            data["content_version"],
            language,
            data["interests"],
            data["consents"],
            data["consent_text"],
            data.get("consent_basis", _NO_BASIS),
        )
    )


def _shared_checked(data: dict[str, Any], language: Any) -> _Shared:
    """Check the shared parts of `data` in full (raising ValueError) and remember them."""
    if not isinstance(language, str):
        raise ValueError("language: expected a language code like en, ga, pl or uk")
    interests = data["interests"]
    if not isinstance(interests, list) or not all(isinstance(i, str) for i in interests):
        raise ValueError("interests: expected a list of keys")
    consents, consent_text = data["consents"], data["consent_text"]
    basis = data.get("consent_basis", {})
    for key, value in (
        ("consents", consents),
        ("consent_text", consent_text),
        ("consent_basis", basis),
    ):
        if not isinstance(value, dict):
            raise ValueError(f"{key}: expected an object")
    # The choices, wordings and bases are held to their types there, for every caller.
    return _checked_shared(
        data["device_id"], data["content_version"], language,
        tuple(interests), consents, consent_text, basis,
    )  # fmt: skip

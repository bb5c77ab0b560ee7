"""The sign-up record: its one canonical JSON shape, read back and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.record_bounds import (
    _E164,
    _UUID,
    CONSENT,
    DEFAULT_LANGUAGE,
    EARLIEST,
    LABEL_MAX,
    _check_record_bounds,
    _latest,
    _shared_checked,
    _shared_seen,
    plausible_email,
)
from kiosk.sealing import PREFIX as SEALED_PREFIX
from kiosk.sealing import check_sealed_fields
from kiosk.timestamps import _CANONICAL_TIME_HINT, _is_canonical_time, utc_now
from kiosk.validation import _is_normalised_name

REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed safely
REF_LENGTH = 6


def new_donation_ref(prefix: str = "") -> str:
    import secrets  # on a sign-up, not at start: it loads OpenSSL (~3 MiB)

    code = "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
    return f"{prefix}-{code}" if prefix else code


@dataclass(frozen=True)
class SignupRecord:
    """One sign-up, as stored, exported, imported and synced.

    A withdrawal marker (`withdrawn_at` set) keeps the id, reference, time and kiosk
    so the office can erase its copy; every personal field is None and the choices
    are empty.
    """

    id: str
    created_at: str
    device_id: str
    name: str | None
    email: str | None
    phone: str | None
    interests: tuple[str, ...]
    consents: dict[str, bool]
    consent_text: dict[str, str]
    donation_ref: str
    content_version: str
    # Defaults keep records built from the older shape valid: the name splits at its
    # last space, every channel's basis is opt-in consent, the language English.
    first_name: str | None = None
    last_name: str | None = None
    consent_basis: dict[str, str] = field(default_factory=dict)
    language: str = DEFAULT_LANGUAGE
    withdrawn_at: str | None = None

    def __post_init__(self) -> None:
        if self.first_name is None and self.name is not None:
            first, last = split_name(self.name)
            object.__setattr__(self, "first_name", first)
            object.__setattr__(self, "last_name", last)
        if not self.consent_basis and self.consents:
            object.__setattr__(self, "consent_basis", dict.fromkeys(self.consents, CONSENT))

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON object (stable key order)."""
        # Built by hand: dataclasses.asdict deep-copies, ~10× slower on 100,000 rows.
        return {
            "id": self.id,
            "created_at": self.created_at,
            "device_id": self.device_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "interests": list(self.interests),
            "consents": dict(self.consents),
            "consent_basis": dict(self.consent_basis),
            "consent_text": dict(self.consent_text),
            "language": self.language,
            "donation_ref": self.donation_ref,
            "content_version": self.content_version,
            "withdrawn_at": self.withdrawn_at,
        }

    @classmethod
    def from_store(cls, **fields: Any) -> SignupRecord:
        """A record read back from the kiosk's own database, validated when it was saved.

        Skips the frozen dataclass __init__ (ten times slower): exporting
        100,000 sign-ups builds 100,000 of these. `fields` must name every field.
        """
        record = object.__new__(cls)
        record.__dict__.update(fields)
        return record

    @classmethod
    def from_json(cls, data: Any, *, now: datetime | None = None) -> SignupRecord:
        """Validate a canonical JSON object from another kiosk; raises ValueError.

        Accepts the older shape too (one `name`, no basis, language or withdrawal).
        Every field is held to the record's own bounds (see check_bounds); stored
        emails and phone numbers are checked for plausibility, not re-validated:
        validity rules are for new input, and another kiosk already applied them.
        """
        if type(data) is dict and data.keys() == _FIELD_SET:
            record = _from_export(cls, data, now)
            if record is not None:
                return record
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        keys = data.keys()
        if not keys >= _REQUIRED_SET:
            raise ValueError(f"missing {', '.join(k for k in _REQUIRED if k not in data)}")
        if not keys <= _FIELD_SET:
            raise ValueError(f"unknown field {', '.join(sorted(keys - _FIELD_SET))}")
        id_, created_at = data["id"], data["created_at"]
        if not (
            type(id_) is str
            and type(created_at) is str
            and type(data["device_id"]) is str
            and type(data["donation_ref"]) is str
            and type(data["content_version"]) is str
        ):
            for key in ("id", "created_at", "device_id", "donation_ref", "content_version"):
                if not isinstance(data[key], str):
                    raise ValueError(f"{key}: expected text")
        if not _UUID.fullmatch(id_):
            raise ValueError("id: not a UUID (lower-case, like 3f2c…-…)")
        withdrawn_at = data.get("withdrawn_at")
        # Stored times compare as text ("today", --since): one exact form only.
        if not _is_canonical_time(created_at):
            raise ValueError(f"created_at: {_CANONICAL_TIME_HINT}")
        if withdrawn_at is not None and (
            not isinstance(withdrawn_at, str) or not _is_canonical_time(withdrawn_at)
        ):
            raise ValueError(f"withdrawn_at: {_CANONICAL_TIME_HINT}")
        language = data.get("language", DEFAULT_LANGUAGE)
        # The parts one kiosk's records share were checked on an earlier line: found
        # by their value, they need no checking again (an import repeats a handful).
        shared = _shared_seen(data, language)
        if shared is None:
            shared = _shared_checked(data, language)
        interests, consents, consent_text, basis = shared
        _check_record_bounds(data, now or utc_now())
        fields = {
            **data,
            "interests": interests,
            "consents": consents,
            "consent_text": consent_text,
            "consent_basis": basis,
            "language": language,
            "withdrawn_at": withdrawn_at,
        }
        if withdrawn_at is not None:
            personal = [k for k in PERSONAL_FIELDS if data.get(k) is not None]
            if personal or interests or consents:
                raise ValueError("withdrawn_at: a withdrawal must carry no personal data")
            fields.update(dict.fromkeys(PERSONAL_FIELDS))
            return cls.from_store(**fields)
        if _any_sealed(data):
            check_sealed_fields(data)  # a sealing kiosk's record: only the office can open it
            if "first_name" not in data:
                fields["first_name"], fields["last_name"] = None, None
            return cls(**fields)
        name = data["name"]
        if not isinstance(name, str) or not _is_normalised_name(name):
            raise ValueError("name: not normalised")
        if "first_name" in data or "last_name" in data:
            first, last = data.get("first_name"), data.get("last_name")
            if not isinstance(first, str) or not _is_normalised_name(first):
                raise ValueError("first_name: not normalised")
            if last is not None and (not isinstance(last, str) or not _is_normalised_name(last)):
                raise ValueError("last_name: not normalised")
            if full_name(first, last) != name:
                raise ValueError("name: expected first_name and last_name joined by a space")
            fields["last_name"] = last
        else:
            fields["first_name"], fields["last_name"] = split_name(name)
        email, phone = data["email"], data["phone"]
        if email is not None and (not isinstance(email, str) or not plausible_email(email)):
            raise ValueError("email: not a valid stored value")
        if phone is not None and (not isinstance(phone, str) or not _E164.fullmatch(phone)):
            raise ValueError("phone: not a valid stored value")
        # Every field is checked and present: skip the dataclass __init__ (an import
        # builds 100,000 of these).
        record = object.__new__(cls)
        record.__dict__.update(fields)
        return record


def _from_export(
    cls: type[SignupRecord], data: dict[str, Any], now: datetime | None
) -> SignupRecord | None:
    """The usual line of an import, a current kiosk's sign-up (every field given, plain,
    not withdrawn), held to every check of from_json in fewer steps; None for anything
    else and for anything wrong: from_json's own checks then decide, and name the fault.

    An import reads 100,000 of these: this accepts only what from_json accepts, and
    builds the same record.
    """
    id_, created_at, ref = data["id"], data["created_at"], data["donation_ref"]
    name, first, last = data["name"], data["first_name"], data["last_name"]
    email, phone = data["email"], data["phone"]
    if (
        data["withdrawn_at"] is not None
        or type(id_) is not str
        or type(created_at) is not str
        or type(ref) is not str
        or type(name) is not str
        or type(first) is not str
        or (last is not None and type(last) is not str)
        or (email is not None and type(email) is not str)
        or (phone is not None and type(phone) is not str)
        or not _UUID.fullmatch(id_)
        or not _is_canonical_time(created_at)
        or not EARLIEST <= created_at <= _latest(now or utc_now())
        or not 1 <= len(ref) <= LABEL_MAX
        or not ref.isprintable()
    ):
        return None
    # A sealed record goes the long way (check_sealed_fields); so does a sealed name part.
    if (
        name.startswith(SEALED_PREFIX)
        or first.startswith(SEALED_PREFIX)
        or (last is not None and last.startswith(SEALED_PREFIX))
        or (email is not None and email.startswith(SEALED_PREFIX))
        or (phone is not None and phone.startswith(SEALED_PREFIX))
    ):
        return None
    # Found by value, the shared parts were checked on an earlier line (device_id and
    # content_version with them: equal to checked text, they are text).
    shared = _shared_seen(data, data["language"])
    if shared is None:
        return None
    try:
        if not (
            _is_normalised_name(name)
            and _is_normalised_name(first)
            and (last is None or _is_normalised_name(last))
        ):
            return None
    except ValueError:  # empty or too long: from_json says which
        return None
    if (
        full_name(first, last) != name
        or (email is not None and not plausible_email(email))
        or (phone is not None and not _E164.fullmatch(phone))
    ):
        return None
    record = object.__new__(cls)
    fields = record.__dict__
    fields.update(data)
    fields["interests"], fields["consents"], fields["consent_text"], fields["consent_basis"] = (
        shared
    )
    return record


def _any_sealed(data: dict[str, Any]) -> bool:
    for key in PERSONAL_FIELDS:
        value = data.get(key)
        if isinstance(value, str) and value.startswith(SEALED_PREFIX):
            return True
    return False


def split_name(name: str) -> tuple[str, str | None]:
    """(first, last) from a full name at its last space, as older records are read."""
    first, space, last = name.rpartition(" ")
    return (first, last) if space and first else (name, None)


def full_name(first: str, last: str | None) -> str:
    return f"{first} {last}" if last else first


def withdrawal_marker(record: SignupRecord, withdrawn_at: str) -> SignupRecord:
    """What is kept, exported and synced of a withdrawn sign-up: no personal data."""
    return SignupRecord(
        id=record.id,
        created_at=record.created_at,
        device_id=record.device_id,
        name=None,
        email=None,
        phone=None,
        interests=(),
        consents={},
        consent_text={},
        donation_ref=record.donation_ref,
        content_version=record.content_version,
        first_name=None,
        last_name=None,
        consent_basis={},
        language=record.language,
        withdrawn_at=withdrawn_at,
    )


_FIELDS = list(SignupRecord.__dataclass_fields__)
# What a record from any kiosk version carries; the rest have defaults (SPEC 5).
_REQUIRED = _FIELDS[: _FIELDS.index("first_name")]
_REQUIRED_SET = frozenset(_REQUIRED)
_FIELD_SET = frozenset(_FIELDS)
PERSONAL_FIELDS = ("first_name", "last_name", "name", "email", "phone")

"""The sign-up record: validation, normalisation and its one canonical JSON shape.

Used by the form, the store, export, import and sync alike. No Qt here.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kiosk.sealing import PREFIX as SEALED_PREFIX
from kiosk.sealing import check_sealed_fields

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_REGIONS = ("GB", "IE")  # a festival in Northern Ireland: both kinds of national number
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed safely
REF_LENGTH = 6
DEFAULT_LANGUAGE = "en"
CONSENT = "consent"
SOFT_OPT_IN = "soft_opt_in"
CONSENT_BASES = (CONSENT, SOFT_OPT_IN)
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?")

# Bidi embeddings, overrides and isolates can reorder how a name displays in a
# spreadsheet; zero-width joiners stay, as scripts and emoji need them.
_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)
_SPACES = re.compile(r"\s+")
COMMON_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "live.com",
    "live.co.uk",
    "live.ie",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.ie",
    "icloud.com",
    "me.com",
    "aol.com",
    "msn.com",
    "btinternet.com",
    "sky.com",
    "talktalk.net",
    "virginmedia.com",
    "eircom.net",
    "protonmail.com",
    "proton.me",
)


class InvalidField(ValueError):
    """A field's value cannot be stored.

    `key` names the visitor-facing text (kiosk.texts; the screens look it up in the
    content pack, so it can be reworded or translated); `message` is its English default.
    """

    def __init__(
        self, field_name: str, message: str, suggestion: str | None = None, *, key: str = ""
    ) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message
        self.suggestion = suggestion
        self.key = key


def clean_text(text: str) -> str:
    """NFC, control and bidi-override characters removed, whitespace collapsed and trimmed."""
    text = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        # Cc: control characters; Cs: lone surrogates, which cannot even be encoded.
        if unicodedata.category(ch) not in ("Cc", "Cs") or ch in "\t\r\n"
    )
    text = text.translate(_BIDI_CONTROLS)
    # NFC last: removing a control character can bring a letter and its accent together.
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise_name(raw: str) -> str:
    """The name as typed, made safe to store; raises InvalidField if empty or too long."""
    name = clean_text(raw)
    if not name:
        raise InvalidField("name", "Please tell us your name.", key="error.name.empty")
    if len(name) > NAME_MAX:
        raise InvalidField(
            "name",
            f"That name is too long — {NAME_MAX} characters at most.",
            key="error.name.too_long",
        )
    return name


def first_name(name: str) -> str:
    """The first word of a name, for "Thank you, Aoife"."""
    return name.split(" ", 1)[0] if name else ""


def suggest_email(email: str) -> str | None:
    """A did-you-mean for a common domain typo (gmial.com → gmail.com), else None."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local:
        return None
    domain = domain.lower()
    if domain in COMMON_DOMAINS:
        return None
    match = difflib.get_close_matches(domain, COMMON_DOMAINS, n=1, cutoff=0.8)
    if match:
        return f"{local}@{match[0]}"
    for wrong, right in (
        (".con", ".com"),
        (".cmo", ".com"),
        (".couk", ".co.uk"),
        (".co.uk.", ".co.uk"),
        (".ei", ".ie"),
    ):
        if domain.endswith(wrong):
            return f"{local}@{domain[: -len(wrong)]}{right}"
    return None


def load_validators() -> None:
    """Import email-validator and phonenumbers: on the first sign-up step, not at start.

    Together they are ~2.5 MiB and tens of ms of imports the attract loop never uses;
    the controller calls this once a visitor engages, before the first keystroke.
    """
    import email_validator  # noqa: F401
    import phonenumbers  # noqa: F401


def normalise_email(raw: str) -> str:
    """A syntactically valid address (offline check, domain lower-cased) or InvalidField."""
    text = raw.strip()
    if not text:
        raise InvalidField("email", "Please add your email address.", key="error.email.empty")
    if any(ch.isspace() for ch in text):
        raise InvalidField(
            "email", "That email has a space in it — emails never do.", key="error.email.space"
        )
    if "@" not in text:
        raise InvalidField(
            "email", "That email looks incomplete — it needs an @.", key="error.email.no_at"
        )
    local, _, domain = text.rpartition("@")
    if not local:
        raise InvalidField(
            "email", "That email needs your name before the @.", key="error.email.no_local"
        )
    if not domain:
        raise InvalidField(
            "email",
            "That email needs something after the @, like gmail.com.",
            key="error.email.no_domain",
        )
    if "." not in domain:
        raise InvalidField(
            "email",
            "That email looks incomplete — it needs an ending like .com or .ie.",
            suggest_email(text + ".com"),
            key="error.email.no_dot",
        )
    import email_validator  # see load_validators

    try:
        result = email_validator.validate_email(
            text, check_deliverability=False, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError:
        raise InvalidField(
            "email",
            "That email doesn't look quite right — please check it.",
            suggest_email(text),
            key="error.email.invalid",
        ) from None
    normalised = result.normalized
    if len(normalised) > EMAIL_MAX:
        raise InvalidField("email", "That email is too long.", key="error.email.too_long")
    return normalised


def normalise_phone(raw: str) -> str:
    """E.164 for a valid GB or Irish number (or any with +country code), else InvalidField."""
    text = raw.strip()
    if not text:
        raise InvalidField("phone", "Please add your phone number.", key="error.phone.empty")
    import phonenumbers  # see load_validators

    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidField(
        "phone",
        "That phone number doesn't look right — try 028 9012 3456, 087 123 4567 or +44…",
        key="error.phone.invalid",
    )


def new_donation_ref(prefix: str = "") -> str:
    import secrets  # on a sign-up, not at start: it loads OpenSSL (~3 MiB)

    code = "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
    return f"{prefix}-{code}" if prefix else code


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


def _shared_seen(data: dict[str, Any], language: Any) -> _Shared | None:
    """The checked shared parts of `data` if an earlier record had exactly these, else None.

    Equal keys mean equal values: text equals only text, so every part is known good
    once found, except a count (1 == True): the choices are checked to be bools here.
    """
    interests, consents = data["interests"], data["consents"]
    text, basis = data["consent_text"], data.get("consent_basis", _NO_BASIS)
    if not (
        type(interests) is list
        and type(consents) is dict
        and type(text) is dict
        and type(basis) is dict
    ):
        return None
    for choice in consents.values():
        if choice is not True and choice is not False:
            return None
    try:
        return _SHARED_MEMO.get(
            (
                data["device_id"],
                data["content_version"],
                language,
                tuple(interests),
                tuple(consents.items()),
                tuple(text.items()),
                tuple(basis.items()),
            )
        )
    except TypeError:  # a list or object where text belongs: the full checks name it
        return None


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
    if not all(isinstance(v, bool) for v in consents.values()):
        raise ValueError("consents: expected true or false for each channel")
    if not all(isinstance(v, str) for v in consent_text.values()):
        raise ValueError("consent_text: expected the wording for each channel")
    if not all(isinstance(v, str) for v in basis.values()):
        raise ValueError(f"consent_basis: expected {' or '.join(CONSENT_BASES)}")
    # Every value is now text or a bool, so the shared part can be a dict key.
    return _checked_shared(
        data["device_id"], data["content_version"], language,
        tuple(interests), consents, consent_text, basis,
    )  # fmt: skip


def _any_sealed(data: dict[str, Any]) -> bool:
    for key in PERSONAL_FIELDS:
        value = data.get(key)
        if isinstance(value, str) and value.startswith(SEALED_PREFIX):
            return True
    return False


def _is_normalised_name(text: str) -> bool:
    """normalise_name(text) == text, quickly for the usual case (raises for too long)."""
    if (
        text.isprintable()  # no control, format (bidi) or separator characters but " "
        and "  " not in text
        and text == text.strip()
        and unicodedata.is_normalized("NFC", text)
    ):
        if not text:
            raise InvalidField("name", "Please tell us your name.")
        if len(text) > NAME_MAX:
            raise InvalidField("name", f"That name is too long — {NAME_MAX} characters at most.")
        return True
    return normalise_name(text) == text


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


_Shared = tuple[tuple[str, ...], dict[str, bool], dict[str, str], dict[str, str]]
_SHARED_MEMO: dict[tuple[Any, ...], _Shared] = {}
_SHARED_MEMO_MAX = 512
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
    The values are already known to be text and bools, so the key is exact.
    """
    key = (
        device_id,
        content_version,
        language,
        interests,
        tuple(consents.items()),
        tuple(consent_text.items()),
        tuple(basis.items()),
    )
    shared = _SHARED_MEMO.get(key)
    if shared is not None:
        return shared
    _check_label("device_id", device_id)
    _check_label("content_version", content_version, 0)
    if not _LANGUAGE.fullmatch(language):
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
    if len(_SHARED_MEMO) >= _SHARED_MEMO_MAX:
        _SHARED_MEMO.clear()
    shared = _SHARED_MEMO[key] = (interests, dict(consents), dict(consent_text), dict(filled))
    return shared


def _check_label(key: str, value: Any, min_len: int = 1) -> None:
    if type(value) is not str or not _label_ok(value, min_len):
        _label(key, value, min_len=min_len)  # raises, naming what is wrong


@functools.lru_cache(maxsize=1024)
def _label_ok(value: str, min_len: int) -> bool:
    return min_len <= len(value) <= LABEL_MAX and value.isprintable()


@functools.lru_cache(maxsize=4)
def _latest(now: datetime) -> str:
    return iso_ms(now + FUTURE_SLACK)


def _canonical_time(text: str) -> str | None:
    try:
        return iso_ms(parse_iso(text))
    except ValueError:
        return None


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


@dataclass(frozen=True)
class SignupForm:
    """What the visitor typed and ticked, before validation.

    `consents` holds each channel's box as the visitor left it: for a consent
    channel a tick says yes; for a soft opt-in channel a tick is the opt-out
    (see stored_choice).
    """

    first_name: str
    email: str = ""
    phone: str = ""
    interests: tuple[str, ...] = ()
    consents: dict[str, bool] = field(default_factory=dict)
    last_name: str = ""
    language: str = DEFAULT_LANGUAGE


def stored_choice(consent: Any, ticked: bool, *, has_contact: bool = True) -> bool:
    """The choice stored for a channel whose box is `ticked` (or not).

    Consent: a tick is a yes. Soft opt-in (PECR 22(3A)): a tick is the opt-out,
    so no tick is a yes, but only for a contact the visitor gave: the charity may
    keep in touch by the email or number collected, not ask for one.
    """
    if getattr(consent, "basis", CONSENT) == SOFT_OPT_IN:
        return has_contact and not ticked
    return bool(ticked)


def contact_needs(interests: tuple[str, ...], content: Any) -> dict[str, str]:
    """What the chosen interests need: {"email" | "phone" | "either": the first asking key}."""
    needs: dict[str, str] = {}
    for interest in content.interests:
        if interest.key in interests:
            kind = getattr(interest, "contact_needed", "email" if interest.needs_email else "none")
            if kind != "none":
                needs.setdefault(kind, interest.key)
    return needs


def required_contacts(form: SignupForm, content: Any) -> tuple[bool, bool]:
    """(email needed, phone needed): by an interest, or a ticked consent.

    An interest that needs "either" makes the email needed until a phone is given,
    and the phone needed when only a phone is given. A soft opt-in channel never
    asks for a contact: it applies to the ones given.
    """
    needs = contact_needs(form.interests, content)
    opted = [
        c
        for c in content.consents
        if getattr(c, "basis", CONSENT) == CONSENT and form.consents.get(c.key)
    ]
    email = "email" in needs or any(c.needs_email for c in opted)
    phone = "phone" in needs or any(c.needs_phone for c in opted)
    if "either" in needs and not (email or phone):
        # Whichever they started giving; the email when they gave neither.
        if form.phone.strip() and not form.email.strip():
            phone = True
        else:
            email = True
    return email, phone


def _has_contact(consent: Any, email: str | None, phone: str | None) -> bool:
    if consent.needs_email and not email:
        return False
    return not (consent.needs_phone and not phone)


def validate_form(form: SignupForm, content: Any) -> dict[str, InvalidField]:
    """Every field problem at once, keyed by field name; empty when the form is valid.

    `content` is a content.Content (not imported, to keep this module standalone).
    """
    problems: dict[str, InvalidField] = {}
    email_needed, phone_needed = required_contacts(form, content)
    try:
        normalise_name(form.first_name)
    except InvalidField as exc:
        problems["first_name"] = exc
    if form.last_name.strip():
        try:
            normalise_name(form.last_name)
        except InvalidField as exc:
            problems["last_name"] = exc
    if form.email.strip() or email_needed:
        try:
            normalise_email(form.email)
        except InvalidField as exc:
            problems["email"] = exc
    if form.phone.strip() or phone_needed:
        try:
            normalise_phone(form.phone)
        except InvalidField as exc:
            problems["phone"] = exc
    if not form.interests:
        problems["interests"] = InvalidField(
            "interests", "Choose at least one way to get involved.", key="error.interests.none"
        )
    return problems


def build_record(
    form: SignupForm, content: Any, device_id: str, *, now: datetime | None = None
) -> SignupRecord:
    """A new record from a valid form; raises InvalidField for the first problem."""
    problems = validate_form(form, content)
    if problems:
        raise next(iter(problems.values()))
    first = normalise_name(form.first_name)
    last = normalise_name(form.last_name) if form.last_name.strip() else None
    email = normalise_email(form.email) if form.email.strip() else None
    phone = normalise_phone(form.phone) if form.phone.strip() else None
    return SignupRecord(
        id=str(uuid.uuid4()),
        created_at=iso_ms(now or utc_now()),
        device_id=device_id,
        first_name=first,
        last_name=last,
        name=full_name(first, last),
        email=email,
        phone=phone,
        interests=tuple(i.key for i in content.interests if i.key in form.interests),
        consents={
            c.key: stored_choice(
                c, bool(form.consents.get(c.key)), has_contact=_has_contact(c, email, phone)
            )
            for c in content.consents
        },
        consent_basis={c.key: getattr(c, "basis", CONSENT) for c in content.consents},
        # The exact words shown: a soft opt-in's notice and its opt-out box label.
        consent_text={c.key: getattr(c, "shown_text", c.wording) for c in content.consents},
        language=form.language,
        donation_ref=new_donation_ref(content.links.donation_ref_prefix),
        content_version=content.version,
    )

"""The sign-up record: validation, normalisation and its one canonical JSON shape.

Used by the form, the store, export, import and sync alike. No Qt here.
"""

from __future__ import annotations

import difflib
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import email_validator
import phonenumbers

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_REGIONS = ("GB", "IE")  # a festival in Northern Ireland: both kinds of national number
REF_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed safely
REF_LENGTH = 6

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
    """One sign-up, as stored, exported, imported and synced."""

    id: str
    created_at: str
    device_id: str
    name: str
    email: str | None
    phone: str | None
    interests: tuple[str, ...]
    consents: dict[str, bool]
    consent_text: dict[str, str]
    donation_ref: str
    content_version: str

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON object (stable key order)."""
        # Built by hand: dataclasses.asdict deep-copies, ~10× slower on 100,000 rows.
        return {
            "id": self.id,
            "created_at": self.created_at,
            "device_id": self.device_id,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "interests": list(self.interests),
            "consents": dict(self.consents),
            "consent_text": dict(self.consent_text),
            "donation_ref": self.donation_ref,
            "content_version": self.content_version,
        }

    @classmethod
    def from_store(cls, **fields: Any) -> SignupRecord:
        """A record read back from the kiosk's own database, validated when it was saved.

        Skips the frozen dataclass __init__ (ten times slower): exporting
        100,000 sign-ups builds 100,000 of these.
        """
        record = object.__new__(cls)
        record.__dict__.update(fields)
        return record

    @classmethod
    def from_json(cls, data: Any) -> SignupRecord:
        """Validate a canonical JSON object from another kiosk; raises ValueError."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        missing = [k for k in _FIELDS if k not in data]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise ValueError(f"unknown field {', '.join(unknown)}")
        for key in ("id", "created_at", "device_id", "name", "donation_ref", "content_version"):
            if not isinstance(data[key], str):
                raise ValueError(f"{key}: expected text")
        try:
            uuid.UUID(data["id"])
        except ValueError:
            raise ValueError("id: not a UUID") from None
        try:
            canonical_time = iso_ms(parse_iso(data["created_at"]))
        except ValueError:
            canonical_time = None
        if canonical_time != data["created_at"]:
            # Stored times compare as text ("today", --since): one exact form only.
            raise ValueError(
                "created_at: expected UTC with milliseconds, like 2022-07-30T14:03:12.345Z"
            )
        if normalise_name(data["name"]) != data["name"]:
            raise ValueError("name: not normalised")
        for key, check in (("email", normalise_email), ("phone", normalise_phone)):
            value = data[key]
            if value is not None and (not isinstance(value, str) or check(value) != value):
                raise ValueError(f"{key}: not a valid stored value")
        interests = data["interests"]
        if not isinstance(interests, list) or not all(isinstance(i, str) for i in interests):
            raise ValueError("interests: expected a list of keys")
        for key in ("consents", "consent_text"):
            value = data[key]
            if not isinstance(value, dict):
                raise ValueError(f"{key}: expected an object")
        if not all(isinstance(v, bool) for v in data["consents"].values()):
            raise ValueError("consents: expected true or false for each channel")
        if not all(isinstance(v, str) for v in data["consent_text"].values()):
            raise ValueError("consent_text: expected the wording for each channel")
        return cls(**{**data, "interests": tuple(interests)})


_FIELDS = list(SignupRecord.__dataclass_fields__)


@dataclass(frozen=True)
class SignupForm:
    """What the visitor typed and ticked, before validation."""

    name: str
    email: str = ""
    phone: str = ""
    interests: tuple[str, ...] = ()
    consents: dict[str, bool] = field(default_factory=dict)


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
    """(email needed, phone needed): by an interest or a ticked consent.

    An interest that needs "either" makes the email needed until a phone is given,
    and the phone needed when no email is.
    """
    needs = contact_needs(form.interests, content)
    email = "email" in needs or any(
        form.consents.get(c.key) and c.needs_email for c in content.consents
    )
    phone = "phone" in needs or any(
        form.consents.get(c.key) and c.needs_phone for c in content.consents
    )
    if "either" in needs and not (email or phone):
        # Whichever they started giving; the email when they gave neither.
        if form.phone.strip() and not form.email.strip():
            phone = True
        else:
            email = True
    return email, phone


def validate_form(form: SignupForm, content: Any) -> dict[str, InvalidField]:
    """Every field problem at once, keyed by field name; empty when the form is valid.

    `content` is a content.Content (not imported, to keep this module standalone).
    """
    problems: dict[str, InvalidField] = {}
    email_needed, phone_needed = required_contacts(form, content)
    try:
        normalise_name(form.name)
    except InvalidField as exc:
        problems["name"] = exc
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
    return SignupRecord(
        id=str(uuid.uuid4()),
        created_at=iso_ms(now or utc_now()),
        device_id=device_id,
        name=normalise_name(form.name),
        email=normalise_email(form.email) if form.email.strip() else None,
        phone=normalise_phone(form.phone) if form.phone.strip() else None,
        interests=tuple(i.key for i in content.interests if i.key in form.interests),
        consents={c.key: bool(form.consents.get(c.key)) for c in content.consents},
        consent_text={c.key: c.wording for c in content.consents},
        donation_ref=new_donation_ref(content.links.donation_ref_prefix),
        content_version=content.version,
    )

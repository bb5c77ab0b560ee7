"""What a visitor types, checked and normalised: names, email, phone, did-you-mean."""

from __future__ import annotations

import difflib
import re
import unicodedata

NAME_MAX = 100
EMAIL_MAX = 254
PHONE_REGIONS = ("GB", "IE")  # a festival in Northern Ireland: both kinds of national number


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

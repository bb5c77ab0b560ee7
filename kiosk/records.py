"""The sign-up record's public face, and building one from the visitor's form.

Used by the form, the store, export, import and sync alike. No Qt here. The parts
live in kiosk.validation (what a visitor types), kiosk.timestamps, kiosk.record_bounds
(an import's checks) and kiosk.record_shape (the record and its JSON); import them
from here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.record_bounds import (
    CHANNELS_MAX,
    CONSENT,
    CONSENT_BASES,
    DEFAULT_LANGUAGE,
    EARLIEST,
    FUTURE_SLACK,
    INTERESTS_MAX,
    LABEL_MAX,
    SOFT_OPT_IN,
    WORDING_MAX,
    check_bounds,
    plausible_email,
)
from kiosk.record_shape import (
    PERSONAL_FIELDS,
    REF_ALPHABET,
    REF_LENGTH,
    SignupRecord,
    full_name,
    new_donation_ref,
    split_name,
    withdrawal_marker,
)
from kiosk.timestamps import iso_ms, parse_iso, utc_now
from kiosk.validation import (
    COMMON_DOMAINS,
    EMAIL_MAX,
    NAME_MAX,
    PHONE_REGIONS,
    InvalidField,
    clean_text,
    first_name,
    load_validators,
    normalise_email,
    normalise_name,
    normalise_phone,
    suggest_email,
)

__all__ = [
    "CHANNELS_MAX",
    "COMMON_DOMAINS",
    "CONSENT",
    "CONSENT_BASES",
    "DEFAULT_LANGUAGE",
    "EARLIEST",
    "EMAIL_MAX",
    "FUTURE_SLACK",
    "INTERESTS_MAX",
    "LABEL_MAX",
    "NAME_MAX",
    "PERSONAL_FIELDS",
    "PHONE_REGIONS",
    "REF_ALPHABET",
    "REF_LENGTH",
    "SOFT_OPT_IN",
    "WORDING_MAX",
    "InvalidField",
    "SignupForm",
    "SignupRecord",
    "build_record",
    "check_bounds",
    "clean_text",
    "contact_needs",
    "first_name",
    "full_name",
    "iso_ms",
    "load_validators",
    "new_donation_ref",
    "normalise_email",
    "normalise_name",
    "normalise_phone",
    "parse_iso",
    "plausible_email",
    "required_contacts",
    "split_name",
    "stored_choice",
    "suggest_email",
    "utc_now",
    "validate_form",
    "withdrawal_marker",
]


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

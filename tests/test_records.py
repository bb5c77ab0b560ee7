"""Sign-up records: normalisation, friendly validation and hostile input."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.records import (
    NAME_MAX,
    REF_ALPHABET,
    InvalidField,
    SignupForm,
    SignupRecord,
    build_record,
    first_name,
    iso_ms,
    normalise_email,
    normalise_name,
    normalise_phone,
    suggest_email,
    validate_form,
)

CONTENT = load_content(DEFAULT_CONTENT_DIR)
HOSTILE = [
    '=HYPERLINK("http://evil")',
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "Robert'); DROP TABLE signups;--",
    "محمد عبد الله",
    "שרה כהן",
    "李小龍",
    "Zoë 👩‍👩‍👧",
    "a" * 100,
]


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("028 9012 3456", "+442890123456"),
        ("087 123 4567", "+353871234567"),
        ("+353 87 123 4567", "+353871234567"),
        ("07912 345678", "+447912345678"),
        ("(01) 234 5678", "+35312345678"),
    ],
)
def test_gb_and_irish_national_numbers_become_e164(raw, stored):
    assert normalise_phone(raw) == stored


@pytest.mark.parametrize("raw", ["12345", "028 9012", "not a phone", "+44 1"])
def test_invalid_phone_numbers_are_refused_with_a_friendly_message(raw):
    with pytest.raises(InvalidField, match="doesn't look right"):
        normalise_phone(raw)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("aoife.example.com", "needs an @"),
        ("aoife@", "something after the @"),
        ("@example.com", "before the @"),
        ("aoife@example", "ending like .com"),
        ("aoife @example.com", "space"),
        ("aoife@exa mple.com", "space"),
        ("aoife@@example.com", "check it"),
    ],
)
def test_email_problems_are_explained_in_plain_words(raw, message):
    with pytest.raises(InvalidField) as err:
        normalise_email(raw)
    assert message in err.value.message


@pytest.mark.parametrize(
    "typed, suggested",
    [
        ("aoife@gmial.com", "aoife@gmail.com"),
        ("aoife@gamil.com", "aoife@gmail.com"),
        ("aoife@hotmial.co.uk", "aoife@hotmail.co.uk"),
        ("aoife@yahoo.con", "aoife@yahoo.com"),
        ("aoife@company.con", "aoife@company.com"),
    ],
)
def test_common_domain_typos_get_a_did_you_mean(typed, suggested):
    assert suggest_email(typed) == suggested


def test_correct_and_unknown_domains_get_no_suggestion():
    assert suggest_email("aoife@gmail.com") is None
    assert suggest_email("aoife@ijm.org.uk") is None


def test_email_domain_is_lowercased_and_local_part_kept():
    assert normalise_email("Aoife.Murphy@Example.IE") == "Aoife.Murphy@example.ie"


@given(st.text(max_size=300))
def test_any_name_is_either_refused_or_stored_clean(raw):
    try:
        name = normalise_name(raw)
    except InvalidField:
        return
    assert 0 < len(name) <= NAME_MAX
    assert name == name.strip()
    assert unicodedata.is_normalized("NFC", name)
    assert not any(unicodedata.category(ch) == "Cc" for ch in name)
    assert not re.search(r"[\u202a-\u202e\u2066-\u2069]", name)
    assert "  " not in name
    assert normalise_name(name) == name  # idempotent


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_but_valid_names_are_stored_exactly(name):
    assert normalise_name(name) == name


def test_control_and_bidi_characters_are_removed():
    assert normalise_name("Sea\u0301n\u0000 \u202eÓ\tBriain\u2066 ") == "Seán Ó Briain"


def test_lone_surrogates_from_a_json_escape_are_removed():
    assert normalise_name("Zo\ud800ë") == "Zoë"


def test_names_over_100_characters_are_refused():
    with pytest.raises(InvalidField, match="too long"):
        normalise_name("a" * 101)


def test_email_is_required_only_for_email_interests_or_consents():
    talk_only = SignupForm(first_name="Aoife", interests=("talk",))
    assert set(validate_form(talk_only, CONTENT)) == {"email"}  # "either": one is needed
    talk_phone = SignupForm(first_name="Aoife", phone="028 9012 3456", interests=("talk",))
    assert validate_form(talk_phone, CONTENT) == {}
    talk_email = SignupForm(first_name="Aoife", email="a@example.ie", interests=("talk",))
    assert validate_form(talk_email, CONTENT) == {}
    prayer = SignupForm(first_name="Aoife", interests=("prayer",))
    assert set(validate_form(prayer, CONTENT)) == {"email"}
    talk_email_consent = SignupForm(
        first_name="Aoife", interests=("talk",), consents={"email": True}
    )
    assert set(validate_form(talk_email_consent, CONTENT)) == {"email"}
    sms = SignupForm(first_name="Aoife", interests=("talk",), consents={"sms": True})
    assert set(validate_form(sms, CONTENT)) == {"phone"}


def test_optional_phone_is_still_checked_when_given():
    form = SignupForm(first_name="Aoife", interests=("talk",), phone="12")
    assert set(validate_form(form, CONTENT)) == {"phone"}


def test_built_record_has_the_canonical_shape():
    form = SignupForm(
        first_name="  Aoife ",
        last_name=" Murphy ",
        email="aoife@example.ie",
        phone="087 123 4567",
        interests=("prayer", "freedom_partner"),
        consents={"email": True},
    )
    now = datetime(2022, 7, 30, 14, 3, 12, 345678, tzinfo=UTC)
    record = build_record(form, CONTENT, "tent-3f9a", now=now)
    data = record.to_json()
    assert list(data) == [
        "id",
        "created_at",
        "device_id",
        "first_name",
        "last_name",
        "name",
        "email",
        "phone",
        "interests",
        "consents",
        "consent_basis",
        "consent_text",
        "language",
        "donation_ref",
        "content_version",
        "withdrawn_at",
    ]
    assert data["created_at"] == "2022-07-30T14:03:12.345Z"
    assert data["name"] == "Aoife Murphy"
    assert (data["first_name"], data["last_name"]) == ("Aoife", "Murphy")
    assert data["consent_basis"] == {"email": "consent", "sms": "consent", "phone": "consent"}
    assert data["language"] == "en"
    assert data["withdrawn_at"] is None
    assert data["phone"] == "+353871234567"
    assert data["interests"] == ["freedom_partner", "prayer"]  # content order
    assert data["consents"] == {"email": True, "sms": False, "phone": False}
    assert data["consent_text"]["email"] == CONTENT.consent("email").wording
    assert re.fullmatch(rf"NH-[{REF_ALPHABET}]{{6}}", data["donation_ref"])
    assert data["content_version"] == CONTENT.version
    assert SignupRecord.from_json(json.loads(json.dumps(data))) == record


def test_first_name_is_the_first_word_only():
    assert first_name("Aoife Murphy") == "Aoife"
    assert first_name("Seán Ó Briain") == "Seán"


def test_iso_ms_is_utc_with_milliseconds():
    assert iso_ms(datetime(2022, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)) == "2022-01-02T03:04:05.006Z"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"id": "nope"}, "id: not a UUID"),
        ({"email": "not-an-email"}, "email"),
        ({"name": " padded "}, "name: not normalised"),
        ({"consents": {"email": "yes"}}, "consents"),
        ({"extra": 1}, "unknown field extra"),
    ],
)
def test_imported_records_are_validated(change, message):
    form = SignupForm(first_name="Aoife", phone="028 9012 3456", interests=("talk",))
    record = build_record(form, CONTENT, "tent-1")
    data = {**record.to_json(), **change}
    with pytest.raises(ValueError, match=message):
        SignupRecord.from_json(data)


def test_a_visitor_with_one_name_has_no_last_name():
    record = build_record(
        SignupForm(first_name="Zoë", phone="028 9012 3456", interests=("talk",)), CONTENT, "tent-1"
    )
    assert (record.first_name, record.last_name, record.name) == ("Zoë", None, "Zoë")


def test_an_older_kiosks_record_imports_with_its_name_split_at_the_last_space():
    """SPEC 5: one `name`, no basis, no language -> split, consent, en."""
    record = build_record(
        SignupForm(
            first_name="Seán Ó", last_name="Briain", phone="087 123 4567", interests=("talk",)
        ),
        CONTENT,
        "tent-1",
    )
    old = {
        k: v
        for k, v in record.to_json().items()
        if k not in ("first_name", "last_name", "consent_basis", "language", "withdrawn_at")
    }
    again = SignupRecord.from_json(old)
    assert (again.first_name, again.last_name) == ("Seán Ó", "Briain")
    assert set(again.consent_basis.values()) == {"consent"}
    assert again.language == "en"
    assert again == record


def test_first_and_last_name_must_match_the_full_name():
    record = build_record(
        SignupForm(
            first_name="Aoife", last_name="Murphy", phone="087 123 4567", interests=("talk",)
        ),
        CONTENT,
        "t-1",
    )
    data = {**record.to_json(), "last_name": "Walsh"}
    with pytest.raises(ValueError, match="name: expected first_name and last_name"):
        SignupRecord.from_json(data)


def test_a_withdrawal_marker_carries_no_personal_data_and_round_trips():
    from kiosk.records import PERSONAL_FIELDS, withdrawal_marker

    record = build_record(
        SignupForm(
            first_name="Aoife",
            last_name="Murphy",
            email="aoife@example.ie",
            interests=("prayer",),
            consents={"email": True},
        ),
        CONTENT,
        "tent-1",
    )
    marker = withdrawal_marker(record, "2022-07-31T09:00:00.000Z")
    data = marker.to_json()
    assert all(data[k] is None for k in PERSONAL_FIELDS)
    assert "Aoife" not in json.dumps(data) and "aoife@" not in json.dumps(data)
    assert (data["id"], data["donation_ref"]) == (record.id, record.donation_ref)
    assert SignupRecord.from_json(json.loads(json.dumps(data))) == marker
    # A "marker" that still carries a name is refused.
    with pytest.raises(ValueError, match="withdrawal must carry no personal data"):
        SignupRecord.from_json({**data, "name": "Aoife"})


def test_a_consent_basis_outside_the_two_kinds_is_refused():
    record = build_record(
        SignupForm(first_name="Aoife", phone="087 123 4567", interests=("talk",)), CONTENT, "t-1"
    )
    data = {**record.to_json(), "consent_basis": {"email": "legitimate_interest"}}
    with pytest.raises(ValueError, match="consent_basis"):
        SignupRecord.from_json(data)

"""The legal basis per consent channel: opt-in consent, or the charity soft opt-in.

The default pack keeps unticked opt-in boxes. The soft-opt-in test pack keeps in
touch by email and SMS unless the visitor ticks the opt-out; the record, the
consent log, the exports and the sync body carry basis, choice and exact wording.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.content import DEFAULT_OPT_OUT, load_content
from kiosk.errors import ContentError
from kiosk.exporting import export_signups
from kiosk.layouts import load_layout
from kiosk.layouts.rows import bind_for_pack
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.records import SignupForm, build_record, stored_choice, validate_form
from kiosk.store import Store
from kiosk.sync import HttpTarget
from tests.factories import edit_pack as _edit

SOFT_PACK = Path(__file__).parent / "packs" / "soft-opt-in"


@pytest.fixture
def soft():
    return load_content(SOFT_PACK)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(SOFT_PACK, folder)
    return folder


def _form(**changes) -> SignupForm:
    fields = {
        "first_name": "Aoife",
        "last_name": "Murphy",
        "email": "aoife@example.ie",
        "interests": ("prayer",),
    }
    fields.update(changes)
    return SignupForm(**fields)


def test_default_pack_keeps_opt_in_consent_everywhere():
    content = load_content(DEFAULT_CONTENT_DIR)
    assert {c.basis for c in content.consents} == {"consent"}
    record = build_record(_form(), content, "tent-1")
    assert record.consents == {"email": False, "sms": False, "phone": False}
    assert set(record.consent_basis.values()) == {"consent"}


def test_soft_pack_offers_an_opt_out_for_email_and_sms_only(soft):
    by_key = {c.key: c for c in soft.consents}
    assert by_key["email"].basis == by_key["sms"].basis == "soft_opt_in"
    assert by_key["phone"].basis == "consent"  # never for phone calls
    assert by_key["email"].opt_out.startswith("Tick if you'd rather not hear from us")
    assert "keep in touch" in by_key["email"].wording


def test_a_ticked_box_maps_to_the_stored_choice(soft):
    email, phone = soft.consent("email"), soft.consent("phone")
    assert email.choice(ticked=False) is True and email.choice(ticked=True) is False
    assert phone.choice(ticked=True) is True and phone.choice(ticked=False) is False
    # Soft opt-in covers only a contact the visitor gave.
    assert stored_choice(email, False, has_contact=False) is False
    assert stored_choice(email, False, has_contact=True) is True


def test_soft_opt_in_asks_for_no_contact(soft):
    """Leaving the opt-out unticked never makes an email or phone number compulsory."""
    from dataclasses import replace

    # An interest that needs no contact (the default pack's "talk" needs either).
    talk = replace(soft.interest("talk"), needs="none")
    soft = replace(soft, interests=tuple(talk if i.key == "talk" else i for i in soft.interests))
    form = _form(email="", interests=("talk",))
    assert validate_form(form, soft) == {}
    record = build_record(form, soft, "tent-1")
    assert record.consents["email"] is False  # no address given: nothing to keep in touch by
    assert record.consents["sms"] is False


def test_check_refuses_soft_opt_in_for_phone_calls_with_the_key_path(pack, capsys):
    _edit(
        pack,
        'key = "phone"\nlabel = "Phone call"\n',
        'key = "phone"\nlabel = "Phone call"\nbasis = "soft_opt_in"\n',
    )
    with pytest.raises(ContentError) as err:
        load_content(pack)
    assert any(
        "consents[2].basis: soft_opt_in is only for email and SMS" in p for p in err.value.problems
    )
    assert main(["check", "--content", str(pack)]) == 2
    assert "consents[2].basis" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('basis = "soft_opt_in"', 'basis = "legitimate_interest"', "consents[0].basis"),
        (
            'opt_out = "Tick if you\'d rather not hear from us by email"',
            'opt_out = "  "',
            "consents[0].opt_out",
        ),
        ('key = "phone"\n', 'key = "phone"\nopt_out = "Untick"\n', "consents[2].opt_out"),
    ],
)
def test_check_names_each_bad_basis_key(pack, old, new, where):
    _edit(pack, old, new)
    with pytest.raises(ContentError) as err:
        load_content(pack)
    assert any(f"{where}:" in p for p in err.value.problems), err.value.problems


def test_opt_out_label_has_a_plain_default(pack):
    _edit(pack, 'opt_out = "Tick if you\'d rather not hear from us by email"\n', "")
    assert load_content(pack).consent("email").opt_out == DEFAULT_OPT_OUT


def test_soft_opt_in_is_stored_logged_exported_and_synced_with_basis_and_opt_out(soft, tmp_path):
    stays = build_record(_form(phone="07911 123456"), soft, "tent-1")
    leaves = build_record(
        _form(first_name="Ben", email="ben@example.org", consents={"email": True, "sms": True}),
        soft,
        "tent-1",
    )
    assert stays.consents == {"email": True, "sms": True, "phone": False}
    assert leaves.consents == {"email": False, "sms": False, "phone": False}
    assert stays.consent_basis == {"email": "soft_opt_in", "sms": "soft_opt_in", "phone": "consent"}
    email = soft.consent("email")
    assert stays.consent_text["email"] == f"{email.wording}\n{email.opt_out}"

    with Store(tmp_path / "kiosk.db") as store:
        store.save_signup(stays)
        store.save_signup(leaves)
        log_rows = store._read(
            lambda db: db.execute(
                "SELECT channel, granted, basis, wording FROM consent_log WHERE signup_id = ? "
                "ORDER BY channel",
                [stays.id],
            ).fetchall()
        )
        generic = export_signups(
            store, "csv", tmp_path / "all.csv", columns=((), ("email", "sms", "phone"))
        ).path
        jsonl = export_signups(store, "jsonl", tmp_path / "all.jsonl").path
        layout = bind_for_pack(load_layout("raisers-edge"), SOFT_PACK)
        export_signups(store, "csv", tmp_path / "re.csv", layout=layout)
        target = HttpTarget("https://office.example/hook", "s", 5, device_id="tent-1")
        body, _ = target.request_parts(store.pending_batch(10))

    assert [tuple(r) for r in log_rows] == [
        ("email", 1, "soft_opt_in", stays.consent_text["email"]),
        ("phone", 0, "consent", stays.consent_text["phone"]),
        ("sms", 1, "soft_opt_in", stays.consent_text["sms"]),
    ]
    with generic.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["first_name"]: r for r in csv.DictReader(fh)}
    assert rows["Aoife"]["consent_email"] == "yes"
    assert rows["Ben"]["consent_email"] == "no"  # ticked the opt-out
    assert rows["Aoife"]["consent_email_basis"] == "soft_opt_in"
    assert rows["Aoife"]["consent_phone_basis"] == "consent"
    assert rows["Aoife"]["consent_email_wording"].endswith("rather not hear from us by email")

    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert records[0]["consent_basis"]["email"] == "soft_opt_in"
    assert json.loads(body)["signups"][0]["consent_basis"] == stays.consent_basis

    with (tmp_path / "re-consents.csv").open(encoding="utf-8-sig", newline="") as fh:
        consent_rows = [r for r in csv.DictReader(fh) if r["ImportID"] == leaves.id]
    by_channel = {r["ConsentChannel"]: r for r in consent_rows}
    assert by_channel["Email"]["ConsentResponse"] == "Opt-out"
    assert by_channel["Email"]["ConsentSource"] == "Kiosk (soft opt-in)"
    assert by_channel["Phone"]["ConsentSource"] == "Kiosk"

"""Find a sign-up and withdraw it: masked answers, and a withdrawn name in no database file."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.errors import StorageError
from kiosk.exporting import export_signups
from kiosk.finding import find_signups, fold, mask_email, mask_name, mask_phone, ref_key
from kiosk.importing import import_jsonl
from kiosk.records import withdrawal_marker
from kiosk.store import Store
from tests.factories import make_record

NAME = "Aoife Ní Bhriain"
EMAIL = "aoife.nibhriain@example.ie"
PHONE = "+353871234567"


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "kiosk.db") as s:
        yield s


def _aoife(i: int = 7, **changes):
    return make_record(
        i,
        first_name="Aoife",
        last_name="Ní Bhriain",
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        **changes,
    )


def _db_bytes(folder) -> bytes:
    out = b""
    for suffix in ("", "-wal", "-shm"):
        path = folder / f"kiosk.db{suffix}"
        if path.exists():
            out += path.read_bytes()
    return out


def test_masking_shows_enough_to_recognise_and_no_more():
    assert mask_name("Aoife", "Murphy") == "Aoife M…"
    assert mask_name("Cher", None) == "Cher"
    assert mask_name("Aoife Murphy", None) == "Aoife M…"  # typed as one name
    assert mask_email("aoife.murphy@gmail.com") == "a…@gmail.com"
    assert mask_phone("+353871234567") == "+353 … 567"
    assert mask_phone("+442890123456") == "+44 … 456"
    assert fold("Seán Ó Briain") == "sean o briain"
    assert ref_key(" nh-7f3 kq2 ") == "NH7F3KQ2"


def test_find_by_part_of_a_name_or_reference_newest_first_masked(store):
    store.save_signup(make_record(1, name="Aoife Murphy", first_name="Aoife", last_name="Murphy"))
    store.save_signup(_aoife(2))
    store.save_signup(make_record(3, name="Seán Ó Briain", first_name="Seán", last_name="Ó Briain"))
    found = find_signups(store, "aoife")
    assert [f.name for f in found] == ["Aoife N…", "Aoife M…"]  # newest first
    assert found[0].email == "a…@example.ie"
    assert found[0].phone == "+353 … 567"
    assert [f.name for f in find_signups(store, "sean o")] == ["Seán Ó…"]
    ref = make_record(3).donation_ref
    by_ref = find_signups(store, ref.lower().replace("-", " "))
    assert [f.donation_ref for f in by_ref] == [ref]
    assert find_signups(store, "a") == []  # too short to mean anything
    assert find_signups(store, "%") == []  # wildcards are literal
    assert find_signups(store, "zzz") == []


def test_found_sign_up_says_when_it_was_saved_synced_and_exported(store, tmp_path):
    rec = store.save_signup(_aoife())
    store.mark_synced([rec.id])
    (found,) = find_signups(store, rec.donation_ref)
    assert found.synced_at and not found.exported_at
    line = found.line(tz=UTC, today=datetime.now(UTC))
    assert line.startswith(f"{rec.donation_ref}, Aoife N…, saved ")
    assert ", synced " in line and line.endswith("not exported")
    export_signups(store, "csv", tmp_path)
    (found,) = find_signups(store, rec.donation_ref)
    assert found.exported_at


def test_withdraw_erases_the_person_from_every_database_file(store, tmp_path):
    kept = store.save_signup(make_record(1, name="Zoë Quinn", first_name="Zoë", last_name="Quinn"))
    rec = store.save_signup(_aoife())
    store.mark_synced([rec.id])
    export_signups(store, "csv", tmp_path / "out.csv")
    raw = _db_bytes(tmp_path)
    assert b"Bhriain" in raw or EMAIL.encode() in raw  # there before
    marker = store.withdraw(rec.donation_ref.lower())
    assert marker is not None and marker.withdrawn_at
    assert marker.name is None and marker.email is None and marker.phone is None
    raw = _db_bytes(tmp_path)
    for secret in ("Bhriain", "Aoife", EMAIL, PHONE, "aoife.nibhriain"):
        assert secret.encode() not in raw, secret
    assert b"Quinn" in raw  # only that person
    assert store.get(kept.id).name == "Zoë Quinn"
    held = store.get(rec.id)
    assert held.withdrawn and held.name is None and held.consents == {}


def test_the_marker_goes_out_again_in_the_next_sync_and_export(store, tmp_path):
    rec = store.save_signup(_aoife())
    store.mark_synced([rec.id])
    export_signups(store, "jsonl", tmp_path / "first.jsonl")
    assert store.stats().pending_sync == 0 and store.stats().unexported == 0
    store.withdraw(rec.id)
    (pending,) = store.pending_batch()
    assert pending.id == rec.id and pending.withdrawn and pending.to_json()["name"] is None
    assert store.stats().unexported == 1  # Wipe waits until the office has it
    export_signups(store, "jsonl", tmp_path / "second.jsonl", unexported=True)
    (line,) = (tmp_path / "second.jsonl").read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data["id"] == rec.id and data["withdrawn_at"]
    assert all(data[k] is None for k in ("first_name", "last_name", "name", "email", "phone"))
    assert "Bhriain" not in line


def test_withdraw_by_unknown_reference_finds_nothing_and_twice_is_harmless(store):
    rec = store.save_signup(_aoife())
    assert store.withdraw("NH-NOTME") is None
    first = store.withdraw(rec.id)
    again = store.withdraw(rec.id)
    assert again.withdrawn_at == first.withdrawn_at


def test_withdraw_refuses_a_reference_two_kiosks_share(store):
    store.import_records([make_record(1, donation_ref="NH-AAAAAA", device_id="tent-1")])
    store.import_records([make_record(2, donation_ref="NH-AAAAAA", device_id="tent-2")])
    with pytest.raises(StorageError, match="withdraw by id"):
        store.withdraw("NH-AAAAAA")


def test_importing_a_withdrawal_erases_our_copy(store, tmp_path):
    rec = store.save_signup(_aoife())
    marker = withdrawal_marker(rec, "2026-08-02T14:10:00.000Z")
    path = tmp_path / "from-office.jsonl"
    path.write_text(json.dumps(marker.to_json()) + "\n", encoding="utf-8")
    import_jsonl(store, path)
    held = store.get(rec.id)
    assert held.withdrawn_at == "2026-08-02T14:10:00.000Z"
    assert held.name is None
    raw = _db_bytes(tmp_path)
    assert b"Bhriain" not in raw and EMAIL.encode() not in raw
    assert [r.id for r in store.pending_batch()] == [rec.id]


def test_apply_withdrawal_for_an_id_we_do_not_hold_changes_nothing(store):
    rec = make_record(5)
    assert store.apply_withdrawal(withdrawal_marker(rec, "2026-08-02T14:10:00.000Z")) is False
    assert store.stats().total == 0


def test_funnel_counts_todays_events_by_hour(store):
    from kiosk.funnel import today_funnel

    for kind in ("slide_shown",) * 10 + ("engage",) * 2 + ("form_started", "signup_saved"):
        store.record_event(kind)
    store.record_event("qr_shown")
    funnel = today_funnel(store)
    data = funnel.to_json()
    assert [s["count"] for s in data["steps"]] == [10, 2, 1, 1, 1]
    assert data["steps"][1]["rate"] == 0.2
    assert data["conversion"] == 0.5
    assert len(data["hourly"]) == 24
    assert sum(h["slides_shown"] for h in data["hourly"]) == 10
    yesterday = today_funnel(store, datetime.now().astimezone() - timedelta(days=1))
    assert [s.count for s in yesterday.steps] == [0, 0, 0, 0, 0]


def test_erasure_holds_after_reopening(tmp_path):
    with Store(tmp_path / "kiosk.db") as s:
        rec = s.save_signup(_aoife())
        s.withdraw(rec.id)
    conn = sqlite3.connect(tmp_path / "kiosk.db")
    assert conn.execute("SELECT name, email FROM signups").fetchall() == [(None, None)]
    conn.close()
    assert b"Bhriain" not in _db_bytes(tmp_path)


def test_with_sealing_on_find_works_by_reference_only_and_shows_nothing_sealed(tmp_path):
    from kiosk.sealing import generate_keypair

    pair = generate_keypair()
    with Store(tmp_path / "kiosk.db", seal_to=pair.public_b64) as s:
        rec = s.save_signup(_aoife())
        assert find_signups(s, "aoife") == []
        (found,) = find_signups(s, rec.donation_ref)
        assert found.name == "(sealed)" and found.email == "" and found.phone == ""
        assert "sealed:" not in found.line()
        marker = s.withdraw(rec.donation_ref)
        assert marker.withdrawn and s.get(rec.id).name is None


def test_find_funnel_and_poster_cores_do_not_import_qt():
    import subprocess
    import sys

    code = (
        "import sys, kiosk.finding, kiosk.funnel, kiosk.poster, kiosk.drives\n"
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

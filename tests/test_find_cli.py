"""`kiosk find`, `kiosk withdraw` and the funnel in `kiosk stats --json`."""

from __future__ import annotations

import json

from kiosk.cli import main
from kiosk.store import Store
from tests.factories import make_record


def _seed(data_dir):
    with Store(data_dir / "kiosk.db") as store:
        store.save_signup(
            make_record(1, name="Aoife Murphy", first_name="Aoife", last_name="Murphy")
        )
        rec = store.save_signup(
            make_record(2, name="Aoife Ní Bhriain", first_name="Aoife", last_name="Ní Bhriain")
        )
        for kind in ("slide_shown", "slide_shown", "engage", "form_started", "signup_saved"):
            store.record_event(kind)
        store.record_event("qr_shown")
    return rec


def test_find_prints_masked_matches_newest_first(data_dir, capsys):
    rec = _seed(data_dir)
    assert main(["find", "aoife"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{rec.donation_ref}, Aoife N…, saved ")
    assert "Murphy" not in "".join(lines) and "visitor2@example.org" not in "".join(lines)
    assert "(v…@example.org · +44 … 456)" in lines[0]
    assert f"id {rec.id}" in lines[0]


def test_find_with_no_match_or_too_little_text_fails_in_one_line(data_dir, capsys):
    _seed(data_dir)
    assert main(["find", "nobody"]) == 1
    assert main(["find", "a"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "two characters" in err[1]


def test_withdraw_by_reference_erases_and_queues_the_marker(data_dir, capsys):
    rec = _seed(data_dir)
    assert main(["withdraw", rec.donation_ref]) == 0
    assert f"withdrew {rec.donation_ref}" in capsys.readouterr().out
    raw = b"".join(
        (data_dir / n).read_bytes()
        for n in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm")
        if (data_dir / n).exists()
    )
    assert b"Bhriain" not in raw
    with Store(data_dir / "kiosk.db") as store:
        assert store.get(rec.id).withdrawn
        assert rec.id in [r.id for r in store.pending_batch()]
    assert main(["withdraw", "NH-NOPE99"]) == 1
    assert "no sign-up has" in capsys.readouterr().err


def test_stats_json_includes_todays_funnel(data_dir, capsys):
    _seed(data_dir)
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 2
    steps = {s["step"]: s for s in data["funnel"]["steps"]}
    assert steps["slides_shown"]["count"] == 2
    assert steps["taps"]["count"] == 1 and steps["taps"]["rate"] == 0.5
    assert steps["qr_shown"]["count"] == 1
    assert len(data["funnel"]["hourly"]) == 24

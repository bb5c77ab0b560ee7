"""Find on a damaged database salvages every readable row, by reference as by name."""

from __future__ import annotations

from kiosk.finding import find_signups
from kiosk.store import Store
from tests.test_export_damaged import damage_one_page, fill, unreadable_alone


def test_find_by_reference_on_a_damaged_database_salvages_like_export(data_dir):
    saved = fill(data_dir, 400)
    db = data_dir / "kiosk.db"
    damage_one_page(db, b"visitor200@example.org")
    lost = unreadable_alone(db, saved)
    assert lost
    kept = [r for r in saved if r.id not in lost]
    with Store(db) as store:
        for rec in (kept[0], kept[-1]):
            (found,) = find_signups(store, rec.donation_ref.lower())
            assert found.id == rec.id and found.name.startswith("Visitor")
            assert "the database is damaged" in found.line()
        gone = next(iter(lost))
        assert [
            f.id for f in find_signups(store, next(r for r in saved if r.id == gone).donation_ref)
        ] == []

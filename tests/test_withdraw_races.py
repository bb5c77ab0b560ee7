"""A withdrawal made while a sync batch or an export is in flight still reaches the office."""

from __future__ import annotations

import csv

from kiosk.exporting import export_signups
from kiosk.store import Store
from tests import factories


def _store(data_dir, n: int = 3) -> Store:
    store = Store(data_dir / "kiosk.db")
    for i in range(n):
        store.save_signup(factories.make_record(i))
    return store


def test_withdraw_while_a_sync_batch_is_in_flight_keeps_the_marker_pending(data_dir):
    store = _store(data_dir)
    batch = store.pending_batch(10)
    assert len(batch) == 3 and not any(r.withdrawn for r in batch)
    # The batch is on the wire with Visitor 1's name; the visitor withdraws meanwhile.
    store.withdraw(factories.ref(1))
    store.mark_synced([r.id for r in batch])

    again = store.pending_batch(10)
    assert [r.id for r in again] == [batch[1].id]
    assert again[0].withdrawn and again[0].name is None
    store.mark_synced([r.id for r in again])
    assert store.pending_batch(10) == []
    assert store.stats().pending_sync == 0


def test_a_refused_batch_does_not_park_a_withdrawal_made_while_it_was_in_flight(data_dir):
    store = _store(data_dir)
    batch = store.pending_batch(10)
    store.withdraw(factories.ref(1))
    # The receiver refuses the batch it got (the live records): those wait for the admin.
    store.mark_failed([r.id for r in batch], "HTTP 422", retry_in_s=None)

    # The marker is not what was refused: it goes with the next batch, untouched.
    again = store.pending_batch(10)
    assert [r.id for r in again] == [batch[1].id] and again[0].withdrawn
    assert store.attempts(batch[1].id) == 0
    assert store.attempts(batch[0].id) == 1 and store.stats().pending_sync == 3


def test_a_failed_batch_does_not_delay_a_withdrawal_made_while_it_was_in_flight(data_dir):
    store = _store(data_dir)
    batch = store.pending_batch(10)
    store.withdraw(factories.ref(2))
    store.mark_failed([r.id for r in batch], "network down", retry_in_s=600)
    assert [r.id for r in store.pending_batch(10)] == [batch[2].id]


def test_mark_synced_with_the_records_sent_checks_them_too(data_dir):
    store = _store(data_dir, 2)
    batch = Store(data_dir / "kiosk.db", read_only=True).pending_batch(10)  # not this Store
    store.withdraw(factories.ref(0))
    store.mark_synced(batch)
    assert [r.id for r in store.pending_batch(10)] == [batch[0].id]


def test_withdraw_while_exporting_leaves_the_marker_for_the_next_export(data_dir, tmp_path):
    store = _store(data_dir)
    real_mark = store.mark_exported_upto

    def withdraw_then_mark(*args, **kwargs):
        # The file is written (with Visitor 2's name); the withdrawal lands now.
        store.withdraw(factories.ref(2))
        real_mark(*args, **kwargs)

    store.mark_exported_upto = withdraw_then_mark
    first = export_signups(store, "csv", tmp_path / "one.csv")
    with first.path.open(newline="", encoding="utf-8-sig") as f:
        assert "Visitor 2" in f.read()
    store.mark_exported_upto = real_mark

    second = export_signups(store, "csv", tmp_path / "two.csv", unexported=True)
    with second.path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert second.count == 1
    assert rows[0]["donation_ref"] == factories.ref(2) and rows[0]["withdrawn_at"]
    third = export_signups(store, "csv", tmp_path / "three.csv", unexported=True)
    assert third.count == 0


def test_markers_withdrawn_before_an_export_are_marked_exported_by_it(data_dir, tmp_path):
    store = _store(data_dir)
    store.withdraw(factories.ref(0))
    assert export_signups(store, "csv", tmp_path / "a.csv", unexported=True).count == 3
    assert export_signups(store, "csv", tmp_path / "b.csv", unexported=True).count == 0

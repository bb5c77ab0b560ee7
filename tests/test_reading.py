"""Reading for export: oldest first, sign-ups of the same millisecond in save order."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from kiosk.store import Store
from tests import factories


@pytest.mark.parametrize("batch", [1, 2, 3, 2000])
def test_ties_come_out_in_save_order_across_batch_boundaries(data_dir, batch):
    rng = random.Random(batch)
    # 60 sign-ups over 12 milliseconds, saved in a shuffled order (as imports may be).
    records = [
        factories.make_record(i, created_at=factories.make_record(rng.randrange(12)).created_at)
        for i in range(60)
    ]
    rng.shuffle(records)
    with Store(data_dir / "kiosk.db") as store:
        for record in records:
            store.save_signup(record)
        got = list(store.iter_records(batch=batch))
        since = sorted(r.created_at for r in records)[30]
        got_since = list(store.iter_records(since=since, batch=batch))

    save_order = {r.id: n for n, r in enumerate(records)}
    expected = sorted(records, key=lambda r: (r.created_at, save_order[r.id]))
    assert [r.id for r in got] == [r.id for r in expected]
    assert [r.id for r in got_since] == [r.id for r in expected if r.created_at >= since]


def test_one_sign_up_and_none(data_dir):
    with Store(data_dir / "kiosk.db") as store:
        assert list(store.iter_records()) == []
        only = store.save_signup(factories.make_record(0, step=timedelta(0)))
        assert list(store.iter_records()) == [only]

"""Every acknowledged sign-up survives kill -9 (a reduced form of bench/crash_test.py)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.store import Store

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


crash_test = _load("crash_test")
crash_child = _load("crash_child")


def test_every_acknowledged_signup_survives_sigkill_at_random_moments(data_dir):
    run = crash_test.run_kills(data_dir, 12, seed=7, max_delay_s=0.12, early_every=4)

    verdict = crash_test.verify(data_dir / "kiosk.db", run.acknowledged)

    assert run.acknowledged, "the child never acknowledged a save: nothing was tested"
    assert verdict.missing == ()
    assert verdict.mismatched == ()
    assert verdict.incomplete == ()
    assert verdict.foreign_key_problems == ()
    assert verdict.integrity == "ok"
    assert verdict.present == len(run.acknowledged) <= verdict.rows
    assert verdict.ok


def test_a_kill_before_the_first_save_leaves_a_database_that_opens(data_dir):
    """Killed while creating or migrating the schema: the next start must still work."""
    for seed in range(3):
        crash_test.kill_once(data_dir, delay_s=0.05 * seed, child_seed=seed, from_spawn=True)

    acked = crash_test.kill_once(data_dir, delay_s=0.02, child_seed=99)

    assert acked
    assert crash_test.verify(data_dir / "kiosk.db", acked).ok


def _saved(data_dir: Path, count: int) -> list:
    import random

    rng = random.Random(3)
    with Store(data_dir / "kiosk.db") as store:
        return [store.save_signup(crash_child.make_record(rng)) for _ in range(count)]


def test_the_checker_reports_an_acknowledged_signup_that_is_missing(data_dir):
    import random

    saved = _saved(data_dir, 3)
    never_saved = crash_child.make_record(random.Random(4))

    verdict = crash_test.verify(data_dir / "kiosk.db", [*saved, never_saved])

    assert verdict.missing == (never_saved.id,)
    assert verdict.present == 3
    assert not verdict.ok


def test_the_checker_reports_a_stored_record_that_differs_from_its_acknowledgement(data_dir):
    saved = _saved(data_dir, 2)
    claimed = replace(saved[0], name=saved[0].name + " Jr")

    verdict = crash_test.verify(data_dir / "kiosk.db", [claimed, saved[1]])

    assert verdict.mismatched == (claimed.id,)
    assert not verdict.ok


def test_the_checker_reports_a_signup_without_its_outbox_or_consent_rows(data_dir):
    saved = _saved(data_dir, 2)
    with Store(data_dir / "kiosk.db") as store:
        store._run(
            lambda db: db.execute(
                "DELETE FROM outbox WHERE seq = (SELECT seq FROM signups WHERE id = ?)",
                [saved[1].id],
            )
        )

    verdict = crash_test.verify(data_dir / "kiosk.db", saved)

    assert verdict.incomplete == (saved[1].id,)
    assert not verdict.ok


def test_the_child_fails_loudly_when_it_cannot_save(data_dir):
    """A child dying on its own (here: a damaged database) is reported, not counted as a kill."""
    (data_dir / "kiosk.db").write_bytes(b"this is not a database" * 100)

    with pytest.raises(crash_test.ChildFailed, match="damaged"):
        crash_test.kill_once(data_dir, delay_s=0.0, child_seed=1)

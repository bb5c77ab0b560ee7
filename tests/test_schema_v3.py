"""Schema 3: the consent log and outbox keyed by seq; a schema-2 kiosk's data upgrades intact."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import kiosk.store.schema as schema
from kiosk.errors import StorageError
from kiosk.store import SCHEMA_VERSION, Store
from kiosk.store.rows import _RECORD_COLUMNS, signup_row
from tests.factories import make_record

SAVED_AT = "2026-11-30T09:00:00.000Z"


def make_v2_database(path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """A schema-2 kiosk's database: three sign-ups (one synced, one parked after two
    tries, one pending) with their consent rows, as schema 2 stored them."""
    records = [make_record(i) for i in range(3)]
    conn = sqlite3.connect(path, isolation_level=None)
    with monkeypatch.context() as m:
        m.setattr(schema, "SCHEMA_VERSION", 2)
        schema.migrate(conn)
    outbox = [
        (None, 0, 0, None, "2026-11-30T10:00:00.000Z"),
        ("refused: 400", 2, 1, None, None),
        (None, 0, 0, "2026-11-30T11:00:00.000Z", None),
    ]
    conn.execute("BEGIN")
    for rec, (error, attempts, parked, next_at, synced_at) in zip(records, outbox, strict=True):
        conn.execute(
            f"INSERT INTO signups ({_RECORD_COLUMNS}, saved_at) VALUES ({','.join('?' * 17)})",
            signup_row(rec, SAVED_AT),
        )
        for channel, granted in rec.consents.items():
            conn.execute(
                "INSERT INTO consent_log (signup_id, channel, granted, wording, recorded_at, "
                "device_id, content_version, basis, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rec.id, channel, int(granted), rec.consent_text[channel], rec.created_at,
                 rec.device_id, rec.content_version, "consent", "en"),
            )  # fmt: skip
        conn.execute(
            "INSERT INTO outbox (signup_id, queued_at, attempts, next_attempt_at, last_error, "
            "parked, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rec.id, SAVED_AT, attempts, next_at, error, parked, synced_at),
        )
    conn.execute("COMMIT")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    return records


def consent_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT signup_id, channel, granted, wording, recorded_at, basis FROM consent_log "
            "ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()


def test_a_schema_2_database_upgrades_keeping_consent_proofs_and_sync_state(tmp_path, monkeypatch):
    path = tmp_path / "kiosk.db"
    records = make_v2_database(path, monkeypatch)
    before = consent_rows(path)

    with Store(path) as store:
        assert store.check() == "ok"
        assert [r.id for r in store.iter_records()] == [r.id for r in records]
        stats = store.stats()
        assert (stats.pending_sync, stats.parked) == (2, 1)
        # The parked one waits for the admin; the pending one keeps its retry time.
        assert [r.id for r in store.pending_batch(due_only=False)] == [records[2].id]
        assert store.attempts(records[1].id) == 2
        assert store.unpark_all() == 1
        store.mark_synced([records[1].id, records[2].id])
        assert store.stats().pending_sync == 0

    assert consent_rows(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # Each proof of consent points at its sign-up both ways.
    assert conn.execute(
        "SELECT COUNT(*) FROM consent_log c JOIN signups s ON s.seq = c.seq AND s.id = c.signup_id"
    ).fetchone()[0] == len(before)
    assert "outbox_pending" in {row[1] for row in conn.execute("PRAGMA index_list(outbox)")}
    conn.close()


def test_a_failing_upgrade_leaves_the_schema_2_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "kiosk.db"
    make_v2_database(path, monkeypatch)
    before = consent_rows(path)
    # The whole step, then a statement that fails: nothing of it may stay.
    monkeypatch.setitem(schema._MIGRATIONS, 3, schema._MIGRATIONS[3] + "SELECT * FROM nowhere;")

    with pytest.raises(StorageError, match="SQLITE_ERROR"), Store(path) as store:
        store.check()

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    outbox_columns = [row[1] for row in conn.execute("PRAGMA table_info(outbox)")]
    assert outbox_columns[0] == "signup_id"
    assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 3
    conn.close()
    assert consent_rows(path) == before


KILLED_MID_UPGRADE = """
import os, signal, sqlite3, sys
import kiosk.store.schema as schema
from kiosk.errors import StorageError
steps = schema._MIGRATIONS[3]
def step(conn):
    for statement in steps.split(";"):
        if statement.strip():
            conn.execute(statement)
    os.kill(os.getpid(), signal.SIGKILL)  # every change made, none committed
schema._MIGRATIONS[3] = step
from kiosk.store import Store
with Store(sys.argv[1]) as store:
    store.check()
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_an_upgrade_killed_before_its_commit_is_undone_and_runs_again(tmp_path, monkeypatch):
    path = tmp_path / "kiosk.db"
    records = make_v2_database(path, monkeypatch)
    before = consent_rows(path)

    child = subprocess.run(
        [sys.executable, "-c", KILLED_MID_UPGRADE, str(path)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()

    with Store(path) as store:
        assert store.check() == "ok"
        assert store.stats().pending_sync == 2
        assert [r.id for r in store.iter_records()] == [r.id for r in records]
    assert consent_rows(path) == before

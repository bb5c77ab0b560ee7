"""The Store: exact round trips, one transaction per sign-up, pragmas, schema, one writer."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import kiosk.store as store_module
from kiosk.errors import StorageError
from kiosk.records import (
    NAME_MAX,
    InvalidField,
    SignupRecord,
    iso_ms,
    new_donation_ref,
    normalise_name,
)
from kiosk.store import EVENT_KINDS, SCHEMA_VERSION, Store

NOON = datetime(2022, 7, 30, 12, 0, tzinfo=UTC)


def make_record(
    name: str = "Seán Ó Briain", *, at: datetime = NOON, ref: str | None = None
) -> SignupRecord:
    signup_id = str(uuid.uuid4())
    return SignupRecord(
        id=signup_id,
        created_at=iso_ms(at),
        device_id="tent-3f9a",
        name=name,
        email=f"v.{signup_id[:8]}@example.org",
        phone=None,
        interests=("pray", "informed"),
        consents={"email": True, "sms": False},
        consent_text={"email": "Yes, IJM UK may email me.", "sms": "Yes, IJM UK may text me."},
        donation_ref=ref or new_donation_ref("NH"),
        content_version="nh2022",
    )


class Clock:
    def __init__(self, now: datetime = NOON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(data_dir, clock):
    with Store(data_dir / "kiosk.db", clock=clock) as opened:
        yield opened


def rows(store: Store, sql: str, *params) -> list[tuple]:
    return store._run(lambda db: [tuple(r) for r in db.execute(sql, params)])


# -- round trips ------------------------------------------------------------------

HOSTILE = [
    "Robert'); DROP TABLE signups;--",
    '=HYPERLINK("http://evil","x")',
    "+44 cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "＝1+1",
    "\tTabbed\r\nName\x00\x07\x1b[31m",
    "\u202eevil\u202c Name",
    "مريم الحسن",
    "דוד כהן",
    "👩🏽‍💻 Zoë 🎉",
    "Ｓｅáｎ",
    "e\u0301le\u0300ve",
    "x" * NAME_MAX,
    "  many    spaces  ",
]


def test_hostile_names_are_stored_exactly_as_normalised(store):
    @settings(max_examples=150, deadline=None)
    @given(raw=st.one_of(st.text(max_size=130), st.sampled_from(HOSTILE)))
    @example(raw="a" * (NAME_MAX - 1) + "🎉")
    def check(raw: str) -> None:
        try:
            name = normalise_name(raw)
        except InvalidField:
            return
        rec = make_record(name)

        saved = store.save_signup(rec)

        assert saved == rec
        assert store.get(rec.id) == rec
        assert rows(store, "SELECT name FROM signups WHERE id = ?", rec.id) == [(name,)]

    check()
    assert rows(store, "SELECT COUNT(*) FROM signups")[0][0] > 0  # the table survived


def test_every_field_round_trips_including_nulls_and_unicode_wording(store):
    rec = replace(
        make_record("Ana María"),
        email=None,
        phone="+353871234567",
        interests=(),
        consents={},
        consent_text={"email": "Sí — «por favor» 🙏", "sms": 'quote " and \\ backslash'},
    )

    store.save_signup(rec)

    assert store.get(rec.id) == rec
    assert store.get(str(uuid.uuid4())) is None


def test_a_colliding_donation_ref_is_redrawn_with_the_same_prefix(store, monkeypatch):
    first = store.save_signup(make_record(ref="NH-AAAAAA"))
    draws = iter(["NH-AAAAAA", "NH-BBBBBB"])
    prefixes: list[str] = []

    def redraw(prefix: str = "") -> str:
        prefixes.append(prefix)
        return next(draws)

    monkeypatch.setattr(store_module, "new_donation_ref", redraw)
    second = make_record(ref="NH-AAAAAA")

    saved = store.save_signup(second)

    assert saved.donation_ref == "NH-BBBBBB"
    assert saved == replace(second, donation_ref="NH-BBBBBB")
    assert store.get(second.id) == saved
    assert store.get(first.id).donation_ref == "NH-AAAAAA"
    assert prefixes == ["NH", "NH"]


def test_an_unprefixed_colliding_ref_is_redrawn_unprefixed(store):
    store.save_signup(make_record(ref="ABCDEF"))

    saved = store.save_signup(make_record(ref="ABCDEF"))

    assert saved.donation_ref != "ABCDEF"
    assert "-" not in saved.donation_ref and len(saved.donation_ref) == 6


# -- one transaction ------------------------------------------------------------------


def test_a_signup_consent_log_and_outbox_row_are_saved_together_or_not_at_all(store):
    store._run(
        lambda db: db.execute(
            "CREATE TRIGGER broken_outbox BEFORE INSERT ON outbox "
            "BEGIN SELECT RAISE(ABORT, 'outbox broken'); END"
        )
    )
    rec = make_record()

    with pytest.raises(StorageError, match=r"^We couldn't save that: "):
        store.save_signup(rec)

    assert store.get(rec.id) is None
    assert rows(store, "SELECT COUNT(*) FROM consent_log WHERE signup_id = ?", rec.id) == [(0,)]
    assert store.stats().total == 0

    store._run(lambda db: db.execute("DROP TRIGGER broken_outbox"))
    store.save_signup(rec)
    assert store.get(rec.id) == rec
    assert rows(
        store, "SELECT channel, granted, wording FROM consent_log WHERE signup_id = ?", rec.id
    ) == [("email", 1, "Yes, IJM UK may email me."), ("sms", 0, "Yes, IJM UK may text me.")]
    assert rows(store, "SELECT s.id, o.synced_at FROM outbox o JOIN signups s USING (seq)") == [
        (rec.id, None)
    ]


def test_a_failed_save_leaves_the_store_usable(store):
    rec = store.save_signup(make_record())

    with pytest.raises(StorageError):
        store.save_signup(rec)  # same id: a constraint failure inside the transaction

    assert store.stats().total == 1
    again = store.save_signup(make_record())
    assert store.get(again.id) == again


# -- connection settings and schema -------------------------------------------------


def _pragmas(store: Store) -> dict[str, object]:
    return store._run(
        lambda db: {
            name: db.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "user_version")
        }
    )


def test_every_writer_connection_is_wal_with_synchronous_full(store):
    expected = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}
    assert _pragmas(store).items() >= expected.items()

    # synchronous is per connection: a reopened connection must set it again.
    store._run(lambda db: store._close_connection())

    assert _pragmas(store).items() >= expected.items()


def test_a_new_database_gets_the_current_schema_version(store, data_dir):
    store.stats()

    assert _pragmas(store)["user_version"] == SCHEMA_VERSION
    names = {r[0] for r in rows(store, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"signups", "consent_log", "outbox", "events", "meta"} <= names


def test_reopening_an_existing_database_keeps_its_data(data_dir):
    with Store(data_dir / "kiosk.db") as first:
        rec = first.save_signup(make_record())

    with Store(data_dir / "kiosk.db") as second:
        assert second.get(rec.id) == rec
        assert _pragmas(second)["user_version"] == SCHEMA_VERSION


def test_a_database_from_a_newer_kiosk_is_refused_untouched_with_a_clear_message(data_dir):
    db_path = data_dir / "kiosk.db"
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()

    with Store(db_path) as store, pytest.raises(StorageError) as exc:
        store.save_signup(make_record())

    assert str(exc.value).startswith("We couldn't save that: ")
    assert "newer" in str(exc.value)
    assert db_path.read_bytes() == before


def test_opening_is_lazy_so_a_broken_folder_fails_on_first_use_not_on_start(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")

    store = Store(blocker / "kiosk.db")
    try:
        with pytest.raises(StorageError, match=r"^We couldn't save that: "):
            store.save_signup(make_record())
    finally:
        store.close()


def test_close_is_idempotent(data_dir):
    store = Store(data_dir / "kiosk.db")
    store.stats()
    store.close()
    store.close()


# -- counts ---------------------------------------------------------------------


@pytest.fixture
def belfast_time():
    """The festival's local time zone for "today" (restored afterwards)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/London"
    time.tzset()
    yield ZoneInfo("Europe/London")
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_today_and_the_hourly_chart_count_by_local_time(store, clock, belfast_time):
    clock.now = datetime(2022, 7, 30, 15, 0, tzinfo=UTC)  # 16:00 in Belfast (BST)
    created = [
        datetime(2022, 7, 29, 22, 30, tzinfo=UTC),  # 23:30 on the 29th: yesterday
        datetime(2022, 7, 29, 23, 30, tzinfo=UTC),  # 00:30 today
        datetime(2022, 7, 30, 13, 5, tzinfo=UTC),  # 14:05 today
        datetime(2022, 7, 30, 13, 55, tzinfo=UTC),  # 14:55 today
    ]
    for at in created:
        store.save_signup(make_record(at=at))

    stats = store.stats()
    hourly = store.hourly_counts()

    assert (stats.total, stats.today, stats.pending_sync, stats.unexported) == (4, 3, 4, 4)
    assert hourly[0] == 1 and hourly[14] == 2 and sum(hourly) == 3 and len(hourly) == 24
    yesterday = datetime(2022, 7, 29, tzinfo=belfast_time)
    assert store.stats(local_day_start=yesterday).today == 4
    assert store.hourly_counts(local_day_start=yesterday)[23] == 1


def test_stats_follow_sync_results(store, clock):
    recs = [store.save_signup(make_record()) for _ in range(3)]

    store.mark_synced([recs[0].id])
    store.mark_failed([recs[1].id], "HTTP 400: bad request", retry_in_s=None)
    stats = store.stats()

    assert (stats.pending_sync, stats.parked) == (2, 1)
    assert stats.last_sync_at == iso_ms(clock.now)
    assert stats.last_sync_error == "HTTP 400: bad request"
    assert stats.to_json() == {
        "total": 3,
        "today": stats.today,
        "pending_sync": 2,
        "unexported": 3,
        "last_sync_at": iso_ms(clock.now),
    }


def test_mark_exported_counts_down_and_never_moves_an_earlier_export_time(store, clock):
    recs = [make_record(at=NOON + timedelta(seconds=n)) for n in range(1200)]
    assert store.import_records(recs) == 1200
    ids = [r.id for r in recs]

    store.mark_exported(ids[:1100])  # more than one chunk of 500
    first_time = iso_ms(clock.now)
    clock.now += timedelta(hours=2)
    store.mark_exported([*ids[:10], *ids[1100:1150], str(uuid.uuid4())])

    assert store.stats().unexported == 50
    assert [r.id for r in store.iter_records(unexported=True)] == ids[1150:]
    exported_at = dict(
        rows(store, "SELECT s.id, e.exported_at FROM exported e JOIN signups s USING (seq)")
    )
    assert {exported_at[i] for i in ids[:1100]} == {first_time}
    assert {exported_at[i] for i in ids[1100:1150]} == {iso_ms(clock.now)}


# -- events ------------------------------------------------------------------------


def test_events_of_known_kinds_are_counted_and_unknown_kinds_refused(store, clock):
    store.record_event("engage")
    clock.now += timedelta(minutes=5)
    store.record_event("engage")
    store.record_event("qr_shown", "donate")

    with pytest.raises(ValueError, match="unknown event kind"):
        store.record_event("visitor_name", "Seán")

    assert store.event_counts() == {"engage": 2, "qr_shown": 1}
    assert store.event_counts(since=iso_ms(clock.now)) == {"engage": 1, "qr_shown": 1}
    assert "visitor_name" not in EVENT_KINDS
    assert rows(store, "SELECT COUNT(*) FROM events") == [(3,)]


# -- wipe ------------------------------------------------------------------------


def test_wipe_removes_every_signup_consent_outbox_row_and_event(store):
    recs = [store.save_signup(make_record()) for _ in range(3)]
    store.record_event("signup_saved")
    store.set_meta(device_note="kept")

    store.wipe()

    for table in ("signups", "consent_log", "outbox", "events"):
        assert rows(store, f"SELECT COUNT(*) FROM {table}") == [(0,)], table
    assert all(store.get(r.id) is None for r in recs)
    assert store.meta("device_note") == "kept"
    assert store.check() == "ok"
    fresh = store.save_signup(make_record())
    assert store.get(fresh.id) == fresh


# -- iter_records ---------------------------------------------------------------


def test_iter_records_streams_oldest_first_with_filters(store):
    recs = [make_record(f"Visitor {n}", at=NOON + timedelta(minutes=10 - n)) for n in range(10)]
    for rec in recs:
        store.save_signup(rec)
    oldest_first = sorted(recs, key=lambda r: (r.created_at, r.id))
    store.mark_exported([oldest_first[0].id, oldest_first[5].id])

    stream = store.iter_records(batch=3)
    assert next(stream) == oldest_first[0]
    assert [*stream] == oldest_first[1:]
    since = oldest_first[4].created_at
    assert list(store.iter_records(since=since)) == oldest_first[4:]
    assert list(store.iter_records(unexported=True, since=since)) == [
        r for r in oldest_first[4:] if r is not oldest_first[5]
    ]


def test_saving_goes_on_while_an_export_is_half_read(store):
    for n in range(6):
        store.save_signup(make_record(at=NOON + timedelta(seconds=n)))
    stream = store.iter_records(batch=2)
    first = next(stream)

    late = store.save_signup(make_record(at=NOON + timedelta(hours=1)))

    rest = list(stream)
    assert len([first, *rest]) in (6, 7)
    assert store.get(late.id) == late
    assert store.check() == "ok"


# -- one writer thread ----------------------------------------------------------


def test_all_store_work_runs_on_one_writer_thread_and_exports_read_only(data_dir, monkeypatch):
    """Two connections writing or checkpointing at once can corrupt a WAL: one writer only."""
    real_connect = sqlite3.connect
    connections: list[dict] = []

    def recording_connect(database, *args, **kwargs):
        conn = real_connect(database, *args, **kwargs)
        seen = {
            "database": str(database),
            "opened_on": threading.current_thread().name,
            "statements": [],
        }
        conn.set_trace_callback(
            lambda sql: seen["statements"].append((threading.get_ident(), sql.strip()))
        )
        connections.append(seen)
        return conn

    monkeypatch.setattr(sqlite3, "connect", recording_connect)

    with Store(data_dir / "kiosk.db") as store:

        def visitor(n: int) -> None:
            rec = store.save_signup(make_record(f"Visitor {n}"))
            store.record_event("signup_saved")
            store.stats()
            store.mark_synced([rec.id])

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(visitor, range(12)))
        exported = list(store.iter_records())
        store.mark_exported(r.id for r in exported)

    assert len(exported) == 12
    writers = [c for c in connections if "mode=ro" not in c["database"]]
    readers = [c for c in connections if "mode=ro" in c["database"]]
    assert len(writers) == 1
    assert writers[0]["opened_on"].startswith("kiosk-store")
    assert len({ident for ident, _ in writers[0]["statements"]}) == 1
    assert len(readers) == 1
    assert readers[0]["opened_on"] == threading.current_thread().name
    assert all(sql.upper().startswith("SELECT") for _, sql in readers[0]["statements"])


def test_sixteen_threads_saving_at_once_all_succeed(store):
    recs = [make_record(f"Visitor {n}") for n in range(64)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        saved = list(pool.map(store.save_signup, recs))

    assert saved == recs
    assert store.all_ids() == {r.id for r in recs}
    assert store.check() == "ok"


def test_the_database_lives_where_it_was_told(data_dir):
    nested = data_dir / "a" / "b" / "kiosk.db"
    with Store(nested) as store:
        store.save_signup(make_record())
    assert nested.is_file()
    assert Path(store.path) == nested


def test_a_second_writer_is_refused_while_the_kiosk_holds_the_database(tmp_path):
    """Two writing processes can corrupt a WAL database on older SQLite: only one may write."""
    db = tmp_path / "kiosk.db"
    with Store(db) as kiosk:
        kiosk.save_signup(make_record())
        code = (
            "import sys\nfrom kiosk.store import Store\nfrom kiosk.errors import StorageError\n"
            f"s = Store({str(db)!r})\n"
            "try:\n    s.stats()\nexcept StorageError as e:\n    print(e); sys.exit(3)\n"
        )
        other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert other.returncode == 3, other.stderr
        assert "the kiosk is running" in other.stdout
        with Store(db, read_only=True) as looker:
            assert looker.stats().total == 1
    with Store(db) as after:  # the lock went with the kiosk
        assert after.stats().total == 1


def test_wipe_leaves_no_visitor_in_the_database_or_wal_files(tmp_path):
    """End of festival: names and emails must be gone from disk, not just from queries."""
    db = tmp_path / "kiosk.db"
    with Store(db) as store:
        for n in range(30):
            store.save_signup(make_record(f"Marker Person{n:02d}"))
        store.mark_failed(
            [r.id for r in store.pending_batch(5)],
            "HTTP 422: bad email markerperson@x.ie",
            retry_in_s=None,
        )
        store.wipe()
        leftovers = {
            path.name: path.read_bytes()
            for path in tmp_path.iterdir()
            if path.name.startswith("kiosk.db") and path.suffix != ".lock"
        }
        assert store.stats().last_sync_error is None
    for name, data in leftovers.items():
        assert b"Marker" not in data and b"markerperson" not in data, name


def test_only_records_neither_exported_nor_synced_block_a_wipe(store):
    synced, exported, imported = make_record("A"), make_record("B"), make_record("C")
    for rec in (synced, exported):
        store.save_signup(rec)
    store.import_records([imported])  # no outbox row: it can only be exported
    store.mark_synced([synced.id])
    store.mark_exported([exported.id])
    assert store.stats().unsaved_elsewhere == 1
    store.mark_exported([imported.id])
    assert store.stats().unsaved_elsewhere == 0


def test_records_read_back_equal_what_was_saved_field_for_field(store):
    """Store rebuilds records without the dataclass __init__; they must still be equal."""
    saved = store.save_signup(make_record("Zoë 👩‍👩‍👧"))
    again = store.get(saved.id)
    assert again == saved and hash(again.id) == hash(saved.id)
    assert again.to_json() == saved.to_json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.name = "changed"  # type: ignore[misc]


def test_a_schema_1_database_migrates_keeping_every_sign_up_and_its_order(tmp_path):
    """Schema 2 (first/last name, basis, language, withdrawal) upgrades an older kiosk's data."""
    import sqlite3 as sq

    from kiosk.store import _MIGRATIONS

    path = tmp_path / "kiosk.db"
    conn = sq.connect(path)
    conn.executescript(_MIGRATIONS[1])
    rows = [
        ("Seán Ó Briain", "+353871234567", '{"email":true,"sms":false}'),
        ("Zoë", None, "{}"),
    ]
    for seq, (name, phone, consents) in enumerate(rows, start=1):
        signup_id = f"00000000-0000-4000-8000-00000000000{seq}"
        conn.execute(
            "INSERT INTO signups VALUES (?, ?, ?, 'tent-1', ?, NULL, ?, '[\"talk\"]', ?, "
            "'{}', ?, 'v1', '2022-07-30T12:00:00.000Z')",
            (seq, signup_id, f"2022-07-30T12:00:0{seq}.000Z", name, phone, consents, f"NH-{seq}"),
        )
        conn.execute("INSERT INTO outbox (signup_id, queued_at) VALUES (?, 'x')", (signup_id,))
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()

    with Store(path) as store:
        records = list(store.iter_records())
        assert store.check() == "ok"
        assert len(store.pending_batch(due_only=False)) == 2
    assert [(r.first_name, r.last_name, r.name) for r in records] == [
        ("Seán Ó", "Briain", "Seán Ó Briain"),
        ("Zoë", None, "Zoë"),
    ]
    assert records[0].consent_basis == {"email": "consent", "sms": "consent"}
    assert records[1].consent_basis == {}
    assert {r.language for r in records} == {"en"}
    assert all(r.withdrawn_at is None for r in records)
    conn = sq.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # The rebuilt table keeps its indexes, and a withdrawn sign-up's name may be NULL.
    indexes = {row[1] for row in conn.execute("PRAGMA index_list(signups)")}
    assert {"signups_created", "signups_ref"} <= indexes
    name = next(row for row in conn.execute("PRAGMA table_info(signups)") if row[1] == "name")
    assert name[3] == 0  # notnull
    conn.close()


def test_an_up_to_date_database_opens_without_loading_sqlite_utils(tmp_path):
    """sqlite-utils does the migrations; a normal start never pays for importing it."""
    import subprocess
    import sys

    path = tmp_path / "kiosk.db"
    with Store(path) as store:
        store.save_signup(make_record())
    code = (
        "import sys\nfrom kiosk.store import Store\n"
        f"with Store({str(path)!r}) as s: s.save_signup(__import__('tests.factories', "
        "fromlist=['x']).make_record(1))\n"
        "assert 'sqlite_utils' not in sys.modules, 'sqlite_utils loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

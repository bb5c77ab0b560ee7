"""Import: JSONL from another kiosk, checked line by line, all or nothing, idempotent by id."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.errors import ImportRefusedError
from kiosk.exporting import export_signups
from kiosk.importing import ImportResult, import_jsonl
from kiosk.records import (
    InvalidField,
    SignupRecord,
    iso_ms,
    normalise_email,
    normalise_name,
)
from kiosk.store import Store
from tests import factories
from tests.factories import ref

REPO = Path(__file__).resolve().parents[1]


def make_record(i: int = 0, **changes: object) -> SignupRecord:
    """Records as another kiosk (stand-0b1c) would send them, a second apart."""
    defaults: dict[str, object] = {
        "device_id": "stand-0b1c",
        "phone": "+353871234567" if i % 2 else None,
        "interests": ("prayer",),
    }
    return factories.make_record(i, step=timedelta(seconds=1), **{**defaults, **changes})


def line(record: SignupRecord | dict) -> str:
    data = record.to_json() if isinstance(record, SignupRecord) else record
    return json.dumps(data, ensure_ascii=False)


def import_peak(store: Store, path: Path) -> tuple[ImportResult, int]:
    """import_jsonl's result and the peak of Python memory allocated while it ran."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = import_jsonl(store, path)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def write_jsonl(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_text("".join(text + end for text in lines), encoding="utf-8")
    return path


@pytest.fixture
def store(data_dir):
    with Store(data_dir / "kiosk.db") as s:
        yield s


def test_import_adds_every_record_then_a_second_import_adds_nothing(store, tmp_path):
    records = [make_record(i) for i in range(5)]
    path = write_jsonl(tmp_path / "other.jsonl", [line(r) for r in records])

    assert import_jsonl(store, path) == ImportResult(added=5, skipped=0)
    assert list(store.iter_records()) == records
    assert import_jsonl(store, path) == ImportResult(added=0, skipped=5)
    assert store.stats().total == 5
    # Queued: a kiosk that was never online reaches the office through this one.
    assert store.stats().pending_sync == 5


def test_import_adds_only_the_records_not_already_here(store, tmp_path):
    store.save_signup(make_record(0))
    path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(i)) for i in range(3)])
    assert import_jsonl(store, path) == ImportResult(added=2, skipped=1)


def test_one_bad_line_imports_nothing_and_names_the_line(store, tmp_path):
    good = [line(make_record(i)) for i in range(6)]
    bad = make_record(6).to_json() | {"email": "not-an-email"}
    path = write_jsonl(tmp_path / "a.jsonl", [*good, line(bad), line(make_record(7))])

    with pytest.raises(ImportRefusedError) as caught:
        import_jsonl(store, path)
    message = str(caught.value)
    assert "nothing was imported: 1 line is not valid" in message
    assert "\nline 7: email: " in message
    assert store.all_ids() == set()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "line 2: not JSON"),
        ("[1, 2]", "line 2: expected a sign-up object"),
        ('"just text"', "line 2: expected a sign-up object"),
        ("[" * 100_000, "line 2: not"),
        ('{"id": "x"}', "line 2: missing created_at"),
        (line(make_record(1).to_json() | {"id": "12"}), "line 2: id: not a UUID"),
        (line(make_record(1).to_json() | {"name": " padded "}), "line 2: name: not normalised"),
        (line(make_record(1).to_json() | {"extra": 1}), "line 2: unknown field extra"),
        (
            line(make_record(1).to_json() | {"created_at": "2022-07-30T13:00:00+01:00"}),
            "line 2: created_at: expected UTC with milliseconds",
        ),
        (line(make_record(1).to_json() | {"phone": "12345"}), "line 2: phone: not a valid"),
        (
            json.dumps(make_record(1).to_json() | {"consent_text": {"email": "Yes \ud800"}}),
            "line 2: contains a broken",
        ),
    ],
)
def test_each_kind_of_bad_line_is_reported_by_number(store, tmp_path, text, reason):
    path = tmp_path / "a.jsonl"
    path.write_text(line(make_record(0)) + "\n" + text + "\n", encoding="utf-8")
    with pytest.raises(ImportRefusedError, match=reason.replace("(", r"\(").replace("[", r"\[")):
        import_jsonl(store, path)
    assert store.all_ids() == set()


def test_many_bad_lines_are_listed_up_to_twenty_then_counted(store, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", ["oops"] * 25)
    with pytest.raises(ImportRefusedError) as caught:
        import_jsonl(store, path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("nothing was imported: 25 lines are not valid sign-ups")
    assert lines[1].startswith("line 1: not JSON")
    assert lines[20].startswith("line 20: not JSON")
    assert lines[21:] == ["and 5 more"]


def test_blank_lines_crlf_and_a_bom_are_fine(store, tmp_path):
    path = tmp_path / "a.jsonl"
    body = "\r\n".join(["", line(make_record(0)), "   ", line(make_record(1)), "", ""])
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert import_jsonl(store, path).added == 2


def test_unicode_line_separators_inside_values_survive_the_trip(store, tmp_path):
    record = make_record(0, consent_text={"email": "Yes\u2028please\u2029…\nthank you"})
    path = write_jsonl(tmp_path / "a.jsonl", [line(record)])
    assert import_jsonl(store, path).added == 1
    assert store.get(record.id) == record


def test_a_repeated_identical_record_is_skipped(store, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(0))] * 2 + [line(make_record(1))])
    assert import_jsonl(store, path) == ImportResult(added=2, skipped=1)


def test_a_repeated_id_with_different_details_is_refused(store, tmp_path):
    first = make_record(0)
    changed = make_record(0, name="Someone Else")
    path = write_jsonl(tmp_path / "a.jsonl", [line(first), line(make_record(1)), line(changed)])
    with pytest.raises(ImportRefusedError, match=f"line 3: id {first.id} is also on line 1"):
        import_jsonl(store, path)
    assert store.all_ids() == set()


def test_two_kiosks_that_drew_the_same_donation_ref_both_import(store, tmp_path):
    """References are drawn per kiosk; a clash with another kiosk must not block an import."""
    store.save_signup(make_record(0))
    clash = make_record(50, donation_ref=ref(0))
    path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(1)), line(clash)])
    assert import_jsonl(store, path).added == 2
    assert store.all_ids() == {make_record(0).id, make_record(1).id, clash.id}


def test_a_missing_file_is_refused_clearly(store, tmp_path):
    with pytest.raises(ImportRefusedError, match="not found — check the name"):
        import_jsonl(store, tmp_path / "nope.jsonl")


def test_a_folder_is_refused_clearly(store, tmp_path):
    with pytest.raises(ImportRefusedError, match="is a folder"):
        import_jsonl(store, tmp_path)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(store, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(line(make_record(0)).encode() + b'\n{"name": "Se\xe1n"}\n')
    with pytest.raises(ImportRefusedError, match=r"line 2: not UTF-8 text"):
        import_jsonl(store, path)
    assert store.all_ids() == set()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_spreadsheet_export_is_refused_with_what_to_use_instead(store, tmp_path, fmt):
    with Store(tmp_path / "other.db") as other:
        other.save_signup(make_record(0))
        exported = export_signups(other, fmt, tmp_path)
    with pytest.raises(ImportRefusedError, match="JSONL"):
        import_jsonl(store, exported.path)
    assert store.all_ids() == set()


def test_an_empty_file_adds_nothing(store, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    assert import_jsonl(store, path) == ImportResult(0, 0)


# -- round trip --------------------------------------------------------------


@st.composite
def valid_records(draw: st.DrawFn, i: int, record_id: uuid.UUID) -> SignupRecord:
    try:
        name = normalise_name(draw(st.text(min_size=1, max_size=120)))
        email = draw(
            st.none()
            | st.from_regex(
                r"[a-z0-9]([a-z0-9._+-]{0,15}[a-z0-9])?@[a-z]{1,12}\.(com|ie|org)", fullmatch=True
            )
        )
        email = normalise_email(email) if email else None
    except InvalidField:
        assume(False)
    # from_json insists on already-normalised values (see the note in the report).
    assume(normalise_name(name) == name)
    label = st.characters(blacklist_categories=("C", "Z")) | st.just(" ")
    keys = st.text(label, min_size=1, max_size=12)
    wording = st.characters(blacklist_categories=("Cc", "Cs")) | st.just("\n")
    return SignupRecord(
        id=str(record_id),
        created_at=iso_ms(
            draw(
                st.datetimes(
                    min_value=datetime(2000, 1, 1),
                    max_value=datetime(2026, 1, 1),
                    timezones=st.just(UTC),
                )
            )
        ),
        device_id=draw(st.text(label, min_size=1, max_size=20)),
        name=name,
        email=email,
        phone=draw(st.sampled_from([None, "+442890123456", "+353871234567"])),
        interests=tuple(draw(st.lists(keys, max_size=4, unique=True))),
        consents=draw(st.dictionaries(keys, st.booleans(), max_size=3)),
        consent_text=draw(st.dictionaries(keys, st.text(wording, max_size=60), max_size=3)),
        donation_ref=f"{draw(st.text(label, max_size=8))}#{i}",
        content_version=draw(st.text(label, max_size=10)),
    )


@st.composite
def record_batches(draw: st.DrawFn) -> list[SignupRecord]:
    ids = draw(st.lists(st.uuids(), max_size=6, unique=True))
    return [draw(valid_records(i, record_id)) for i, record_id in enumerate(ids)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_batches())
def test_round_trip_through_jsonl_gives_identical_records(records):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with Store(root / "a" / "kiosk.db") as source:
            source.import_records(records)
            exported = export_signups(source, "jsonl", root)
        with Store(root / "b" / "kiosk.db") as target:
            assert import_jsonl(target, exported.path) == ImportResult(len(records), 0)
            assert {r.id: r for r in target.iter_records()} == {r.id: r for r in records}
            assert import_jsonl(target, exported.path) == ImportResult(0, len(records))
            assert target.stats().total == len(records)


# -- killed mid-import ---------------------------------------------------------


def _run_import(path: Path, data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "import", str(path), "--data-dir", str(data)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")},
    )


def _wait_for_database(proc: subprocess.Popen, data: Path) -> float | None:
    """When the import opens the database (its checks done, its transaction begun).

    None when it finished before this poller saw it: on a busy machine the whole
    transaction can fall between two polls.
    """
    # The file itself: the import may hold its transaction in a rollback journal.
    db = data / "kiosk.db"
    deadline = time.monotonic() + 60
    while not db.exists():
        if proc.poll() is not None:
            return None
        assert time.monotonic() < deadline
        time.sleep(0.002)  # polling a condition, not timing the test
    return time.monotonic()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_import_leaves_all_or_none_of_the_file(tmp_path):
    count = 2000
    # No email or phone: validation is quick, so the transaction is most of the run.
    records = [make_record(i, email=None, phone=None) for i in range(count)]
    path = write_jsonl(tmp_path / "big.jsonl", [line(r) for r in records])

    started = time.monotonic()
    proc = _run_import(path, tmp_path / "full")
    opened = _wait_for_database(proc, tmp_path / "full") or started
    assert proc.wait(timeout=60) == 0
    window = time.monotonic() - opened
    with Store(tmp_path / "full" / "kiosk.db") as s:
        assert s.stats().total == count

    rng = random.Random(20220730)
    killed = 0
    for attempt in range(12):  # until three kills landed inside the transaction
        if killed == 3:
            break
        data = tmp_path / f"killed-{attempt}"
        proc = _run_import(path, data)
        if _wait_for_database(proc, data) is not None:
            try:
                proc.wait(timeout=rng.uniform(0, window))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                killed += 1
        proc.wait()
        with Store(data / "kiosk.db") as s:
            assert s.check() == "ok"
            assert s.stats().total in (0, count)
    assert killed, "no kill landed inside the import's transaction"


# -- hardening: the record's own bounds, hostile files -------------------------------


def _bad(**changes: object) -> str:
    return line(make_record(1).to_json() | changes)


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (_bad(name="A" * 101), "name: That name is too long"),
        (_bad(first_name="A" * 101, name="A" * 101 + " Visitor"), "name: That name is too long"),
        (_bad(email="a" * 250 + "@example.org"), "email: not a valid stored value"),
        (_bad(email="a b@example.org"), "email: not a valid stored value"),
        (_bad(name="x" * 50_000_000), "longer than any sign-up"),
        (_bad(consent_text={"email": "Yes" * 1000}), "consent_text: wording over 2000"),
        (_bad(consent_text={"email": "Yes\x1b[31m"}), "control character"),
        (_bad(interests=[f"k{i}" for i in range(51)]), "interests: more than 50"),
        (_bad(interests=["k" * 65]), "interests: expected text of 1–64"),
        (_bad(consents={f"c{i}": True for i in range(21)}), "consents: more than 20"),
        (_bad(id=str(uuid.uuid4()).upper()), "id: not a UUID"),
        (_bad(id="{" + str(uuid.uuid4()) + "}"), "id: not a UUID"),
        (_bad(id=str(uuid.uuid4())[:-1] + "\x00"), "id: not a UUID"),
        (_bad(device_id="tent\x1b]0;pwned\x07"), "device_id: contains a control"),
        (_bad(device_id="tent\u2028two"), "device_id: contains a control"),
        (_bad(device_id="t" * 65), "device_id: expected text of 1–64"),
        (_bad(donation_ref="NH-\x00"), "donation_ref: contains a control"),
        (_bad(content_version="v\r1"), "content_version: contains a control"),
        (_bad(created_at="9999-12-31T23:59:59.999Z"), "created_at: 9999-12-31"),
        (_bad(created_at=iso_ms(NOW + timedelta(days=2))), "not a plausible time"),
        (_bad(created_at="1970-01-01T00:00:00.000Z"), "not a plausible time"),
        (_bad(created_at="2022-02-30T00:00:00.000Z"), "created_at: expected UTC"),
        ('{"id": ' + "9" * 100_000 + "}", "a number far too long"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "nested too deeply"),
        ("[" * 100_000, "line 2: not"),
        (_bad(phone="+0123456789"), "phone: not a valid stored value"),
        (_bad(phone="+44 28 9012 3456"), "phone: not a valid stored value"),
        (_bad(withdrawn_at=iso_ms(NOW), name="Someone"), "a withdrawal must carry no personal"),
    ],
)
def test_fields_beyond_a_records_own_bounds_are_refused_by_line(store, tmp_path, text, reason):
    path = tmp_path / "a.jsonl"
    path.write_text(line(make_record(0)) + "\n" + text + "\n", encoding="utf-8")
    with pytest.raises(ImportRefusedError) as caught:
        import_jsonl(store, path)
    message = str(caught.value)
    assert "\nline 2: " in message and reason in message
    assert len(message) < 2000  # one clean report, not the whole line echoed back
    assert store.all_ids() == set()


def test_a_bad_line_never_prints_a_traceback_from_the_cli(data_dir, tmp_path, capsys):
    from kiosk.cli import main

    path = tmp_path / "a.jsonl"
    path.write_text('{"id": ' + "9" * 100_000 + "}\n" + '{"a":' * 5000 + "}\n", encoding="utf-8")
    assert main(["import", str(path), "--data-dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 3 and "line 1: not a sign-up" in err and "line 2: not" in err


def test_stored_phone_numbers_from_another_kiosk_are_kept_as_they_are(store, tmp_path):
    """Validity rules are for new input: a number the source kiosk accepted is kept."""
    odd = [
        make_record(i, phone=p)
        for i, p in enumerate(["+12015550123", "+999123456789", "+4412345678"])
    ]
    path = write_jsonl(tmp_path / "a.jsonl", [line(r) for r in odd])
    assert import_jsonl(store, path).added == 3
    assert [store.get(r.id).phone for r in odd] == [r.phone for r in odd]


def test_a_withdrawal_marker_imports(store, tmp_path):
    from kiosk.records import withdrawal_marker

    marker = withdrawal_marker(make_record(3), iso_ms(NOW))
    path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(0)), line(marker)])
    assert import_jsonl(store, path).added == 2
    assert store.get(marker.id) == marker


def test_an_old_shape_record_imports(store, tmp_path):
    old = {
        k: v
        for k, v in make_record(0).to_json().items()
        if k not in ("first_name", "last_name", "consent_basis", "language", "withdrawn_at")
    }
    path = write_jsonl(tmp_path / "a.jsonl", [json.dumps(old, ensure_ascii=False)])
    assert import_jsonl(store, path).added == 1
    got = store.get(old["id"])
    assert (got.first_name, got.last_name, got.language) == ("Visitor", "0", "en")
    assert got.consent_basis == {"email": "consent", "sms": "consent"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_at_once_and_never_waited_on(store, tmp_path):
    fifo = tmp_path / "a.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(ImportRefusedError, match="not a regular file"):
        import_jsonl(store, fifo)  # with no writer, an open() for reading would block
    assert store.all_ids() == set()


def test_a_device_is_refused(store):
    with pytest.raises(ImportRefusedError, match="not a regular file"):
        import_jsonl(store, Path("/dev/zero"))


def test_an_import_then_a_sync_delivers_the_imported_records(store, tmp_path):
    """A kiosk that was never online reaches the office through one that is."""
    from kiosk.sync import FolderTarget, SyncEngine

    records = [make_record(i) for i in range(150)]
    path = write_jsonl(tmp_path / "stick.jsonl", [line(r) for r in records])
    import_jsonl(store, path)
    office = tmp_path / "office"
    office.mkdir()
    report = SyncEngine(store, FolderTarget(office, "tent-online")).run_once()
    assert (report.sent, report.pending) == (150, 0)
    delivered = {
        json.loads(text)["id"]
        for batch in office.glob("*.jsonl")
        for text in batch.read_text(encoding="utf-8").splitlines()
    }
    assert delivered == {r.id for r in records}
    # A second import of the same stick queues nothing again.
    assert import_jsonl(store, path).added == 0
    assert store.stats().pending_sync == 0


def test_memory_stays_bounded_while_a_large_file_streams_in(data_dir, tmp_path):
    """Nothing holds the whole file: three times the lines, about the same peak."""
    base = make_record(0).to_json()
    peaks, sizes = [], []
    for n in (8_000, 24_000):
        path = tmp_path / f"big-{n}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(n):
                rec = base | {"id": str(uuid.UUID(int=i + 1, version=4)), "donation_ref": ref(i)}
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        sizes.append(path.stat().st_size)
        with Store(tmp_path / f"k-{n}.db") as store:
            result, peak = import_peak(store, path)
        assert result.added == n
        peaks.append(peak)
    # The hand-over queue between reader and writer fills or not with the machine's load.
    assert peaks[1] < peaks[0] * 2 + 4_000_000, (peaks, sizes)
    assert peaks[1] < sizes[1] / 2, (peaks, sizes)  # the whole file held would be over it


def test_held_ids_and_repeats_are_told_apart_across_chunks(store):
    """The store inserts in chunks; a repeat in a later chunk is still a repeat."""
    here = make_record(0)
    store.save_signup(here)
    first, other = make_record(1), make_record(2)
    changed = make_record(1, name="Someone Else")
    seen = []
    items = [(1, here), (2, first), (3, other), (4, first), (5, changed), (6, make_record(3))]
    count = store.import_stream(
        items, on_repeat=lambda tag, rec, earlier: seen.append((tag, rec == earlier)), chunk_size=2
    )
    assert (count.added, count.already_here, count.repeats) == (3, 1, 2)
    assert seen == [(4, True), (5, False)]
    assert store.stats().total == 4


def test_a_chunk_wider_than_sqlites_parameter_limit_goes_in_whole_and_in_order(store):
    """An old SQLite allows 999 parameters a statement: a chunk's sign-ups then go in by
    several statements, each id still counted once and every seq in the file's order."""
    store._run(lambda db: db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 40))  # 2 rows
    here = make_record(0)
    store.save_signup(here)
    fresh = [make_record(i) for i in range(1, 6)]
    seen = []
    items = [(1, fresh[0]), (2, here), (3, fresh[1]), (4, fresh[0]), (5, fresh[2])]
    items += [(6, fresh[3]), (7, fresh[4])]
    count = store.import_stream(
        items, on_repeat=lambda tag, rec, earlier: seen.append((tag, rec == earlier)), chunk_size=7
    )
    assert (count.added, count.already_here, count.repeats) == (5, 1, 1)
    assert seen == [(4, True)]
    ids = store._run(lambda db: [r[0] for r in db.execute("SELECT id FROM signups ORDER BY seq")])
    assert ids == [here.id, *(r.id for r in fresh)]
    assert [store.get(r.id) for r in fresh] == fresh
    assert store.stats().pending_sync == 6  # the one saved here, and the five imported


def test_chunks_of_many_lengths_compile_only_two_insert_statements(store):
    """SQLite keeps every statement it compiled (about 0.4 MB for 250 rows): however a
    file's chunks are cut, the sign-ups go in by blocks of one size and single rows."""
    from kiosk.store.bulk import ROWS_PER_INSERT

    traced: list[str] = []
    store._run(lambda db: db.set_trace_callback(traced.append))
    records = [make_record(i) for i in range(400)]
    start = 0
    for size in (7, 13, 29, 61, 73, 117, 100):  # one chunk_size per call, 400 in all
        store.import_stream(
            [(n, r) for n, r in enumerate(records[start : start + size])], chunk_size=size
        )
        start += size
    store._run(lambda db: db.set_trace_callback(None))
    inserts = [sql for sql in traced if sql.startswith("INSERT OR IGNORE INTO signups")]
    assert {sql.count("), (") + 1 for sql in inserts} == {1, ROWS_PER_INSERT}
    assert store.stats().total == 400


# -- speed measures that must not cost safety ------------------------------------------


def test_after_an_import_saves_are_wal_and_synchronous_full_again(store, tmp_path):
    """The import writes through a rollback journal; later saves are durable as ever."""
    path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(i)) for i in range(5)])
    assert import_jsonl(store, path).added == 5
    pragmas = store._run(
        lambda db: (
            db.execute("PRAGMA journal_mode").fetchone()[0],
            db.execute("PRAGMA synchronous").fetchone()[0],
        )
    )
    assert pragmas == ("wal", 2)  # 2: FULL
    saved = store.save_signup(make_record(9))
    assert store.get(saved.id) == saved


def test_an_import_while_another_program_reads_the_file_still_imports(store, tmp_path):
    store.save_signup(make_record(0))
    reader = sqlite3.connect(store.path)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT COUNT(*) FROM signups").fetchone()[0] == 1
        path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(i)) for i in range(1, 4)])
        assert import_jsonl(store, path).added == 3
        reader.execute("COMMIT")
        assert reader.execute("SELECT COUNT(*) FROM signups").fetchone()[0] == 4
    finally:
        reader.close()
    assert store._run(lambda db: db.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"


def _wait_for_journal(proc: subprocess.Popen, data: Path) -> float | None:
    """When the import's writer opens the file (its WAL or rollback journal appears)."""
    journals = (data / "kiosk.db-wal", data / "kiosk.db-journal")
    deadline = time.monotonic() + 60
    while not any(j.exists() for j in journals):
        if proc.poll() is not None:
            return None
        assert time.monotonic() < deadline
        time.sleep(0.001)  # polling a condition, not timing the test
    return time.monotonic()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_import_into_a_kiosk_with_sign_ups_keeps_every_one_of_them(tmp_path):
    """Killed mid-import, a kiosk that already held sign-ups keeps them all, intact."""
    held = [make_record(i, device_id="stand-here") for i in range(300)]
    base = tmp_path / "base"
    with Store(base / "kiosk.db") as s:
        s.import_records(held)
    count = 5000
    records = [make_record(1000 + i, email=None, phone=None) for i in range(count)]
    path = write_jsonl(tmp_path / "big.jsonl", [line(r) for r in records])

    shutil.copytree(base, tmp_path / "full")
    proc = _run_import(path, tmp_path / "full")
    opened = _wait_for_journal(proc, tmp_path / "full")
    assert proc.wait(timeout=60) == 0
    window = time.monotonic() - (opened or time.monotonic())

    rng = random.Random(20220731)
    killed = 0
    for attempt in range(12):  # until two kills landed inside the import
        if killed == 2:
            break
        data = tmp_path / f"killed-{attempt}"
        shutil.copytree(base, data)
        proc = _run_import(path, data)
        if _wait_for_journal(proc, data) is not None:
            try:
                proc.wait(timeout=rng.uniform(0, window))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                killed += 1
        proc.wait()
        with Store(data / "kiosk.db") as s:
            assert s.check() == "ok"
            assert s.stats().total in (300, 300 + count)
            assert [s.get(r.id) for r in held] == held
    assert killed, "no kill landed inside the import"


def test_a_count_where_a_choice_belongs_is_refused_after_valid_records(store, tmp_path):
    """Shared parts are checked once, by value: 1 == True must not slip through."""
    good = make_record(0).to_json()
    counted = make_record(1).to_json()
    counted["consents"] = {k: int(v) for k, v in counted["consents"].items()}
    assert counted["consents"]  # the factory gives a choice to count
    listed = make_record(2).to_json() | {"interests": [["prayer"]]}
    texts = make_record(3).to_json()
    texts["consent_text"] = {k: [v] for k, v in texts["consent_text"].items()}
    path = write_jsonl(tmp_path / "a.jsonl", [line(good), line(counted), line(listed), line(texts)])
    with pytest.raises(ImportRefusedError) as caught:
        import_jsonl(store, path)
    message = str(caught.value)
    assert "line 2: consents: expected true or false" in message
    assert "line 3: interests: expected a list of keys" in message
    assert "line 4: consent_text: expected the wording" in message
    assert store.all_ids() == set()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"id": NaN}', "line 2: missing created_at"),  # Python's json reads NaN; orjson not
        ("  \t ", None),  # blank: skipped
        ('{"id": "a", "id": ' + "1" * 30 + "}", "line 2: missing created_at"),
    ],
)
def test_lines_the_fast_parser_refuses_are_named_as_before(store, tmp_path, text, reason):
    path = write_jsonl(tmp_path / "a.jsonl", [line(make_record(0)), text])
    if reason is None:
        assert import_jsonl(store, path).added == 1
        return
    with pytest.raises(ImportRefusedError, match=reason):
        import_jsonl(store, path)

"""Sync: signed HTTP batches to a flaky receiver, backoff, parking, folder target, CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.cli import main as cli_main
from kiosk.errors import SettingsError
from kiosk.records import SignupRecord, iso_ms, new_donation_ref
from kiosk.settings import load_settings
from kiosk.store import Store
from kiosk.sync import (
    Backoff,
    FolderTarget,
    HttpTarget,
    PermanentSyncError,
    RetryableSyncError,
    SyncEngine,
    idempotency_key,
    make_target,
    parse_retry_after,
    run_sync_command,
    sign,
    verify_signature,
)

SECRET = "office-secret"
T0 = datetime(2022, 7, 30, 14, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_record(i: int, device_id: str = "tent-test") -> SignupRecord:
    return SignupRecord(
        id=str(uuid.uuid4()),
        created_at=iso_ms(T0 + timedelta(seconds=i)),
        device_id=device_id,
        name=f"Seán Tester {i}",
        email=f"person{i}@example.org",
        phone="+442890123456" if i % 2 else None,
        interests=("partner", "pray"),
        consents={"email": True, "sms": False},
        consent_text={"email": "Email me about IJM's work.", "sms": "Text me."},
        donation_ref=new_donation_ref("NH"),
        content_version="nh2022-1",
    )


def fill(store: Store, n: int) -> list[SignupRecord]:
    return [store.save_signup(make_record(i)) for i in range(n)]


@dataclass
class Receiver:
    """A real HTTP receiver that stores by id, like the office should, and can misbehave."""

    script: list[str] = field(default_factory=list)  # one behaviour per request, then "ok"
    chooser: object = None  # callable returning a behaviour, when the script is empty
    timeout_s: float = 0.2
    requests: list[dict] = field(default_factory=list)
    stored: dict[str, dict] = field(default_factory=dict)
    bad_signatures: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    echo: bytes = b""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def behaviour(self) -> str:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            return self.chooser() if self.chooser else "ok"


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            what = receiver.behaviour()
            ok = verify_signature(
                SECRET,
                self.headers["X-Kiosk-Timestamp"],
                body,
                self.headers["X-Kiosk-Signature"],
            )
            payload = json.loads(body)
            with receiver.lock:
                receiver.requests.append(
                    {
                        "what": what,
                        "key": self.headers["Idempotency-Key"],
                        "type": self.headers["Content-Type"],
                        "payload": payload,
                    }
                )
                if not ok:
                    receiver.bad_signatures += 1
            ids = [rec["id"] for rec in payload["signups"]]
            if what in ("ok", "slow", "drop", "hang", "ack-list"):
                with receiver.lock:
                    for rec in payload["signups"]:
                        receiver.stored[rec["id"]] = rec  # by id: a resend changes nothing
            if what == "half":  # stores and confirms the first half only
                with receiver.lock:
                    for rec in payload["signups"][: len(ids) // 2]:
                        receiver.stored[rec["id"]] = rec
            if what == "hang":
                receiver.release.wait(30)
                self.close_connection = True
                return
            if what == "drop":
                self.close_connection = True  # stored, then the line goes dead: no reply
                return
            if what == "slow":
                receiver.release.wait(receiver.timeout_s * 1.5)
            ack = json.dumps({"accepted": len(ids)}).encode()
            status, headers, text = {
                "ok": (200, {}, ack),
                "slow": (200, {}, ack),
                "ack-list": (200, {}, json.dumps({"accepted": [*ids, "other"]}).encode()),
                "half": (200, {}, json.dumps({"accepted": ids[: len(ids) // 2]}).encode()),
                "portal": (200, {}, b"<html><body>Log in to Festival Wi-Fi</body></html>"),
                "empty": (204, {}, b""),
                "wrong-count": (200, {}, json.dumps({"accepted": len(ids) + 1}).encode()),
                "true": (200, {}, b'{"accepted": true}'),
                "old-ok": (200, {}, b'{"ok":true}'),
                "500": (500, {}, b"oops"),
                "503": (503, {"Retry-After": "30"}, b"maintenance"),
                "429": (429, {"Retry-After": "7"}, b"slow down"),
                "422": (422, {}, b'{"error":"consents: unknown channel sms"}'),
                "408": (408, {}, b"timeout"),
                "400": (400, {}, b"bad"),
                "404": (404, {}, b"no such receiver"),
                "401": (401, {}, b"bad signature"),
                "echo": (400, {}, receiver.echo),
            }[what]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

    return Handler


@pytest.fixture
def receiver():
    rec = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/signups"
    yield rec
    rec.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(tmp_path, clock):
    with Store(tmp_path / "kiosk.db", clock=clock) as s:
        yield s


def http_target(receiver: Receiver, clock: FakeClock, timeout_s: float = 2.0) -> HttpTarget:
    """The kiosk's HTTP target for `receiver`. The default timeout is generous, so a loaded
    machine never turns a prompt answer into "not answering"; tests of slow answers pass
    the receiver's own short one."""
    return HttpTarget(receiver.url, SECRET, timeout_s, device_id="tent-test", clock=clock)


def converge(engine: SyncEngine, store: Store, clock: FakeClock, passes: int = 300) -> int:
    """Run passes, jumping the fake clock to each next attempt, until nothing is pending."""
    for n in range(passes):
        report = engine.run_once()
        if report.pending == 0:
            return n + 1
        if report.next_attempt_at:
            clock.now = max(clock.now, datetime.fromisoformat(report.next_attempt_at))
    raise AssertionError(f"still {store.stats().pending_sync} pending after {passes} passes")


def test_flaky_receiver_gets_every_signup_exactly_once_by_id(store, clock, receiver):
    records = fill(store, 300)
    chaos = random.Random(20220730)
    receiver.chooser = lambda: chaos.choice(["ok", "ok", "ok", "500", "429", "slow", "drop"])
    target = http_target(receiver, clock, timeout_s=receiver.timeout_s)  # "slow" times out
    engine = SyncEngine(store, target, batch_size=20, clock=clock, rng=random.Random(1))
    try:
        converge(engine, store, clock)
    finally:
        target.close()

    kinds = Counter(r["what"] for r in receiver.requests)
    assert {"500", "429", "slow", "drop"} <= set(kinds), kinds
    # Every sign-up arrived, unchanged, and the receiver holds each exactly once by id.
    assert receiver.stored == {r.id: r.to_json() for r in records}
    # Resends happened (drops and timeouts after storing) and carried the same ids.
    sent_ids = Counter(rec["id"] for r in receiver.requests for rec in r["payload"]["signups"])
    assert set(sent_ids) == {r.id for r in records}
    assert max(sent_ids.values()) > 1
    assert receiver.bad_signatures == 0
    for req in receiver.requests:
        ids = [rec["id"] for rec in req["payload"]["signups"]]
        assert 1 <= len(ids) <= 20
        assert req["key"] == idempotency_key(ids)
        assert req["type"] == "application/json"
        assert req["payload"]["device_id"] == "tent-test"
    keys_per_set = {}
    for req in receiver.requests:
        ids = frozenset(rec["id"] for rec in req["payload"]["signups"])
        keys_per_set.setdefault(ids, set()).add(req["key"])
    assert all(len(keys) == 1 for keys in keys_per_set.values())
    stats = store.stats()
    assert (stats.pending_sync, stats.parked) == (0, 0)
    assert store.meta("last_sync_at") is not None


def test_records_are_marked_synced_only_after_a_2xx(store, clock, receiver):
    fill(store, 5)
    receiver.script = ["drop"]
    engine = SyncEngine(store, http_target(receiver, clock), clock=clock, rng=random.Random(0))
    report = engine.run_once()
    # The receiver stored them, but the kiosk never saw a 2xx: they stay pending.
    assert len(receiver.stored) == 5
    assert (report.sent, report.failed, report.pending) == (0, 5, 5)
    assert "cannot reach the sync server" in report.last_error


def test_signature_covers_the_exact_bytes_sent(clock):
    target = HttpTarget("http://127.0.0.1:9/x", SECRET, 1, device_id="tent-1", clock=clock)
    body, headers = target.request_parts([make_record(1)])
    target.close()
    assert headers["X-Kiosk-Timestamp"] == str(int(T0.timestamp()))
    assert verify_signature(
        SECRET, headers["X-Kiosk-Timestamp"], body, headers["X-Kiosk-Signature"]
    )
    assert not verify_signature("wrong", headers["X-Kiosk-Timestamp"], body, sign_of(headers))
    assert not verify_signature(SECRET, headers["X-Kiosk-Timestamp"], body + b" ", sign_of(headers))
    assert not verify_signature(SECRET, "1659189601", body, sign_of(headers))
    assert not verify_signature(SECRET, "abc", body, sign_of(headers))
    assert not verify_signature(SECRET, headers["X-Kiosk-Timestamp"], body, "md5=00")
    assert not verify_signature(SECRET, headers["X-Kiosk-Timestamp"], body, None)
    stamp = int(headers["X-Kiosk-Timestamp"])
    assert not verify_signature(
        SECRET, stamp, body, sign_of(headers), max_age_s=300, now=stamp + 301
    )
    assert verify_signature(SECRET, stamp, body, sign_of(headers), max_age_s=300, now=stamp + 10)
    payload = json.loads(body)
    assert set(payload) == {"device_id", "sent_at", "signups"}
    assert payload["sent_at"] == "2022-07-30T14:00:00.000Z"
    assert "Seán" in body.decode("utf-8")  # UTF-8 on the wire, not \\u escapes


def sign_of(headers: dict[str, str]) -> str:
    return headers["X-Kiosk-Signature"]


def test_sign_matches_an_independently_computed_hmac():
    # printf '1.{}' | openssl dgst -sha256 -hmac secret
    expected = "1122767b193110cfec322b6f199b599edbf608ed087f2d27afb0b97d99523908"
    assert sign("secret", "1", b"{}") == "sha256=" + expected


@given(st.lists(st.uuids().map(str), min_size=1, max_size=30, unique=True), st.randoms())
def test_idempotency_key_depends_on_the_set_of_ids_only(ids, rnd):
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert idempotency_key(ids) == idempotency_key(shuffled)
    assert idempotency_key(ids) != idempotency_key([*ids, str(uuid.uuid4())])


def test_client_error_parks_the_batch_shows_the_error_and_goes_on(store, clock, receiver):
    records = fill(store, 4)
    receiver.script = ["422"]
    engine = SyncEngine(store, http_target(receiver, clock), batch_size=2, clock=clock)
    report = engine.run_once()
    assert (report.sent, report.parked, report.pending) == (2, 2, 2)
    assert "HTTP 422" in report.last_error and "unknown channel" in report.last_error
    stats = store.stats()
    assert stats.parked == 2
    assert "HTTP 422" in stats.last_sync_error
    # Parked records are not retried by the schedule, however much time passes...
    clock.advance(86400)
    assert engine.run_once().sent == 0
    # ...until an admin fixes the target and asks again.
    assert store.unpark_all() == 2
    assert engine.run_once().sent == 2
    assert set(receiver.stored) == {r.id for r in records}


def test_retry_after_seconds_is_honoured(store, clock, receiver):
    fill(store, 3)
    receiver.script = ["429"]
    engine = SyncEngine(store, http_target(receiver, clock), clock=clock, rng=random.Random(0))
    report = engine.run_once()
    assert report.next_attempt_at == iso_ms(T0 + timedelta(seconds=7))
    clock.advance(6.9)
    assert engine.run_once().sent == 0
    clock.advance(0.1)
    assert engine.run_once().sent == 3


def test_retry_after_http_date_and_garbage():
    later = T0 + timedelta(seconds=90)
    assert parse_retry_after(format_datetime(later, usegmt=True), T0) == 90
    assert parse_retry_after(format_datetime(T0 - timedelta(1), usegmt=True), T0) == 0
    assert parse_retry_after("120", T0) == 120
    assert parse_retry_after("soon", T0) is None
    assert parse_retry_after(None, T0) is None


class _Top(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b


def test_backoff_grows_from_two_seconds_and_caps_at_five_minutes():
    top = Backoff(rng=_Top())
    assert [top.delay(n) for n in range(10)] == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert top.delay(10_000) == 300
    assert top.delay(3, retry_after_s=45) == 45  # the server knows best...
    assert top.delay(3, retry_after_s=10**6) == 3600  # ...up to an hour


@given(st.integers(min_value=0, max_value=200), st.integers(min_value=0))
def test_backoff_full_jitter_stays_within_zero_and_the_ceiling(attempt, seed):
    backoff = Backoff(rng=random.Random(seed))
    delays = [backoff.delay(attempt) for _ in range(20)]
    assert all(0 <= d <= min(300, 2 * 2**attempt) for d in delays)
    if attempt >= 3:
        assert len(set(delays)) > 1  # jittered, not a fixed schedule


def test_failed_batches_back_off_with_growing_persisted_delays(store, clock, receiver):
    fill(store, 1)
    receiver.chooser = lambda: "500"
    engine = SyncEngine(store, http_target(receiver, clock), clock=clock)
    engine.backoff = Backoff(rng=_Top())
    waits = []
    for _ in range(10):
        report = engine.run_once()
        next_at = datetime.fromisoformat(report.next_attempt_at)
        waits.append((next_at - clock.now).total_seconds())
        clock.now = next_at
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert len(receiver.requests) == 10


def test_next_attempt_survives_a_store_reopen(tmp_path, clock, receiver):
    path = tmp_path / "kiosk.db"
    with Store(path, clock=clock) as store:
        fill(store, 3)
        receiver.script = ["503"]
        report = SyncEngine(store, http_target(receiver, clock), clock=clock).run_once()
        assert report.next_attempt_at == iso_ms(T0 + timedelta(seconds=30))
    with Store(path, clock=clock) as store:  # the kiosk restarted
        engine = SyncEngine(store, http_target(receiver, clock), clock=clock)
        assert store.next_attempt_at() == iso_ms(T0 + timedelta(seconds=30))
        assert not engine.is_due()
        assert engine.run_once().sent == 0
        assert len(receiver.requests) == 1
        clock.advance(30)
        assert engine.is_due()
        assert engine.run_once().sent == 3


class _Crash(BaseException):
    """Stands for kill -9 between the receiver's 2xx and the kiosk's commit."""


class CrashAfterSend:
    def __init__(self, inner: HttpTarget) -> None:
        self.inner = inner

    def send(self, records: list[SignupRecord]) -> None:
        self.inner.send(records)
        raise _Crash

    def close(self) -> None:
        self.inner.close()


def test_a_crash_between_send_and_commit_loses_nothing_and_resends_same_ids(
    tmp_path, clock, receiver
):
    path = tmp_path / "kiosk.db"
    with Store(path, clock=clock) as store:
        records = fill(store, 150)
        engine = SyncEngine(store, CrashAfterSend(http_target(receiver, clock)), clock=clock)
        with pytest.raises(_Crash):
            engine.run_once()
        assert store.stats().pending_sync == 150
    first = receiver.requests[0]
    with Store(path, clock=clock) as store:
        report = SyncEngine(store, http_target(receiver, clock), clock=clock).run_once()
        assert (report.sent, report.pending) == (150, 0)
    resend = receiver.requests[1]
    assert [r["id"] for r in resend["payload"]["signups"]] == [
        r["id"] for r in first["payload"]["signups"]
    ]
    assert resend["key"] == first["key"]
    assert receiver.stored == {r.id: r.to_json() for r in records}


def test_cancel_mid_request_leaves_records_pending(store, clock, receiver):
    fill(store, 3)
    receiver.script = ["hang"]
    cancel = threading.Event()
    engine = SyncEngine(store, http_target(receiver, clock, timeout_s=30), clock=clock)
    done = threading.Event()
    result = {}

    def run() -> None:
        result["report"] = engine.run_once(cancel=cancel)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + 5
    while not receiver.requests and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    assert receiver.requests, "the request never reached the receiver"
    cancel.set()
    assert done.wait(5)
    assert result["report"].sent == 0
    assert store.stats().pending_sync == 3
    assert store.attempts(store.pending_batch(1)[0].id) == 0  # not counted as a failure


def test_folder_target_writes_complete_uniquely_named_files(tmp_path, clock):
    folder = tmp_path / "usb"
    folder.mkdir()
    a, b = (
        FolderTarget(folder, "tent-3f9a", clock=clock),
        FolderTarget(folder, "stall/7", clock=clock),
    )
    batch_a, batch_b = [make_record(i) for i in range(3)], [make_record(i) for i in range(2)]
    a.send(batch_a)
    b.send(batch_b)
    a.send(batch_a[:1])  # same millisecond, another batch
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 3
    assert all(n.startswith("signups-") and n.endswith(".jsonl") for n in names)
    assert any(n.startswith("signups-tent-3f9a-20220730T140000000Z-") for n in names)
    assert any(n.startswith("signups-stall-7-") for n in names)
    got = [
        SignupRecord.from_json(json.loads(line))
        for p in folder.iterdir()
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(r.id for r in got) == sorted(r.id for r in [*batch_a, *batch_b, batch_a[0]])


def test_folder_target_failure_leaves_no_partial_file(tmp_path, clock, monkeypatch):
    folder = tmp_path / "usb"
    folder.mkdir()
    target = FolderTarget(folder, "tent-1", clock=clock)

    def pulled(*args):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("kiosk.sync.os.replace", pulled)
    with pytest.raises(RetryableSyncError, match="USB stick"):
        target.send([make_record(1)])
    assert list(folder.iterdir()) == []


def test_folder_target_missing_folder_is_retried_later(store, clock, tmp_path):
    fill(store, 2)
    folder = tmp_path / "usb"
    engine = SyncEngine(store, FolderTarget(folder, "tent-1", clock=clock), clock=clock)
    report = engine.run_once()
    assert (report.failed, report.pending) == (2, 2)
    assert "is the USB stick plugged in?" in report.last_error
    folder.mkdir()
    clock.advance(10)
    assert engine.run_once().sent == 2
    [file] = folder.glob("*.jsonl")
    assert len(file.read_text(encoding="utf-8").splitlines()) == 2


def _settings(data_dir: Path, **values):
    overrides = {
        k.replace("_", ".", 1) if k.startswith("sync_") else k: v for k, v in values.items()
    }
    return load_settings(data_dir, overrides)


def test_make_target_from_settings(data_dir, tmp_path):
    assert make_target(_settings(data_dir)) is None
    http = make_target(_settings(data_dir, sync_url="https://office.example/in", sync_secret="s"))
    assert isinstance(http, HttpTarget)
    http.close()
    folder = make_target(_settings(data_dir, sync_folder=str(tmp_path)))
    assert isinstance(folder, FolderTarget)
    with pytest.raises(SettingsError, match=r"sync\.secret"):
        make_target(_settings(data_dir, sync_url="https://office.example/in"))
    for bad in ("ftp://office.example/in", "office.example/in", "https://"):
        with pytest.raises(SettingsError, match=r"sync\.url"):
            make_target(_settings(data_dir, sync_url=bad, sync_secret="s"))


def test_run_sync_command_without_a_target_is_a_configuration_error(data_dir, store):
    with pytest.raises(SettingsError, match="no sync target") as err:
        run_sync_command(store, _settings(data_dir), once=True)
    assert err.value.exit_code == 2


def test_run_sync_command_loops_until_done_sleeping_for_the_backoff(data_dir, receiver, tmp_path):
    clock = FakeClock(datetime.now(UTC))
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    receiver.script = ["500", "500"]
    with Store(tmp_path / "k.db", clock=clock) as store:
        fill(store, 3)
        settings = _settings(data_dir, sync_url=receiver.url, sync_secret=SECRET)
        report = run_sync_command(store, settings, once=False, sleep=sleep, clock=clock)
    assert (report.sent, report.failed, report.pending) == (3, 6, 0)
    assert len(slept) == 2
    assert "sent 3 sign-ups" in report.summary()


def _cli(data_dir: Path, *args: str) -> int:
    return cli_main(["sync", "--once", "--data-dir", str(data_dir), *args])


def test_cli_sync_once_exit_codes(data_dir, receiver, monkeypatch, capsys):
    with Store(data_dir / "kiosk.db") as store:
        fill(store, 5)
    # Misconfigured: 2, nothing sent.
    assert _cli(data_dir) == 2
    assert _cli(data_dir, "--url", receiver.url) == 2
    assert "sync.secret" in capsys.readouterr().err
    monkeypatch.setenv("KIOSK_SYNC_SECRET", SECRET)
    assert _cli(data_dir, "--url", "ftp://nope") == 2
    assert receiver.requests == []
    # The receiver fails: 1, still pending.
    receiver.script = ["500"]
    assert _cli(data_dir, "--url", receiver.url) == 1
    assert "5 still pending" in capsys.readouterr().out
    # --once ignores the backoff: an explicit request sends now. 0: all sent.
    assert _cli(data_dir, "--url", receiver.url) == 0
    assert "sent 5 sign-ups" in capsys.readouterr().out
    assert len(receiver.stored) == 5
    # Nothing left: still 0.
    assert _cli(data_dir, "--url", receiver.url) == 0


def test_sync_core_does_not_import_qt():
    code = "import sys, kiosk.sync; assert 'PySide6' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_permanent_and_retryable_errors_are_sync_errors():
    from kiosk.errors import SyncError

    assert issubclass(PermanentSyncError, SyncError)
    assert issubclass(RetryableSyncError, SyncError)
    assert RetryableSyncError("x", 3).retry_after_s == 3


def test_admin_status_line_is_short_and_in_local_time():
    from kiosk.sync import SyncReport

    quiet = SyncReport(sent=0, failed=0, parked=0, pending=0, last_error=None, next_attempt_at=None)
    assert quiet.status_line() == "Nothing waiting."
    waiting = SyncReport(
        sent=0,
        failed=100,
        parked=5,
        pending=312,
        last_error="the sync server is not answering",
        next_attempt_at="2026-11-25T13:05:09.000Z",
    )
    line = waiting.status_line()
    assert line.startswith("312 waiting · 5 refused · next try ")
    assert "Z" not in line and "not answering" not in line  # the error has its own line


# -- the receiver's acknowledgement (a captive portal's 200 delivers nothing) -------------


@pytest.mark.parametrize("answer", ["portal", "empty", "wrong-count", "true", "old-ok"])
def test_a_2xx_without_the_acknowledgement_leaves_every_signup_pending(
    store, clock, receiver, answer
):
    fill(store, 5)
    receiver.chooser = lambda: answer
    engine = SyncEngine(store, http_target(receiver, clock), clock=clock, rng=random.Random(0))
    report = engine.run_once()
    assert (report.sent, report.failed, report.pending) == (0, 5, 5)
    assert "did not confirm" in report.last_error
    stats = store.stats()
    assert stats.pending_sync == 5
    assert "did not confirm" in stats.last_sync_error  # Admin's "Last error"
    # Neither synced nor exported: Wipe stays locked.
    assert stats.unsaved_elsewhere == 5
    # Retried, not parked: once the real receiver answers, they go.
    receiver.chooser = None
    clock.advance(3600)
    assert engine.run_once().sent == 5


def test_cli_sync_behind_a_captive_portal_exits_1_with_the_reason(
    data_dir, receiver, monkeypatch, capsys
):
    with Store(data_dir / "kiosk.db") as store:
        fill(store, 3)
    monkeypatch.setenv("KIOSK_SYNC_SECRET", SECRET)
    receiver.chooser = lambda: "portal"
    assert _cli(data_dir, "--url", receiver.url) == 1
    out = capsys.readouterr().out
    assert "3 still pending" in out and "did not confirm" in out
    with Store(data_dir / "kiosk.db") as store:
        assert store.stats().pending_sync == 3


def test_an_acknowledged_list_marks_only_the_ids_it_names(store, clock, receiver):
    records = fill(store, 4)
    receiver.script = ["half"]
    engine = SyncEngine(store, http_target(receiver, clock), clock=clock, rng=random.Random(0))
    report = engine.run_once()
    assert (report.sent, report.failed, report.pending) == (2, 2, 2)
    assert "did not confirm 2 of the 4" in report.last_error
    sent_first = [rec["id"] for rec in receiver.requests[0]["payload"]["signups"]]
    assert set(receiver.stored) == set(sent_first[:2])
    assert {r.id for r in store.pending_batch(10, due_only=False)} == set(sent_first[2:])
    # A list naming ids beyond the batch confirms only the batch's own.
    receiver.script = ["ack-list"]
    clock.advance(3600)
    report = engine.run_once()
    assert (report.sent, report.pending) == (2, 0)
    assert set(receiver.stored) == {r.id for r in records}


def test_accepted_ids_reads_only_a_real_acknowledgement():
    from kiosk.sync import accepted_ids

    ids = ["a", "b", "c"]
    assert accepted_ids(b'{"accepted": 3}', ids) == ids
    assert accepted_ids(b'{"accepted": ["c", "zz", "a"]}', ids) == ["a", "c"]
    assert accepted_ids(b'{"accepted": []}', ids) == []
    for body in (
        b"",
        b"  ",
        b"<html>",
        b"[]",
        b'{"accepted": 2}',
        b'{"accepted": 3.0}',
        b'{"accepted": true}',
        b'{"accepted": [1, 2, 3]}',
        b'{"ok": true}',
        b'{"accepted": ' + b"9" * 5000 + b"}",
        b"[" * 100_000,
    ):
        with pytest.raises(RetryableSyncError, match="did not confirm"):
            accepted_ids(body, ids)


# -- backoff belongs to the target ---------------------------------------------------------


class _Stop(Exception):
    pass


def test_a_down_server_gets_one_request_per_backoff_interval_not_one_per_batch(
    data_dir, receiver, tmp_path
):
    clock = FakeClock(datetime.now(UTC))
    start = clock.now
    request_times: list[float] = []
    receiver.chooser = lambda: request_times.append((clock.now - start).total_seconds()) or "500"
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if (clock.now - start).total_seconds() + seconds > 3600:
            raise _Stop
        clock.advance(seconds)

    with Store(tmp_path / "k.db", clock=clock) as store:
        fill(store, 250)  # three batches: enough to tell one request from one per batch
        settings = _settings(data_dir, sync_url=receiver.url, sync_secret=SECRET)
        with pytest.raises(_Stop):
            run_sync_command(
                store, settings, once=False, sleep=sleep, clock=clock, backoff=Backoff(rng=_Top())
            )
        assert store.stats().pending_sync == 250
        # A new sign-up or a scheduled pass while the server is backing off sends nothing.
        engine = SyncEngine(store, http_target(receiver, clock), clock=clock)
        fill(store, 1)
        assert not engine.is_due()
        assert engine.run_once().failed == 0
    # One request, then one per interval: 2, 4, 8 … 256 s, then every 5 minutes.
    expected, t, step = [0.0], 0.0, 2.0
    while t + min(step, 300) <= 3600:
        t += min(step, 300)
        expected.append(t)
        step *= 2
    assert request_times == pytest.approx(expected, abs=0.01)  # times are kept to the ms
    assert len(request_times) == 19  # not 3 at once (250 sign-ups in batches of 100)


def test_the_target_backoff_survives_a_restart_and_a_success_ends_it(tmp_path, clock, receiver):
    path = tmp_path / "kiosk.db"
    with Store(path, clock=clock) as store:
        fill(store, 250)
        receiver.script = ["503"]  # Retry-After: 30
        report = SyncEngine(store, http_target(receiver, clock), clock=clock).run_once()
        assert report.next_attempt_at == iso_ms(T0 + timedelta(seconds=30))
    with Store(path, clock=clock) as store:
        engine = SyncEngine(store, http_target(receiver, clock), clock=clock)
        clock.advance(29)
        assert not engine.is_due()
        assert engine.run_once().sent == 0 and len(receiver.requests) == 1
        clock.advance(1)
        report = engine.run_once()
        assert (report.sent, report.pending) == (250, 0)
        assert store.meta("sync_fail_streak") == "0"


@pytest.mark.parametrize(
    ("answer", "retried"),
    [("408", True), ("500", True), ("429", True), ("400", False), ("404", False)],
)
def test_which_answers_are_retried_and_which_park_the_batch(
    store, clock, receiver, answer, retried
):
    fill(store, 2)
    receiver.script = [answer]
    report = SyncEngine(store, http_target(receiver, clock), clock=clock).run_once()
    assert (report.failed, report.parked) == ((2, 0) if retried else (0, 2))
    assert f"HTTP {answer}" in report.last_error


# -- a whole-request deadline ---------------------------------------------------------------


class Trickler:
    """A real loopback server that reads the request, then answers one byte at a time."""

    def __init__(self, phase: str, every_s: float = 0.05, max_bytes: int = 2000) -> None:
        import socket

        self.phase, self.every_s, self.max_bytes = phase, every_s, max_bytes
        self.stop = threading.Event()
        self.requests = 0
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/signups"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.requests += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn) -> None:
        with conn:
            conn.settimeout(2)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                while len(body) < length:
                    body += conn.recv(65536)
                answer = b'{"accepted": 1}'
                if self.phase == "headers":
                    reply = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * self.max_bytes
                else:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n" % (len(answer) + self.max_bytes)
                    )
                    reply = b" " * self.max_bytes + answer
                for i in range(len(reply)):  # bounded: stops after max_bytes or on close
                    if self.stop.wait(self.every_s):
                        return
                    conn.sendall(reply[i : i + 1])
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_trickling_server_cannot_hold_a_request_past_its_deadline(clock, phase):
    server = Trickler(phase)
    target = HttpTarget(server.url, SECRET, 0.5, device_id="tent-test", clock=clock)
    try:
        began = time.monotonic()
        with pytest.raises(RetryableSyncError, match=r"did not finish answering within 0\.5 s"):
            target.send([make_record(1)])
        took = time.monotonic() - began
    finally:
        target.close()
        server.close()
    # Per-read timeouts (0.5 s) never fire at a byte every 0.05 s; the deadline does.
    assert took < 4, f"held for {took:.1f} s"  # without the deadline: ~100 s


def test_kiosk_sync_ends_at_its_deadline_against_a_trickling_server(data_dir, monkeypatch, capsys):
    with Store(data_dir / "kiosk.db") as store:
        fill(store, 3)
    server = Trickler("body", every_s=0.1)
    monkeypatch.setenv("KIOSK_SYNC_SECRET", SECRET)
    monkeypatch.setenv("KIOSK_SYNC_TIMEOUT_S", "1")
    try:
        began = time.monotonic()
        assert _cli(data_dir, "--url", server.url) == 1
        took = time.monotonic() - began
    finally:
        server.close()
    assert took < 6, f"kiosk sync held for {took:.1f} s"  # without: ~200 s
    assert "did not finish answering within 1 s" in capsys.readouterr().out
    # The writer lock is free again: another command can open the data folder.
    with Store(data_dir / "kiosk.db") as store:
        assert store.stats().pending_sync == 3


# -- certificate and clock errors are named ---------------------------------------------


def _https_server(tmp_path: Path):
    import shutil
    import ssl

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    rec = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, f"https://127.0.0.1:{server.server_address[1]}/signups"


def test_an_untrusted_certificate_is_named_not_blamed_on_the_network(store, clock, tmp_path):
    server, url = _https_server(tmp_path)
    target = HttpTarget(url, SECRET, 5, device_id="tent-test", clock=clock)
    try:
        fill(store, 2)
        report = SyncEngine(store, target, clock=clock).run_once()
    finally:
        target.close()
        server.shutdown()
        server.server_close()
    assert report.failed == 2
    assert "certificate" in report.last_error
    assert "network up" not in report.last_error


@pytest.mark.parametrize(
    ("code", "words"),
    [(9, "not valid yet"), (10, "has expired, or this kiosk's clock is wrong"), (18, "self")],
)
def test_certificate_clock_problems_name_the_clock(code, words):
    import ssl

    import httpx

    from kiosk.sync import describe_tls_failure

    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_code = code
    cause.verify_message = {9: "not yet valid", 10: "expired", 18: "self-signed certificate"}[code]
    try:
        try:
            raise cause
        except ssl.SSLError as exc:
            raise httpx.ConnectError("[SSL] certificate verify failed") from exc
    except httpx.ConnectError as wrapped:
        text = describe_tls_failure(wrapped, T0)
    assert words in text
    if code in (9, 10):
        assert "2022-07-30 14:00 UTC" in text  # the clock it has, so a volunteer sees it


def test_a_refused_signature_with_a_wrong_clock_names_the_clock(store, clock, receiver):
    # The fake clock says 2022; the receiver's Date header says today.
    fill(store, 2)
    receiver.script = ["401"]
    report = SyncEngine(store, http_target(receiver, clock), clock=clock).run_once()
    assert report.parked == 2
    assert "clock is" in report.last_error and "behind" in report.last_error
    assert "date and time" in report.last_error


# -- no URL credentials, query strings or secrets in any log line or message --------------


PASSWORD = "hunter2-pw-7Qz"
TOKEN = "tok-9f8e7d6c5b4a"


def test_no_password_token_or_secret_reaches_a_log_or_stderr(
    data_dir, receiver, monkeypatch, capsys, caplog
):
    import logging

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("KIOSK_SYNC_SECRET", SECRET)
    with Store(data_dir / "kiosk.db") as store:
        fill(store, 3)
    port = receiver.url.split(":")[2].split("/")[0]
    secret_url = f"http://kiosk:{PASSWORD}@127.0.0.1:{port}/signups?token={TOKEN}"
    # Invalid outright, fails, is refused with our own URL quoted back, and works.
    for bad, code in (
        (f"https://kiosk:{PASSWORD}@exa mple.org/in?token={TOKEN}", (1, 2)),
        (f"ftp://kiosk:{PASSWORD}@example.org/in?token={TOKEN}", (2,)),
        (f"https://kiosk:{PASSWORD}@/in?token={TOKEN}", (2,)),
        (f"http://kiosk:{PASSWORD}@127.0.0.1:1/in?token={TOKEN}", (1,)),
    ):
        assert _cli(data_dir, "--url", bad) in code
    receiver.script = ["500"]
    assert _cli(data_dir, "--url", secret_url) == 1
    receiver.script = ["echo"]
    receiver.echo = f"bad request to {secret_url} with secret {SECRET}".encode()
    assert _cli(data_dir, "--url", secret_url) == 1
    assert _cli(data_dir, "--url", secret_url) == 0
    out = capsys.readouterr()
    logs = "\n".join(r.getMessage() for r in caplog.records)
    files = "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in data_dir.rglob("*.log*")
    )
    everything = "\n".join([out.out, out.err, logs, files])
    assert "expected an http:// or https:// address" in out.err  # the errors were shown...
    assert "refused the batch (HTTP 400)" in everything
    for secret in (PASSWORD, TOKEN, SECRET):  # ...without a secret in any of them
        assert secret not in everything, secret
    with Store(data_dir / "kiosk.db") as store:
        assert PASSWORD not in (store.stats().last_sync_error or "")


def test_redact_url_drops_userinfo_and_query_even_when_unparseable():
    from kiosk.sync import redact_url

    assert redact_url("https://u:p@office.example/in?token=t#f") == "https://…@office.example/in?…"
    assert redact_url("https://office.example/in") == "https://office.example/in"
    assert PASSWORD not in redact_url(f"https://kiosk:{PASSWORD}@exa mple/?t={TOKEN}")
    assert TOKEN not in redact_url(f"nonsense?{TOKEN}")

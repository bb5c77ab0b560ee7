"""Sync: push the outbox to the office over signed HTTP or as JSONL files in a folder.

The engine, its targets and the retry policy; no Qt (kiosk.ui.sync_worker runs it on a thread).
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import httpx

from kiosk.errors import SettingsError, SyncError
from kiosk.files import write_atomic
from kiosk.records import SignupRecord, iso_ms, parse_iso, utc_now
from kiosk.settings import Settings
from kiosk.store import Store

log = logging.getLogger(__name__)

MAX_BATCH = 100
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
RETRY_AFTER_MAX_S = 3600.0  # a server may ask for a long pause (maintenance); not for days
SIGNATURE_PREFIX = "sha256="
_SNIPPET_CHARS = 200
_CANCEL_POLL_S = 0.1


class RetryableSyncError(SyncError):
    """The target cannot take the batch right now (network, server busy); try again later."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentSyncError(SyncError):
    """The target refused the batch; retrying the same request will not help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SyncCancelled(SyncError):
    """The pass was stopped (the kiosk is closing); nothing was marked, records stay pending."""


class Target(Protocol):
    def send(self, records: list[SignupRecord]) -> None: ...

    def close(self) -> None: ...


def idempotency_key(ids: Sequence[str]) -> str:
    """The same key for the same set of record ids, in any order."""
    return hashlib.sha256("\n".join(sorted(ids)).encode("ascii")).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Kiosk-Signature value: HMAC-SHA256 of "<timestamp>.<raw body>"."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    header: str | None,
    *,
    max_age_s: float | None = None,
    now: float | None = None,
) -> bool:
    """True when `header` is the kiosk's signature of `body` at `timestamp` (for receivers).

    With `max_age_s`, a timestamp further than that from `now` is refused too (replays).
    """
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    stamp = str(timestamp)
    if not stamp.isdigit():
        return False
    if max_age_s is not None:
        current = time.time() if now is None else now
        if abs(current - int(stamp)) > max_age_s:
            return False
    return hmac.compare_digest(sign(secret, stamp, body), header.strip())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or utc_now())).total_seconds())


def _snippet(text: str) -> str:
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat[:_SNIPPET_CHARS] + ("…" if len(flat) > _SNIPPET_CHARS else "")


def _encode_records(records: Sequence[SignupRecord]) -> list[dict]:
    return [r.to_json() for r in records]


class HttpTarget:
    """POSTs each batch as signed JSON to the office's webhook (SPEC section 9)."""

    def __init__(
        self,
        url: str,
        secret: str,
        timeout_s: float,
        client: httpx.Client | None = None,
        *,
        device_id: str = "",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.url = url
        self._secret = secret
        self._timeout = httpx.Timeout(timeout_s)
        self._own_client = client is None
        self._client = client or httpx.Client(timeout=self._timeout)
        self._device_id = device_id
        self._clock = clock
        self._timeout_s = timeout_s

    def request_parts(self, records: Sequence[SignupRecord]) -> tuple[bytes, dict[str, str]]:
        """The exact body bytes and headers of one batch (the signature covers these bytes)."""
        now = self._clock()
        payload = {
            "device_id": self._device_id or records[0].device_id,
            "sent_at": iso_ms(now),
            "signups": _encode_records(records),
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Wall-clock seconds: the receiver compares this with its own clock.
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key([r.id for r in records]),
            "X-Kiosk-Timestamp": timestamp,
            "X-Kiosk-Signature": sign(self._secret, timestamp, body),
        }
        return body, headers

    def send(self, records: list[SignupRecord]) -> None:
        if not records:
            return
        body, headers = self.request_parts(records)
        try:
            response = self._client.post(
                self.url, content=body, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise RetryableSyncError(
                f"the sync server did not answer within {self._timeout_s:g} s"
            ) from None
        except httpx.TransportError as exc:
            # Includes a connection dropped after the server stored the batch: the
            # resend carries the same ids and Idempotency-Key, so the office dedupes it.
            raise RetryableSyncError(
                f"cannot reach the sync server ({type(exc).__name__}) — is the network up?"
            ) from None
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (408, 429) or status >= 500:
            raise RetryableSyncError(
                f"the sync server is busy or failing (HTTP {status})",
                parse_retry_after(response.headers.get("Retry-After"), self._clock()),
            )
        if 300 <= status < 400:
            where = response.headers.get("Location", "?")
            raise PermanentSyncError(
                f"the sync server redirects (HTTP {status}) to {_snippet(where)} — "
                "update sync.url to the new address",
                status,
            )
        raise PermanentSyncError(
            f"the sync server refused the batch (HTTP {status}): {_snippet(response.text)}",
            status,
        )

    def close(self) -> None:
        if self._own_client:
            self._client.close()


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class FolderTarget:
    """Writes each batch as one JSONL file of canonical records into a folder.

    The file appears under its final name only when complete (temp file, fsync,
    atomic rename), so Syncthing, OneDrive or the office never picks up half a batch.
    """

    def __init__(
        self, folder: Path, device_id: str, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.folder = Path(folder)
        self._device = _SAFE_NAME.sub("-", device_id).strip("-") or "kiosk"
        self._clock = clock

    def file_name(self, records: Sequence[SignupRecord]) -> str:
        stamp = self._clock().astimezone(UTC)
        ms = f"{stamp:%Y%m%dT%H%M%S}{stamp.microsecond // 1000:03d}Z"
        key = idempotency_key([r.id for r in records])[:12]
        return f"signups-{self._device}-{ms}-{key}.jsonl"

    def send(self, records: list[SignupRecord]) -> None:
        if not records:
            return
        if not self.folder.is_dir():
            raise RetryableSyncError(
                f"the sync folder {self.folder} is not there — is the USB stick plugged in?"
            )
        final = self.folder / self.file_name(records)
        # Hidden and not *.jsonl: nothing reading the folder mistakes it for a batch.
        tmp = self.folder / f".{final.stem}.{os.getpid()}.{threading.get_ident()}.tmp"
        data = "".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
            for r in _encode_records(records)
        ).encode("utf-8")
        try:
            write_atomic(final, data, tmp=tmp)
        except OSError as exc:
            raise RetryableSyncError(
                f"could not write to the sync folder {self.folder}: "
                f"{exc.strerror or type(exc).__name__} — check the USB stick is plugged in, "
                "writable and not full"
            ) from None

    def close(self) -> None:
        pass


class Backoff:
    """Exponential backoff with full jitter; Retry-After overrides it (up to an hour)."""

    def __init__(
        self,
        *,
        base_s: float = BACKOFF_BASE_S,
        cap_s: float = BACKOFF_CAP_S,
        retry_after_max_s: float = RETRY_AFTER_MAX_S,
        rng: random.Random | None = None,
    ) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self.retry_after_max_s = retry_after_max_s
        self._rng = rng or random.Random()

    def ceiling(self, attempt: int) -> float:
        """The largest delay for retry number `attempt` (0 = the first retry)."""
        return min(self.cap_s, self.base_s * 2 ** min(max(attempt, 0), 32))

    def delay(self, attempt: int, retry_after_s: float | None = None) -> float:
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.retry_after_max_s)
        return self._rng.uniform(0.0, self.ceiling(attempt))


@dataclass(frozen=True)
class SyncReport:
    """What one pass (or one `kiosk sync` run) did, and what is left."""

    sent: int
    failed: int
    parked: int
    pending: int
    last_error: str | None
    next_attempt_at: str | None

    def status_line(self) -> str:
        """A short line for Admin ("312 waiting · next try 14:05:09"); errors show separately."""
        if not self.pending:
            return f"All sent ({self.sent} this time)." if self.sent else "Nothing waiting."
        line = f"{self.pending} waiting"
        if self.parked:
            line += f" · {self.parked} refused"
        if self.next_attempt_at:
            line += f" · next try {_local_time(self.next_attempt_at)}"
        return line

    def summary(self) -> str:
        parts = [f"sent {self.sent} sign-up{'' if self.sent == 1 else 's'}"]
        if self.failed:
            parts.append(f"{self.failed} will be retried")
        if self.parked:
            parts.append(f"{self.parked} refused (see Admin)")
        parts.append(f"{self.pending} still pending")
        line = ", ".join(parts)
        if self.pending and self.next_attempt_at:
            line += f"; next attempt at {_local_time(self.next_attempt_at)}"
        if self.last_error:
            line += f" — last error: {self.last_error}"
        return line


def _local_time(stamp: str) -> str:
    """14:05:09 on this computer's clock, for people; the stored form stays UTC."""
    try:
        return parse_iso(stamp).astimezone().strftime("%H:%M:%S")
    except ValueError:
        return stamp


class SyncEngine:
    """Drains the outbox through a target, batch by batch; the store remembers the backoff."""

    def __init__(
        self,
        store: Store,
        target: Target,
        *,
        batch_size: int = MAX_BATCH,
        clock: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.store = store
        self.target = target
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        self._clock = clock
        self.backoff = backoff or Backoff(rng=rng)

    def is_due(self) -> bool:
        """Whether a scheduled pass has anything to do now (respects the stored backoff)."""
        next_at = self.store.next_attempt_at()
        return next_at is not None and parse_iso(next_at) <= self._clock()

    def run_once(
        self,
        *,
        due_only: bool = True,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncReport:
        """One pass: send due records until the outbox is empty or the target is unreachable.

        A retryable failure ends the pass (the network is down: don't hammer it);
        a refused batch is parked and the pass goes on with the next one. With
        `cancel`, each send runs on a helper thread so setting the event ends the
        pass promptly even while a request hangs; its records stay pending.
        """
        before = self.store.stats()
        total = before.pending_sync - before.parked
        sent = failed = parked = 0
        last_error = park_error = None
        seen: set[str] = set()
        if progress:
            progress(0, total)
        while not (cancel and cancel.is_set()):
            batch = self.store.pending_batch(self.batch_size, due_only=due_only)
            ids = [r.id for r in batch]
            if not batch or seen.intersection(ids):
                break  # empty, or the same records again: never loop within one pass
            seen.update(ids)
            try:
                self._send(batch, cancel)
            except SyncCancelled:
                break
            except RetryableSyncError as exc:
                attempt = max(self.store.attempts(i) for i in ids)
                wait_s = self.backoff.delay(attempt, exc.retry_after_s)
                self.store.mark_failed(ids, str(exc), retry_in_s=wait_s)
                failed += len(ids)
                last_error = str(exc)
                log.warning(
                    "sync: batch of %d failed (attempt %d), retry in %.1f s: %s",
                    len(ids),
                    attempt + 1,
                    wait_s,
                    exc,
                )
                break
            except PermanentSyncError as exc:
                self.store.mark_failed(ids, str(exc), retry_in_s=None)
                parked += len(ids)
                last_error = park_error = str(exc)
                # The message may quote the server's reply (personal data?): log the status only.
                log.error("sync: batch of %d refused and parked (HTTP %s)", len(ids), exc.status)
                continue
            # Only now, after a 2xx for a request that contained them.
            self.store.mark_synced(ids)
            sent += len(ids)
            if progress:
                progress(sent, max(total, sent))
        if park_error and sent and not failed:
            # A later batch's success cleared the error; Admin must still see why some are parked.
            self.store.set_meta(last_sync_error=park_error)
        after = self.store.stats()
        if sent or failed or parked:
            log.info(
                "sync pass: %d sent, %d to retry, %d parked, %d pending",
                sent,
                failed,
                parked,
                after.pending_sync,
            )
        return SyncReport(
            sent=sent,
            failed=failed,
            parked=parked,
            pending=after.pending_sync,
            last_error=last_error,
            next_attempt_at=self.store.next_attempt_at() if after.pending_sync else None,
        )

    def _send(self, batch: list[SignupRecord], cancel: threading.Event | None) -> None:
        if cancel is None:
            self.target.send(batch)
            return
        outcome: list[BaseException | None] = []
        done = threading.Event()

        def work() -> None:
            try:
                self.target.send(batch)
                outcome.append(None)
            except BaseException as exc:  # handed back to the waiting thread
                outcome.append(exc)
            finally:
                done.set()

        # A daemon thread: a request abandoned on cancel never holds up the kiosk's exit.
        threading.Thread(target=work, name="kiosk-sync-send", daemon=True).start()
        while not done.wait(_CANCEL_POLL_S):
            if cancel.is_set():
                raise SyncCancelled("sync stopped while a request was in flight")
        if outcome and outcome[0] is not None:
            raise outcome[0]


def make_target(
    settings: Settings, *, client: httpx.Client | None = None
) -> HttpTarget | FolderTarget | None:
    """The target the settings describe, None when sync is off; SettingsError when misconfigured."""
    url = settings.sync_url.strip()
    if url:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise SettingsError(f"sync.url: expected an http:// or https:// address, got {url!r}")
        if not settings.sync_secret:
            raise SettingsError(
                "sync.secret is not set: the office gives you the shared secret for sync.url "
                "(settings.toml or KIOSK_SYNC_SECRET)"
            )
        if parsed.scheme == "http" and parsed.host not in ("localhost", "127.0.0.1", "::1"):
            log.warning("sync.url uses plain http: sign-ups cross the network unencrypted")
        if settings.sync_folder:
            log.info("both sync.url and sync.folder are set: using sync.url")
        return HttpTarget(
            url,
            settings.sync_secret,
            settings.sync_timeout_s,
            client,
            device_id=settings.device_id,
        )
    if settings.sync_folder:
        return FolderTarget(Path(settings.sync_folder).expanduser(), settings.device_id)
    return None


def run_sync_command(
    store: Store,
    settings: Settings,
    *,
    once: bool,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
) -> SyncReport:
    """`kiosk sync`: an explicit request, so refused records get another chance and the
    backoff is skipped for the first pass.

    `--once`: one pass. Otherwise passes repeat, sleeping until the next retry is due,
    until nothing is pending or only refused (parked) records remain; Ctrl+C stops it.
    """
    target = make_target(settings)
    if target is None:
        raise SettingsError("no sync target: set sync.url (and sync.secret) or sync.folder")
    unparked = store.unpark_all()
    if unparked:
        log.info("sync: %d refused records queued again", unparked)
    engine = SyncEngine(store, target, clock=clock)
    sent = failed = parked = 0
    try:
        due_only = False
        while True:
            report = engine.run_once(due_only=due_only)
            due_only = True
            sent, failed, parked = (
                sent + report.sent,
                failed + report.failed,
                (parked + report.parked),
            )
            waiting = report.pending - store.stats().parked
            if once or waiting <= 0 or report.next_attempt_at is None:
                break
            wait_s = (parse_iso(report.next_attempt_at) - clock()) / timedelta(seconds=1)
            sleep(max(wait_s, 0.0))
    finally:
        target.close()
    return SyncReport(
        sent=sent,
        failed=failed,
        parked=parked,
        pending=report.pending,
        last_error=report.last_error or store.meta("last_sync_error"),
        next_attempt_at=report.next_attempt_at,
    )

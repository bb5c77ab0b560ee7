"""Sync: push the outbox to the office over signed HTTP or as JSONL files in a folder.

The engine, the folder target and the retry policy; the wire format is in
kiosk.sync_wire, the HTTP target in kiosk.sync_http. No Qt (kiosk.ui.sync_worker
runs the engine on a thread).
"""

from __future__ import annotations

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

from kiosk.errors import SettingsError
from kiosk.files import write_atomic
from kiosk.records import SignupRecord, iso_ms, parse_iso, utc_now
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.sync_http import HttpTarget, describe_tls_failure
from kiosk.sync_wire import (
    SIGNATURE_PREFIX,
    PermanentSyncError,
    RetryableSyncError,
    SyncCancelled,
    accepted_ids,
    idempotency_key,
    parse_retry_after,
    redact_url,
    sign,
    verify_signature,
)

__all__ = [
    "SIGNATURE_PREFIX",
    "Backoff",
    "FolderTarget",
    "HttpTarget",
    "PermanentSyncError",
    "RetryableSyncError",
    "SyncCancelled",
    "SyncEngine",
    "SyncReport",
    "Target",
    "accepted_ids",
    "describe_tls_failure",
    "idempotency_key",
    "make_target",
    "parse_retry_after",
    "redact_url",
    "run_sync_command",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)

MAX_BATCH = 100
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
RETRY_AFTER_MAX_S = 3600.0  # a server may ask for a long pause (maintenance); not for days
_CANCEL_POLL_S = 0.1
# The target's backoff, kept in the store's meta table so a restart keeps it too.
RETRY_AT_KEY = "sync_retry_at"
STREAK_KEY = "sync_fail_streak"


def _encode_records(records: Sequence[SignupRecord]) -> list[dict]:
    return [r.to_json() for r in records]


class Target(Protocol):
    def send(self, records: list[SignupRecord]) -> Sequence[str] | None:
        """Deliver the batch; return the ids the target confirmed (None: all of them)."""

    def close(self) -> None: ...


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

    def send(self, records: list[SignupRecord]) -> list[str]:
        if not records:
            return []
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
        return [r.id for r in records]

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
    """Drains the outbox through a target, batch by batch.

    Backoff belongs to the target, not to a batch: while the target fails, the
    engine sends one request per backoff interval, however many batches wait.
    The store keeps that state (and each record's own), so a restart keeps it.
    """

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

    def next_attempt_at(self) -> str | None:
        """When the next request may go (None: nothing waiting): the later of the
        target's backoff and the earliest waiting record's own time."""
        earliest = self.store.next_attempt_at()
        if earliest is None:
            return None
        retry_at = self.store.meta(RETRY_AT_KEY)
        return max(earliest, retry_at) if retry_at else earliest

    def is_due(self) -> bool:
        """Whether a scheduled pass has anything to do now (respects the backoff)."""
        next_at = self.next_attempt_at()
        return next_at is not None and parse_iso(next_at) <= self._clock()

    def _target_waiting(self) -> bool:
        retry_at = self.store.meta(RETRY_AT_KEY)
        return bool(retry_at) and parse_iso(retry_at) > self._clock()

    def run_once(
        self,
        *,
        due_only: bool = True,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncReport:
        """One pass: send due records until the outbox is empty or the target fails.

        A retryable failure ends the pass and sets the target's backoff (the network
        is down: don't hammer it); a refused batch is parked and the pass goes on with
        the next one. `due_only=False` (an explicit request) ignores the backoff for
        this pass. With `cancel`, each send runs on a helper thread so setting the
        event ends the pass promptly even while a request hangs; its records stay pending.
        """
        before = self.store.stats()
        total = before.pending_sync - before.parked
        sent = failed = parked = 0
        last_error = park_error = None
        seen: set[str] = set()
        streak = int(self.store.meta(STREAK_KEY) or 0)
        if progress:
            progress(0, total)
        # While the target backs off, a scheduled pass sends nothing at all.
        backing_off = due_only and self._target_waiting()
        while not backing_off and not (cancel and cancel.is_set()):
            batch = self.store.pending_batch(self.batch_size, due_only=due_only)
            ids = [r.id for r in batch]
            if not batch or seen.intersection(ids):
                break  # empty, or the same records again: never loop within one pass
            seen.update(ids)
            try:
                confirmed = self._send(batch, cancel)
            except SyncCancelled:
                break
            except RetryableSyncError as exc:
                wait_s = self.backoff.delay(streak, exc.retry_after_s)
                streak += 1
                self.store.mark_failed(ids, str(exc), retry_in_s=wait_s)
                self.store.set_meta(
                    **{
                        RETRY_AT_KEY: iso_ms(self._clock() + timedelta(seconds=wait_s)),
                        STREAK_KEY: str(streak),
                    }
                )
                failed += len(ids)
                last_error = str(exc)
                log.warning(
                    "sync: batch of %d failed (%d in a row), next request in %.1f s: %s",
                    len(ids),
                    streak,
                    wait_s,
                    exc,
                )
                break
            except PermanentSyncError as exc:
                streak = self._target_answered(streak)
                self.store.mark_failed(ids, str(exc), retry_in_s=None)
                parked += len(ids)
                last_error = park_error = str(exc)
                # The message may quote the server's reply (personal data?): log the status only.
                log.error("sync: batch of %d refused and parked (HTTP %s)", len(ids), exc.status)
                continue
            streak = self._target_answered(streak)
            wanted = set(ids)
            done = (
                ids if confirmed is None else [i for i in dict.fromkeys(confirmed) if i in wanted]
            )
            # Only now, after an acknowledged 2xx for a request that contained them.
            self.store.mark_synced(done)
            sent += len(done)
            rest = ids[len(done) :] if len(done) == len(ids) else sorted(set(ids) - set(done))
            if rest:
                error = (
                    f"the server did not confirm {len(rest)} of the {len(ids)} sign-ups sent "
                    "— they will be sent again"
                )
                attempt = max(self.store.attempts(i) for i in rest)
                self.store.mark_failed(rest, error, retry_in_s=self.backoff.delay(attempt))
                failed += len(rest)
                last_error = error
                log.warning("sync: %d of a batch of %d not confirmed", len(rest), len(ids))
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
            next_attempt_at=self.next_attempt_at() if after.pending_sync else None,
        )

    def _target_answered(self, streak: int) -> int:
        """The target answered (a 2xx or a refusal): its backoff is over."""
        if streak:
            self.store.set_meta(**{RETRY_AT_KEY: "", STREAK_KEY: "0"})
        return 0

    def _send(
        self, batch: list[SignupRecord], cancel: threading.Event | None
    ) -> Sequence[str] | None:
        if cancel is None:
            return self.target.send(batch)
        outcome: list[BaseException | None] = []
        confirmed: list[Sequence[str] | None] = []
        done = threading.Event()

        def work() -> None:
            try:
                confirmed.append(self.target.send(batch))
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
        return confirmed[0] if confirmed else None


def make_target(settings: Settings) -> HttpTarget | FolderTarget | None:
    """The target the settings describe, None when sync is off; SettingsError when misconfigured.

    Messages show sync.url without its user name, password or query (they may hold secrets).
    """
    url = settings.sync_url.strip()
    if url:
        import httpx

        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise SettingsError(
                f"sync.url: expected an http:// or https:// address, got {redact_url(url)!r}"
            )
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
    backoff: Backoff | None = None,
) -> SyncReport:
    """`kiosk sync`: an explicit request, so refused records get another chance and the
    backoff is skipped for the first pass.

    `--once`: one pass. Otherwise passes repeat, sleeping until the next request is due
    (one request per backoff interval while the target fails), until nothing is pending
    or only refused (parked) records remain; Ctrl+C stops it.
    """
    target = make_target(settings)
    if target is None:
        raise SettingsError("no sync target: set sync.url (and sync.secret) or sync.folder")
    unparked = store.unpark_all()
    if unparked:
        log.info("sync: %d refused records queued again", unparked)
    engine = SyncEngine(store, target, clock=clock, backoff=backoff)
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

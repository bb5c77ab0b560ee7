"""The HTTP sync target: signed JSON batches, a whole-request deadline, and errors a
volunteer can act on (certificate, clock, network, server) with no secret in any of them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from kiosk.records import SignupRecord, iso_ms, utc_now
from kiosk.sync_wire import (
    ACK_MAX_BYTES,
    PermanentSyncError,
    RetryableSyncError,
    accepted_ids,
    idempotency_key,
    parse_http_date,
    parse_retry_after,
    redact_url,
    sign,
    snippet,
    url_secrets,
)

log = logging.getLogger(__name__)

# httpx logs every request at INFO with its full URL: a sync.url's password and ?token=
# would land in the kiosk's log. Our own lines say what happened, without the URL.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

CLOCK_SKEW_S = 300.0  # receivers refuse older signatures (SPEC 9 suggests five minutes)
# OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED.
_NOT_YET_VALID, _EXPIRED = 9, 10


class _Deadline:
    """Ends one request at its whole-request deadline, whatever the server trickles.

    httpx's timeouts are per read: a server sending a byte every few seconds would
    hold a request for ever. A timer shuts the connection's socket down at the
    deadline, which wakes any blocked read or write with an error. It works on a
    duplicate of the socket (shutdown acts on the connection, not the descriptor),
    so it never touches a descriptor the HTTP client may have closed and reused.
    """

    def __init__(self, seconds: float, reused: socket.socket | None) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._dups: list[socket.socket] = []
        self._watch(reused)
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _watch(self, sock: Any) -> None:
        if not isinstance(sock, socket.socket):
            return
        try:
            dup = socket.socket(fileno=_dup_fd(sock))
        except OSError:
            return  # already closed: the pool will open a new connection (traced)
        with self._lock:
            self._dups.append(dup)
            expired = self.expired
        if expired:
            _shutdown(dup)

    def trace(self, name: str, info: dict[str, Any]) -> None:
        if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            if stream is not None:
                self._watch(stream.get_extra_info("socket"))

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            dups = list(self._dups)
        for dup in dups:
            _shutdown(dup)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            dups, self._dups = self._dups, []
        for dup in dups:
            with contextlib.suppress(OSError):
                dup.close()


def _dup_fd(sock: socket.socket) -> int:
    import os

    fd = sock.fileno()
    if fd < 0:
        raise OSError("closed")
    return os.dup(fd)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe_tls_failure(exc: BaseException, now: datetime) -> str | None:
    """A certificate or clock problem named as such, or None when it is not one."""
    clock = f"this kiosk's clock says {now:%Y-%m-%d %H:%M} UTC"
    cert = _cause(exc, ssl.SSLCertVerificationError)
    if cert is not None:
        code = getattr(cert, "verify_code", None)
        reason = getattr(cert, "verify_message", "") or "not trusted"
        if code == _NOT_YET_VALID:
            return (
                f"the sync server's certificate is not valid yet: {clock} — "
                "set this kiosk's date and time"
            )
        if code == _EXPIRED:
            return (
                f"the sync server's certificate has expired, or this kiosk's clock is wrong "
                f"({clock}) — check the date and time, then ask the office"
            )
        return (
            f"the sync server's certificate was not accepted ({snippet(reason)}) — "
            "check sync.url, or ask the office about its certificate"
        )
    tls = _cause(exc, ssl.SSLError)
    if tls is not None:
        reason = getattr(tls, "reason", None) or type(tls).__name__
        return f"a secure connection to the sync server failed (TLS: {reason}) — check sync.url"
    return None


class HttpTarget:
    """POSTs each batch as signed JSON to the office's webhook (SPEC section 9).

    `timeout_s` is the whole-request deadline: connecting, sending and the whole
    answer together, not per read.
    """

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
        self.shown_url = redact_url(url)
        self._secret = secret
        self._secrets = [*url_secrets(url), secret]
        self._timeout_s = float(timeout_s)
        self._timeout = httpx.Timeout(self._timeout_s)
        self._own_client = client is None
        # One connection: the deadline knows which socket a request is on.
        self._client = client or httpx.Client(
            timeout=self._timeout, limits=httpx.Limits(max_connections=1)
        )
        self._device_id = device_id
        self._clock = clock
        self._last_socket: socket.socket | None = None

    def request_parts(self, records: Sequence[SignupRecord]) -> tuple[bytes, dict[str, str]]:
        """The exact body bytes and headers of one batch (the signature covers these bytes)."""
        now = self._clock()
        payload = {
            "device_id": self._device_id or records[0].device_id,
            "sent_at": iso_ms(now),
            "signups": [r.to_json() for r in records],
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

    def send(self, records: list[SignupRecord]) -> list[str]:
        """POST the batch; returns the ids the receiver acknowledged (SPEC 9)."""
        if not records:
            return []
        ids = [r.id for r in records]
        body, headers = self.request_parts(records)
        deadline = _Deadline(self._timeout_s, self._last_socket)
        started = time.monotonic()
        try:
            with self._client.stream(
                "POST",
                self.url,
                content=body,
                headers=headers,
                timeout=self._timeout,
                extensions={"trace": deadline.trace},
            ) as response:
                stream = response.extensions.get("network_stream")
                sock = stream.get_extra_info("socket") if stream is not None else None
                self._last_socket = sock if isinstance(sock, socket.socket) else None
                answer = self._read_capped(response)
                return self._judge(response, answer, ids)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if deadline.expired or time.monotonic() - started >= self._timeout_s:
                raise RetryableSyncError(
                    f"the sync server did not finish answering within {self._timeout_s:g} s"
                ) from None
            raise self._transport_error(exc) from None
        finally:
            deadline.close()

    @staticmethod
    def _read_capped(response: httpx.Response) -> bytes:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > ACK_MAX_BYTES:
                break  # not an acknowledgement; the rest does not matter
        return b"".join(chunks)

    def _judge(self, response: httpx.Response, answer: bytes, ids: list[str]) -> list[str]:
        status = response.status_code
        if 200 <= status < 300:
            return accepted_ids(answer, ids)
        text = answer.decode("utf-8", "replace")
        if status in (408, 429) or status >= 500:
            raise RetryableSyncError(
                f"the sync server is busy or failing (HTTP {status})",
                parse_retry_after(response.headers.get("Retry-After"), self._clock()),
            )
        if 300 <= status < 400:
            where = redact_url(response.headers.get("Location", "?"))
            raise PermanentSyncError(
                f"the sync server redirects (HTTP {status}) to {snippet(where, self._secrets)} "
                "— update sync.url to the new address",
                status,
            )
        if status in (401, 403):
            skew = self._clock_skew(response)
            if skew is not None:
                raise PermanentSyncError(
                    f"the sync server refused the signature (HTTP {status}) and this kiosk's "
                    f"clock is {_duration(abs(skew))} {'ahead' if skew > 0 else 'behind'} — "
                    "set the date and time, then Sync now",
                    status,
                )
        raise PermanentSyncError(
            f"the sync server refused the batch (HTTP {status}): {snippet(text, self._secrets)}",
            status,
        )

    def _clock_skew(self, response: httpx.Response) -> float | None:
        """Seconds our clock is ahead of the server's (negative: behind), when that matters."""
        theirs = parse_http_date(response.headers.get("Date"))
        if theirs is None:
            return None
        skew = (self._clock() - theirs).total_seconds()
        return skew if abs(skew) > CLOCK_SKEW_S else None

    def _transport_error(self, exc: BaseException) -> RetryableSyncError:
        named = describe_tls_failure(exc, self._clock())
        if named:
            return RetryableSyncError(named)
        if isinstance(exc, httpx.TimeoutException):
            return RetryableSyncError(
                f"the sync server did not answer within {self._timeout_s:g} s"
            )
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
            return RetryableSyncError(f"sync.url is not usable: {self.shown_url}")
        # Includes a connection dropped after the server stored the batch: the resend
        # carries the same ids and Idempotency-Key, so the office dedupes it.
        return RetryableSyncError(
            f"cannot reach the sync server ({type(exc).__name__}) — is the network up?"
        )

    def close(self) -> None:
        self._last_socket = None
        if self._own_client:
            self._client.close()


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 86400:.0f} days"

"""The admin PIN: policy, salted scrypt hashes and a lockout that survives restarts.

The lockout lives in its own small JSON file, not in the database, so the admin
can still get in (and export, or exit) when the database is broken. No Qt here.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kiosk.errors import SettingsError
from kiosk.files import write_atomic
from kiosk.settings import Settings, read_file, write_values

log = logging.getLogger(__name__)

PIN_SETTING = "admin.pin_hash"
LOCKOUT_FILE = "admin-lockout.json"

MIN_DIGITS, MAX_DIGITS = 4, 12
MAX_TRIES = 5
"""Wrong tries allowed before the first lock."""
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 300.0
"""Never longer than five minutes: a visitor must not lock staff out for long."""
QUIET_S = 3600.0
"""An hour with no wrong try forgets the earlier ones (a typo a day must not add up)."""

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
# A hash string comes from a file anyone with the data folder can edit: refuse
# parameters that would make one verification eat gigabytes or minutes.
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16


class PinPolicy:
    """Which PINs an admin may choose."""

    @staticmethod
    def check(pin: str) -> None:
        """Raise SettingsError, with a message a volunteer can act on, for a weak PIN."""
        if not pin.isascii() or not pin.isdigit():
            raise SettingsError("the admin PIN must be digits only (0–9)")
        if not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
            raise SettingsError(
                f"the admin PIN must have {MIN_DIGITS} to {MAX_DIGITS} digits, not {len(pin)}"
            )
        if len(set(pin)) == 1:
            raise SettingsError(f"{pin[0]} repeated is too easy to guess — choose another PIN")
        steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
        if steps in ({1}, {9}):
            raise SettingsError("digits in a row (like 1234) are too easy to guess")


def hash_pin(pin: str) -> str:
    """A salted scrypt hash: "scrypt$n$r$p$salt_b64$hash_b64"."""
    import secrets  # OpenSSL (~3 MiB) loads when a PIN is set or checked, not at start

    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return "$".join(
        ("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(digest))
    )


def _parse_hash(stored: str) -> tuple[str, int, int, int, bytes, bytes] | None:
    """The parts of a usable hash string, or None for one no PIN could ever match."""
    try:
        kind, n_text, r_text, p_text, salt_text, hash_text = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt = base64.b64decode(salt_text, validate=True)
        expected = base64.b64decode(hash_text, validate=True)
    except ValueError:
        return None
    if (
        kind != "scrypt"
        or not (2 <= n <= _MAX_N and n & (n - 1) == 0)
        or not 1 <= r <= _MAX_R
        or not 1 <= p <= _MAX_P
        or not salt
        or not 16 <= len(expected) <= 64
    ):
        return None
    return kind, n, r, p, salt, expected


def usable_hash(stored: str) -> bool:
    """Whether `stored` is a hash some PIN can match (not 42, " " or a plain "2580")."""
    return _parse_hash(stored) is not None


def verify_pin(stored: str, pin: str) -> bool:
    """True when `pin` matches the stored hash; a malformed hash matches nothing."""
    parts = _parse_hash(stored)
    if parts is None:
        log.warning("admin PIN hash in settings is unusable; no PIN matches it")
        return False
    import hmac  # OpenSSL loads when a PIN is checked, not at start

    _kind, n, r, p, salt, expected = parts
    actual = _scrypt(pin, salt, n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    import hashlib

    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * r * n + 2**20
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


ENV_PIN_HASH = "KIOSK_ADMIN_PIN_HASH"
_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message)


def stored_hash(data_dir: Path) -> str:
    """The PIN hash in force now, from settings.toml only (never the environment: the
    PIN that Change PIN and `kiosk set-pin` save must be the one that opens Admin).

    Read afresh each time, so `kiosk set-pin` takes effect on a running kiosk.
    """
    if os.environ.get(ENV_PIN_HASH):
        _warn_once("env", f"{ENV_PIN_HASH} is ignored: the admin PIN comes from settings.toml")
    return str(read_file(Path(data_dir)).get(PIN_SETTING, "") or "").strip()


def has_pin(settings_or_data_dir: Settings | Path | str) -> bool:
    """Whether a usable admin PIN is set (so first use must not ask to choose one).

    A hash no PIN can match (42, a plain "2580") counts as none: the kiosk shows its
    set-up screen instead of a PIN pad nobody can open.
    """
    if isinstance(settings_or_data_dir, Settings):
        folder = settings_or_data_dir.data_dir
    else:
        folder = Path(settings_or_data_dir)
    stored = stored_hash(folder)
    if stored and not usable_hash(stored):
        _warn_once("unusable", "admin PIN hash in settings.toml is unusable: treated as no PIN")
        return False
    return bool(stored)


def set_pin(data_dir: Path, pin: str) -> None:
    """Check the policy, store the new PIN's hash and lift any lockout.

    Lifting the lockout is deliberate: whoever can write settings.toml already
    controls the kiosk, and `kiosk set-pin` is how a locked-out admin gets back in.
    """
    PinPolicy.check(pin)
    folder = Path(data_dir)
    write_values(folder, {PIN_SETTING: hash_pin(pin)})
    with contextlib.suppress(FileNotFoundError):
        (folder / LOCKOUT_FILE).unlink()
    log.info("admin PIN changed")


@dataclass(frozen=True)
class AttemptResult:
    """What one PIN attempt came to."""

    status: Literal["ok", "wrong", "locked"]
    tries_left: int = 0
    """Wrong tries still allowed before a lock (for "wrong")."""
    locked_s: float = 0.0
    """Seconds until the next try is allowed (for "locked")."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class _Lockout:
    failures: int = 0
    locked_until: float = 0.0
    lock_s: float = 0.0
    last_wrong_at: float = 0.0


def lock_seconds(failures: int) -> float:
    """How long the lock after the `failures`-th wrong try lasts (0 before the fifth)."""
    if failures < MAX_TRIES:
        return 0.0
    return min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** min(failures - MAX_TRIES, 20))


class PinGuard:
    """Checks PIN attempts with a growing lockout persisted in `admin-lockout.json`.

    After 5 wrong tries the pad locks for 30 s; each further wrong try doubles
    the lock (60 s, 120 s, … at most 5 minutes); a correct PIN clears it, and so
    does an hour with no wrong try. While locked, attempts are refused without
    even checking the PIN.

    A missing lockout file means no wrong tries. A lockout file that exists but
    cannot be understood is treated as if the limit had just been reached (a
    fresh 30 s lock), because damaging that file must not be a way to earn
    unlimited guesses. A lockout file that cannot be written is logged and the
    count is kept in memory, so a read-only disk never locks the admin out.
    """

    def __init__(self, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        # Wall-clock time, because the lock must outlast a restart; a clock that
        # jumps backwards is handled by never waiting longer than the lock itself.
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCKOUT_FILE
        self._clock = clock
        self._memory = _Lockout()
        self._unsaved = False  # the file could not be written: trust the memory

    def attempt(self, pin: str) -> AttemptResult:
        """Check one PIN; raises SettingsError when no PIN is set or settings are unreadable."""
        state = self._load()
        wait = self._remaining(state)
        if wait > 0:
            return AttemptResult("locked", 0, wait)
        stored = stored_hash(self.data_dir)
        if not stored or not usable_hash(stored):
            raise SettingsError("no admin PIN is set yet — set one with `kiosk set-pin`")
        if verify_pin(stored, pin):
            if state.failures:
                log.info("admin PIN accepted after %d wrong tries", state.failures)
            self._save(_Lockout())
            return AttemptResult("ok", MAX_TRIES)
        failures = state.failures + 1
        lock = lock_seconds(failures)
        now = self._clock()
        self._save(_Lockout(failures, now + lock if lock else 0.0, lock, now))
        log.warning("wrong admin PIN (%d in a row)", failures)
        if lock:
            log.warning("admin PIN locked for %.0f s", lock)
            return AttemptResult("locked", 0, lock)
        return AttemptResult("wrong", MAX_TRIES - failures)

    def locked_for(self) -> float:
        """Seconds until a PIN may be tried again (0 when it may be tried now)."""
        return self._remaining(self._load())

    def failures(self) -> int:
        """Wrong tries in a row so far."""
        return self._load().failures

    def tries_left(self) -> int:
        """Tries allowed before the next lock (after a lock has run out, only one)."""
        state = self._load()
        if self._remaining(state) > 0:
            return 0
        return max(1, MAX_TRIES - state.failures)

    def _remaining(self, state: _Lockout) -> float:
        if state.lock_s <= 0:
            return 0.0
        left = state.locked_until - self._clock()
        return max(0.0, min(left, state.lock_s))

    def _load(self) -> _Lockout:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            # Removed by `kiosk set-pin` (or never written): no wrong tries.
            return self._decayed(self._memory) if self._unsaved else _Lockout()
        except OSError as exc:
            log.warning("lockout file unreadable (%s); using the count in memory", exc.strerror)
            return self._decayed(self._memory)
        try:
            data = json.loads(text)
            # An older file has no time of the last wrong try: the quiet hour starts now.
            state = _Lockout(
                int(data["failures"]),
                float(data["locked_until"]),
                float(data["lock_s"]),
                float(data.get("last_wrong_at", self._clock())),
            )
            if state.failures < 0 or not all(
                math.isfinite(v) for v in (state.locked_until, state.lock_s, state.last_wrong_at)
            ):
                raise ValueError
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("lockout file is damaged; locking the PIN pad for %.0f s", FIRST_LOCK_S)
            now = self._clock()
            state = _Lockout(MAX_TRIES, now + FIRST_LOCK_S, FIRST_LOCK_S, now)
            self._save(state)
        state = self._decayed(state)
        self._memory = state
        return state

    def _decayed(self, state: _Lockout) -> _Lockout:
        """No wrong try for an hour (and no lock running): the streak is forgotten."""
        quiet = self._clock() - state.last_wrong_at
        if state.failures and quiet >= QUIET_S and self._remaining(state) <= 0:
            log.info("wrong admin PIN count reset after a quiet hour")
            return _Lockout()
        return state

    def _save(self, state: _Lockout) -> None:
        self._memory = state
        data = {
            "failures": state.failures,
            "locked_until": state.locked_until,
            "lock_s": state.lock_s,
            "last_wrong_at": state.last_wrong_at,
        }
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data).encode("utf-8"))
            self._unsaved = False
        except OSError as exc:
            self._unsaved = True
            log.error("could not write the lockout file (%s); count kept in memory", exc.strerror)

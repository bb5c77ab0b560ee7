"""The admin PIN: weak PINs refused, salted scrypt hashes, a lockout that survives a restart."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.errors import SettingsError
from kiosk.security import (
    LOCKOUT_FILE,
    PinGuard,
    PinPolicy,
    has_pin,
    hash_pin,
    lock_seconds,
    set_pin,
    verify_pin,
)
from kiosk.settings import load_settings, read_file


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_security_module_does_not_import_qt():
    import subprocess

    code = "import sys, kiosk.security; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.shipped_pin_cost
def test_hash_has_the_documented_scrypt_format():
    kind, n, r, p, salt, digest = hash_pin("2468").split("$")
    assert (kind, n, r, p) == ("scrypt", str(2**14), "8", "1")
    import base64

    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32


def test_same_pin_hashes_differently_each_time_because_of_the_salt():
    first, second = hash_pin("2468"), hash_pin("2468")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]


@pytest.mark.shipped_pin_cost
def test_verify_accepts_the_right_pin_and_refuses_a_wrong_one():
    stored = hash_pin("97531")
    assert verify_pin(stored, "97531")
    assert not verify_pin(stored, "97532")
    assert not verify_pin(stored, "")


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-2468",
        "scrypt$16384$8$1$notbase64!$AAAA",
        "bcrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,
        # A tampered file must not make one check eat gigabytes of memory.
        "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 44,
    ],
)
def test_a_malformed_or_hostile_hash_matches_no_pin(stored):
    assert not verify_pin(stored, "2468")


@pytest.mark.parametrize("pin", ["2468", "9753", "205817", "123456789013", "0420"])
def test_policy_accepts_ordinary_pins(pin):
    PinPolicy.check(pin)


@pytest.mark.parametrize(
    ("pin", "says"),
    [
        ("123", "4 to 12 digits"),
        ("1234567890123", "4 to 12 digits"),
        ("12a4", "digits only"),
        ("٢٤٦٨", "digits only"),  # Arabic-Indic digits pass str.isdigit, not the pad
        ("0000", "too easy"),
        ("1111", "too easy"),
        ("1234", "in a row"),
        ("123456", "in a row"),
        ("4321", "in a row"),
        ("7890", "in a row"),
    ],
)
def test_policy_refuses_weak_pins_with_a_clear_message(pin, says):
    with pytest.raises(SettingsError, match=says):
        PinPolicy.check(pin)


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="0123456789", min_size=4, max_size=12))
def test_policy_never_lets_a_repeated_digit_through(pin):
    same = pin[0] * len(pin)
    with pytest.raises(SettingsError):
        PinPolicy.check(same)


def test_set_pin_stores_only_a_hash_in_settings(data_dir):
    assert not has_pin(data_dir)
    set_pin(data_dir, "864209")
    text = (data_dir / "settings.toml").read_text()
    assert "864209" not in text
    stored = read_file(data_dir)["admin.pin_hash"]
    assert verify_pin(stored, "864209")
    assert has_pin(data_dir)
    assert has_pin(load_settings(data_dir))


def test_set_pin_refuses_a_weak_pin_and_keeps_the_old_one(data_dir):
    set_pin(data_dir, "864209")
    with pytest.raises(SettingsError):
        set_pin(data_dir, "1111")
    assert verify_pin(read_file(data_dir)["admin.pin_hash"], "864209")


def test_lock_lengths_double_after_the_fifth_wrong_try_and_stop_at_five_minutes():
    assert [lock_seconds(n) for n in range(1, 10)] == [0, 0, 0, 0, 30, 60, 120, 240, 300]
    assert lock_seconds(12) == 300
    assert lock_seconds(500) == 300


def test_a_visitor_hammering_wrong_pins_locks_staff_out_for_five_minutes_at_most(data_dir):
    """Fifty wrong tries, each as soon as allowed: no wait ever passes 5 minutes, even
    after a restart (a new guard reading the same file), and the right PIN then works."""
    clock = Clock()
    guard = _guard(data_dir, clock)
    longest = 0.0
    for attempt in range(50):
        if attempt % 10 == 9:
            guard = PinGuard(data_dir, clock=clock)  # the kiosk restarted
        wait = guard.locked_for()
        assert wait <= 300
        clock.now += wait
        result = guard.attempt("0001")
        longest = max(longest, result.locked_s)
    assert longest == 300
    restarted = PinGuard(data_dir, clock=clock)
    assert 0 < restarted.locked_for() <= 300
    clock.now += 300
    assert restarted.attempt("2468").ok


def _guard(data_dir, clock):
    set_pin(data_dir, "2468")
    return PinGuard(data_dir, clock=clock)


def test_right_pin_is_accepted(data_dir):
    guard = _guard(data_dir, Clock())
    assert guard.attempt("2468").ok


def test_wrong_pins_count_down_then_lock_for_30_seconds(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    left = [guard.attempt("0001").tries_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = guard.attempt("0001")
    assert fifth.status == "locked"
    assert fifth.locked_s == 30
    assert guard.locked_for() == 30
    # While locked even the right PIN is refused, without being checked.
    assert guard.attempt("2468").status == "locked"
    clock.now += 29
    assert guard.locked_for() == pytest.approx(1)
    clock.now += 1
    assert guard.locked_for() == 0


def test_each_wrong_try_after_a_lock_doubles_it(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    for _ in range(5):
        guard.attempt("0001")
    waits = []
    for _ in range(3):
        clock.now += guard.locked_for()
        assert guard.tries_left() == 1
        waits.append(guard.attempt("0001").locked_s)
    assert waits == [60, 120, 240]


def test_the_right_pin_after_a_lock_clears_the_count(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    for _ in range(5):
        guard.attempt("0001")
    clock.now += 30
    assert guard.attempt("2468").ok
    assert guard.failures() == 0
    assert guard.attempt("0001").tries_left == 4


def test_a_restart_does_not_reset_the_lockout(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    for _ in range(5):
        guard.attempt("0001")
    clock.now += 10
    restarted = PinGuard(data_dir, clock=clock)
    assert restarted.locked_for() == pytest.approx(20)
    assert restarted.attempt("2468").status == "locked"
    clock.now += 20
    assert restarted.attempt("0001").locked_s == 60  # the count carried over too
    saved = json.loads((data_dir / LOCKOUT_FILE).read_text())
    assert saved["failures"] == 6


def test_wrong_tries_below_the_limit_also_survive_a_restart(data_dir):
    guard = _guard(data_dir, Clock())
    guard.attempt("0001")
    guard.attempt("0001")
    assert PinGuard(data_dir, clock=Clock()).attempt("0001").tries_left == 2


def test_a_clock_set_backwards_never_locks_longer_than_the_lock(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    for _ in range(5):
        guard.attempt("0001")
    clock.now -= 86_400
    assert guard.locked_for() == 30


def test_a_damaged_lockout_file_starts_a_30_second_lock(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    (data_dir / LOCKOUT_FILE).write_text("{not json")
    assert guard.attempt("2468").status == "locked"
    assert guard.locked_for() == 30
    clock.now += 30
    assert guard.attempt("2468").ok


def test_set_pin_lifts_a_lockout(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    for _ in range(5):
        guard.attempt("0001")
    set_pin(data_dir, "97531")
    assert guard.locked_for() == 0
    assert guard.attempt("97531").ok


def test_pin_set_while_running_takes_effect_without_a_new_guard(data_dir):
    guard = _guard(data_dir, Clock())
    set_pin(data_dir, "97531")
    assert guard.attempt("97531").ok
    assert guard.attempt("2468").status == "wrong"


def test_attempt_without_a_pin_explains_how_to_set_one(data_dir):
    guard = PinGuard(data_dir, clock=Clock())
    with pytest.raises(SettingsError, match="set-pin"):
        guard.attempt("2468")


def test_an_unwritable_lockout_file_keeps_counting_in_memory(data_dir, monkeypatch):
    clock = Clock()
    guard = _guard(data_dir, clock)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("kiosk.security.os.replace", refuse)
    for _ in range(4):
        guard.attempt("0001")
    assert guard.attempt("0001").status == "locked"
    assert not (data_dir / LOCKOUT_FILE).exists()


def test_the_wrong_pin_count_is_forgotten_after_a_quiet_hour(data_dir):
    clock = Clock()
    guard = _guard(data_dir, clock)
    for _ in range(4):
        guard.attempt("0001")
    clock.now += 3599  # not yet an hour: one more wrong try still locks
    assert guard.tries_left() == 1
    clock.now += 1
    assert guard.tries_left() == 5  # an hour without a wrong try
    assert [guard.attempt("0001").status for _ in range(5)][-1] == "locked"
    assert guard.locked_for() == 30  # a fresh streak: the first lock again
    # A long streak still never locks past five minutes, then decays after an hour.
    for _ in range(6):
        clock.now += guard.locked_for()
        assert guard.attempt("0001").locked_s <= 300
    clock.now += 300 + 3600
    assert guard.failures() == 0 and guard.tries_left() == 5
    restarted = PinGuard(data_dir, clock=clock)  # the file says the same after a restart
    assert restarted.failures() == 0


@pytest.mark.parametrize("stored", ["42", " ", "2580", "scrypt$1$1$1$AA==$AA=="])
def test_an_unusable_pin_hash_counts_as_no_pin_so_set_up_shows(data_dir, stored, caplog):
    from kiosk.settings import write_values

    write_values(data_dir, {"admin.pin_hash": stored})
    assert not has_pin(data_dir)
    with pytest.raises(SettingsError, match="no admin PIN"):
        PinGuard(data_dir, clock=Clock()).attempt("2580")


def test_an_integer_pin_hash_in_the_file_counts_as_no_pin(data_dir):
    (data_dir / "settings.toml").write_text("[admin]\npin_hash = 42\n", encoding="utf-8")
    assert not has_pin(data_dir)


def test_the_environment_never_overrides_the_pin_hash(data_dir, monkeypatch):
    set_pin(data_dir, "2468")
    monkeypatch.setenv("KIOSK_ADMIN_PIN_HASH", hash_pin("9753"))
    guard = PinGuard(data_dir, clock=Clock())
    assert guard.attempt("2468").ok  # the PIN Change PIN / set-pin saved opens Admin
    assert guard.attempt("9753").status == "wrong"
    monkeypatch.setenv("KIOSK_ADMIN_PIN_HASH", hash_pin("9753"))
    (data_dir / "settings.toml").unlink()
    assert not has_pin(data_dir)  # no PIN in settings.toml: set-up, whatever the env says

"""Admin: how it opens, the PIN pad and lockout, export, reset, exit, wipe and idle close."""

from __future__ import annotations

import csv
import logging
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.records import SignupRecord, iso_ms, new_donation_ref, utc_now
from kiosk.security import has_pin, set_pin, verify_pin
from kiosk.settings import load_settings, read_file
from kiosk.store import Store
from kiosk.ui.admin import AdminEntry, AdminScreen, Drive
from kiosk.ui.theme import Metrics

PIN = "2468"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _record(name: str) -> SignupRecord:
    return SignupRecord(
        id=str(uuid.uuid4()),
        created_at=iso_ms(utc_now()),
        device_id="tent-test",
        name=name,
        email="someone@example.org",
        phone=None,
        interests=("prayer",),
        consents={"email": True},
        consent_text={"email": "Yes, you may email me."},
        donation_ref=new_donation_ref("NH"),
        content_version="test",
    )


@pytest.fixture
def store(data_dir):
    with Store(data_dir / "kiosk.db") as s:
        yield s


@pytest.fixture
def make_screen(qtbot, data_dir, store, tmp_path):
    def make(*, pin: str | None = PIN, clock=None, size=(1280, 800)) -> AdminScreen:
        if pin:
            set_pin(data_dir, pin)
        settings = load_settings(data_dir)
        screen = AdminScreen(store, settings, tmp_path, clock=clock or Clock())
        screen.drive_finder = list  # no real USB sticks in tests
        qtbot.addWidget(screen)
        screen.resize(*size)
        screen.show()
        qtbot.waitExposed(screen)
        return screen

    return make


def _button(root: QWidget, name: str) -> QPushButton:
    found = [
        b for b in root.findChildren(QPushButton) if b.accessibleName() == name and b.isVisible()
    ]
    assert len(found) == 1, f"expected one visible button named {name!r}, found {len(found)}"
    return found[0]


def _tap(qtbot, root: QWidget, name: str) -> None:
    qtbot.mouseClick(_button(root, name), Qt.MouseButton.LeftButton)


def _type_pin(qtbot, screen: AdminScreen, pin: str) -> None:
    for digit in pin:
        _tap(qtbot, screen.pad, digit)
    _tap(qtbot, screen.pad, "OK")


def _unlock(qtbot, screen: AdminScreen) -> None:
    screen.open()
    _type_pin(qtbot, screen, PIN)
    assert screen.showing_panel


# -- opening -------------------------------------------------------------------------


@pytest.fixture
def window(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_hotkey_requests_admin(qtbot, window):
    entry = AdminEntry(window, "Ctrl+Alt+Shift+A", window)
    window.activateWindow()
    with qtbot.waitSignal(entry.requested, timeout=1000):
        qtbot.keyClick(
            window,
            Qt.Key.Key_A,
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.AltModifier
            | Qt.KeyboardModifier.ShiftModifier,
        )


def test_invalid_hotkey_falls_back_to_the_default_with_a_warning(window, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.admin"):
        entry = AdminEntry(window, "Ctrl+Banana+", window)
    assert entry.hotkey == "Ctrl+Alt+Shift+A"
    assert "admin.hotkey" in caplog.text


CORNER = QPoint(20, 20)


def _corner_taps(qtbot, window, clock, count, step_s, pos=CORNER):
    for _ in range(count):
        qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=pos)
        clock.now += step_s


def test_five_quick_taps_in_the_top_left_corner_request_admin(qtbot, window):
    clock = Clock()
    entry = AdminEntry(window, "", window, clock=clock)
    with qtbot.waitSignal(entry.requested, timeout=500):
        _corner_taps(qtbot, window, clock, 5, 0.5)


def test_four_taps_are_not_enough(qtbot, window):
    clock = Clock()
    entry = AdminEntry(window, "", window, clock=clock)
    with qtbot.assertNotEmitted(entry.requested):
        _corner_taps(qtbot, window, clock, 4, 0.5)


def test_taps_spread_over_more_than_three_seconds_do_not_count(qtbot, window):
    clock = Clock()
    entry = AdminEntry(window, "", window, clock=clock)
    with qtbot.assertNotEmitted(entry.requested):
        _corner_taps(qtbot, window, clock, 5, 0.9)


def test_a_tap_elsewhere_starts_the_count_again(qtbot, window):
    clock = Clock()
    entry = AdminEntry(window, "", window, clock=clock)
    with qtbot.assertNotEmitted(entry.requested):
        _corner_taps(qtbot, window, clock, 3, 0.1)
        _corner_taps(qtbot, window, clock, 1, 0.1, pos=QPoint(900, 500))
        _corner_taps(qtbot, window, clock, 3, 0.1)
    with qtbot.waitSignal(entry.requested, timeout=500):
        _corner_taps(qtbot, window, clock, 2, 0.1)


def test_corner_taps_still_reach_the_kiosk(qtbot, window):
    clock = Clock()
    AdminEntry(window, "", window, clock=clock)
    target = QPushButton("corner", window)
    target.setGeometry(0, 0, 100, 100)
    target.show()
    clicks = []
    target.clicked.connect(lambda: clicks.append(1))
    _corner_taps(qtbot, target, clock, 5, 0.1)
    assert len(clicks) == 5


# -- PIN -------------------------------------------------------------------------------


def test_first_use_asks_for_a_new_pin_twice_and_stores_only_its_hash(qtbot, make_screen, data_dir):
    screen = make_screen(pin=None)
    screen.open()
    assert screen.pad.mode == "choose"
    _type_pin(qtbot, screen, "9081")
    assert screen.pad.mode == "confirm"
    _type_pin(qtbot, screen, "9081")
    assert screen.showing_panel
    text = (data_dir / "settings.toml").read_text()
    assert "9081" not in text
    assert verify_pin(read_file(data_dir)["admin.pin_hash"], "9081")


def test_first_use_refuses_a_weak_pin_and_a_mismatch(qtbot, make_screen, data_dir):
    screen = make_screen(pin=None)
    screen.open()
    _type_pin(qtbot, screen, "1111")
    assert screen.pad.mode == "choose"
    _type_pin(qtbot, screen, "9081")
    _type_pin(qtbot, screen, "9082")
    assert screen.pad.mode == "choose"
    assert not screen.showing_panel
    assert not has_pin(data_dir)


def test_right_pin_opens_the_panel_and_typed_digits_show_as_dots(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    for digit in PIN[:3]:
        _tap(qtbot, screen.pad, digit)
    assert screen.pad.typed_count == 3
    _tap(qtbot, screen.pad, PIN[3])
    _tap(qtbot, screen.pad, "OK")
    assert screen.showing_panel
    assert screen.pad.typed_count == 0


def test_physical_keyboard_digits_backspace_and_enter_work(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    qtbot.keyClicks(screen.pad, PIN + "9")
    qtbot.keyClick(screen.pad, Qt.Key.Key_Backspace)
    qtbot.keyClick(screen.pad, Qt.Key.Key_Return)
    assert screen.showing_panel


def test_wrong_pin_says_how_many_tries_are_left(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    _type_pin(qtbot, screen, "9999")
    assert "Wrong PIN — 4 tries left" in screen.pad.findChild(QWidget, "pinMessage").text()
    assert not screen.showing_panel


def test_five_wrong_pins_lock_the_pad_which_then_refuses_input(qtbot, make_screen, data_dir):
    clock = Clock()
    screen = make_screen(clock=clock)
    screen.open()
    for _ in range(5):
        _type_pin(qtbot, screen, "9999")
    message = screen.pad.findChild(QWidget, "pinMessage").text()
    assert message.startswith("Locked — try again in 0:3")
    assert screen.pad.locked
    assert not _button(screen.pad, "5").isEnabled()
    qtbot.keyClicks(screen.pad, PIN)
    qtbot.keyClick(screen.pad, Qt.Key.Key_Return)
    assert screen.pad.typed_count == 0
    assert not screen.showing_panel
    # Reopening (or restarting) keeps the lock.
    screen.open()
    assert screen.pad.locked
    assert (data_dir / "admin-lockout.json").exists()


def test_change_pin_needs_the_old_pin_then_the_new_one_twice(qtbot, make_screen, data_dir):
    screen = make_screen()
    _unlock(qtbot, screen)
    _tap(qtbot, screen, "Change PIN")
    assert screen.pad.mode == "current"
    _type_pin(qtbot, screen, "9999")
    assert screen.pad.mode == "current"
    _type_pin(qtbot, screen, PIN)
    _type_pin(qtbot, screen, "5173")
    _type_pin(qtbot, screen, "5173")
    assert screen.showing_panel
    assert verify_pin(read_file(data_dir)["admin.pin_hash"], "5173")


def test_cancel_on_the_pin_pad_closes_admin(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    with qtbot.waitSignal(screen.closed, timeout=500):
        _tap(qtbot, screen.pad, "Cancel")


# -- the panel ------------------------------------------------------------------------


def test_panel_shows_the_counts_and_todays_chart(qtbot, make_screen, store):
    for name in ("Aoife", "Seán", "Zoë"):
        store.save_signup(_record(name))
    screen = make_screen()
    _unlock(qtbot, screen)
    values = {
        card.accessibleName(): card.findChild(QWidget, "statValue").text()
        for card in screen.findChildren(QWidget, "statCard")
    }
    assert values == {
        "Total sign-ups": "3",
        "Sign-ups today": "3",
        "Not yet synced": "3",
        "Not yet exported": "3",
    }
    assert sum(screen.chart.counts) == 3
    assert screen.chart.counts == store.hourly_counts()


def test_export_writes_a_csv_of_every_sign_up_into_the_chosen_folder(
    qtbot, make_screen, store, tmp_path
):
    names = ["Aoife Ní Bhriain", "Seán Ó Briain", "=cmd|' /C calc'!A0"]
    for name in names:
        store.save_signup(_record(name))
    screen = make_screen()
    _unlock(qtbot, screen)
    out = tmp_path / "export-here"
    out.mkdir()
    screen.set_export_folder(out)
    _tap(qtbot, screen, "Export")
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    files = list(out.glob("*.csv"))
    assert len(files) == 1, screen.export_message
    with open(files[0], encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    for name in names[:2]:
        assert name in text
    assert len(list(csv.reader(text.splitlines()))) == 4
    assert screen.export_message.startswith("Saved 3 sign-ups to ")
    assert "safe to remove" not in screen.export_message
    assert store.stats().unexported == 0


def test_export_to_a_usb_stick_says_it_is_safe_to_remove(
    qtbot, make_screen, store, tmp_path, monkeypatch
):
    store.save_signup(_record("Aoife"))
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    monkeypatch.setattr("kiosk.ui.admin.os.path.ismount", lambda path: Path(path) == stick)
    screen = make_screen()
    screen.drive_finder = lambda: [Drive(stick, "KINGSTON", True, 1_000_000)]
    _unlock(qtbot, screen)
    _tap(qtbot, screen, "Format JSONL")
    _tap(qtbot, screen, "Export")
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    assert len(list(stick.glob("*.jsonl"))) == 1
    assert screen.export_message.endswith("safe to remove the stick")


def test_a_failed_export_is_reported_in_the_panel(qtbot, make_screen, store, tmp_path):
    store.save_signup(_record("Aoife"))
    screen = make_screen()
    _unlock(qtbot, screen)
    screen.set_export_folder(tmp_path / "gone")  # does not exist
    _tap(qtbot, screen, "Export")
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    assert screen.export_message.startswith("Not exported")
    assert "is the USB stick plugged in?" in screen.export_message
    assert not (tmp_path / "gone").exists()
    assert store.stats().unexported == 1


def test_reset_kiosk_asks_the_controller_and_closes(qtbot, make_screen):
    screen = make_screen()
    _unlock(qtbot, screen)
    with qtbot.waitSignals([screen.reset_requested, screen.closed], timeout=500):
        _tap(qtbot, screen, "Reset kiosk")


def test_exit_kiosk_asks_first_and_cancel_keeps_it_running(qtbot, make_screen):
    screen = make_screen()
    _unlock(qtbot, screen)
    with qtbot.assertNotEmitted(screen.exit_requested):
        _tap(qtbot, screen, "Exit kiosk")
        _tap(qtbot, screen, "Cancel")
    with qtbot.waitSignal(screen.exit_requested, timeout=500):
        _tap(qtbot, screen, "Exit kiosk")
        _tap(qtbot, screen, "Confirm exit kiosk")


def test_sync_now_asks_the_controller_and_shows_its_progress(qtbot, make_screen):
    screen = make_screen()
    _unlock(qtbot, screen)
    with qtbot.waitSignal(screen.sync_requested, timeout=500):
        _tap(qtbot, screen, "Sync now")
    screen.set_sync_status("Syncing…", True)
    screen.set_sync_progress(100, 250)
    assert not screen.sync_button.isEnabled()
    screen.set_sync_status("All sent.", False)
    assert screen.sync_button.isEnabled()


def test_wipe_is_disabled_until_everything_is_exported_and_needs_wipe_typed(
    qtbot, make_screen, store, tmp_path
):
    for name in ("Aoife", "Seán"):
        store.save_signup(_record(name))
    screen = make_screen()
    _unlock(qtbot, screen)
    assert not _button(screen, "Wipe data").isEnabled()
    screen.set_export_folder(tmp_path)
    _tap(qtbot, screen, "Export")
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    assert _button(screen, "Wipe data").isEnabled()

    _tap(qtbot, screen, "Wipe data")
    confirm = _button(screen, "Confirm wipe data")
    for letter in "WIP":
        _tap(qtbot, screen, f"Letter {letter}")
    assert not confirm.isEnabled()
    _tap(qtbot, screen, "Letter E")
    assert screen.wipe_input.text() == "WIPE"
    assert confirm.isEnabled()
    assert store.stats().total == 2
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert store.stats().total == 0
    assert list(tmp_path.glob("*.csv")), "wiping never deletes the export"


def test_wipe_also_allowed_when_everything_is_synced(qtbot, make_screen, store):
    rec = store.save_signup(_record("Aoife"))
    store.mark_synced([rec.id])
    screen = make_screen()
    _unlock(qtbot, screen)
    assert _button(screen, "Wipe data").isEnabled()


def test_admin_closes_itself_when_left_idle(qtbot, make_screen):
    screen = make_screen()
    screen.idle_ms = 50
    _unlock(qtbot, screen)
    with qtbot.waitSignal(screen.closed, timeout=2000):
        pass
    assert not screen.showing_panel  # the next person needs the PIN again


def test_hiding_admin_stops_its_timers_even_mid_lockout(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    for _ in range(5):
        _type_pin(qtbot, screen, "9999")
    assert any(t.isActive() for t in screen.findChildren(QTimer))
    screen.hide()
    assert not [t.objectName() for t in screen.findChildren(QTimer) if t.isActive()]


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_panel_fits_the_screen_with_touch_sized_named_buttons(qtbot, make_screen, size):
    screen = make_screen(size=size)
    _unlock(qtbot, screen)
    hint = screen.minimumSizeHint()
    panel = screen.findChild(QWidget, "adminPanel")
    assert panel.minimumSizeHint().width() <= size[0]
    assert panel.minimumSizeHint().height() <= size[1]
    assert hint.isValid()
    touch = Metrics(*size).touch
    for button in panel.findChildren(QPushButton):
        assert button.accessibleName(), button.text()
        if button.isVisible():
            assert button.height() >= touch, button.text()

"""Admin: the PIN step and lockout, the counts, funnel and sync cards, reset, exit, wipe, idle."""
# ruff: noqa: F811 - pytest fixtures imported from admin_support

from __future__ import annotations

import itertools
import os

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.security import verify_pin
from kiosk.settings import read_file
from kiosk.ui.theme import Metrics
from tests.ui.admin_support import (  # noqa: F401 - fixtures
    PIN,
    Clock,
    find_button,
    make_screen,
    record,
    store,
    tap,
    type_pin,
    unlock,
)


def _message(screen) -> str:
    return screen.pad.findChild(QWidget, "pinMessage").text()


# -- PIN -------------------------------------------------------------------------------


def test_no_pin_means_set_up_again_never_a_visitor_chosen_pin(qtbot, make_screen, data_dir):
    screen = make_screen(pin=None)
    with qtbot.waitSignal(screen.setup_needed, timeout=500):
        screen.open()
    assert screen.pad.mode != "choose"
    assert not screen.showing_panel
    # Digits typed anyway set nothing.
    qtbot.keyClicks(screen.pad, "9081")
    qtbot.keyClick(screen.pad, Qt.Key.Key_Return)
    assert "admin.pin_hash" not in read_file(data_dir)


def test_right_pin_opens_the_panel_and_typed_digits_show_as_dots(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    for digit in PIN[:3]:
        tap(qtbot, screen.pad, digit)
    assert screen.pad.typed_count == 3
    tap(qtbot, screen.pad, PIN[3])
    tap(qtbot, screen.pad, "OK")
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
    type_pin(qtbot, screen, "9999")
    assert "Wrong PIN — 4 tries left" in _message(screen)
    assert not screen.showing_panel


def test_wrong_pins_lock_the_pad_growing_but_never_past_five_minutes(qtbot, make_screen, data_dir):
    clock = Clock()
    screen = make_screen(clock=clock)
    screen.open()
    for _ in range(5):
        type_pin(qtbot, screen, "9999")
    assert _message(screen).startswith("Locked — try again in 0:3")
    assert screen.pad.locked
    assert not find_button(screen.pad, "5").isEnabled()
    qtbot.keyClicks(screen.pad, PIN)
    qtbot.keyClick(screen.pad, Qt.Key.Key_Return)
    assert not screen.showing_panel
    waits = []
    for _ in range(8):
        clock.now += screen.pin.guard.locked_for()
        screen.open()  # the pad is free again: one more wrong try
        type_pin(qtbot, screen, "9999")
        waits.append(screen.pin.guard.locked_for())
    assert waits[:3] == [60, 120, 240]
    assert max(waits) == 300
    assert _message(screen) == "Locked — try again in 5:00"
    # Reopening keeps the lock; the file makes it survive a restart.
    screen.open()
    assert screen.pad.locked
    assert (data_dir / "admin-lockout.json").exists()
    clock.now += 300
    screen.open()
    type_pin(qtbot, screen, PIN)
    assert screen.showing_panel


def test_change_pin_needs_the_old_pin_then_the_new_one_twice(qtbot, make_screen, data_dir):
    screen = make_screen()
    unlock(qtbot, screen)
    tap(qtbot, screen, "Change PIN")
    assert screen.pad.mode == "current"
    type_pin(qtbot, screen, "9999")
    assert screen.pad.mode == "current"
    type_pin(qtbot, screen, PIN)
    type_pin(qtbot, screen, "5173")
    type_pin(qtbot, screen, "5173")
    assert screen.showing_panel
    assert verify_pin(read_file(data_dir)["admin.pin_hash"], "5173")
    notice = screen.findChild(QLabel, "notice")
    assert notice.isVisible() and notice.text() == "PIN changed."
    # A later action clears the banner.
    tap(qtbot, screen, "Show Export")
    assert not notice.isVisible()


def test_cancel_on_the_pin_pad_closes_admin_and_is_a_full_touch_target(qtbot, make_screen):
    screen = make_screen(size=(1920, 1080))
    screen.open()
    cancel = find_button(screen.pad, "Cancel")
    assert cancel.height() >= 60
    with qtbot.waitSignal(screen.closed, timeout=500):
        tap(qtbot, screen.pad, "Cancel")


# -- the panel ------------------------------------------------------------------------


def test_panel_shows_the_counts_and_todays_chart(qtbot, make_screen, store):
    for name in ("Aoife", "Seán", "Zoë"):
        store.save_signup(record(name))
    screen = make_screen()
    unlock(qtbot, screen)
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
    chart = screen.chart_card.chart
    assert sum(chart.counts) == 3
    assert chart.counts == store.hourly_counts()


def test_one_sign_up_is_singular(qtbot, make_screen, store):
    store.save_signup(record("Aoife"))
    screen = make_screen()
    unlock(qtbot, screen)
    assert screen.findChild(QLabel, "adminSubtitle").text().endswith("· 1 sign-up stored")


def test_todays_funnel_counts_the_recorded_events_with_rates(qtbot, make_screen, store):
    for kind, n in (
        ("slide_shown", 200),
        ("engage", 20),
        ("form_started", 10),
        ("signup_saved", 5),
        ("qr_shown", 5),
    ):
        for _ in range(n):
            store.record_event(kind)
    screen = make_screen()
    unlock(qtbot, screen)
    steps = screen.funnel_card.chart.funnel.steps
    assert [(s.key, s.count, s.rate_text()) for s in steps] == [
        ("slides_shown", 200, ""),
        ("taps", 20, "10%"),
        ("started", 10, "50%"),
        ("saved", 5, "50%"),
        ("qr_shown", 5, "100%"),
    ]
    assert "Taps: 20 (10% of the step before)" in screen.funnel_card.chart.accessibleDescription()


def test_reset_kiosk_asks_the_controller_and_closes(qtbot, make_screen):
    screen = make_screen()
    unlock(qtbot, screen)
    with qtbot.waitSignals([screen.reset_requested, screen.closed], timeout=500):
        tap(qtbot, screen, "Reset kiosk")


def test_exit_kiosk_asks_first_and_cancel_keeps_it_running(qtbot, make_screen):
    screen = make_screen()
    unlock(qtbot, screen)
    with qtbot.assertNotEmitted(screen.exit_requested):
        tap(qtbot, screen, "Exit kiosk")
        tap(qtbot, screen, "Cancel")
    with qtbot.waitSignal(screen.exit_requested, timeout=500):
        tap(qtbot, screen, "Exit kiosk")
        tap(qtbot, screen, "Confirm exit kiosk")


def test_sync_now_asks_the_controller_and_shows_its_progress(qtbot, make_screen):
    screen = make_screen()
    screen.set_sync_available(True)
    unlock(qtbot, screen)
    with qtbot.waitSignal(screen.sync_requested, timeout=500):
        tap(qtbot, screen, "Sync now")
    screen.set_sync_status("Syncing…", True)
    screen.set_sync_progress(100, 250)
    assert not screen.sync_card.button.isEnabled()
    screen.set_sync_status("All sent.", False)
    assert screen.sync_card.button.isEnabled()


def test_sync_now_is_disabled_with_its_reason_when_sync_is_off(qtbot, make_screen):
    screen = make_screen()
    unlock(qtbot, screen)
    button = find_button(screen, "Sync now")
    assert not button.isEnabled()
    status = screen.sync_card.status
    assert status.isVisible() and "no office address" in status.text()
    assert "no office address" in button.accessibleDescription()
    screen.set_sync_status("Sync is off: set sync.url or sync.folder first.", False)
    assert not button.isEnabled()
    assert "sync.url" not in status.text() and "the office address" in status.text()


def test_sync_errors_are_shown_in_plain_words(qtbot, make_screen, store):
    rec = store.save_signup(record("Aoife"))
    store.mark_failed([rec.id], "sync.secret is wrong for sync.url", retry_in_s=60)
    screen = make_screen()
    unlock(qtbot, screen)
    text = screen.sync_card.last_error.text()
    assert "sync." not in text
    assert "the sync password is wrong for the office address" in text


def test_wipe_is_disabled_until_everything_is_exported_and_needs_wipe_typed(
    qtbot, make_screen, store, tmp_path
):
    for name in ("Aoife", "Seán"):
        store.save_signup(record(name))
    screen = make_screen()
    unlock(qtbot, screen)
    assert not find_button(screen, "Wipe data").isEnabled()
    screen.show_tab("export")
    screen.set_export_folder(tmp_path)
    tap(qtbot, screen.export_card, "Export")
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    screen.show_tab("overview")
    assert find_button(screen, "Wipe data").isEnabled()

    tap(qtbot, screen, "Wipe data")
    confirm = find_button(screen, "Confirm wipe data")
    for letter in "WIP":
        tap(qtbot, screen, f"Letter {letter}")
    assert not confirm.isEnabled()
    tap(qtbot, screen, "Letter E")
    assert screen.danger.wipe_input.text() == "WIPE"
    assert confirm.isEnabled()
    assert store.stats().total == 2
    # An export killed midway on another stick left its half-written staging folder.
    from kiosk.exporting.staging import Staging

    other = tmp_path / "other-stick"
    other.mkdir()
    killed = Staging(other, store.path.parent)
    (killed.path / "signups.csv").write_text("Aoife,aoife@example.org\n")
    os.close(killed._lock)  # the process died: its lock went with it
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert store.stats().total == 0
    assert not killed.path.exists()
    assert list(tmp_path.glob("*.csv")), "wiping never deletes the export"
    assert screen.findChild(QLabel, "notice").text() == "Wiped 2 sign-ups from this kiosk."


def test_wipe_also_allowed_when_everything_is_synced(qtbot, make_screen, store):
    rec = store.save_signup(record("Aoife"))
    store.mark_synced([rec.id])
    screen = make_screen()
    unlock(qtbot, screen)
    assert find_button(screen, "Wipe data").isEnabled()


def test_admin_closes_itself_when_left_idle(qtbot, make_screen):
    screen = make_screen()
    screen.idle_ms = 50
    unlock(qtbot, screen)
    with qtbot.waitSignal(screen.closed, timeout=2000):
        pass
    assert not screen.showing_panel  # the next person needs the PIN again


def test_hiding_admin_stops_its_timers_even_mid_lockout(qtbot, make_screen):
    screen = make_screen()
    screen.open()
    for _ in range(5):
        type_pin(qtbot, screen, "9999")
    assert any(t.isActive() for t in screen.findChildren(QTimer))
    screen.hide()
    assert not [t.objectName() for t in screen.findChildren(QTimer) if t.isActive()]


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
@pytest.mark.parametrize("tab", ["overview", "export", "find"])
def test_every_tab_fits_with_touch_sized_named_buttons(qtbot, make_screen, size, tab):
    screen = make_screen(size=size)
    # The longest case: a broken content pack named at the top.
    screen.set_content_problem(['slides[3].value: expected a number, got "76k"' * 2, "x"])
    unlock(qtbot, screen)
    screen.show_tab(tab)
    qtbot.wait(1)
    panel = screen.findChild(QWidget, "adminPanel")
    assert panel.minimumSizeHint().width() <= size[0]
    assert panel.minimumSizeHint().height() <= size[1]
    # Every target at least 60 px at 1080p (scaled down, never below 60 px).
    touch = max(60, Metrics(*size).px(60))
    for button in panel.findChildren(QPushButton):
        assert button.accessibleName(), button.text()
        if button.isVisible() and button.window() is screen.window():
            assert button.height() >= min(touch, Metrics(*size).touch), (
                button.accessibleName(),
                button.height(),
            )


def test_a_broken_content_pack_is_named_at_the_top_of_the_panel_and_stays(qtbot, make_screen):
    screen = make_screen()
    screen.set_content_problem(['slides[3].value: expected a number, got "76k"', "x: bad"])
    unlock(qtbot, screen)
    banner = screen.pack_problem
    assert banner.isVisible()
    assert 'slides[3].value: expected a number, got "76k"' in banner.text()
    assert "(+1 more)" in banner.text() and "last pack that worked" in banner.text()
    screen.show_tab("find")
    assert not banner.isVisible()  # Find needs the room for its keyboard
    screen.show_tab("overview")  # later actions clear notices, never this
    assert banner.isVisible()
    screen.set_content_problem(None)
    assert not banner.isVisible()


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
@pytest.mark.parametrize("hour", [0, 1, 5, 12, 22, 23])
def test_hour_labels_are_never_clipped_or_overlapping(qtbot, make_screen, size, hour):
    screen = make_screen(size=size)
    unlock(qtbot, screen)
    chart = screen.chart_card.chart
    chart.set_counts([1] * 24, hour)
    labels = chart.hour_labels()
    texts = [t for _, t, _ in labels]
    assert f"{hour:02d}" in texts  # the current hour is always labelled
    bounds = chart.rect()
    for rect, text, _ in labels:
        assert bounds.contains(rect.toAlignedRect()), (text, rect, bounds)
    rects = sorted((r for r, _, _ in labels), key=lambda r: r.left())
    for a, b in itertools.pairwise(rects):
        assert a.right() <= b.left(), (a, b)

"""The attract loop: per-slide timing on an injected clock, swipes, keys and the give QR."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.ui.attract import AttractScreen
from kiosk.ui.slide_paint import format_stat


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def content():
    return load_content(DEFAULT_CONTENT_DIR)


@pytest.fixture
def screen(qtbot, content):
    clock = FakeClock()
    widget = AttractScreen(content, clock=clock)
    widget.clock = clock
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def test_each_slide_shows_for_its_own_duration(screen, content):
    durations = [s.duration_s for s in content.slides]
    assert len(set(durations)) > 1, "the pack should exercise per-slide durations"
    for i in range(len(content.slides) + 1):
        assert screen.index == i % len(content.slides)
        screen.clock.now += durations[i % len(durations)] - 0.05
        screen.tick()
        assert screen.index == i % len(content.slides), "advanced too early"
        screen.clock.now += 0.1
        screen.tick()


def test_the_loop_wraps_to_the_first_slide(screen, content):
    screen.go_to(len(content.slides) - 1)
    screen.next()
    assert screen.index == 0
    screen.previous()
    assert screen.index == len(content.slides) - 1


def test_arrow_keys_browse_and_other_keys_engage(qtbot, screen):
    QTest.keyClick(screen, Qt.Key.Key_Right)
    QTest.keyClick(screen, Qt.Key.Key_Right)
    assert screen.index == 2
    QTest.keyClick(screen, Qt.Key.Key_Left)
    assert screen.index == 1
    with qtbot.waitSignal(screen.engaged, timeout=500):
        QTest.keyClick(screen, Qt.Key.Key_Space)
    with qtbot.waitSignal(screen.engaged, timeout=500):
        QTest.keyClick(screen, Qt.Key.Key_A)


def _drag(screen, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(screen, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(screen, end)
    QTest.mouseRelease(screen, Qt.MouseButton.LeftButton, pos=end)


def test_swipe_left_goes_forward_and_right_goes_back(qtbot, screen):
    with qtbot.assertNotEmitted(screen.engaged):
        _drag(screen, QPoint(900, 400), QPoint(300, 410))
        assert screen.index == 1
        _drag(screen, QPoint(300, 400), QPoint(900, 390))
        assert screen.index == 0


def test_a_tap_engages_and_does_not_change_slide(qtbot, screen):
    with qtbot.waitSignal(screen.engaged, timeout=500):
        QTest.mouseClick(screen, Qt.MouseButton.LeftButton, pos=QPoint(640, 400))
    assert screen.index == 0


def test_slide_shown_is_emitted_for_analytics(qtbot, screen):
    with qtbot.waitSignal(screen.slide_shown, timeout=500) as blocker:
        screen.next()
    assert blocker.args == [1]


def test_scan_to_give_qr_carries_campaign_parameters(screen, content):
    url = screen.donate_qr_url
    assert url.startswith(content.links.donate_url)
    for key, value in content.links.campaign.items():
        assert f"{key}={value}" in url
    assert "ref=" not in url


def test_timer_sleeps_between_slides_and_stops_when_hidden(qtbot, screen):
    screen.clock.now += 5  # past the count-up and transition
    screen.tick()
    assert screen._timer.isActive() and screen._timer.interval() > 1000
    screen.hide()
    assert not screen._timer.isActive()


def test_stat_numbers_are_formatted_with_thousands_and_units():
    assert format_stat(76000, "", "+") == "76,000+"
    assert format_stat(86, "", "%") == "86%"
    assert format_stat(9967, "", "") == "9,967"


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_every_slide_paints_something_different_at_every_size(qtbot, screen, content, size):
    screen.resize(*size)
    pictures = set()
    for i in range(len(content.slides)):
        screen.go_to(i)
        screen.clock.now += 3
        image = screen.grab().toImage()
        assert (image.width(), image.height()) == size
        pictures.add(bytes(image.constBits()))
    assert len(pictures) == len(content.slides)


def test_pause_holds_the_slide_until_play_and_a_tap_on_it_never_engages(qtbot, screen, content):
    from tests.ui.touchkit import Finger

    engaged = []
    screen.engaged.connect(lambda: engaged.append(1))
    finger = Finger(screen)
    finger.tap(screen.pause_button)
    assert screen.paused and screen.pause_button.text() == "Play"
    assert not engaged
    screen.clock.now += 10 * content.slides[0].duration_s
    screen.tick()
    assert screen.index == 0  # held
    finger.tap(screen.pause_button)
    assert not screen.paused
    screen.clock.now += content.slides[0].duration_s
    screen.tick()
    assert screen.index == 1


def test_signed_up_today_is_a_count_never_a_name(screen):
    screen.set_today(None)
    assert screen.today_text == ""
    screen.set_today(1)
    assert screen.today_text == "1 person signed up today"
    screen.set_today(1234)
    assert screen.today_text == "1,234 people signed up today"

"""Get involved, Thank you and "Are you still there?", driven as a visitor would."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import Content, load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.ui.idle import IdleOverlay
from kiosk.ui.involved import InvolvedScreen
from kiosk.ui.thanks import ThanksScreen
from kiosk.ui.widgets import QrCode


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(DEFAULT_CONTENT_DIR)


def shown(qtbot, widget: QWidget, size: tuple[int, int] = (1280, 800)) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def label_texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)]


def active_timers(widget: QWidget) -> list[QTimer]:
    return [t for t in widget.findChildren(QTimer) if t.isActive()]


# -- Get involved --------------------------------------------------------------


@pytest.fixture
def involved(qtbot, content) -> InvolvedScreen:
    screen = shown(qtbot, InvolvedScreen(content))
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.tiles[0])
    return screen


def test_a_tile_per_interest_in_content_order_named_for_screen_readers(involved, content):
    assert [t.key for t in involved.tiles] == [i.key for i in content.interests]
    for tile, interest in zip(involved.tiles, content.interests, strict=True):
        assert interest.label in tile.accessibleName()
        assert interest.description in tile.accessibleName()
        assert tile.height() >= 2 * 60


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_tapping_a_tile_chooses_its_interest(qtbot, involved, content, index):
    tile = involved.tiles[index]
    with qtbot.waitSignal(involved.chosen, timeout=1000) as blocker:
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton, pos=tile.rect().center())
    assert blocker.args == [content.interests[index].key]


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_enter_or_space_on_the_focused_first_tile_chooses_it(qtbot, involved, content, key):
    with qtbot.waitSignal(involved.chosen, timeout=1000) as blocker:
        qtbot.keyClick(QApplication.focusWidget(), key)
    assert blocker.args == [content.interests[0].key]


def test_back_emits_back_and_chooses_nothing(qtbot, involved):
    with qtbot.assertNotEmitted(involved.chosen), qtbot.waitSignal(involved.back, timeout=1000):
        qtbot.mouseClick(involved.back_button, Qt.MouseButton.LeftButton)


def test_tab_walks_the_tiles_in_order_then_back(qtbot, involved):
    visited = [QApplication.focusWidget()]
    for _ in range(len(involved.tiles)):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [*involved.tiles, involved.back_button]


def test_focus_returns_to_the_first_tile_each_time_the_screen_is_shown(qtbot, content):
    stack = QStackedWidget()
    other = QLineEdit()
    involved = InvolvedScreen(content)
    stack.addWidget(other)
    stack.addWidget(involved)
    shown(qtbot, stack)
    stack.setCurrentWidget(involved)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is involved.tiles[0])
    involved.tiles[2].setFocus()
    stack.setCurrentWidget(other)
    other.setFocus()
    stack.setCurrentWidget(involved)
    assert QApplication.focusWidget() is involved.tiles[0]


def test_just_scan_qr_is_the_donation_page_with_campaign_and_no_ref(involved, content):
    query = parse_qs(urlsplit(involved.donate_qr_url).query)
    assert involved.donate_qr_url.startswith(content.links.donate_url)
    assert query["utm_medium"] == ["kiosk"]
    assert "ref" not in query


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_tiles_and_back_fit_on_screen_without_overlapping(qtbot, content, size):
    screen = shown(qtbot, InvolvedScreen(content), size)
    rects = [w.geometry() for w in (*screen.tiles, screen.back_button)]
    for i, rect in enumerate(rects):
        assert screen.rect().contains(rect), (size, i, rect)
        assert rect.height() >= 60
        assert not any(rect.intersects(other) for other in rects[i + 1 :]), (size, i)


# -- Thank you -----------------------------------------------------------------

REF = "NH-7F3KQ2"


def test_thanks_greets_by_first_name_only(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("Aoife Ní Bhriain", REF)
    texts = label_texts(screen)
    assert "Thank you, Aoife" in texts
    assert not any("Bhriain" in t for t in texts)


def test_thanks_without_a_name_has_no_dangling_comma(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("   ", REF)
    assert "Thank you" in label_texts(screen)


def test_a_name_that_looks_like_html_is_shown_as_typed(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("<b>Seán</b>", REF)
    named = [lb for lb in screen.findChildren(QLabel) if "<b>Seán</b>" in lb.text()]
    assert named
    assert all(lb.textFormat() == Qt.TextFormat.PlainText for lb in named)


def test_thanks_qr_carries_the_ref_and_campaign_and_the_ref_is_printed(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("Aoife", REF)
    parts = urlsplit(screen.qr_url)
    query = parse_qs(parts.query)
    assert screen.qr_url.startswith(content.links.donate_url)
    assert query["ref"] == [REF]
    assert query["utm_medium"] == ["kiosk"]
    for name, value in content.links.campaign.items():
        assert query[name] == [value]
    assert REF in label_texts(screen)


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_thanks_qr_is_large_and_fully_on_screen(qtbot, content, size):
    screen = shown(qtbot, ThanksScreen(content), size)
    screen.show_for("Aoife", REF)
    (qr,) = screen.findChildren(QrCode)
    side = min(qr.width(), qr.height())
    assert side >= 0.4 * min(size)
    top_left = qr.mapTo(screen, QPoint(0, 0))
    assert screen.rect().contains(qr.rect().translated(top_left))


def test_thanks_times_out_with_done(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content, timeout_ms=30))
    with qtbot.waitSignal(screen.done, timeout=2000):
        screen.show_for("Aoife", REF)
    assert not active_timers(screen)


def test_thanks_timeout_defaults_to_the_content_pack(qtbot, content):
    screen = ThanksScreen(content)
    qtbot.addWidget(screen)
    assert screen.timeout_ms == content.timing.thank_you_s * 1000


def test_done_emits_done_once_and_stops_the_timeout(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("Aoife", REF)
    assert active_timers(screen)
    with qtbot.waitSignal(screen.done, timeout=1000):
        qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    assert not active_timers(screen)


def test_hiding_thanks_cancels_its_timeout(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("Aoife", REF)
    screen.hide()
    assert not active_timers(screen)


def test_clear_leaves_no_trace_of_the_visitor(qtbot, content):
    screen = shown(qtbot, ThanksScreen(content))
    screen.show_for("Aoife", REF)
    screen.clear()
    for label in screen.findChildren(QLabel):
        assert "Aoife" not in label.text()
        assert "Aoife" not in label.accessibleName()
        assert REF not in label.text()
    assert screen.qr_url == ""
    assert all(qr.data == "" for qr in screen.findChildren(QrCode))


# -- Are you still there? -------------------------------------------------------


class Window(QWidget):
    """A stand-in for the kiosk window: a form field under the overlay."""

    def __init__(self, content: Content) -> None:
        super().__init__()
        self.field = QLineEdit(self)
        QVBoxLayout(self).addWidget(self.field)
        self.overlay = IdleOverlay(content, self)


@pytest.fixture
def window(qtbot, content) -> Window:
    window = shown(qtbot, Window(content))
    window.field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.field)
    return window


def test_overlay_counts_down_each_tick_then_expires(qtbot, window):
    overlay = window.overlay
    overlay.tick_ms = 60_000  # ticks are driven by hand below
    overlay.start(3)
    assert overlay.isVisible()
    assert overlay.geometry() == window.rect()
    (timer,) = active_timers(overlay)
    seen = [overlay.remaining]
    with qtbot.assertNotEmitted(overlay.expired):
        for _ in range(2):
            timer.timeout.emit()
            seen.append(overlay.remaining)
    with qtbot.waitSignal(overlay.expired, timeout=1000):
        timer.timeout.emit()
    assert seen == [3, 2, 1]
    assert not overlay.isVisible()
    assert not active_timers(overlay)


def test_overlay_expires_on_its_own_with_a_short_tick(qtbot, window):
    window.overlay.tick_ms = 5
    with qtbot.waitSignal(window.overlay.expired, timeout=2000):
        window.overlay.start(3)
    assert not window.overlay.isVisible()


def test_overlay_starts_from_the_content_pack_countdown(window, content):
    window.overlay.tick_ms = 60_000
    window.overlay.start()
    assert window.overlay.remaining == content.timing.idle_countdown_s
    window.overlay.cancel()


def test_a_tap_on_the_overlay_keeps_the_visitor_and_stops_the_countdown(qtbot, window):
    overlay = window.overlay
    overlay.start(5)
    with qtbot.assertNotEmitted(overlay.expired), qtbot.waitSignal(overlay.kept, timeout=1000):
        qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert not overlay.isVisible()
    assert not active_timers(overlay)


def test_the_still_here_button_keeps_the_visitor(qtbot, window):
    window.overlay.start(5)
    with qtbot.waitSignal(window.overlay.kept, timeout=1000):
        qtbot.mouseClick(window.overlay.button, Qt.MouseButton.LeftButton)
    assert not active_timers(window.overlay)


def test_a_key_keeps_the_visitor_but_never_types_into_the_form_beneath(qtbot, window):
    window.overlay.start(5)
    with qtbot.waitSignal(window.overlay.kept, timeout=1000):
        qtbot.keyClick(window.field, "x")
    assert window.field.text() == ""
    assert QApplication.focusWidget() is window.field
    qtbot.keyClick(window.field, "y")
    assert window.field.text() == "y"


def test_a_tap_meant_for_the_form_is_swallowed_while_the_overlay_shows(qtbot, window):
    window.overlay.start(5)
    window.field.setText("Aoife")
    window.field.setCursorPosition(0)
    with qtbot.waitSignal(window.overlay.kept, timeout=1000):
        qtbot.mouseClick(window.field, Qt.MouseButton.LeftButton, pos=window.field.rect().center())
    assert window.field.cursorPosition() == 0


def test_cancel_hides_without_emitting(qtbot, window):
    window.overlay.start(5)
    with (
        qtbot.assertNotEmitted(window.overlay.kept),
        qtbot.assertNotEmitted(window.overlay.expired),
    ):
        window.overlay.cancel()
    assert not window.overlay.isVisible()
    assert not active_timers(window.overlay)


def test_overlay_follows_the_window_size(qtbot, window):
    window.overlay.start(5)
    window.resize(1080, 1920)
    qtbot.waitUntil(lambda: window.overlay.geometry() == window.rect())
    window.overlay.cancel()


def test_overlay_is_named_for_screen_readers(window):
    assert window.overlay.accessibleName() == "Are you still there?"
    assert window.overlay.button.accessibleName() == "I'm still here"

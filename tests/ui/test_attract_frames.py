"""Attract frames: what the screen shows while slides push and count is what a fresh paint shows.

The loop scrolls the pixels already on screen and paints only the strip a push
uncovers, from cached slide pictures. These tests read the window's backing store
(the offscreen platform's grabWindow) and compare it with a full repaint (grab).
"""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image, ImageChops
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QPushButton

from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.qr import qr_matrix
from kiosk.ui.attract import AttractScreen
from kiosk.ui.motion import FRAME_S
from kiosk.ui.qr_view import qr_qimage

SIZE = (960, 600)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pil(image: QImage) -> Image.Image:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())[: rgb.bytesPerLine() * rgb.height()]
    return Image.frombytes(
        "RGB", (rgb.width(), rgb.height()), data, "raw", "RGB", rgb.bytesPerLine()
    )


def mismatch(screen: AttractScreen) -> int:
    """Pixels where the screen differs visibly from a full repaint at the same moment."""
    shown = QGuiApplication.primaryScreen().grabWindow(screen.winId()).toImage()
    fresh = screen.grab().toImage()
    diff = ImageChops.difference(pil(shown), pil(fresh)).convert("L")
    # Text drawn into an opaque picture blends a shade differently from text drawn
    # straight onto the window; a seam, a stale strip or a ghost is far beyond that.
    return sum(diff.histogram()[80:])


@pytest.fixture
def screen(qtbot, qapp):
    clock = FakeClock()
    widget = AttractScreen(load_content(DEFAULT_CONTENT_DIR), clock=clock)
    widget.clock = clock
    qtbot.addWidget(widget)
    widget.resize(*SIZE)
    widget.show()
    qtbot.waitExposed(widget)
    qapp.processEvents()
    return widget


def run_frames(qapp, screen: AttractScreen, seconds: float, check_every: int = 0) -> list[int]:
    bad = []
    for i in range(round(seconds / FRAME_S)):
        screen.clock.now += FRAME_S
        screen.tick()
        qapp.processEvents()
        if check_every and i % check_every == 0:
            bad.append(mismatch(screen))
    return bad


@pytest.mark.parametrize("direction", [1, -1])
def test_every_frame_of_a_push_matches_a_full_repaint_with_a_control_over_the_slides(
    qapp, screen, direction
):
    control = QPushButton("Aa", screen)  # like the text-size and pause controls
    control.setGeometry(200, 200, 90, 90)
    control.show()
    screen.clock.now += 3
    screen.tick()
    qapp.processEvents()
    assert mismatch(screen) == 0
    screen.next() if direction > 0 else screen.previous()
    qapp.processEvents()
    bad = run_frames(qapp, screen, 0.8, check_every=4)
    assert max(bad) < 40, bad
    assert mismatch(screen) < 40


def test_a_count_up_ends_showing_the_final_number(qapp, screen):
    stat = next(i for i, s in enumerate(screen.content.slides) if s.kind == "stat")
    screen.go_to(stat)
    qapp.processEvents()
    run_frames(qapp, screen, 2.2)
    assert mismatch(screen) < 40


def test_one_slide_picture_is_kept_and_none_while_hidden(qapp, screen):
    for _ in range(3):
        screen.next()
        run_frames(qapp, screen, 2.0)
    assert len(screen._frames.layers) == 1
    screen.hide()
    assert len(screen._frames.layers) == 0


def test_between_slides_the_loop_sleeps_on_a_coarse_timer_and_frames_are_precise(qapp, screen):
    screen.next()
    qapp.processEvents()
    frames = 0
    while screen._timer.timerType() == Qt.TimerType.PreciseTimer:
        assert screen._timer.interval() <= 17
        screen.clock.now += screen._timer.interval() / 1000
        screen.tick()
        qapp.processEvents()
        frames += 1
    assert 0.7 / FRAME_S - 2 <= frames <= 0.7 / FRAME_S + 2  # 60 fps for the push
    # Then one sleep to draw the next slide ahead of time, and one until it is due.
    assert screen._timer.interval() > 1000
    screen.clock.now += screen._timer.interval() / 1000
    screen.tick()
    assert len(screen._frames.layers) == 1
    assert screen._frames.key(screen.index + 1) in screen._frames.layers
    assert screen._timer.timerType() == Qt.TimerType.CoarseTimer
    assert screen._timer.interval() <= 301
    screen.clock.now += screen._timer.interval() / 1000
    screen.tick()
    assert screen.index == 2


@pytest.mark.parametrize("side", [121, 240, 333, 600])
def test_on_screen_qr_is_whole_pixel_modules_that_decode(side):
    url = "https://www.ijm.org.uk/give?utm_source=kiosk&utm_medium=stand&utm_campaign=nh"
    image = qr_qimage(url, side)
    modules = len(qr_matrix(url))
    assert image.width() == image.height() <= side
    assert image.width() % modules == 0
    found = zxingcpp.read_barcodes(pil(image), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in found] == [url]


def test_layer_cache_keeps_the_newest_and_hands_the_evicted_buffer_to_the_next_build(qapp):
    from PySide6.QtGui import QColor

    from kiosk.ui.layers import LayerCache, render_layer

    cache = LayerCache(keep=1)
    spares = []

    def build(spare):
        spares.append(spare)
        return render_layer(64, 32, 1.0, QColor("#0B2545"), lambda p: None, object(), spare)

    first = cache.get("a", build)
    assert cache.get("a", build) is first and spares == [None]  # kept, not rebuilt
    second = cache.get("b", build)
    assert "a" not in cache and len(cache) == 1
    assert spares[1] is first.pixmap  # drawn over the evicted buffer
    assert second.pixmap.cacheKey() == first.pixmap.cacheKey()
    assert not second.pixmap.hasAlphaChannel()  # opaque: a frame copies it, no blending
    cache.clear()  # the loop is hidden: no pictures, but the buffer is kept for the next
    assert len(cache) == 0
    third = cache.get("c", build)
    assert spares[2] is second.pixmap and third.pixmap.cacheKey() == first.pixmap.cacheKey()

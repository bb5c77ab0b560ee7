"""The attract loop: full-bleed slides that tell IJM's story until someone taps.

One painted widget rather than a widget per slide: it keeps memory flat and
lets the loop sleep between slides (one single-shot timer), animating only
during a transition or a count-up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.content import Content, Slide
from kiosk.ui.attract_chrome import AttractChrome
from kiosk.ui.attract_controls import controls_stylesheet, place_controls
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.layers import Live, draw_picture
from kiosk.ui.motion import FramePacer, SlidePlan, ease_out, next_wake
from kiosk.ui.reach import ReachButton, reach
from kiosk.ui.slide_frames import SlideFrames
from kiosk.ui.slide_paint import format_stat, paint_quote, paint_stat, paint_story
from kiosk.ui.speaker import SpeakerButton, slide_parts
from kiosk.ui.theme import Metrics
from kiosk.ui.touch import install_touch

COUNT_UP_S = 1.2
SWIPE_FRACTION = 0.06  # of the width: shorter drags are taps

__all__ = ["AttractScreen", "ease_out", "format_stat"]


class AttractScreen(QWidget):
    """The slideshow.

    Signals:
        engaged(): a tap (not a swipe) or a key other than the arrows.
        slide_shown(int): a slide became current (index), for analytics.
    """

    engaged = Signal()
    slide_shown = Signal(int)

    def __init__(
        self,
        content: Content,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.content = content
        self._clock = clock
        self._index = 0
        self._previous: int | None = None
        self._direction = 1
        self._shown_at = clock()
        self._press: QPointF | None = None
        self._timer = QTimer(self)
        self._timer.setObjectName("attract-tick")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick)
        # 60 fps while something moves (kiosk/ui/motion.py), from cached pictures of
        # the slides (kiosk/ui/slide_frames.py); between animations the loop sleeps.
        self._frames = SlideFrames(self)
        self._pacer = FramePacer()
        self._capture: list[Live] | None = None
        self._wake_why = "advance"
        self.count_up_s = COUNT_UP_S
        self.chrome = AttractChrome(self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(content.text("attract.name"))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._paused_elapsed: float | None = None
        self._today: int | None = None
        # Real buttons over the painted loop: WCAG 2.2.2 pause, "Aa", language, read aloud.
        self.pause_button = QPushButton(content.text("reach.pause"), self)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setAccessibleName(content.text("reach.pause"))
        self.pause_button.toggled.connect(self.set_paused)
        self.aa = ReachButton(content.text("reach.aa"), content.text("reach.aa_name"), self)
        self.language = LanguageButton(self)
        self.speaker = SpeakerButton(self, self, relayout=self._place_buttons)
        self.controls = (self.pause_button, self.aa, self.language, self.speaker)
        for button in self.controls:
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        reach().changed.connect(self._on_reach)
        self._styled_for: tuple[float, bool, bool] | None = None
        install_touch(self)

    def set_content(self, content: Content) -> None:
        """The same slides in the visitor's language: new words, pictures painted again."""
        self.content = content
        self.setAccessibleName(content.text("attract.name"))
        label = content.text("reach.resume" if self.paused else "reach.pause")
        self.pause_button.setText(label)
        self.pause_button.setAccessibleName(label)
        self.aa.setText(content.text("reach.aa"))
        self.aa.setAccessibleName(content.text("reach.aa_name"))
        self._frames.layers.clear()  # the cached slide pictures hold the old words
        self._styled_for = None
        self._place_buttons()
        self.update()

    # -- state -------------------------------------------------------------

    @property
    def index(self) -> int:
        return self._index

    @property
    def slide(self) -> Slide:
        return self.content.slides[self._index]

    @property
    def donate_qr_url(self) -> str:
        return self.chrome.qr_url

    def spoken_parts(self) -> list[str]:
        return slide_parts(self.content, self.slide)

    def go_to(self, index: int, direction: int = 1) -> None:
        count = len(self.content.slides)
        self._previous = self._index
        self._index = index % count
        self._direction = direction
        self._shown_at = self._clock()
        if self.paused:  # browsing by hand while paused: no animation, no timer
            self._previous = None
            self._paused_elapsed = self._transition_s() + COUNT_UP_S
        self.slide_shown.emit(self._index)
        self._schedule()
        if self.paused:  # the new slide at rest, whole
            self._frames.stop()
            self.update()
        else:
            self._frames.start_push()

    def next(self) -> None:
        self.go_to(self._index + 1, 1)

    def previous(self) -> None:
        self.go_to(self._index - 1, -1)

    def restart(self) -> None:
        """Back to the first slide, as when the kiosk returns to the loop."""
        self._previous = None
        self._frames.stop()
        self._index = 0
        self._paused_elapsed = None
        self.pause_button.setChecked(False)
        self._shown_at = self._clock()
        self.slide_shown.emit(0)
        self._schedule()
        self.update()

    @property
    def paused(self) -> bool:
        return self._paused_elapsed is not None

    def set_paused(self, paused: bool) -> None:
        """Hold the current slide (WCAG 2.2.2) or carry on from where it was."""
        if paused == self.paused:
            return
        if paused:
            self._paused_elapsed = self._elapsed()
            self._timer.stop()
        else:
            self._shown_at = self._clock() - (self._paused_elapsed or 0.0)
            self._paused_elapsed = None
            self._schedule()
        label = self.content.text("reach.resume" if paused else "reach.pause")
        self.pause_button.setText(label)
        self.pause_button.setAccessibleName(label)
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)
        self.update()

    def set_today(self, count: int | None) -> None:
        """Show "N people signed up today" (an aggregate), or nothing for None or 0."""
        self._today = count
        self.update()

    @property
    def today_text(self) -> str:
        if not self._today:
            return ""
        if self._today == 1:
            return self.content.text("attract.today_one")
        return self.content.text("attract.today", count=f"{self._today:,}")

    def _on_reach(self) -> None:
        self._styled_for = None
        self._frames.layers.clear()  # the slides' pictures hold the old text size
        if self.isVisible():  # hidden screens catch up when shown: a toggle stays quick
            self._place_buttons()
            self.update()

    def resizeEvent(self, event: object) -> None:
        self._place_buttons()

    def _place_buttons(self) -> None:
        m = Metrics(max(1, self.width()), max(1, self.height()))
        key = (m.scale, m.portrait, reach().enhanced)
        if key != self._styled_for:
            self._styled_for = key
            self.setStyleSheet(controls_stylesheet(self.content.brand, m))
        place_controls(self.controls, m, self.content.brand.logo is not None)

    def _elapsed(self) -> float:
        if self._paused_elapsed is not None:
            return self._paused_elapsed
        return self._clock() - self._shown_at

    def _transition_s(self) -> float:
        return self.content.timing.transition_ms / 1000

    def _plan(self) -> SlidePlan:
        return SlidePlan(
            transition_s=self._transition_s(),
            count_s=COUNT_UP_S if self.slide.kind == "stat" else 0.0,
            duration_s=self.slide.duration_s,
            pushed=self._previous is not None,
        )

    def _animating(self) -> bool:
        return self._plan().animating(self._elapsed())

    def tick(self) -> None:
        """Advance if the slide's time is up; a frame while animating."""
        if self._elapsed() >= self.slide.duration_s:
            self.next()
            return
        if self._wake_why == "prepare":
            self._frames.prepare_next()
        else:
            self._frames.frame(counting=self._wake_why == "frame")
        self._schedule()

    def _schedule(self) -> None:
        if not self.isVisible() or self.paused:
            return
        plan, now = self._plan(), self._clock()
        prepared = self._frames.next_prepared()
        wake = next_wake(plan, self._elapsed(), self._pacer, now, next_prepared=prepared)
        self._wake_why = wake.why
        self._timer.setTimerType(
            Qt.TimerType.PreciseTimer if wake.precise else Qt.TimerType.CoarseTimer
        )
        # Rounded up: a wake a fraction of a millisecond early would cost a second frame.
        self._timer.start(max(1, math.ceil(wake.delay_s * 1000)))

    def showEvent(self, event: object) -> None:
        if self._styled_for is None:
            self._place_buttons()
        self._schedule()

    def hideEvent(self, event: object) -> None:
        self._timer.stop()
        self._frames.layers.clear()  # a visitor is signing up: the pictures will be stale

    def prepare_return(self) -> None:
        """While the loop is hidden (a visitor reads the thank-you screen): draw the
        picture restart() shows first, so Done is quick. Into the buffer hideEvent kept.
        Not for a visitor in large text or another language: Done puts those back, and
        the picture would be drawn again anyway."""
        r = reach()
        if not self.isVisible() and not r.enhanced and r.language == r.default_language:
            self._frames.prepare_first()

    # -- input ---------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        dx = event.position().x() - self._press.x()
        self._press = None
        if abs(dx) >= max(40.0, self.width() * SWIPE_FRACTION):
            self.previous() if dx > 0 else self.next()
        else:
            self.engaged.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Left:
            self.previous()
        elif key == Qt.Key.Key_Right:
            self.next()
        elif key in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
            event.ignore()
        elif event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            event.ignore()  # shortcuts (Admin) are not visitors engaging
        else:
            self.engaged.emit()

    # -- painting ------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        m = Metrics(self.width(), self.height())
        # Frames repaint (part of) the slide area only; the chrome when it changes.
        if self._frames.paint(p, event.region(), m):
            self.chrome.paint(p, m)
        p.end()

    def _area(self) -> QRectF:
        """Where slides are drawn: below the top row of controls, above the progress dots."""
        m = Metrics(self.width(), self.height())
        top = m.px(130)
        chrome = AttractChrome.height(m)
        return QRectF(0, top, self.width(), self.height() - top - chrome - m.px(20))

    @staticmethod
    def format_number(slide: Slide, value: float) -> str:
        return format_stat(round(value), slide.prefix, slide.suffix)

    def _paint_slide(
        self, p: QPainter, slide: Slide, area: QRectF, m: Metrics, *, count_progress: float
    ) -> None:
        margin = m.margin * (1.6 if not m.portrait else 1.0)
        inner = area.adjusted(margin, 0, -margin, 0)
        text_rect, image_rect = self._split(inner, slide, m)
        if slide.image is not None and image_rect is not None:
            draw_picture(p, slide.image, image_rect)  # into the slide's cached picture
        painter = {
            "stat": paint_stat,
            "quote": paint_quote,
        }.get(slide.kind, paint_story)
        # While a slide's picture is drawn, the count-up number is left out for frames.
        painter(p, self.content, slide, text_rect, m, count_progress, capture=self._capture)

    def _split(self, inner: QRectF, slide: Slide, m: Metrics) -> tuple[QRectF, QRectF | None]:
        if slide.image is None:
            return inner, None
        if m.portrait:
            image_h = inner.height() * 0.42
            return (
                QRectF(
                    inner.left(),
                    inner.top() + image_h + m.px(40),
                    inner.width(),
                    inner.height() - image_h - m.px(40),
                ),
                QRectF(inner.left(), inner.top(), inner.width(), image_h),
            )
        text_w = inner.width() * 0.56
        return (
            QRectF(inner.left(), inner.top(), text_w, inner.height()),
            QRectF(
                inner.left() + text_w + m.px(60),
                inner.top(),
                inner.width() - text_w - m.px(60),
                inner.height(),
            ),
        )

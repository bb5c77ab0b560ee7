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
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
)
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.content import Content, Slide
from kiosk.ui.attract_controls import controls_stylesheet, paint_hand, place_controls
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.layers import Live, draw_picture
from kiosk.ui.motion import FramePacer, SlidePlan, ease_out, next_wake
from kiosk.ui.reach import ReachButton, reach
from kiosk.ui.slide_frames import SlideFrames
from kiosk.ui.slide_paint import format_stat, paint_quote, paint_stat, paint_story
from kiosk.ui.speaker import SpeakerButton, slide_parts
from kiosk.ui.theme import Metrics, font
from kiosk.ui.touch import install_touch
from kiosk.ui.widgets import image_pixmap, qr_qimage

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
        self._qr_url = content.links.donate_url_for()
        self._qr_cache: tuple[int, object] | None = None
        self._painted_once = False
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
        return self._qr_url

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
        picture restart() shows first, so Done is quick. Into the buffer hideEvent kept."""
        if not self.isVisible():
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
            self._paint_chrome(p, m, self._chrome_height(m))
        p.end()

    def _area(self) -> QRectF:
        """Where slides are drawn: below the top row of controls, above the progress dots."""
        m = Metrics(self.width(), self.height())
        top = m.px(130)
        chrome = self._chrome_height(m)
        return QRectF(0, top, self.width(), self.height() - top - chrome - m.px(20))

    @staticmethod
    def format_number(slide: Slide, value: float) -> str:
        return format_stat(round(value), slide.prefix, slide.suffix)

    def _controls_right(self) -> int:
        """The right edge of the controls in the top row (the logo's when there are none)."""
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        edges = [
            child.geometry().right()
            for child in self.findChildren(QWidget, options=direct)
            if child.isVisibleTo(self) and child.geometry().top() < self.height() // 4
        ]
        return max(edges, default=0)

    def _chrome_height(self, m: Metrics) -> int:
        return m.px(320) if m.portrait else m.px(270)

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

    def _paint_chrome(self, p: QPainter, m: Metrics, height: int) -> None:
        """Always visible: logo, progress dots, "Tap to get involved", "Scan to give"."""
        brand = self.content.brand
        w, h = self.width(), self.height()
        margin = m.margin
        if brand.logo is not None:
            logo = image_pixmap(brand.logo, m.px(200), m.px(80))
            p.drawPixmap(margin, m.px(40), logo)
        r = reach()
        soft = QColor(brand.text if r.contrast else "#C9D5E6")
        # The tagline takes what the top row of controls leaves: smaller, then elided.
        left = self._controls_right() + m.px(24)
        room = max(0, w - margin - left)
        tagline = brand.tagline.upper()
        size = r.text(m.px(26))
        tag_font = font(size, QFont.Weight.DemiBold)
        while size > m.px(18) and QFontMetrics(tag_font).horizontalAdvance(tagline) > room:
            size -= 1
            tag_font = font(size, QFont.Weight.DemiBold)
        tagline = QFontMetrics(tag_font).elidedText(tagline, Qt.TextElideMode.ElideRight, room)
        p.setFont(tag_font)
        p.setPen(soft)
        p.drawText(
            QRectF(left, m.px(40), room, m.px(80)),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            tagline,
        )

        bar = QRectF(0, h - height, w, height)
        shade = QLinearGradient(0, bar.top(), 0, bar.bottom())
        shade.setColorAt(0, QColor(0, 0, 0, 0))
        shade.setColorAt(1, QColor(0, 0, 0, 90))
        p.fillRect(bar, shade)

        count = len(self.content.slides)
        dot, gap = m.px(12), m.px(14)
        total = count * dot + (count - 1) * gap + dot
        x = (w - total) / 2
        y = bar.top() - m.px(8)
        for i in range(count):
            current = i == self._index
            p.setBrush(QColor(brand.accent) if current else QColor(255, 255, 255, 90))
            p.setPen(Qt.PenStyle.NoPen)
            width = dot * 2 if current else dot
            p.drawRoundedRect(QRectF(x, y, width, dot), dot / 2, dot / 2)
            x += width + gap

        label_h = reach().text(m.px(40))
        qr_side = height - m.px(70) - (label_h - m.px(40))
        qr_x = w - margin - qr_side
        qr_y = bar.top() + m.px(20)
        p.setBrush(QColor("#FFFFFF"))
        p.drawRoundedRect(QRectF(qr_x, qr_y, qr_side, qr_side), m.px(14), m.px(14))
        if self._qr_cache is None and not self._painted_once:
            # The very first frame shows the story without the code: making it loads
            # the QR and imaging libraries (~0.1 s). It follows one event later.
            self._painted_once = True
            QTimer.singleShot(0, self.update)
        else:
            if self._qr_cache is None or self._qr_cache[0] != qr_side:
                # The code's own quiet zone is the white margin inside the box.
                self._qr_cache = (qr_side, qr_qimage(self._qr_url, qr_side))
            image = self._qr_cache[1]
            p.drawImage(
                QPointF(
                    qr_x + (qr_side - image.width()) / 2, qr_y + (qr_side - image.height()) / 2
                ),
                image,
            )
        # Centred under the code and never past the screen's edge: smaller, then elided
        # (translations run longer than "Scan to give").
        centre = qr_x + qr_side / 2
        label_w = min(qr_side + m.px(160), 2 * (w - centre) - m.px(16))
        label = self.content.screens.scan_to_give
        size = r.text(m.px(24))
        label_font = font(size, QFont.Weight.DemiBold)
        while size > m.px(16) and QFontMetrics(label_font).horizontalAdvance(label) > label_w:
            size -= 1
            label_font = font(size, QFont.Weight.DemiBold)
        label = QFontMetrics(label_font).elidedText(label, Qt.TextElideMode.ElideRight, label_w)
        p.setFont(label_font)
        p.setPen(QColor(brand.text))
        p.drawText(
            QRectF(centre - label_w / 2, qr_y + qr_side + m.px(4), label_w, label_h),
            int(Qt.AlignmentFlag.AlignHCenter),
            label,
        )

        # The call to action: a large pill, breathing slowly enough to cost nothing.
        pill_h = max(m.touch, m.px(120))
        pill_font = font(m.px(48), QFont.Weight.Bold)
        text = self.content.screens.attract_cta
        pill_w = QFontMetrics(pill_font).horizontalAdvance(text) + m.px(190)
        pill_x = (w - pill_w) / 2 if m.portrait else margin
        if m.portrait:
            pill_x = margin
            pill_w = min(pill_w, qr_x - margin - m.px(40))
        pill = QRectF(pill_x, bar.top() + (height - pill_h) / 2, pill_w, pill_h)
        p.setBrush(QColor(brand.accent))
        p.drawRoundedRect(pill, pill_h / 2, pill_h / 2)
        p.setPen(QColor(brand.ink))
        p.setFont(pill_font)
        p.drawText(
            pill.adjusted(m.px(40), 0, -m.px(110), 0), int(Qt.AlignmentFlag.AlignCenter), text
        )
        paint_hand(
            p, QPointF(pill.right() - m.px(70), pill.center().y()), m.px(22), QColor(brand.ink)
        )
        today = self.today_text
        if today:
            p.setFont(font(r.text(m.px(26)), QFont.Weight.DemiBold))
            p.setPen(soft)
            p.drawText(
                QRectF(pill.left() + m.px(8), bar.top(), w, pill.top() - bar.top()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                today,
            )

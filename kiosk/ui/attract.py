"""The attract loop: full-bleed slides that tell IJM's story until someone taps.

One painted widget rather than a widget per slide: it keeps memory flat and
lets the loop sleep between slides (one single-shot timer), animating only
during a transition or a count-up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
)
from PySide6.QtWidgets import QWidget

from kiosk.content import Content, Slide
from kiosk.ui.layers import Live, draw_picture
from kiosk.ui.motion import FramePacer, SlidePlan, ease_out, next_wake
from kiosk.ui.slide_frames import SlideFrames
from kiosk.ui.theme import Metrics, font
from kiosk.ui.widgets import image_pixmap, qr_qimage

COUNT_UP_S = 1.2
SWIPE_FRACTION = 0.06  # of the width: shorter drags are taps

__all__ = ["AttractScreen", "ease_out", "format_stat"]


def format_stat(value: float, prefix: str, suffix: str) -> str:
    shown = f"{value:,.0f}" if value >= 1000 or value == int(value) else f"{value:,.1f}"
    return f"{prefix}{shown}{suffix}"


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
        self.setAccessibleName("IJM story slideshow. Tap anywhere to get involved.")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

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

    def go_to(self, index: int, direction: int = 1) -> None:
        count = len(self.content.slides)
        self._previous = self._index
        self._index = index % count
        self._direction = direction
        self._shown_at = self._clock()
        self.slide_shown.emit(self._index)
        self._schedule()
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
        self._shown_at = self._clock()
        self.slide_shown.emit(0)
        self._schedule()
        self.update()

    def _elapsed(self) -> float:
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
        if not self.isVisible():
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
        self._schedule()

    def hideEvent(self, event: object) -> None:
        self._timer.stop()
        self._frames.layers.clear()  # a visitor is signing up: the pictures will be stale

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
        """Where slides are drawn: between the logo line and the chrome at the bottom."""
        m = Metrics(self.width(), self.height())
        top = m.px(120)
        return QRectF(0, top, self.width(), self.height() - top - self._chrome_height(m))

    @staticmethod
    def format_number(slide: Slide, value: float) -> str:
        return format_stat(round(value), slide.prefix, slide.suffix)

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
            "stat": self._paint_stat,
            "quote": self._paint_quote,
        }.get(slide.kind, self._paint_story)
        painter(p, slide, text_rect, m, count_progress)

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

    def _text_block(
        self,
        p: QPainter,
        rect: QRectF,
        items: list[tuple[str, QFont, QColor, int]],
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        live: int | None = None,
    ) -> None:
        """Lay out paragraphs top to bottom, the block centred vertically in `rect`.

        While a slide's picture is drawn, item `live` is left out and noted for frames.
        """
        flags = int(align) | int(Qt.TextFlag.TextWordWrap)
        heights = []
        for text, f, _, gap in items:
            r = QFontMetrics(f).boundingRect(QRect(0, 0, int(rect.width()), 100000), flags, text)
            heights.append(r.height() + gap)
        y = rect.top() + max(0.0, (rect.height() - sum(heights)) / 2)
        for i, ((text, f, colour, _), h) in enumerate(zip(items, heights, strict=True)):
            box = QRectF(rect.left(), y, rect.width(), h)
            if i == live and self._capture is not None:
                self._capture.append(Live(box, f, colour, flags))
            else:
                p.setFont(f)
                p.setPen(colour)
                p.drawText(box, flags, text)
            y += h

    def _paint_story(self, p: QPainter, slide: Slide, rect: QRectF, m: Metrics, _: float) -> None:
        brand = self.content.brand
        cta = slide.kind == "call-to-action"
        items = [
            (
                slide.headline,
                font(m.px(92 if not m.portrait else 96), QFont.Weight.Bold, display=True),
                QColor(brand.accent if cta else brand.text),
                m.px(36),
            )
        ]
        if slide.body:
            items.append((slide.body, font(m.px(40)), QColor(brand.text), 0))
        self._text_block(p, rect, items)

    def _paint_stat(
        self, p: QPainter, slide: Slide, rect: QRectF, m: Metrics, progress: float
    ) -> None:
        brand = self.content.brand
        value = (slide.value or 0) * progress
        number = format_stat(round(value), slide.prefix, slide.suffix)
        big = m.px(300 if not m.portrait else 400)  # shrunk below to fit the final value
        # Shrink the number until the final value fits, so it never jumps size mid-count.
        final = format_stat(slide.value or 0, slide.prefix, slide.suffix)
        while (
            big > m.px(80)
            and QFontMetrics(font(big, QFont.Weight.Black, display=True)).horizontalAdvance(final)
            > rect.width()
        ):
            big = int(big * 0.92)
        items = []
        if slide.headline:
            items.append(
                (
                    slide.headline.upper(),
                    font(m.px(36), QFont.Weight.DemiBold),
                    QColor(brand.text),
                    m.px(8),
                )
            )
        live = len(items)
        items.append(
            (number, font(big, QFont.Weight.Black, display=True), QColor(brand.accent), m.px(12))
        )
        items.append(
            (slide.caption, font(m.px(46), QFont.Weight.Medium), QColor(brand.text), m.px(28))
        )
        if slide.source:
            items.append((f"Source: {slide.source}", font(m.px(24)), QColor("#8DA2BF"), 0))
        self._text_block(p, rect, items, Qt.AlignmentFlag.AlignHCenter, live=live)

    def _paint_quote(self, p: QPainter, slide: Slide, rect: QRectF, m: Metrics, _: float) -> None:
        brand = self.content.brand
        body_rect = rect.adjusted(rect.width() * 0.06, 0, -rect.width() * 0.06, 0)
        # The mark is part of the block, so it sits just above the words at any height.
        self._text_block(
            p,
            body_rect,
            [
                (
                    "“",
                    font(m.px(220), QFont.Weight.Black, display=True),
                    QColor(brand.accent),
                    -m.px(90),
                ),
                (
                    slide.body,
                    font(m.px(64), QFont.Weight.Medium, display=True),
                    QColor(brand.text),
                    m.px(40),
                ),
                (
                    f"— {slide.headline}",
                    font(m.px(36), QFont.Weight.DemiBold),
                    QColor(brand.accent),
                    0,
                ),
            ],
            Qt.AlignmentFlag.AlignHCenter,
        )

    def _paint_chrome(self, p: QPainter, m: Metrics, height: int) -> None:
        """Always visible: logo, progress dots, "Tap to get involved", "Scan to give"."""
        brand = self.content.brand
        w, h = self.width(), self.height()
        margin = m.margin
        if brand.logo is not None:
            logo = image_pixmap(brand.logo, m.px(200), m.px(80))
            p.drawPixmap(margin, m.px(40), logo)
        p.setFont(font(m.px(26), QFont.Weight.DemiBold))
        p.setPen(QColor("#C9D5E6"))
        p.drawText(
            QRectF(0, m.px(40), w - margin, m.px(80)),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            brand.tagline.upper(),
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

        qr_side = height - m.px(70)
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
        p.setFont(font(m.px(24), QFont.Weight.DemiBold))
        p.setPen(QColor(brand.text))
        p.drawText(
            QRectF(qr_x - m.px(40), qr_y + qr_side + m.px(4), qr_side + m.px(80), m.px(40)),
            int(Qt.AlignmentFlag.AlignHCenter),
            self.content.screens.scan_to_give,
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
        self._paint_hand(
            p, QPointF(pill.right() - m.px(70), pill.center().y()), m.px(22), QColor(brand.ink)
        )

    @staticmethod
    def _paint_hand(p: QPainter, centre: QPointF, r: float, colour: QColor) -> None:
        """A tap target symbol: a dot with a ring, drawn rather than loaded."""
        p.setBrush(colour)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(centre, r * 0.45, r * 0.45)
        ring = QPainterPath()
        ring.addEllipse(centre, r, r)
        p.setBrush(Qt.BrushStyle.NoBrush)
        pen = p.pen()
        pen.setStyle(Qt.PenStyle.SolidLine)
        pen.setColor(colour)
        pen.setWidthF(max(2.0, r * 0.16))
        p.setPen(pen)
        p.drawPath(ring)

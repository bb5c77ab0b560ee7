"""The "Are you still there?" overlay: a dimmed screen and a countdown; any touch keeps the visitor.

It is a child of the kiosk window laid over whatever screen is showing, so that screen
(and everything typed on it) stays exactly as it was if the visitor is still there.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk.content import Content
from kiosk.texts import TEXTS
from kiosk.ui.involved import SUBTLE_INK, place
from kiosk.ui.reach import reach
from kiosk.ui.speaker import reader
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, Palette, font
from kiosk.ui.widgets import BigButton, ScaledWidget

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 20  # WCAG 2.2.1: at least 20 s to answer
_INPUT = (
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
)


class _Countdown(QWidget):
    """The seconds left, large, inside a gold ring that empties as time runs out."""

    def __init__(self, colours: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accent, self._ink = colours
        self._left = 0
        self._total = 1
        self._px = 120

    def set_value(self, left: int, total: int) -> None:
        self._left, self._total = left, max(1, total)
        self.setAccessibleName(f"{left} seconds left")
        self.update()

    def set_px(self, px: int) -> None:
        self._px = px
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        side = min(self.width(), self.height())
        stroke = max(6.0, side * 0.07)
        ring = QRectF(
            (self.width() - side) / 2 + stroke / 2,
            (self.height() - side) / 2 + stroke / 2,
            side - stroke,
            side - stroke,
        )
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor("#E3E8EF"), stroke))
        p.drawEllipse(ring)
        pen = QPen(QColor(self._accent), stroke)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        # Clockwise from twelve o'clock, shrinking as the seconds run out.
        span = -round(360 * 16 * self._left / self._total)
        p.drawArc(ring, 90 * 16, span)
        p.setPen(QColor(self._ink))
        p.setFont(font(self._px, QFont.Weight.Black, display=True))
        p.drawText(QRectF(self.rect()), int(Qt.AlignmentFlag.AlignCenter), str(self._left))
        p.end()


class IdleOverlay(ScaledWidget):
    """Screen 5, "Are you still there?", over the current screen.

    Create it as a child of the kiosk window; it follows the window's size. While it
    shows, every tap, click and key press anywhere in that window keeps the visitor and
    never reaches the screen beneath. Focus is left where it was, so the field the
    visitor was typing in (and the on-screen keyboard) is undisturbed.

    Signals:
        kept(): someone touched the screen, pressed a key, or pressed "I'm still here".
        expired(): the countdown reached zero; the controller clears the visitor.
    """

    kept = Signal()
    expired = Signal()

    def __init__(self, content: Content | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.tick_ms = 1000
        pack_s = float(content.timing.idle_countdown_s) if content else DEFAULT_SECONDS
        self._seconds = max(DEFAULT_SECONDS, pack_s)
        self._total = 0
        self._remaining = 0
        self._filtering = False
        if content is not None:
            brand = content.brand
            self._colours = (brand.accent, brand.ink, brand.primary)
        else:
            palette = Palette()
            self._colours = (palette.accent, palette.ink, palette.primary)

        self._timer = QTimer(self)
        self._timer.setObjectName("idle-countdown")
        self._timer.timeout.connect(self._tick)

        self._card = QWidget(self)
        self._card.setObjectName("idleCard")
        self._card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        say = content.text if content is not None else (lambda key: TEXTS[key])
        self._card.setAccessibleName(f"{say('idle.heading')} {say('idle.hint')}")
        self._heading = QLabel(say("idle.heading"), self._card)
        self._heading.setObjectName("idleHeading")
        self._heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._heading.setWordWrap(True)
        self._hint = QLabel(say("idle.hint"), self._card)
        self._hint.setObjectName("idleHint")
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._countdown = _Countdown((self._colours[0], self._colours[1]), self._card)
        self._button = BigButton(say("idle.button"), role="primary", parent=self._card)
        self._button.setObjectName("stillHereButton")
        # Pressing it must not pull focus out of the field the visitor was typing in.
        self._button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._button.clicked.connect(self._keep)

        self.setAccessibleName(say("idle.heading"))
        self.hide()
        if parent is not None:
            parent.installEventFilter(self)
            self.setGeometry(parent.rect())

    def set_content(self, content: Content) -> None:
        """Speak the visitor's language (the controller calls this when it changes)."""
        self.content = content
        say = content.text
        self._card.setAccessibleName(f"{say('idle.heading')} {say('idle.hint')}")
        self._heading.setText(say("idle.heading"))
        self._hint.setText(say("idle.hint"))
        self._button.setText(say("idle.button"))
        self.setAccessibleName(say("idle.heading"))

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def remaining(self) -> int:
        """Whole seconds left on the countdown."""
        return self._remaining

    @property
    def button(self) -> BigButton:
        return self._button

    def start(self, seconds: float | None = None) -> None:
        """Show over the parent and count down from `seconds` (default: the content pack's)."""
        self._styled_for = None  # the visitor may have switched to large text
        self._total = max(1, math.ceil(self._seconds if seconds is None else seconds))
        self._remaining = self._total
        self._show_remaining()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._restyle()
        self._relayout()
        self.raise_()
        self.show()
        if not self._filtering:
            QApplication.instance().installEventFilter(self)
            self._filtering = True
        self._timer.start(self.tick_ms)
        log.info("idle countdown started: %s s", self._total)
        # A visitor who has had screens read to them hears the question too.
        reader().read_if_used([self._heading.text(), self._hint.text()], self)

    def cancel(self) -> None:
        """Hide and stop counting, without emitting anything."""
        self._stop()
        self.hide()

    def _stop(self) -> None:
        self._timer.stop()
        if self._filtering:
            QApplication.instance().removeEventFilter(self)
            self._filtering = False

    def _keep(self) -> None:
        if not self.isVisible():
            return
        self.cancel()
        log.info("idle countdown: visitor still there")
        self.kept.emit()

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining > 0:
            self._show_remaining()
            return
        self.cancel()
        log.info("idle countdown expired")
        self.expired.emit()

    def _show_remaining(self) -> None:
        self._countdown.set_value(self._remaining, self._total)

    # -- input -----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.parentWidget() and kind == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
            return False
        if kind not in _INPUT or not self.isVisible():
            return False
        # Every press in this window, the button's included, keeps the visitor and is
        # swallowed, so a tap or key never reaches the screen beneath.

        if not isinstance(watched, QWidget) or watched.window() is not self.window():
            return False
        self._keep()
        return True

    def hideEvent(self, event: QHideEvent) -> None:
        # Hidden with its window (or by the controller switching screens): stop counting.
        self._stop()
        if reader().reading(self):
            reader().stop()
        super().hideEvent(event)

    # -- look ------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        shade = QColor(self._colours[2]).darker(180)
        shade.setAlpha(215)
        p.fillRect(self.rect(), shade)
        p.end()

    def _apply_style(self, m: Metrics) -> None:
        accent, ink, _ = self._colours
        t = reach().text
        hint_ink = ink if reach().contrast else SUBTLE_INK
        button_h = max(m.touch, m.px(104))
        pressed = QColor(accent).darker(115).name()
        self.setStyleSheet(f"""
            QWidget#idleCard {{ background: #FFFFFF; border-radius: {m.px(40)}px; }}
            QLabel#idleHeading {{
                color: {ink}; font-family: "{DISPLAY_FAMILY}"; font-size: {t(m.px(64))}px;
                font-weight: 700;
            }}
            QLabel#idleHint {{
                color: {hint_ink}; font-family: "{FAMILY}"; font-size: {t(m.px(34))}px;
            }}
            QPushButton#stillHereButton {{
                font-family: "{FAMILY}"; font-size: {t(m.px(38))}px; font-weight: 700;
                color: {ink}; background: {accent}; border: none;
                border-radius: {button_h // 2}px; padding: 0px {m.px(72)}px;
                min-height: {button_h}px; max-height: {button_h}px;
            }}
            QPushButton#stillHereButton:pressed {{ background: {pressed}; }}
        """)
        self._countdown.set_px(m.px(110))

    def _relayout(self) -> None:
        m = self._metrics
        w, h = self.width(), self.height()
        pad = m.px(64)
        card_w = min(m.px(860), w - 2 * m.margin)
        inner = card_w - 2 * pad
        ring = m.px(240)
        button_h = max(m.touch, m.px(104))
        heading_h = self._heading.heightForWidth(inner)
        hint_h = self._hint.heightForWidth(inner)
        card_h = pad + ring + m.px(48) + heading_h + m.px(16) + hint_h + m.px(56) + button_h + pad
        self._card.setGeometry((w - card_w) // 2, (h - card_h) // 2, card_w, card_h)
        y = pad
        self._countdown.setGeometry((card_w - ring) // 2, y, ring, ring)
        y += ring + m.px(48)
        y = place(self._heading, pad, y, inner, heading_h) + m.px(16)
        y = place(self._hint, pad, y, inner, hint_h) + m.px(56)
        button_w = min(inner, max(self._button.sizeHint().width(), m.px(420)))
        self._button.setGeometry((card_w - button_w) // 2, y, button_w, button_h)

"""A big touch PIN pad for the admin: digits, dots for what was typed, a lockout countdown.

It never shows or keeps the digits longer than needed: OK hands them over and clears.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.security import MAX_DIGITS, MIN_DIGITS
from kiosk.ui.theme import FAMILY, Metrics, Palette

log = logging.getLogger(__name__)

TITLES = {
    "enter": "Enter admin PIN",
    "current": "Enter your current PIN",
    "choose": "Choose a new admin PIN",
    "confirm": "Type it again",
}
HINTS = {
    "enter": "",
    "current": "Then you can choose a new one.",
    "choose": f"{MIN_DIGITS} to {MAX_DIGITS} digits — not 1111 or 1234.",
    "confirm": "The same digits once more, to be sure.",
}

_DIGIT_KEYS = {getattr(Qt.Key, f"Key_{d}"): str(d) for d in range(10)}


def format_wait(seconds: float) -> str:
    """ "0:45", "2:00", "1:00:00" for a countdown."""
    total = max(0, math.ceil(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Dots(QWidget):
    """One dot per typed digit (at least four places), never the digits themselves."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._count = 0
        self._diameter = 28
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Digits typed")

    def set_count(self, count: int) -> None:
        self._count = count
        self.setAccessibleDescription(f"{count} digits typed")
        self.update()

    def set_diameter(self, px: int) -> None:
        self._diameter = px
        self.setFixedHeight(round(px * 1.6))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self._diameter * 10, round(self._diameter * 1.6))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        places = max(MIN_DIGITS, self._count)
        d = self._diameter
        gap = d * 0.7
        width = places * d + (places - 1) * gap
        x = (self.width() - width) / 2
        y = (self.height() - d) / 2
        fill = QColor(self._palette.accent)
        ring = QColor(self._palette.text)
        ring.setAlpha(150)
        for i in range(places):
            rect = QRectF(x + i * (d + gap), y, d, d)
            if i < self._count:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(fill)
                painter.drawEllipse(rect)
            else:
                painter.setPen(QPen(ring, max(2.0, d / 10)))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                inset = d / 20
                painter.drawEllipse(rect.adjusted(inset, inset, -inset, -inset))


class PinPad(QWidget):
    """A 3×4 digit pad with a title, dots, a message line and Cancel.

    Signals:
        entered(str): OK (or Enter) with at least one digit typed; the pad has cleared itself.
        cancelled(): Cancel (or Escape).

    Physical digits, Backspace, Enter and Escape work too. `set_locked(seconds)`
    refuses input and counts down; the countdown stops while the pad is hidden.
    """

    entered = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        palette: Palette | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pinPad")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Admin PIN pad")
        self._palette = palette or Palette()
        self._clock = clock
        self._digits = ""
        self._mode = "enter"
        self._locked_until: float | None = None

        self._countdown = QTimer(self)
        self._countdown.setObjectName("pinPadCountdown")
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)

        self._title = QLabel(TITLES["enter"], self)
        self._title.setObjectName("pinTitle")
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._dots = _Dots(self._palette, self)
        self._message = QLabel("", self)
        self._message.setObjectName("pinMessage")
        self._message.setTextFormat(Qt.TextFormat.PlainText)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setProperty("error", False)

        self._buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        self._grid = grid
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok"]
        for index, key in enumerate(labels):
            button = QPushButton(self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            if key == "clear":
                button.setText("Clear")
                button.setAccessibleName("Clear")
                button.setProperty("role", "mod")
                button.clicked.connect(self.reset)
            elif key == "ok":
                button.setText("OK")
                button.setAccessibleName("OK")
                button.setProperty("role", "ok")
                button.clicked.connect(self._submit)
            else:
                button.setText(key)
                button.setAccessibleName(key)
                button.setProperty("role", "digit")
                button.clicked.connect(lambda _=False, d=key: self._type(d))
            self._buttons[key] = button
            grid.addWidget(button, index // 3, index % 3)

        self._cancel = QPushButton("Cancel", self)
        self._cancel.setObjectName("pinCancel")
        self._cancel.setAccessibleName("Cancel")
        self._cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._cancel.setAutoDefault(False)
        self._cancel.clicked.connect(self._on_cancel)

        column = QVBoxLayout()
        self._column = column
        column.addStretch(1)
        column.addWidget(self._title)
        column.addWidget(self._dots)
        column.addWidget(self._message)
        column.addLayout(grid)
        column.addWidget(self._cancel, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column)
        outer.addStretch(1)

        self.set_metrics(Metrics(1920, 1080))
        self._update_enabled()

    # -- methods in ---------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def typed_count(self) -> int:
        """How many digits are typed (the digits themselves are never exposed)."""
        return len(self._digits)

    @property
    def locked(self) -> bool:
        return self._locked_until is not None

    def set_mode(self, mode: str) -> None:
        """ "enter", "current", "choose" or "confirm": the title and hint for that step."""
        if mode not in TITLES:
            raise ValueError(f"PIN pad mode must be one of {tuple(TITLES)}, not {mode!r}")
        self._mode = mode
        self._title.setText(TITLES[mode])
        self.set_message(HINTS[mode])
        self.reset()

    def reset(self) -> None:
        """Forget the typed digits."""
        self._digits = ""
        self._dots.set_count(0)
        self._update_enabled()

    def set_message(self, text: str, error: bool = False) -> None:
        self._message.setText(text)
        self._message.setAccessibleName(text or "No message")
        if self._message.property("error") != error:
            self._message.setProperty("error", error)
            self._message.style().unpolish(self._message)
            self._message.style().polish(self._message)

    def set_title(self, text: str) -> None:
        """Override the step's title (set-up says "Choose an admin PIN")."""
        self._title.setText(text)

    def set_cancel_text(self, text: str | None) -> None:
        """Relabel Cancel ("Choose again" in set-up), or hide it (None)."""
        self._cancel.setVisible(text is not None)
        if text is not None:
            self._cancel.setText(text)
            self._cancel.setAccessibleName(text)

    def set_locked(self, seconds: float) -> None:
        """Refuse input for `seconds`, showing a countdown; 0 unlocks."""
        self.reset()
        if seconds <= 0:
            self._unlock()
            return
        self._locked_until = self._clock() + seconds
        self._show_wait(seconds)
        if self.isVisible():
            self._countdown.start()
        self._update_enabled()

    def set_metrics(self, m: Metrics) -> None:
        """Size keys and text for a screen."""
        key = max(m.touch, m.px(120))
        gap = m.px(20)
        for button in self._buttons.values():
            button.setFixedSize(round(key * 1.45), key)
        self._grid.setSpacing(gap)
        self._column.setSpacing(m.px(24))
        self._dots.set_diameter(m.px(30))
        # A full touch target, like every key (it was a 29 px text link).
        self._cancel.setFixedHeight(max(m.touch, m.px(96)))
        self._cancel.setMinimumWidth(round(key * 2.4))
        self._message.setMinimumHeight(m.px(84))
        self._message.setFixedWidth(3 * round(key * 1.45) + 2 * gap + m.px(120))
        self.setStyleSheet(self._style_sheet(m))

    def _style_sheet(self, m: Metrics) -> str:
        p = self._palette
        key_bg = QColor(p.primary).lighter(160).name()
        key_down = QColor(p.primary).lighter(220).name()
        return f"""
        QWidget#pinPad {{ background: {p.primary}; }}
        QLabel {{ font-family: "{FAMILY}"; color: {p.text}; }}
        QLabel#pinTitle {{ font-size: {m.px(56)}px; font-weight: 700; }}
        QLabel#pinMessage {{ font-size: {m.body_px}px; color: {p.muted}; }}
        QLabel#pinMessage[error="true"] {{ color: {p.accent}; font-weight: 600; }}
        QPushButton {{
            font-family: "{FAMILY}"; font-size: {m.px(48)}px; font-weight: 600;
            color: {p.text}; background: {key_bg}; border: none;
            border-radius: {m.px(18)}px;
        }}
        QPushButton:pressed {{ background: {key_down}; }}
        QPushButton:disabled {{ color: {QColor(p.muted).darker(140).name()};
            background: {QColor(p.primary).lighter(125).name()}; }}
        QPushButton[role="mod"] {{ font-size: {m.px(32)}px; background: transparent;
            border: {max(2, m.px(3))}px solid {key_bg}; }}
        QPushButton[role="ok"] {{ font-size: {m.px(36)}px; font-weight: 700;
            background: {p.accent}; color: {p.ink}; }}
        QPushButton[role="ok"]:pressed {{ background: {QColor(p.accent).darker(115).name()}; }}
        QPushButton[role="ok"]:disabled {{ background: {QColor(p.accent).darker(260).name()};
            color: {QColor(p.muted).darker(140).name()}; }}
        QPushButton#pinCancel {{ font-size: {m.body_px}px; font-weight: 600;
            background: transparent; color: {p.text};
            border: {max(2, m.px(3))}px solid {key_bg}; padding: 0 {m.px(32)}px; }}
        QPushButton#pinCancel:pressed {{ background: {key_down}; }}
        """

    # -- input ----------------------------------------------------------------

    def _type(self, digit: str) -> None:
        if self.locked or len(self._digits) >= MAX_DIGITS:
            return
        self._digits += digit
        self._dots.set_count(len(self._digits))
        self._update_enabled()

    def _backspace(self) -> None:
        if self._digits and not self.locked:
            self._digits = self._digits[:-1]
            self._dots.set_count(len(self._digits))
            self._update_enabled()

    def _submit(self) -> None:
        if self.locked or not self._digits:
            return
        pin = self._digits
        self.reset()
        self.entered.emit(pin)

    def _on_cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _DIGIT_KEYS:
            self._type(_DIGIT_KEYS[key])
        elif key == Qt.Key.Key_Backspace:
            self._backspace()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._submit()
        elif key == Qt.Key.Key_Escape:
            self._on_cancel()
        elif key == Qt.Key.Key_Delete:
            self.reset()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _update_enabled(self) -> None:
        open_ = not self.locked
        for key, button in self._buttons.items():
            if key in ("ok", "clear"):
                button.setEnabled(open_ and bool(self._digits))
            else:
                button.setEnabled(open_ and len(self._digits) < MAX_DIGITS)

    # -- lock countdown ---------------------------------------------------------

    def _show_wait(self, seconds: float) -> None:
        self.set_message(f"Locked — try again in {format_wait(seconds)}", error=True)

    def _tick(self) -> None:
        if self._locked_until is None:
            self._countdown.stop()
            return
        left = self._locked_until - self._clock()
        if left <= 0:
            self._unlock()
        else:
            self._show_wait(left)

    def _unlock(self) -> None:
        was_locked = self._locked_until is not None
        self._locked_until = None
        self._countdown.stop()
        if was_locked:
            self.set_message(HINTS[self._mode] or "You can try again now.")
        self._update_enabled()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._locked_until is not None:
            self._tick()
            if self._locked_until is not None:
                self._countdown.start()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event) -> None:
        self._countdown.stop()
        self.reset()
        super().hideEvent(event)

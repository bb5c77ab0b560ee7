"""How Admin is opened: a hotkey, or five quick taps in the window's top-right corner.

Watched on the whole application, so it works on every screen the window shows
(the "content needs fixing" screen and set-up included). A tap on a control
(a button, a field, a list) never counts: tapping Back again and again must
never open the PIN pad.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QInputDevice, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)

log = logging.getLogger(__name__)

DEFAULT_HOTKEY = "Ctrl+Alt+Shift+A"
_CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
)


def is_control(widget: QWidget | None, top: QWidget) -> bool:
    """Whether `widget`, or a parent below `top`, is something a visitor presses or types in."""
    while widget is not None and widget is not top:
        if isinstance(widget, _CONTROLS) or widget.property("kiosk_control"):
            return True
        widget = widget.parentWidget()
    return False


class AdminEntry(QObject):
    """Watches for the admin hotkey and for five quick taps in the top-right corner.

    Signals:
        requested(): the hotkey was pressed or the corner tapped five times within 3 s.

    Taps are only watched, never consumed: the kiosk still reacts to every one.
    """

    requested = Signal()

    taps_needed = 5
    window_s = 3.0
    corner_px_at_1080p = 120

    def __init__(
        self,
        window: QWidget,
        hotkey: str,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._clock = clock
        self._taps: deque[float] = deque()
        self._last_click: int | None = None
        sequence = key_sequence(hotkey)
        self.hotkey = sequence.toString(QKeySequence.SequenceFormat.PortableText)
        self._shortcut = QShortcut(sequence, window)
        self._shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self._shortcut.activated.connect(self.requested)
        QApplication.instance().installEventFilter(self)

    def corner_size(self) -> int:
        """Side of the top-right square that counts as the corner, in window pixels."""
        w, h = self._window.width(), self._window.height()
        return max(60, round(self.corner_px_at_1080p * min(w, h) / 1080))

    def corner_rect(self) -> QRect:
        size = self.corner_size()
        return QRect(self._window.width() - size, 0, size, size)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not shiboken6.isValid(self._window):
            QApplication.instance().removeEventFilter(self)
            return False
        kind = event.type()
        if kind == QEvent.Type.TouchBegin and event.points():
            # Counted where a finger first arrives, the window itself: widgets and
            # their parents see the same touch again.
            if watched is self._window.windowHandle():
                self._on_tap(event.points()[0].globalPosition().toPoint())
        elif kind == QEvent.Type.MouseButtonPress:
            device = event.device()
            if device is not None and device.type() == QInputDevice.DeviceType.TouchScreen:
                return False  # made from a touch already counted
            # One click reaches several receivers (the window, the widget, its
            # parents) with one timestamp.
            stamp = event.timestamp()
            if stamp != self._last_click:
                self._last_click = stamp
                self._on_tap(event.globalPosition().toPoint())
        return False

    def _on_tap(self, global_pos: QPoint) -> None:
        if not self._window.isVisible():
            return
        local = self._window.mapFromGlobal(global_pos)
        on_control = is_control(self._window.childAt(local), self._window)
        if not self.corner_rect().contains(local) or on_control:
            self._taps.clear()
            return
        now = self._clock()
        self._taps.append(now)
        while self._taps and now - self._taps[0] > self.window_s:
            self._taps.popleft()
        if len(self._taps) >= self.taps_needed:
            self._taps.clear()
            log.info("admin requested by corner taps")
            self.requested.emit()


def key_sequence(hotkey: str) -> QKeySequence:
    """The hotkey as a QKeySequence; the default (with a warning) when it is not one."""
    sequence = QKeySequence.fromString(hotkey or "", QKeySequence.SequenceFormat.PortableText)
    valid = sequence.count() > 0 and all(
        sequence[i].key() != Qt.Key.Key_unknown for i in range(sequence.count())
    )
    if not valid:
        log.warning("admin.hotkey %r is not a key combination; using %s", hotkey, DEFAULT_HOTKEY)
        sequence = QKeySequence.fromString(DEFAULT_HOTKEY, QKeySequence.SequenceFormat.PortableText)
    return sequence

"""A finger for UI tests: real touch sequences (QTest.touchEvent on a TouchScreen device)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QInputDevice
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

SPOKEN = {" ": "Space", "@": "at sign", ".": "full stop", "-": "hyphen", "'": "apostrophe"}


class Finger:
    """Taps and drags a window by touch, counting the taps a visitor would make."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.device = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
        self.taps = 0  # taps on anything but keyboard keys
        self.key_taps = 0  # taps on the on-screen keyboard's keys (typing)

    def _at(self, widget: QWidget, point: QPoint | None = None) -> QPoint:
        local = point if point is not None else widget.rect().center()
        return widget.mapTo(self.window, local)

    def tap(self, widget: QWidget, point: QPoint | None = None, *, typing: bool = False) -> None:
        QApplication.processEvents()  # a finger lands on what is on screen: layout settled
        assert widget.isVisible(), f"tapping a hidden widget: {widget.accessibleName()!r}"
        at = self._at(widget, point)
        QTest.touchEvent(self.window, self.device).press(0, at).commit()
        QTest.touchEvent(self.window, self.device).release(0, at).commit()
        for _ in range(2):  # the keyboard posts its key events after the tap
            QApplication.processEvents()
        if typing:
            self.key_taps += 1
        else:
            self.taps += 1

    def drag(self, widget: QWidget, dy: int, *, dx: int = 0, point: QPoint | None = None) -> None:
        """Press on `widget`, slide dx/dy pixels in small steps, lift."""
        QApplication.processEvents()
        start = self._at(widget, point)
        steps = 12
        QTest.touchEvent(self.window, self.device).press(0, start).commit()
        for i in range(1, steps + 1):
            here = start + QPoint(round(dx * i / steps), round(dy * i / steps))
            QTest.touchEvent(self.window, self.device).move(0, here).commit()
        QTest.touchEvent(self.window, self.device).release(0, here).commit()
        QApplication.processEvents()


def key(keyboard: QWidget, name: str) -> QPushButton:
    """The visible key spoken as `name`; special keys by their English name in any language."""
    from kiosk.ui.keyboard import WORDS

    english = {spoken: word for word, spoken in WORDS.items() if word.endswith("_name")}
    if name in english and hasattr(keyboard, "_words"):
        name = keyboard._words[english[name]]
    found = [
        b
        for b in keyboard.findChildren(QPushButton)
        if b.accessibleName() == name and b.isVisible()
    ]
    assert len(found) == 1, f"expected one visible key {name!r}, found {len(found)}"
    return found[0]


def type_by_touch(finger: Finger, keyboard, text: str) -> None:
    """Type as a visitor does: Shift only when the keyboard is not already capitalising."""
    for ch in text:
        if ch.isupper() and keyboard.shift_state == "off":
            finger.tap(key(keyboard, "Shift"), typing=True)
        elif ch.isalpha() and ch.islower() and keyboard.shift_state != "off":
            finger.tap(key(keyboard, "Shift"), typing=True)  # auto-capital, not wanted here
        finger.tap(key(keyboard, SPOKEN.get(ch, ch)), typing=True)
        QApplication.processEvents()  # the keyboard posts real key events

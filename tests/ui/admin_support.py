"""Shared by the Admin tests: a store, an Admin screen, taps by accessible name, touch drags."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPointingDevice
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.records import SignupRecord, iso_ms, new_donation_ref, utc_now
from kiosk.security import set_pin
from kiosk.settings import load_settings
from kiosk.store import Store

PIN = "2468"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def record(name: str, **changes) -> SignupRecord:
    fields = {
        "id": str(uuid.uuid4()),
        "created_at": iso_ms(utc_now()),
        "device_id": "tent-test",
        "name": name,
        "email": "someone@example.org",
        "phone": None,
        "interests": ("prayer",),
        "consents": {"email": True},
        "consent_text": {"email": "Yes, you may email me."},
        "donation_ref": new_donation_ref("NH"),
        "content_version": "test",
    }
    fields.update(changes)
    return SignupRecord(**fields)


@pytest.fixture
def store(data_dir):
    with Store(data_dir / "kiosk.db") as s:
        yield s


@pytest.fixture
def make_screen(qtbot, data_dir, store, tmp_path):
    from kiosk.ui.admin import AdminScreen

    def make(*, pin: str | None = PIN, clock=None, size=(1280, 800)):
        if pin:
            set_pin(data_dir, pin)
        settings = load_settings(data_dir)
        screen = AdminScreen(store, settings, tmp_path, clock=clock or Clock())
        screen.drive_finder = list  # no real USB sticks in tests
        qtbot.addWidget(screen)
        screen.resize(*size)
        screen.show()
        qtbot.waitExposed(screen)
        return screen

    return make


def find_button(root: QWidget, name: str) -> QPushButton:
    found = [
        b for b in root.findChildren(QPushButton) if b.accessibleName() == name and b.isVisible()
    ]
    assert len(found) == 1, f"expected one visible button named {name!r}, found {len(found)}"
    return found[0]


def tap(qtbot, root: QWidget, name: str) -> None:
    qtbot.mouseClick(find_button(root, name), Qt.MouseButton.LeftButton)


def type_pin(qtbot, screen, pin: str) -> None:
    for digit in pin:
        tap(qtbot, screen.pad, digit)
    tap(qtbot, screen.pad, "OK")


def unlock(qtbot, screen) -> None:
    screen.open()
    type_pin(qtbot, screen, PIN)
    assert screen.showing_panel


_TOUCH = None


def touchscreen() -> QPointingDevice:
    """A touchscreen registered with Qt (one per session, as Qt expects)."""
    global _TOUCH
    if _TOUCH is None:
        _TOUCH = QTest.createTouchDevice()
    return _TOUCH


def _on_window(widget: QWidget, pos: QPoint) -> tuple[object, QPoint]:
    # QTest's touch points are in the top-level window's coordinates.
    top = widget.window()
    return top.windowHandle(), widget.mapTo(top, pos)


def touch_tap(widget: QWidget, pos: QPoint | None = None) -> None:
    """A finger down and up on `widget` (a real touch sequence, not a mouse click)."""
    window, at = _on_window(widget, pos or widget.rect().center())
    QTest.touchEvent(window, touchscreen()).press(0, at)
    QTest.touchEvent(window, touchscreen()).release(0, at)


def touch_drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 12) -> None:
    """A finger pressed at `start`, moved in steps to `end`, lifted (widget coordinates)."""
    window, a = _on_window(widget, start)
    _, b = _on_window(widget, end)
    QTest.touchEvent(window, touchscreen()).press(0, a)
    for i in range(1, steps + 1):
        p = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
        QTest.touchEvent(window, touchscreen()).move(0, p)
    QTest.touchEvent(window, touchscreen()).release(0, b)


def touch_unlock(screen) -> None:
    """Open Admin and type the PIN with a finger (Qt makes no mouse from a touch after
    QTest has sent mouse clicks, so a touch test uses touch throughout)."""
    screen.open()
    for digit in PIN:
        touch_tap(find_button(screen.pad, digit))
    touch_tap(find_button(screen.pad, "OK"))
    assert screen.showing_panel

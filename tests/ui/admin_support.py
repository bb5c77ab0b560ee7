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
    global _TOUCH
    if _TOUCH is None:
        _TOUCH = QPointingDevice(
            "test touchscreen",
            1001,
            QPointingDevice.DeviceType.TouchScreen,
            QPointingDevice.PointerType.Finger,
            QPointingDevice.Capability.Position,
            10,
            0,
        )
    return _TOUCH


def touch_tap(widget: QWidget, pos: QPoint | None = None) -> None:
    """A finger down and up on `widget` (a real touch sequence, not a mouse click)."""
    pos = pos or widget.rect().center()
    QTest.touchEvent(widget, touchscreen()).press(0, pos)
    QTest.touchEvent(widget, touchscreen()).release(0, pos)


def touch_drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 12) -> None:
    QTest.touchEvent(widget, touchscreen()).press(0, start)
    for i in range(1, steps + 1):
        x = start.x() + (end.x() - start.x()) * i // steps
        y = start.y() + (end.y() - start.y()) * i // steps
        QTest.touchEvent(widget, touchscreen()).move(0, QPoint(x, y))
    QTest.touchEvent(widget, touchscreen()).release(0, end)

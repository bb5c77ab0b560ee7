"""The shared touch semantics (kiosk.ui.touch): a press that moves is a drag, never a tap."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QPushButton, QWidget

from kiosk.ui.thanks import unbroken
from kiosk.ui.touch import drag_threshold_px, install_touch
from tests.ui.touchkit import Finger


def _host(qtbot) -> tuple[QWidget, QPushButton]:
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(600, 600)
    install_touch(host)
    button = QPushButton("Toggle", host)  # added after install_touch: still covered
    button.setCheckable(True)
    button.setGeometry(20, 20, 500, 500)
    host.show()
    qtbot.waitExposed(host)
    return host, button


def test_a_tap_toggles_and_a_drag_never_does(qtbot):
    host, button = _host(qtbot)
    finger = Finger(host)
    finger.tap(button)
    assert button.isChecked()
    for dy in (-230, 230, 40):
        finger.drag(button, dy, point=QPoint(250, 250))
        assert button.isChecked(), dy
    finger.drag(button, 0, dx=-200, point=QPoint(300, 250))
    assert button.isChecked()


def test_a_wobble_within_the_threshold_is_still_a_tap(qtbot):
    host, button = _host(qtbot)
    Finger(host).drag(button, drag_threshold_px(button) - 2, point=QPoint(250, 250))
    assert button.isChecked()


def test_buttons_added_to_a_showing_screen_inside_a_new_panel_ignore_drags_too(qtbot):
    host, _ = _host(qtbot)
    panel = QWidget()  # a panel built later, its button made (and polished) before it joins
    late = QPushButton("Late", panel)
    late.setCheckable(True)
    late.setGeometry(0, 0, 300, 300)
    panel.ensurePolished()
    panel.setParent(host)
    panel.setGeometry(100, 100, 300, 300)
    panel.show()
    qtbot.waitUntil(late.isVisible)
    finger = Finger(host)
    finger.drag(late, 200, point=QPoint(150, 50))
    assert not late.isChecked()
    finger.tap(late)
    assert late.isChecked()


def test_the_reference_never_breaks_at_its_hyphen_in_running_text():
    assert unbroken("NH-AU2XWY") == "NH\u2011AU2XWY"
    assert " " not in unbroken("NH-AU2XWY")

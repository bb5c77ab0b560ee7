"""The on-screen keyboard, driven as a visitor would: tapping keys found by accessible name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QRegularExpression, Qt, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.theme import Metrics

SPOKEN = {
    " ": "Space",
    "@": "at sign",
    ".": "full stop",
    "-": "hyphen",
    "+": "plus",
    "'": "apostrophe",
    "(": "left bracket",
    ")": "right bracket",
}


class Form(QWidget):
    """A stand-in for the sign-up form: two fields above the docked keyboard."""

    def __init__(self) -> None:
        super().__init__()
        self.name = QLineEdit(self)
        self.other = QLineEdit(self)
        self.keyboard = OnScreenKeyboard(Metrics(1280, 800), parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.other)
        layout.addWidget(self.keyboard)


@pytest.fixture
def form(qtbot) -> Form:
    form = Form()
    qtbot.addWidget(form)
    form.resize(1280, 800)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    form.name.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.name)
    return form


def key(keyboard: OnScreenKeyboard, name: str) -> QPushButton:
    found = [
        b
        for b in keyboard.findChildren(QPushButton)
        if b.accessibleName() == name and b.isVisible()
    ]
    assert len(found) == 1, f"expected one visible key named {name!r}, found {len(found)}"
    return found[0]


def tap(qtbot, keyboard: OnScreenKeyboard, name: str) -> None:
    qtbot.mouseClick(key(keyboard, name), Qt.MouseButton.LeftButton)


def type_on(qtbot, keyboard: OnScreenKeyboard, text: str) -> None:
    for ch in text:
        if ch.isupper():
            tap(qtbot, keyboard, "Shift")
        tap(qtbot, keyboard, SPOKEN.get(ch, ch))


def test_irish_name_with_fadas_is_typeable_by_touch_alone(qtbot, form):
    type_on(qtbot, form.keyboard, "Seán Ó Briain")
    qtbot.waitUntil(lambda: form.name.text() == "Seán Ó Briain")


def test_diaeresis_name_is_typeable_by_touch_alone(qtbot, form):
    type_on(qtbot, form.keyboard, "Zoë")
    qtbot.waitUntil(lambda: form.name.text() == "Zoë")


def test_email_mode_types_at_sign_and_whole_domain_suffix_with_one_tap(qtbot, form):
    kb = form.keyboard
    kb.set_mode("email")
    assert not key(kb, "dot co dot uk").isHidden()
    type_on(qtbot, kb, "aoife@example")
    tap(qtbot, kb, "dot co dot uk")
    qtbot.waitUntil(lambda: form.name.text() == "aoife@example.co.uk")
    assert not any(b.isVisible() for b in kb.findChildren(QPushButton) if b.text() == "á")


def test_email_mode_offers_common_domain_keys(form):
    form.keyboard.set_mode("email")
    for name in ("at sign", "full stop", "hyphen", "underscore", "dot com", "dot org", "dot I E"):
        key(form.keyboard, name)


def test_shift_capitalises_only_the_next_letter(qtbot, form):
    kb = form.keyboard
    tap(qtbot, kb, "Shift")
    tap(qtbot, kb, "A")
    tap(qtbot, kb, "b")
    qtbot.waitUntil(lambda: form.name.text() == "Ab")
    assert kb.shift_state == "off"
    key(kb, "c")  # the labels went back to lower case


def test_double_tap_on_shift_locks_capitals_until_shift_is_tapped_again(qtbot, form):
    kb = form.keyboard
    kb.double_tap_ms = 60_000
    tap(qtbot, kb, "Shift")
    tap(qtbot, kb, "Shift")
    assert kb.shift_state == "lock"
    tap(qtbot, kb, "A")
    tap(qtbot, kb, "B")
    qtbot.waitUntil(lambda: form.name.text() == "AB")
    tap(qtbot, kb, "Shift")
    assert kb.shift_state == "off"
    tap(qtbot, kb, "c")
    qtbot.waitUntil(lambda: form.name.text() == "ABc")


def test_holding_backspace_deletes_repeatedly_and_release_stops_it(qtbot, form):
    kb = form.keyboard
    kb.repeat_delay_ms = 5
    kb.repeat_interval_ms = 1
    form.name.setText("abcdefghij")
    backspace = key(kb, "Backspace")
    qtbot.mousePress(backspace, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(form.name.text()) <= 4)
    qtbot.mouseRelease(backspace, Qt.MouseButton.LeftButton)
    assert not [t for t in kb.findChildren(QTimer) if t.isActive()]


def test_hiding_the_keyboard_stops_a_held_backspace(qtbot, form):
    kb = form.keyboard
    kb.repeat_delay_ms = 1
    kb.repeat_interval_ms = 1
    form.name.setText("abcdefghij")
    backspace = key(kb, "Backspace")
    qtbot.mousePress(backspace, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(form.name.text()) <= 7)
    kb.hide()
    assert not [t for t in kb.findChildren(QTimer) if t.isActive()]
    qtbot.mouseRelease(backspace, Qt.MouseButton.LeftButton)


def test_a_single_backspace_tap_deletes_one_character(qtbot, form):
    form.name.setText("abc")
    tap(qtbot, form.keyboard, "Backspace")
    qtbot.waitUntil(lambda: form.name.text() == "ab")
    assert not [t for t in form.keyboard.findChildren(QTimer) if t.isActive()]


def test_reset_leaves_lower_case_text_mode_for_the_next_visitor(qtbot, form):
    kb = form.keyboard
    kb.set_mode("email")
    tap(qtbot, kb, "Numbers and symbols")
    kb.reset()
    assert kb.mode == "text"
    assert kb.shift_state == "off"
    key(kb, "a")
    key(kb, "á")
    key(kb, "Numbers and symbols")
    kb.set_mode("text")
    tap(qtbot, kb, "Shift")
    kb.reset()
    assert kb.shift_state == "off"
    key(kb, "a")


def test_phone_mode_types_an_international_number_on_the_digit_pad(qtbot, form):
    kb = form.keyboard
    kb.set_mode("phone")
    assert not any(b.isVisible() for b in kb.findChildren(QPushButton) if b.text() == "q")
    type_on(qtbot, kb, "+353 87 123 4567")
    qtbot.waitUntil(lambda: form.name.text() == "+353 87 123 4567")


def test_symbols_layer_offers_digits_and_returns_to_letters(qtbot, form):
    kb = form.keyboard
    tap(qtbot, kb, "Numbers and symbols")
    type_on(qtbot, kb, "(1)")
    tap(qtbot, kb, "Letters")
    tap(qtbot, kb, "x")
    qtbot.waitUntil(lambda: form.name.text() == "(1)x")


def test_focusing_a_field_with_kiosk_keyboard_property_switches_the_layout(qtbot, form):
    kb = form.keyboard
    form.name.setProperty("kiosk_keyboard", "text")
    form.other.setProperty("kiosk_keyboard", "email")
    form.other.setFocus()
    qtbot.waitUntil(lambda: kb.mode == "email")
    key(kb, "at sign")
    form.name.setFocus()
    qtbot.waitUntil(lambda: kb.mode == "text")
    key(kb, "á")


def test_hidden_keyboard_stops_following_focus(qtbot, form):
    kb = form.keyboard
    form.other.setProperty("kiosk_keyboard", "phone")
    kb.hide()
    form.other.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.other)
    assert kb.mode == "text"


def test_keys_never_take_focus_and_all_have_accessible_names(qtbot, form):
    kb = form.keyboard
    keys = kb.findChildren(QPushButton)
    assert keys
    assert all(b.focusPolicy() == Qt.FocusPolicy.NoFocus for b in keys)
    assert all(b.accessibleName() for b in keys)
    tap(qtbot, kb, "a")
    assert QApplication.focusWidget() is form.name


def test_keys_are_real_key_events_so_validators_and_undo_apply(qtbot, form):
    digits = QRegularExpressionValidator(QRegularExpression(r"\d*"), form.name)
    form.name.setValidator(digits)
    tap(qtbot, form.keyboard, "Numbers and symbols")
    type_on(qtbot, form.keyboard, "1-2")
    qtbot.waitUntil(lambda: form.name.text() == "12")
    form.name.undo()
    assert form.name.text() == ""


def test_next_key_sends_return_to_the_field(qtbot, form):
    with qtbot.waitSignal(form.name.returnPressed):
        tap(qtbot, form.keyboard, "Next")


def test_keys_do_nothing_when_focus_is_not_a_text_field(qtbot, form):
    received = []

    class Recorder(QPushButton):
        def event(self, e):
            if e.type() == QEvent.Type.KeyPress:
                received.append(e.key())
            return super().event(e)

    button = Recorder("ok", form)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.show()
    button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
    tap(qtbot, form.keyboard, "a")
    tap(qtbot, form.keyboard, "Next")
    QApplication.processEvents()
    assert received == []
    assert form.name.text() == ""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 800), (1080, 1920)])
@pytest.mark.parametrize("mode", ["text", "email", "phone"])
def test_keyboard_fits_the_screen_with_finger_sized_keys(qtbot, width, height, mode):
    metrics = Metrics(width, height)
    kb = OnScreenKeyboard(metrics)
    qtbot.addWidget(kb)
    kb.set_mode(mode)
    kb.resize(width, kb.height())
    kb.show()
    assert kb.height() <= 0.4 * height
    shown = [b for b in kb.findChildren(QPushButton) if not b.isHidden()]
    assert shown
    for b in shown:
        assert b.height() >= metrics.touch, b.accessibleName()
        assert b.width() >= metrics.touch, b.accessibleName()
        assert kb.rect().contains(b.geometry()), b.accessibleName()


def test_set_metrics_relayouts_for_a_new_screen(qtbot):
    kb = OnScreenKeyboard(Metrics(1920, 1080))
    qtbot.addWidget(kb)
    kb.set_metrics(Metrics(1080, 1920))
    kb.resize(1080, kb.height())
    kb.show()
    assert kb.height() <= 0.4 * 1920
    accent, letter = key(kb, "á"), key(kb, "q")
    assert accent.y() < letter.y()  # portrait stacks the accents above the letters


def test_unknown_mode_is_refused(form):
    with pytest.raises(ValueError, match="keyboard mode"):
        form.keyboard.set_mode("klingon")

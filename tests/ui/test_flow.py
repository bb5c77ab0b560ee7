"""The whole visitor journey through the real controller, as a person does it."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton

from kiosk.content import load_content
from kiosk.errors import StorageError
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.security import set_pin
from kiosk.settings import load_settings
from kiosk.store import Store
from kiosk.ui.app import KioskController, State
from kiosk.ui.window import KioskWindow

SPOKEN = {" ": "Space", "@": "at sign", ".": "full stop", "-": "hyphen", "'": "apostrophe"}


@pytest.fixture
def kiosk(qtbot, data_dir):
    set_pin(data_dir, "2468")  # set up: a kiosk with no PIN starts on set-up
    settings = load_settings(data_dir)
    content = load_content(DEFAULT_CONTENT_DIR)
    store = Store(settings.db_path)
    window = KioskWindow(kiosk_mode=True)
    qtbot.addWidget(window)
    controller = KioskController(settings, content, store, window, content_dir=DEFAULT_CONTENT_DIR)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield controller
    controller.shutdown()
    window.allow_close = True
    window.close()
    store.close()


def key(keyboard, name: str) -> QPushButton:
    found = [
        b
        for b in keyboard.findChildren(QPushButton)
        if b.accessibleName() == name and b.isVisible()
    ]
    assert len(found) == 1, f"expected one visible key {name!r}, found {len(found)}"
    return found[0]


def type_on_screen(qtbot, keyboard, text: str) -> None:
    for ch in text:
        if ch.isupper():
            qtbot.mouseClick(key(keyboard, "Shift"), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(key(keyboard, SPOKEN.get(ch, ch)), Qt.MouseButton.LeftButton)
    QApplication.processEvents()  # the keyboard posts real key events


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def sign_up_by_touch(
    qtbot, kiosk, *, tile="prayer", name="Seán Ó Briain", email="sean@example.ie", consent="email"
):
    QTest.mouseClick(kiosk.attract, Qt.MouseButton.LeftButton, pos=QPoint(600, 300))
    assert kiosk.state is State.INVOLVED
    tap(qtbot, kiosk.involved.tile(tile))
    assert kiosk.state is State.FORM
    form = kiosk.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.name.edit)
    type_on_screen(qtbot, form.keyboard, name)
    tap(qtbot, form.email.edit)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.email.edit)
    qtbot.waitUntil(lambda: form.keyboard.mode == "email")
    type_on_screen(qtbot, form.keyboard, email)
    if consent:
        tap(qtbot, form.consent_boxes[consent])
    qtbot.waitUntil(lambda: form.submit.isEnabled())
    tap(qtbot, form.submit)


def test_a_visitor_signs_up_by_touch_and_the_record_matches_the_qr(qtbot, kiosk):
    sign_up_by_touch(qtbot, kiosk)
    assert kiosk.state is State.THANKS
    rows = list(kiosk.store.iter_records())
    assert len(rows) == 1
    record = rows[0]
    assert record.name == "Seán Ó Briain"
    assert record.email == "sean@example.ie"
    assert record.interests == ("prayer",)
    assert record.consents == {"email": True, "sms": False, "phone": False}
    assert record.consent_text["email"] == kiosk.content.consent("email").wording
    assert record.device_id == kiosk.settings.device_id
    query = parse_qs(urlsplit(kiosk.thanks.qr_url).query)
    assert query["ref"] == [record.donation_ref]
    assert query["utm_medium"] == ["kiosk"]
    shown = " ".join(label.text() for label in kiosk.thanks.findChildren(QLabel))
    assert "Seán" in shown and "Briain" not in shown and "sean@example.ie" not in shown
    counts = kiosk.store.event_counts()
    assert counts["engage"] == 1 and counts["form_started"] == 1
    assert counts["signup_saved"] == 1 and counts["qr_shown"] == 1


def test_done_returns_to_the_loop_and_leaves_no_trace(qtbot, kiosk):
    sign_up_by_touch(qtbot, kiosk, name="Zoë", email="zoe@example.com")
    tap(qtbot, kiosk.thanks.done_button)
    assert kiosk.state is State.ATTRACT
    _assert_no_visitor_text(kiosk, ["Zoë", "zoe@example.com"])


def test_submit_stays_disabled_until_the_form_is_valid(qtbot, kiosk):
    kiosk.involved.chosen.emit("freedom_partner")
    form = kiosk.form
    assert not form.submit.isEnabled()
    type_on_screen(qtbot, form.keyboard, "Aoife")
    assert not form.submit.isEnabled()  # Freedom Partner needs an email
    tap(qtbot, form.email.edit)
    type_on_screen(qtbot, form.keyboard, "aoife@gmial.com")
    qtbot.waitUntil(lambda: form.email.suggestion.isVisible())
    assert form.email.suggestion.text() == "Did you mean aoife@gmail.com?"
    tap(qtbot, form.email.suggestion)
    assert form.email.edit.text() == "aoife@gmail.com"
    assert form.submit.isEnabled()


def test_talk_to_the_team_needs_no_email(qtbot, kiosk):
    kiosk.involved.chosen.emit("talk")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kiosk.form.name.edit)
    type_on_screen(qtbot, kiosk.form.keyboard, "Aoife")
    assert kiosk.form.name.edit.text() == "Aoife", kiosk.form.form()
    assert kiosk.form.submit.isEnabled()
    assert kiosk.form.email.hint.text() == "optional"


def test_enter_moves_to_the_field_that_needs_attention_then_submits(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    QTest.keyClicks(form.name.edit, "Aoife")
    QTest.keyClick(form.name.edit, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is form.email.edit
    QTest.keyClicks(form.email.edit, "aoife@")
    QTest.keyClick(form.email.edit, Qt.Key.Key_Return)
    assert kiosk.state is State.FORM
    assert "something after the @" in form.email.message.text()
    QTest.keyClicks(form.email.edit, "example.ie")
    QTest.keyClick(form.email.edit, Qt.Key.Key_Return)
    assert kiosk.state is State.THANKS
    assert kiosk.store.stats().total == 1


def test_tab_order_follows_reading_order(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    order = [
        form.name.edit,
        form.email.edit,
        form.phone.edit,
        *form.interest_boxes.values(),
        *form.consent_boxes.values(),
    ]
    for current, following in itertools.pairwise(order):
        current.setFocus()
        QTest.keyClick(current, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is following, current.accessibleName()


def test_every_control_has_an_accessible_name(qtbot, kiosk):
    for screen in (kiosk.involved, kiosk.form, kiosk.thanks):
        for widget in screen.findChildren(QAbstractButton) + screen.findChildren(QLineEdit):
            if widget.isVisibleTo(screen) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                assert widget.accessibleName(), widget


def test_personal_data_fields_are_marked_sensitive(kiosk):
    for field in kiosk.form.fields:
        assert field.edit.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData


def _assert_no_visitor_text(kiosk, secrets):
    from PySide6.QtWidgets import QWidget

    for screen in (kiosk.involved, kiosk.form, kiosk.thanks):
        for widget in screen.findChildren(QWidget):
            shown = [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
            if isinstance(widget, QAbstractButton):
                shown.append(widget.text())
            shown += [str(widget.property(p) or "") for p in ("email",)]
            for secret in secrets:
                assert not any(secret in text for text in shown), (widget, secret)
        for edit in screen.findChildren(QLineEdit):
            assert edit.text() == ""
            assert not edit.isUndoAvailable(), edit.accessibleName()
            assert not edit.isRedoAvailable()
        for label in screen.findChildren(QLabel):
            for secret in secrets:
                assert secret not in label.text()
        for box in screen.findChildren(QAbstractButton):
            if box.isCheckable():
                assert not box.isChecked(), box.accessibleName()
    assert kiosk.form.keyboard.mode == "text" and kiosk.form.keyboard.shift_state == "off"


def test_idle_reset_clears_every_field_undo_history_and_keyboard(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    type_on_screen(qtbot, form.keyboard, "Niamh")
    tap(qtbot, form.phone.edit)
    QTest.keyClicks(form.phone.edit, "087 123 4567")
    tap(qtbot, form.email.edit)
    type_on_screen(qtbot, form.keyboard, "niamh@gmial.com")
    assert form.email.suggestion.isVisible()  # "Did you mean niamh@gmail.com?" must go too
    tap(qtbot, key(form.keyboard, "Shift"))  # leave the keyboard mid-shift
    tap(qtbot, form.consent_boxes["sms"])
    kiosk.idle_overlay.tick_ms = 5
    kiosk.idle_timer.setInterval(20)
    kiosk.idle_timer.start()
    qtbot.waitUntil(lambda: kiosk.idle_overlay.isVisible(), timeout=2000)
    with qtbot.waitSignal(kiosk.idle_overlay.expired, timeout=3000):
        pass
    assert kiosk.state is State.ATTRACT
    _assert_no_visitor_text(kiosk, ["Niamh", "niamh@", "087 123 4567"])
    assert kiosk.store.stats().total == 0
    assert kiosk.store.event_counts()["idle_reset"] == 1


def test_a_touch_during_the_countdown_keeps_the_visitor(qtbot, kiosk):
    kiosk.involved.chosen.emit("talk")
    QTest.keyClicks(kiosk.form.name.edit, "Aoife")
    kiosk.idle_overlay.start()
    QTest.mouseClick(kiosk.idle_overlay, Qt.MouseButton.LeftButton)
    assert not kiosk.idle_overlay.isVisible()
    assert kiosk.state is State.FORM
    assert kiosk.form.name.edit.text() == "Aoife"


def test_typing_restarts_the_idle_timer_so_a_typing_visitor_is_never_interrupted(qtbot, kiosk):
    kiosk.involved.chosen.emit("talk")
    restarts = []
    original = kiosk.idle_timer.start
    kiosk.idle_timer.start = lambda *a: (restarts.append(1), original(*a))
    QTest.keyClicks(kiosk.form.name.edit, "Aoife")
    assert len(restarts) >= 5
    assert kiosk.idle_timer.isActive()


def test_a_failed_save_keeps_the_data_and_says_ask_a_volunteer(qtbot, kiosk, monkeypatch):
    def fail(record):
        raise StorageError("We couldn't save that: the disk is full.")

    monkeypatch.setattr(kiosk.store, "save_signup", fail)
    sign_up_by_touch(qtbot, kiosk, name="Aoife", email="aoife@example.ie")
    assert kiosk.state is State.FORM
    assert kiosk.form.banner.isVisible()
    assert "please ask a volunteer" in kiosk.form.banner.text()
    assert kiosk.form.name.edit.text() == "Aoife"
    assert kiosk.form.email.edit.text() == "aoife@example.ie"
    assert kiosk.form.submit.isEnabled()
    assert kiosk.store.event_counts()["save_failed"] == 1
    monkeypatch.undo()
    tap(qtbot, kiosk.form.submit)
    assert kiosk.state is State.THANKS
    assert kiosk.store.stats().total == 1


def test_window_refuses_close_escape_and_alt_f4_in_kiosk_mode(qtbot, kiosk):
    window = kiosk.window
    with qtbot.waitSignal(window.close_blocked, timeout=500):
        window.close()
    assert window.isVisible()
    with qtbot.waitSignal(window.close_blocked, timeout=500):
        QTest.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    kiosk.involved.chosen.emit("talk")
    with qtbot.waitSignal(window.close_blocked, timeout=500):
        QTest.keyClick(window, Qt.Key.Key_Escape)
    assert window.isVisible()


def test_windowed_mode_closes_normally(qtbot):
    window = KioskWindow(kiosk_mode=False)
    qtbot.addWidget(window)
    window.show()
    assert window.close()


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_every_screen_fits_each_supported_screen_size(qtbot, kiosk, size):
    """No screen's minimum size may push the window past the display."""
    kiosk.window.resize(*size)
    kiosk.involved.chosen.emit("freedom_partner")
    for state in (State.ATTRACT, State.INVOLVED, State.FORM, State.THANKS, State.ADMIN):
        kiosk.show(state)
        QApplication.processEvents()
        assert (kiosk.window.width(), kiosk.window.height()) == size, state


def test_a_broken_content_pack_shows_a_problem_screen_instead_of_crashing(
    qtbot, data_dir, tmp_path
):
    from kiosk.ui.launch import open_window
    from kiosk.ui.window import ProblemScreen

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "content.toml").write_text('version = "x"\n[[slides]]\nkind = "poem"\n')
    window, content = open_window(load_settings(data_dir), pack, windowed=False)
    qtbot.addWidget(window)
    assert content is None
    screen = window.stack.currentWidget()
    assert isinstance(screen, ProblemScreen)
    text = " ".join(label.text() for label in screen.findChildren(QLabel))
    assert "slides[0].kind" in text and "kiosk check" in text
    assert not window.allow_close  # exit is through Admin, which opens over it


def test_an_unexpected_error_is_logged_without_its_message_and_returns_to_the_loop(
    qtbot, kiosk, caplog
):
    import sys

    from kiosk.ui import app as app_module

    saved = sys.excepthook
    try:
        app_module.install_excepthook(kiosk)
        kiosk.involved.chosen.emit("talk")
        QTest.keyClicks(kiosk.form.name.edit, "Aoife")
        secret = "aoife" + "@example.ie"  # built at run time: source lines appear in tracebacks
        try:
            raise ValueError(f"{secret} is what the visitor typed")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = saved
    assert kiosk.state is State.ATTRACT
    assert kiosk.form.name.edit.text() == ""
    assert "unexpected ValueError" in caplog.text
    assert "aoife@example.ie" not in caplog.text


def test_the_first_slide_paints_before_the_rest_of_the_kiosk_is_built(qtbot, data_dir):
    """kiosk run shows the story at once and builds forms and database one event later."""
    from kiosk.ui.attract import AttractScreen
    from kiosk.ui.launch import _AfterFirstPaint, open_window

    window, content = open_window(load_settings(data_dir), DEFAULT_CONTENT_DIR, windowed=True)
    qtbot.addWidget(window)
    attract = window.stack.currentWidget()
    assert isinstance(attract, AttractScreen) and content is not None
    order = []
    recorder = _Recorder(order)
    attract.installEventFilter(recorder)
    _AfterFirstPaint(attract, lambda: order.append("build the rest"))
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: "build the rest" in order, timeout=3000)
    assert order.index("paint") < order.index("build the rest")


class _Recorder(QObject):
    def __init__(self, order: list[str]) -> None:
        super().__init__()
        self.order = order

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and "paint" not in self.order:
            self.order.append("paint")
        return False

"""The whole visitor journey through the real controller, as a person does it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit

from kiosk.content import load_content
from kiosk.errors import StorageError
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.security import set_pin
from kiosk.settings import load_settings
from kiosk.store import Store
from kiosk.ui.app import KioskController, State
from kiosk.ui.window import KioskWindow
from tests.ui.kiosks import slide_paints, thanks_painted
from tests.ui.touchkit import Finger, key, type_by_touch


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


def sign_up_by_touch(
    kiosk,
    *,
    tile="prayer",
    first="Seán",
    last="Ó Briain",
    email="sean@example.ie",
    phone="",
    consents=("email",),
    save=True,
) -> Finger:
    """A visitor's whole sign-up by touch alone; returns the finger (it counted the taps)."""
    finger = Finger(kiosk.window)
    form = kiosk.form
    finger.tap(kiosk.attract, QPoint(kiosk.attract.width() // 2, kiosk.attract.height() // 2))
    assert kiosk.state is State.INVOLVED
    finger.tap(kiosk.involved.tile(tile))
    assert kiosk.state is State.FORM and form.current is form.name
    assert QApplication.focusWidget() is form.name.first.edit
    type_by_touch(finger, form.keyboard, first)
    if last:
        finger.tap(form.name.last.edit)
        type_by_touch(finger, form.keyboard, last)
    finger.tap(key(form.keyboard, "Next"))
    assert form.current is form.email, form.name.first.message.text()
    if email:
        type_by_touch(finger, form.keyboard, email)
        finger.tap(key(form.keyboard, "Next"))
    else:
        finger.tap(form.email.skip)
    assert form.current is form.phone, form.email.field.message.text()
    if phone:
        type_by_touch(finger, form.keyboard, phone)
        finger.tap(key(form.keyboard, "Next"))
    else:
        finger.tap(form.phone.skip)
    assert form.current is form.touch
    for channel in consents:
        finger.tap(form.touch.toggles[channel])
    finger.tap(form.touch.next)
    assert form.current is form.check
    if save:
        finger.tap(form.check.next)
    return finger


def test_a_visitor_signs_up_by_touch_and_the_record_matches_the_qr(qtbot, kiosk):
    sign_up_by_touch(kiosk)
    assert kiosk.state is State.THANKS
    rows = list(kiosk.store.iter_records())
    assert len(rows) == 1
    record = rows[0]
    assert record.name == "Seán Ó Briain"
    assert record.email == "sean@example.ie"
    assert record.phone is None
    assert record.interests == ("prayer",)
    assert record.consents == {"email": True, "sms": False, "phone": False}
    assert record.consent_text["email"] == kiosk.content.consent("email").wording
    assert record.device_id == kiosk.settings.device_id
    query = parse_qs(urlsplit(kiosk.thanks.qr_url).query)
    assert query["ref"] == [record.donation_ref]
    assert query["utm_medium"] == ["kiosk"]
    shown = " ".join(label.text() for label in kiosk.thanks.findChildren(QLabel))
    assert "Seán" in shown and "Briain" not in shown and "sean@example.ie" not in shown
    assert "in touch by email" in shown
    counts = kiosk.store.event_counts()
    assert counts["engage"] == 1 and counts["form_started"] == 1
    assert counts["signup_saved"] == 1 and counts["qr_shown"] == 1


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_a_freedom_partner_signs_up_in_eight_taps_plus_typing(qtbot, kiosk, size, capsys):
    """Measured: Freedom Partner, an email, one consent, by touch alone (was 31 taps)."""
    kiosk.window.resize(*size)
    QApplication.processEvents()
    finger = sign_up_by_touch(kiosk, tile="freedom_partner", last="", email="sean@example.ie")
    assert kiosk.state is State.THANKS
    (record,) = kiosk.store.iter_records()
    assert record.interests == ("freedom_partner",) and record.consents["email"] is True
    with capsys.disabled():
        print(f"\ntaps at {size[0]}x{size[1]}: {finger.taps} (+{finger.key_taps} key taps)")
    assert finger.taps <= 8
    assert finger.key_taps == len("Seán") + len("sean@example.ie")  # auto-capital: no Shift


def test_done_returns_to_the_loop_and_leaves_no_trace(qtbot, kiosk):
    sign_up_by_touch(kiosk, first="Zoë", last="", email="zoe@example.com")
    Finger(kiosk.window).tap(kiosk.thanks.done_button)
    assert kiosk.state is State.ATTRACT
    _assert_no_visitor_text(kiosk, ["Zoë", "zoe@example.com"])


def test_the_loops_first_picture_is_drawn_while_the_thank_you_shows(qtbot, kiosk, monkeypatch):
    """Done only shows the first slide: its picture was drawn once the thank-you was on
    screen, while the visitor read it, not after the tap."""
    drawn = slide_paints(monkeypatch, lambda screen, slide: slide.kind)
    sign_up_by_touch(kiosk)
    assert kiosk.state is State.THANKS
    qtbot.waitUntil(lambda: drawn == [kiosk.content.slides[0].kind], timeout=2000)
    Finger(kiosk.window).tap(kiosk.thanks.done_button)
    assert kiosk.state is State.ATTRACT and kiosk.attract.index == 0
    kiosk.attract.repaint()
    assert len(drawn) == 1  # the return was a blit of that picture


def test_a_visitor_in_large_text_leaves_to_the_loop_at_the_usual_size(qtbot, kiosk, monkeypatch):
    """Nothing is drawn ahead in the large text the visitor chose: Done puts the text size
    back, and the loop draws its first slide then, at the usual size."""
    from kiosk.ui.reach import reach

    reach().set_enhanced(True)  # the visitor's choice, with the Aa button
    kiosk.attract.repaint()
    sizes = slide_paints(monkeypatch, lambda screen, slide: reach().enhanced)
    sign_up_by_touch(kiosk)
    thanks_painted(kiosk)
    assert sizes == []
    Finger(kiosk.window).tap(kiosk.thanks.done_button)
    kiosk.attract.repaint()
    assert sizes == [False]


def test_the_form_forgets_the_visitor_as_the_thank_you_shows(qtbot, kiosk):
    """Saved from the check step: the form is wiped before the thank-you is on screen."""
    sign_up_by_touch(kiosk, first="Zoë", last="Ní Bhriain", email="zoe@example.com")
    assert kiosk.state is State.THANKS
    _assert_no_visitor_text(kiosk, ["Zoë", "Bhriain", "zoe@example.com"], [kiosk.form])
    assert kiosk.form.current is kiosk.form.steps[0]
    # The next visitor's summary holds nothing of this one's either.
    kiosk.form.begin("prayer")
    summary = " ".join(label.text() for label in kiosk.form.check.findChildren(QLabel))
    assert "Zoë" not in summary and "zoe@example.com" not in summary


def test_the_thank_you_promises_contact_only_when_the_visitor_asked_for_it(qtbot, kiosk):
    sign_up_by_touch(kiosk, tile="prayer", consents=())
    shown = " ".join(label.text() for label in kiosk.thanks.findChildren(QLabel))
    assert "in touch" not in shown and "won't send you anything" in shown
    assert "Back to the start in 30 s" in shown  # a visible countdown


def test_talk_to_the_team_needs_an_email_or_a_phone(qtbot, kiosk):
    kiosk.involved.chosen.emit("talk")
    form = kiosk.form
    finger = Finger(kiosk.window)
    QTest.keyClicks(form.name.first.edit, "Aoife")
    finger.tap(key(form.keyboard, "Next"))
    assert "we need one" in form.email.field.label.text()
    finger.tap(form.email.skip)  # either will do: email may be skipped ...
    assert form.current is form.phone
    assert not form.phone.skip.isVisible()  # ... but then the phone is needed
    finger.tap(key(form.keyboard, "Next"))
    assert form.current is form.phone
    assert form.phone.field.message.text() == "Please add your phone number."
    type_by_touch(finger, form.keyboard, "028 9012 3456")
    finger.tap(key(form.keyboard, "Next"))
    finger.tap(form.touch.next)
    finger.tap(form.check.next)
    (record,) = kiosk.store.iter_records()
    assert record.phone == "+442890123456" and record.email is None
    shown = " ".join(label.text() for label in kiosk.thanks.findChildren(QLabel))
    assert "team will get in touch" in shown


def test_sign_up_is_disabled_only_with_its_reason_beside_it(qtbot, kiosk):
    finger = sign_up_by_touch(kiosk, tile="prayer", save=False)
    check = kiosk.form.check
    assert check.next.isEnabled() and check.reason.text() == ""
    finger.tap(check.interests["prayer"])  # nothing chosen now
    assert not check.next.isEnabled()
    assert check.reason.isVisible() and "at least one way" in check.reason.text()
    assert check.reason.height() >= 40
    finger.tap(check.interests["talk"])
    assert check.next.isEnabled()  # the email given is enough for "either"
    kiosk.form.begin("talk")
    kiosk.form.name.first.edit.setText("Aoife")
    kiosk.form.go(4)  # no contact given at all
    assert not check.next.isEnabled()
    assert "needs an email or a phone number" in check.reason.text()
    QTest.keyClick(check.young, Qt.Key.Key_Return)  # Enter: focus goes to the problem
    finger.tap(check.changes["email"])
    assert kiosk.form.current is kiosk.form.email


def test_enter_never_saves_before_the_last_step(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    QTest.keyClicks(form.name.first.edit, "Aoife")
    QTest.keyClick(form.name.first.edit, Qt.Key.Key_Return)
    assert form.current is form.email
    QTest.keyClicks(form.email.field.edit, "aoife@")
    QTest.keyClick(form.email.field.edit, Qt.Key.Key_Return)
    assert form.current is form.email  # not valid: focus stays, the reason shows
    assert "something after the @" in form.email.field.message.text()
    assert QApplication.focusWidget() is form.email.field.edit
    QTest.keyClicks(form.email.field.edit, "example.ie")
    for _ in range(3):  # email -> phone -> keep in touch -> check
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert form.current is form.check
    assert kiosk.store.stats().total == 0
    assert kiosk.state is State.FORM


def test_the_keyboards_next_key_on_the_email_step_moves_on_and_never_saves(qtbot, kiosk):
    kiosk.involved.chosen.emit("freedom_partner")
    form = kiosk.form
    finger = Finger(kiosk.window)
    QTest.keyClicks(form.name.first.edit, "Aoife")
    finger.tap(key(form.keyboard, "Next"))
    type_by_touch(finger, form.keyboard, "aoife@gmial.com")
    finger.tap(key(form.keyboard, "Next"))
    # An open did-you-mean is asked about once: the first Next stays.
    assert form.current is form.email and form.email.suggestion.isVisible()
    finger.tap(key(form.keyboard, "Next"))
    assert form.current is form.phone
    assert kiosk.store.stats().total == 0


def test_did_you_mean_is_big_stays_in_the_email_step_and_keeps_focus(qtbot, kiosk):
    kiosk.involved.chosen.emit("freedom_partner")
    form = kiosk.form
    QTest.keyClicks(form.name.first.edit, "Aoife")
    QTest.keyClick(form.name.first.edit, Qt.Key.Key_Return)
    finger = Finger(kiosk.window)
    type_by_touch(finger, form.keyboard, "aoife@gmial.com")
    suggestion = form.email.suggestion
    assert suggestion.isVisible() and suggestion.text() == "Did you mean aoife@gmail.com?"
    assert suggestion.height() >= 60
    assert form.email.isAncestorOf(suggestion)
    finger.tap(suggestion)
    assert form.email.field.edit.text() == "aoife@gmail.com"
    assert QApplication.focusWidget() is form.email.field.edit
    assert form.email.field.edit.selectedText() == ""
    type_by_touch(finger, form.keyboard, "x")  # the next key appends; nothing is replaced
    assert form.email.field.edit.text() == "aoife@gmail.comx"


def test_back_goes_one_step_back_and_from_the_first_step_to_the_tiles(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    finger = Finger(kiosk.window)
    QTest.keyClicks(form.name.first.edit, "Aoife")
    QTest.keyClick(form.name.first.edit, Qt.Key.Key_Return)
    assert form.current is form.email
    finger.tap(form.back)
    assert form.current is form.name and form.name.first.edit.text() == "Aoife"
    finger.tap(form.back)
    assert kiosk.state is State.INVOLVED
    assert form.name.first.edit.text() == ""


def test_start_over_asks_first_with_a_touch_confirmation(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    finger = Finger(kiosk.window)
    QTest.keyClicks(form.name.first.edit, "Aoife")
    finger.tap(form.restart)
    assert form.confirm.isVisible() and kiosk.state is State.FORM
    finger.tap(form.confirm.no)
    assert not form.confirm.isVisible() and form.name.first.edit.text() == "Aoife"
    finger.tap(form.restart)
    finger.tap(form.confirm.yes)
    assert kiosk.state is State.ATTRACT
    _assert_no_visitor_text(kiosk, ["Aoife"])


def test_under_16_stores_nothing_and_thanks_them_kindly(qtbot, kiosk):
    finger = sign_up_by_touch(kiosk, tile="prayer", save=False)
    assert kiosk.form.check.young.text() == "I'm under 16"
    assert kiosk.form.check.next.text() == "I'm 16 or over — sign me up"
    finger.tap(kiosk.form.check.young)
    assert kiosk.state is State.THANKS
    assert kiosk.store.stats().total == 0
    assert list(kiosk.store.iter_records()) == []
    assert kiosk.store.event_counts().get("signup_saved", 0) == 0
    shown = " ".join(label.text() for label in kiosk.thanks.findChildren(QLabel))
    assert "parent or carer" in shown and "Seán" not in shown
    assert "ref=" not in kiosk.thanks.qr_url
    _assert_no_visitor_text(kiosk, ["Seán", "sean@example.ie"])


def test_keep_in_touch_shows_a_channel_only_when_its_contact_was_given(qtbot, kiosk):
    sign_up_by_touch(kiosk, tile="prayer", consents=(), save=False)
    form = kiosk.form
    form.go(3)
    shown = {k for k, t in form.touch.toggles.items() if t.isVisible()}
    assert shown == {"email"}  # no phone: no text or call toggles


@pytest.mark.parametrize("channel", ["email", "sms", "phone"])
def test_a_drag_on_the_consent_wording_never_toggles_it(qtbot, kiosk, channel):
    kiosk.window.resize(1280, 800)
    sign_up_by_touch(kiosk, phone="087 123 4567", consents=(), save=False)
    form = kiosk.form
    form.go(3)
    toggle = form.touch.toggles[channel]
    finger = Finger(kiosk.window)
    words = toggle.words.geometry().center()
    finger.drag(toggle, -230, point=words)
    assert not toggle.isChecked()
    finger.drag(toggle, 230, point=words)
    assert not toggle.isChecked()
    finger.tap(toggle, words)  # a tap on the same words does toggle it
    assert toggle.isChecked()


def test_a_drag_never_toggles_an_interest_or_presses_a_button(qtbot, kiosk):
    sign_up_by_touch(kiosk, tile="prayer", save=False)
    form = kiosk.form
    finger = Finger(kiosk.window)
    for toggle in form.check.interests.values():
        before = toggle.isChecked()
        finger.drag(toggle, -230)
        assert toggle.isChecked() == before, toggle.key
    finger.drag(form.check.next, -230)
    finger.drag(form.check.young, 0, dx=230)
    assert kiosk.state is State.FORM and kiosk.store.stats().total == 0


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
@pytest.mark.parametrize("large", [False, True])
def test_every_step_fits_above_the_keyboard_without_scrolling(qtbot, kiosk, size, large):
    from kiosk.ui.reach import reach

    kiosk.window.resize(*size)
    reach().set_enhanced(large)
    kiosk.involved.chosen.emit("talk")
    form = kiosk.form
    form.email.field.edit.setText("someone@example.ie")
    form.phone.field.edit.setText("087 123 4567")
    for index, step in enumerate(form.steps):
        form.go(index)
        QApplication.processEvents()
        area = form.stack
        if step.keyboard:
            assert form.keyboard.isVisible()
            assert area.geometry().bottom() < form.keyboard.geometry().top()
        needed = step.layout().totalHeightForWidth(area.width())
        assert needed <= area.height(), (index, needed, area.height())
        assert step.minimumSizeHint().width() <= area.width(), index
        for widget in step.findChildren(QAbstractButton) + step.findChildren(QLineEdit):
            if widget.isVisibleTo(step):
                assert widget.height() >= 60 or not widget.isVisible(), widget.objectName()
    reach().reset()


def test_names_stop_at_the_limit_with_a_visible_counter(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    first = kiosk.form.name.first
    QTest.keyClicks(first.edit, "A" * 120)
    assert first.edit.text() == "A" * 100
    assert first.side.text() == "100 of 100 characters"
    assert "100 characters" in first.message.text()


def test_the_keyboard_capitalises_the_start_of_each_name_word(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    finger = Finger(kiosk.window)
    assert form.keyboard.shift_state == "once"  # no Shift tap needed
    for name in ("M", "a", "r", "y", "Space", "A", "n", "n"):
        finger.tap(key(form.keyboard, name))
    assert form.name.first.edit.text() == "Mary Ann"


def test_tab_order_follows_reading_order(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    first, last = form.name.first.edit, form.name.last.edit
    first.setFocus()
    QTest.keyClick(first, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is last


def test_every_control_has_an_accessible_name(qtbot, kiosk):
    kiosk.involved.chosen.emit("prayer")
    for screen in (kiosk.attract, kiosk.involved, kiosk.form, kiosk.thanks):
        for widget in screen.findChildren(QAbstractButton) + screen.findChildren(QLineEdit):
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                assert widget.accessibleName(), widget


def test_personal_fields_are_sensitive_and_offer_no_copy_paste_menu(kiosk):
    edits = kiosk.form.findChildren(QLineEdit)
    assert len(edits) == 4
    for edit in edits:
        assert edit.inputMethodHints() & Qt.InputMethodHint.ImhSensitiveData
        assert edit.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu


def test_no_visitor_control_sits_in_the_admin_corner(qtbot, kiosk):
    from kiosk.ui.reach import reach

    for size in ((1920, 1080), (1280, 800), (1080, 1920)):
        kiosk.window.resize(*size)
        kiosk.involved.chosen.emit("prayer")
        for large in (False, True):
            reach().set_enhanced(large)
            for state in (State.ATTRACT, State.INVOLVED, State.FORM, State.THANKS):
                kiosk.show(state)
                QApplication.processEvents()
                side = max(60, round(120 * min(size) / 1080))
                corner = QRect(size[0] - side, 0, side, side)
                for widget in kiosk.window.stack.currentWidget().findChildren(QAbstractButton):
                    if widget.isVisible():
                        box = QRect(widget.mapTo(kiosk.window, QPoint(0, 0)), widget.size())
                        assert not box.intersects(corner), (state, size, widget.objectName())
        reach().reset()


def test_aa_switches_large_text_on_every_visitor_screen_until_the_visitor_leaves(qtbot, kiosk):
    from kiosk.ui.reach import ReachButton, reach

    for screen in (kiosk.attract, kiosk.involved, kiosk.form, kiosk.thanks):
        assert len(screen.findChildren(ReachButton)) == 1, screen
    kiosk.involved.chosen.emit("prayer")
    title = kiosk.form.name.title
    before = title.fontInfo().pixelSize()
    Finger(kiosk.window).tap(kiosk.form.aa)
    assert reach().enhanced
    QApplication.processEvents()
    assert title.fontInfo().pixelSize() >= 1.5 * before - 1
    kiosk.reset_visitor()
    assert not reach().enhanced


def _assert_no_visitor_text(kiosk, secrets, screens=None):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QWidget

    for screen in screens or (kiosk.involved, kiosk.form, kiosk.thanks):
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
            if box.isCheckable() and box.objectName() not in ("reachButton", "pauseButton"):
                assert not box.isChecked(), box.accessibleName()
    assert kiosk.form.keyboard.mode == "text" and kiosk.form.keyboard.shift_state == "off"
    assert QGuiApplication.clipboard().text() == ""


def test_idle_reset_clears_every_field_undo_history_keyboard_and_clipboard(qtbot, kiosk):
    from PySide6.QtGui import QGuiApplication

    kiosk.involved.chosen.emit("prayer")
    form = kiosk.form
    finger = Finger(kiosk.window)
    type_by_touch(finger, form.keyboard, "Niamh")
    QGuiApplication.clipboard().setText("Niamh")
    finger.tap(key(form.keyboard, "Next"))
    type_by_touch(finger, form.keyboard, "niamh@gmial.com")
    assert form.email.suggestion.isVisible()  # "Did you mean niamh@gmail.com?" must go too
    QTest.keyClick(form.email.field.edit, Qt.Key.Key_Return)
    QTest.keyClick(form.email.field.edit, Qt.Key.Key_Return)
    QTest.keyClicks(form.phone.field.edit, "087 123 4567")
    finger.tap(key(form.keyboard, "Next"))
    finger.tap(form.touch.toggles["sms"])
    form.go(0)
    finger.tap(key(form.keyboard, "Shift"))  # leave the keyboard mid-shift
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


def test_the_idle_warning_gives_at_least_20_seconds(kiosk):
    kiosk.idle_overlay.start()
    assert kiosk.idle_overlay.remaining >= 20
    kiosk.idle_overlay.cancel()


def test_a_touch_during_the_countdown_keeps_the_visitor(qtbot, kiosk):
    kiosk.involved.chosen.emit("talk")
    QTest.keyClicks(kiosk.form.name.first.edit, "Aoife")
    kiosk.idle_overlay.start()
    Finger(kiosk.window).tap(kiosk.idle_overlay)
    assert not kiosk.idle_overlay.isVisible()
    assert kiosk.state is State.FORM
    assert kiosk.form.name.first.edit.text() == "Aoife"


def test_typing_restarts_the_idle_timer_so_a_typing_visitor_is_never_interrupted(qtbot, kiosk):
    kiosk.involved.chosen.emit("talk")
    restarts = []
    original = kiosk.idle_timer.start
    kiosk.idle_timer.start = lambda *a: (restarts.append(1), original(*a))
    QTest.keyClicks(kiosk.form.name.first.edit, "Aoife")
    type_by_touch(Finger(kiosk.window), kiosk.form.keyboard, "b")
    assert len(restarts) >= 6
    assert kiosk.idle_timer.isActive()


def test_a_failed_save_keeps_the_data_and_says_ask_a_volunteer(qtbot, kiosk, monkeypatch):
    def fail(record):
        raise StorageError("We couldn't save that: the disk is full.")

    monkeypatch.setattr(kiosk.store, "save_signup", fail)
    finger = sign_up_by_touch(kiosk, first="Aoife", last="", email="aoife@example.ie")
    form = kiosk.form
    assert kiosk.state is State.FORM and form.current is form.check
    assert form.banner.isVisible()
    assert "please ask a volunteer" in form.banner.text()
    assert form.name.first.edit.text() == "Aoife"
    assert form.email.field.edit.text() == "aoife@example.ie"
    assert form.check.next.isEnabled()
    assert kiosk.store.event_counts()["save_failed"] == 1
    monkeypatch.undo()
    finger.tap(form.check.next)
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
        QTest.keyClicks(kiosk.form.name.first.edit, "Aoife")
        secret = "aoife" + "@example.ie"  # built at run time: source lines appear in tracebacks
        try:
            raise ValueError(f"{secret} is what the visitor typed")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = saved
    assert kiosk.state is State.ATTRACT
    assert kiosk.form.name.first.edit.text() == ""
    assert "unexpected ValueError" in caplog.text
    assert "aoife@example.ie" not in caplog.text


def test_the_first_slide_paints_before_the_rest_of_the_kiosk_is_built(qtbot, data_dir):
    """kiosk run shows the story at once and builds forms and database one event later."""
    from kiosk.ui.attract import AttractScreen
    from kiosk.ui.launch import open_window
    from kiosk.ui.widgets import AfterFirstPaint

    window, content = open_window(load_settings(data_dir), DEFAULT_CONTENT_DIR, windowed=True)
    qtbot.addWidget(window)
    attract = window.stack.currentWidget()
    assert isinstance(attract, AttractScreen) and content is not None
    order = []
    recorder = _Recorder(order)
    attract.installEventFilter(recorder)
    AfterFirstPaint(attract, lambda: order.append("build the rest"))
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

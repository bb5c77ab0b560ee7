"""The visitor's language (SPEC 11): chosen by touch, followed by every screen, stored
with the sign-up, and forgotten when the visitor leaves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from kiosk.languages import load_content_set
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.ui.app import State, next_steps
from kiosk.ui.language_picker import LanguageList
from kiosk.ui.reach import reach
from tests.factories import make_record
from tests.ui.kiosks import make_kiosk, slide_paints, thanks_painted
from tests.ui.touchkit import Finger, key, type_by_touch


@pytest.fixture
def kiosk(qtbot, data_dir):
    controller = make_kiosk(qtbot, data_dir)
    window, store = controller.window, controller.store
    yield controller
    controller.shutdown()
    reach().reset()
    window.allow_close = True
    window.close()
    store.close()


def engage(kiosk) -> Finger:
    finger = Finger(kiosk.window)
    finger.tap(kiosk.attract, QPoint(kiosk.attract.width() // 2, kiosk.attract.height() // 2))
    assert kiosk.state is State.INVOLVED
    return finger


def test_choosing_a_language_changes_every_screen_and_leaving_restores_the_default(kiosk):
    engage(kiosk)
    polish = kiosk.languages.for_language("pl")
    reach().set_language("pl")
    assert kiosk.content is polish
    assert kiosk.state is State.INVOLVED
    assert kiosk.window.stack.currentWidget() is kiosk.involved
    english = kiosk.languages.base
    label = polish.interest("prayer").label
    assert label != english.interest("prayer").label
    assert kiosk.involved.tile("prayer").accessibleName().startswith(label)
    assert kiosk.form.content is polish and kiosk.thanks.content is polish
    assert kiosk.attract.content is polish and kiosk.idle_overlay.content is polish
    kiosk.reset_visitor()
    assert reach().language == "en"
    assert kiosk.content is english and kiosk.attract.content is english
    shown = kiosk.involved.tile("prayer").accessibleName()
    assert shown.startswith(english.interest("prayer").label)


def test_switching_language_mid_sign_up_keeps_what_was_typed(kiosk):
    finger = engage(kiosk)
    finger.tap(kiosk.involved.tile("prayer"))
    type_by_touch(finger, kiosk.form.keyboard, "Ola")
    finger.tap(key(kiosk.form.keyboard, "Next"))
    assert kiosk.form.current is kiosk.form.email
    reach().set_language("uk")
    form = kiosk.form
    assert form.content.language == "uk"
    assert form.current is form.email
    assert form.name.first.edit.text() == "Ola"
    assert kiosk.window.stack.currentWidget() is form
    assert form.check.chosen() == ("prayer",)


def open_list(kiosk, finger: Finger, button) -> LanguageList:
    finger.tap(button)
    (shown,) = [w for w in kiosk.window.findChildren(LanguageList) if w.isVisible()]
    return shown


def test_the_loop_offers_each_language_by_its_own_name_and_a_tap_switches(kiosk):
    finger = Finger(kiosk.window)
    button = kiosk.attract.language
    assert button.isVisible() and button.text() == "English"
    assert button.height() >= 60
    # Not in the admin corner (top right, 120 px at 1080p).
    corner = kiosk.window.width() - max(60, round(120 * kiosk.window.height() / 1080))
    assert button.mapTo(kiosk.window, button.rect().topRight()).x() < corner
    shown = open_list(kiosk, finger, button)
    assert [r.text() for r in shown.rows.values()] == ["English", "Gaeilge", "Polski", "Українська"]
    assert all(r.height() >= 60 for r in shown.rows.values())
    assert kiosk.state is State.ATTRACT  # opening the list did not engage the loop
    # A drag across a row is a scroll or a slip, never a choice.
    finger.drag(shown.rows["pl"], 0, dx=80)
    assert reach().language == "en"
    finger.tap(shown.rows["pl"])
    assert reach().language == "pl" and kiosk.content.language == "pl"
    assert not [w for w in kiosk.window.findChildren(LanguageList) if w.isVisible()]
    assert kiosk.state is State.ATTRACT
    assert button.text() == "Polski"


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_every_visitor_screen_has_the_language_button(kiosk, size):
    kiosk.window.resize(*size)
    finger = engage(kiosk)
    shown = open_list(kiosk, finger, kiosk.involved._language)
    finger.tap(shown.rows["uk"])
    assert kiosk.state is State.INVOLVED and kiosk.content.language == "uk"
    finger.tap(kiosk.involved.tile("prayer"))
    assert kiosk.state is State.FORM
    header = kiosk.form.language
    assert header.isVisible() and header.height() >= 60
    # Portrait's narrow header shows the name's first letters; its accessible name is whole.
    assert header.text() == ("Укр" if size[1] > size[0] else "Українська")
    assert "Українська" in header.accessibleName()
    shown = open_list(kiosk, finger, header)
    finger.tap(shown.rows["ga"])
    assert kiosk.form.content.language == "ga" and kiosk.state is State.FORM
    kiosk.thanks.show_under_age()
    kiosk.show(State.THANKS)
    QApplication.processEvents()
    assert kiosk.thanks._language.isVisible()
    assert kiosk.thanks._language.text() == "Gaeilge"
    kiosk.thanks.clear()


@pytest.mark.parametrize(
    ("code", "first", "email"),
    [("pl", "Łucja", "lucja@example.pl"), ("uk", "Олена", "olena@example.com")],
)
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_a_visitor_signs_up_by_touch_in_their_language(kiosk, code, first, email, size):
    kiosk.window.resize(*size)
    finger = Finger(kiosk.window)
    finger.tap(open_list(kiosk, finger, kiosk.attract.language).rows[code])
    finger.tap(kiosk.attract, QPoint(kiosk.attract.width() // 2, kiosk.attract.height() // 2))
    finger.tap(kiosk.involved.tile("prayer"))
    form, content = kiosk.form, kiosk.content
    assert content.language == code and form.current is form.name
    assert QApplication.focusWidget() is form.name.first.edit, QApplication.focusWidget()
    type_by_touch(finger, form.keyboard, first)  # on the language's own keys
    assert form.name.first.edit.text() == first
    finger.tap(key(form.keyboard, content.text("button.next")))
    assert form.current is form.email
    # Email keeps its own keys in every language.
    assert key(form.keyboard, "at sign").isVisible()
    type_by_touch(finger, form.keyboard, email)
    finger.tap(key(form.keyboard, content.text("button.next")))
    finger.tap(form.phone.skip)
    finger.tap(form.touch.toggles["email"])
    finger.tap(form.touch.next)
    finger.tap(form.check.next)
    assert kiosk.state is State.THANKS
    # What a screen reader says is in the visitor's language too.
    assert kiosk.thanks.accessibleName() == content.text("thanks.name") != "Thank you"
    (record,) = kiosk.store.iter_records()
    assert record.language == code
    assert record.first_name == first and record.email == email
    assert record.consents["email"] is True
    shown = content.consent("email")
    english = kiosk.languages.base.consent("email")
    assert record.consent_text["email"] == getattr(shown, "shown_text", shown.wording)
    assert record.consent_text["email"] != getattr(english, "shown_text", english.wording)
    kiosk.reset_visitor()
    assert reach().language == "en" and kiosk.form.keyboard._language == "en"


def test_the_name_keyboard_has_each_languages_letters(kiosk):
    finger = engage(kiosk)
    reach().set_language("uk")
    finger.tap(kiosk.involved.tile("prayer"))
    keyboard = kiosk.form.keyboard
    assert keyboard.shift_state == "once"  # a capital starts the name
    for letter in "ІЇЄҐʼ":
        assert key(keyboard, letter).isVisible()
    with pytest.raises(AssertionError):
        key(keyboard, "Q")  # no Latin letters on the Ukrainian name keyboard


def test_the_keyboards_own_words_follow_the_language_and_a_tap_on_space_types_one(kiosk):
    from kiosk.ui.keyboard_layouts import BACKSPACE, LAYER, SPACE

    finger = engage(kiosk)
    reach().set_language("pl")
    finger.tap(kiosk.involved.tile("prayer"))
    keyboard = kiosk.form.keyboard
    space = keyboard._keys[SPACE]
    assert space.text() == "spacja" and space.accessibleName() == "Spacja"
    assert keyboard._keys[BACKSPACE].accessibleName() == "Usuń"
    assert keyboard._keys[LAYER].accessibleName() == "Cyfry i symbole"
    type_by_touch(finger, keyboard, "Ola")
    finger.tap(space)
    assert kiosk.form.name.first.edit.text() == "Ola "
    # Leaving returns the next visitor to English keys.
    kiosk.reset_visitor()
    assert reach().language == "en"
    assert kiosk.form.keyboard._keys[SPACE].text() == "space"


def test_an_irish_visitor_signs_up_by_touch_in_irish_with_fadas(kiosk):
    """Gaeilge chosen by a tap: the steps and buttons show the Irish [text] catalogue,
    the name keeps its fadas, and the record holds ga and the Irish consent wording."""
    irish = kiosk.languages.for_language("ga")
    english = kiosk.languages.base
    finger = Finger(kiosk.window)
    finger.tap(open_list(kiosk, finger, kiosk.attract.language).rows["ga"])
    finger.tap(kiosk.attract, QPoint(kiosk.attract.width() // 2, kiosk.attract.height() // 2))
    finger.tap(kiosk.involved.tile("email_updates"))
    form = kiosk.form
    assert kiosk.content is irish and form.current is form.name
    # The catalogue's Irish, not English: the step title, the buttons, the field.
    assert form.name.title.text() == "Cad is ainm duit?" == irish.text("step.name.title")
    assert form.back.accessibleName() == "Siar"
    assert form.name.next.accessibleName() == "Ar aghaidh"
    assert key(form.keyboard, "Ar aghaidh").isVisible()  # the keyboard's Enter key too
    assert english.text("step.name.title") == "What's your name?"
    type_by_touch(finger, form.keyboard, "Seán")
    finger.tap(form.name.last.edit)
    type_by_touch(finger, form.keyboard, "Ó Briain")
    assert (form.name.first.edit.text(), form.name.last.edit.text()) == ("Seán", "Ó Briain")
    finger.tap(key(form.keyboard, "Ar aghaidh"))
    assert form.current is form.email
    assert form.email.title.text() == "Cad é do ríomhphost?"
    type_by_touch(finger, form.keyboard, "sean@example.ie")
    finger.tap(key(form.keyboard, "Ar aghaidh"))
    assert form.current is form.phone
    assert form.phone.skip.text() == "Scipeáil"
    finger.tap(form.phone.skip)
    assert form.touch.title.text() == "Fan i dteagmháil?"
    finger.tap(form.touch.toggles["email"])
    finger.tap(form.touch.next)
    assert form.current is form.check
    assert form.check.title.text() == "Seiceáil agus cláraigh"
    assert form.check.next.text() == "Tá mé 16 nó níos sine — cláraigh mé"
    finger.tap(form.check.next)
    assert kiosk.state is State.THANKS
    (record,) = kiosk.store.iter_records()
    assert record.language == "ga"
    assert (record.first_name, record.last_name) == ("Seán", "Ó Briain")
    assert record.email == "sean@example.ie" and record.consents["email"] is True
    assert record.consent_text["email"] == (
        "Tá, féadfaidh IJM UK ríomhphost a chur chugam faoina obair, faoi riachtanais urnaí "
        "agus faoi bhealaí le síntiús a thabhairt. Is féidir liom díliostáil am ar bith."
    )


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("en", "We'll be in touch by email and text message."),
        ("ga", "Beimid i dteagmháil leat: ríomhphost agus teachtaireacht téacs."),
        ("pl", "Skontaktujemy się z Tobą e-mailem i SMS-em."),
        ("uk", "Ми зв’яжемося з вами електронною поштою та через SMS."),
    ],
)
def test_the_thank_you_names_the_channels_in_the_visitors_language(code, said):
    content = load_content_set(DEFAULT_CONTENT_DIR).for_language(code)
    record = make_record(consents={"email": True, "sms": True})
    assert next_steps(record, content) == said


def test_a_visitor_in_another_language_leaves_to_the_loop_in_the_default_one(
    qtbot, kiosk, monkeypatch
):
    """The loop's first picture is not drawn ahead in the visitor's Polish: Done puts the
    default language back, and the loop shows its own words, drawn then."""
    drawn = slide_paints(monkeypatch, lambda screen, slide: screen.content.language)
    finger = engage(kiosk)
    reach().set_language("pl")
    kiosk.thanks.show_for("Ola", "IJM-7Q2K")
    kiosk.show(State.THANKS)
    thanks_painted(kiosk)
    assert drawn == []  # nothing drawn ahead for the loop
    finger.tap(kiosk.thanks.done_button)
    kiosk.attract.repaint()
    assert reach().language == "en"
    assert drawn == ["en"]

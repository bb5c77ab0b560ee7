"""Read aloud (SPEC 11): a speaker button on every visitor screen reads that screen in the
visitor's language through the system's speech engine (here a fake that records what it
is asked), costs nothing at start, and is absent when no engine is installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk import speech
from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.ui.app import State
from kiosk.ui.attract import AttractScreen
from kiosk.ui.language_picker import LanguageList
from kiosk.ui.reach import reach
from kiosk.ui.speaker import reader
from kiosk.ui.window import KioskWindow
from tests.ui.kiosks import make_kiosk
from tests.ui.touchkit import Finger


class FakeEngine:
    """Records what it is asked to say; 'reads' until told it has finished."""

    def __init__(self, voices=("en", "ga", "pl", "uk")) -> None:
        self.voices = set(voices)
        self.said: list[tuple[str, str]] = []
        self.stops = 0
        self.busy = False

    def voice_for(self, language: str) -> str | None:
        return language if language in self.voices else None

    def say(self, text: str, language: str) -> bool:
        self.said.append((text, language))
        self.busy = True
        return True

    def stop(self) -> None:
        self.stops += 1
        self.busy = False

    def speaking(self) -> bool:
        return self.busy


@pytest.fixture
def engine() -> FakeEngine:
    return FakeEngine()


def close_kiosk(controller) -> None:
    controller.shutdown()
    reach().reset()
    reach().set_enhanced(False)
    controller.window.allow_close = True
    controller.window.close()
    controller.store.close()


@pytest.fixture
def kiosk(qtbot, data_dir, engine):
    reader().use(engine)
    controller = make_kiosk(qtbot, data_dir)
    yield controller
    close_kiosk(controller)


def engage(kiosk) -> Finger:
    finger = Finger(kiosk.window)
    finger.tap(kiosk.attract, QPoint(kiosk.attract.width() // 2, kiosk.attract.height() // 2))
    assert kiosk.state is State.INVOLVED
    return finger


def choose_language(kiosk, finger: Finger, button, code: str) -> None:
    finger.tap(button)
    (shown,) = [w for w in kiosk.window.findChildren(LanguageList) if w.isVisible()]
    finger.tap(shown.rows[code])
    QApplication.processEvents()
    assert reach().language == code


def test_with_no_engine_installed_there_is_no_speaker_button(qtbot, data_dir):
    reader().use(None)
    kiosk = make_kiosk(qtbot, data_dir)
    try:
        engage(kiosk)
        assert not kiosk.involved.speaker.isVisible()
        assert not kiosk.attract.speaker.isVisibleTo(kiosk.attract)
        assert not kiosk.form.speaker.isVisibleTo(kiosk.form)
        assert not kiosk.thanks.speaker.isVisibleTo(kiosk.thanks)
    finally:
        close_kiosk(kiosk)


def test_the_engine_is_looked_up_only_after_the_loop_first_paints(qtbot, monkeypatch, engine):
    reader().use(None, looked_up=False)
    content = load_content(DEFAULT_CONTENT_DIR)
    window = KioskWindow(kiosk_mode=False)
    qtbot.addWidget(window)
    attract = AttractScreen(content)
    window.stack.addWidget(attract)
    looked: list[bool] = []

    def find_engine():
        looked.append(attract.chrome.painted_once)  # set by the loop's first paint
        return engine

    monkeypatch.setattr(speech, "find_engine", find_engine)
    assert not attract.speaker.isVisibleTo(attract)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: bool(looked))
    assert looked == [True]
    qtbot.waitUntil(attract.speaker.isVisible)
    assert attract.speaker.height() >= 60
    window.close()
    QApplication.processEvents()
    assert looked == [True]  # once


def test_the_start_path_does_not_load_the_speech_engine_module():
    code = (
        "import sys, kiosk.ui.launch, kiosk.ui.attract; "
        "print('kiosk.speech' in sys.modules, 'subprocess' in sys.modules)"
    )
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_a_tap_on_the_loop_reads_the_slide_and_the_language_follows_the_visitor(kiosk, engine):
    finger = Finger(kiosk.window)
    attract = kiosk.attract
    attract.go_to(4)  # a statistic: headline, number, caption and source
    slide = attract.slide
    assert slide.kind == "stat"
    finger.tap(attract.speaker)
    assert kiosk.state is State.ATTRACT  # reading is not engaging
    ((text, language),) = engine.said
    assert language == "en"
    for part in (slide.headline, slide.caption, slide.source, "76,000+"):
        assert part in text
    assert attract.speaker.isChecked()
    assert attract.speaker.accessibleName() == "Stop reading"
    # Another language stops the reading, and the next tap reads in it.
    choose_language(kiosk, finger, attract.language, "pl")
    assert engine.stops >= 1 and not engine.busy
    assert not attract.speaker.isChecked()
    finger.tap(attract.speaker)
    text, language = engine.said[-1]
    polish = kiosk.languages.for_language("pl")
    assert language == "pl"
    assert polish.slides[4].caption in text and polish.slides[4].caption != slide.caption
    assert attract.speaker.accessibleName() == polish.text("reach.stop_reading")


def test_a_second_tap_stops_and_the_button_follows_the_end_of_a_reading(kiosk, engine, qtbot):
    finger = Finger(kiosk.window)
    finger.tap(kiosk.attract.speaker)
    assert engine.busy
    finger.tap(kiosk.attract.speaker)
    assert not engine.busy and len(engine.said) == 1
    assert not kiosk.attract.speaker.isChecked()
    finger.tap(kiosk.attract.speaker)
    assert kiosk.attract.speaker.isChecked()
    engine.busy = False  # the engine came to the end
    qtbot.waitUntil(lambda: not kiosk.attract.speaker.isChecked(), timeout=2000)
    assert kiosk.attract.speaker.accessibleName() == "Read aloud"


def test_a_drag_across_the_speaker_never_reads(kiosk, engine):
    finger = Finger(kiosk.window)
    finger.drag(kiosk.attract.speaker, 0, dx=80)
    finger.drag(kiosk.attract.speaker, 60)
    assert engine.said == []
    assert kiosk.state is State.ATTRACT


def test_the_tiles_read_their_heading_and_each_tile(kiosk, engine):
    finger = engage(kiosk)
    finger.tap(kiosk.involved.speaker)
    ((text, language),) = engine.said
    content = kiosk.content
    assert language == "en"
    assert text.startswith(content.screens.involved_title)
    for interest in content.interests:
        assert interest.label in text


def test_a_step_reads_its_question_and_the_message_it_shows(kiosk, engine):
    finger = engage(kiosk)
    finger.tap(kiosk.involved.tile("prayer"))
    form = kiosk.form
    finger.tap(form.name.next)  # no first name: the step says why it can't go on
    problems = [
        label.text()
        for label in form.name.findChildren(type(form.banner))
        if label.property("role") in ("error", "reason") and label.text()
    ]
    assert problems, "the empty name shows a message"
    finger.tap(form.speaker)
    ((text, language),) = engine.said
    assert language == "en"
    assert text.startswith(form.name.title.text())
    for problem in problems:
        assert problem in text
    # Leaving the step stops reading it; the next step reads its own question.
    finger.tap(form.back)
    assert not engine.busy and kiosk.state is State.INVOLVED


def test_the_thank_you_reads_its_message_in_the_visitors_language(kiosk, engine):
    finger = Finger(kiosk.window)
    choose_language(kiosk, finger, kiosk.attract.language, "uk")
    kiosk.thanks.show_for("Олена", "NH-7F3KQ2", "")
    kiosk.show(State.THANKS)
    QApplication.processEvents()
    finger.tap(kiosk.thanks.speaker)
    ((text, language),) = engine.said
    assert language == "uk"
    ukrainian = kiosk.languages.for_language("uk")
    assert "Олена" in text
    assert ukrainian.thank_you.headline.split("{")[0].strip(" ,") in text
    # Done: the visitor leaves, the reading stops, the next visitor starts in English.
    finger.tap(kiosk.thanks.done_button)
    assert kiosk.state is State.ATTRACT
    assert not engine.busy and not kiosk.thanks.speaker.isChecked()


def test_an_idle_reset_stops_reading(kiosk, engine):
    finger = engage(kiosk)
    finger.tap(kiosk.involved.speaker)
    assert engine.busy
    kiosk.idle_overlay.start()
    # The visitor has been listening: the question is read too.
    text, _ = engine.said[-1]
    assert kiosk.content.text("idle.heading") in text
    kiosk.idle_overlay.expired.emit()
    assert kiosk.state is State.ATTRACT
    assert not engine.busy
    # The next visitor has not asked for reading: the question is not read to them.
    engage(kiosk)
    count = len(engine.said)
    kiosk.idle_overlay.start()
    assert len(engine.said) == count
    kiosk.idle_overlay.cancel()


def test_a_language_without_a_voice_disables_the_button_and_says_why(qtbot, data_dir):
    engine = FakeEngine(voices=("en", "pl", "uk"))
    reader().use(engine)
    kiosk = make_kiosk(qtbot, data_dir)
    try:
        finger = Finger(kiosk.window)
        choose_language(kiosk, finger, kiosk.attract.language, "ga")
        finger.tap(kiosk.attract.speaker)
        assert engine.said == []
        speaker = kiosk.attract.speaker
        assert not speaker.isEnabled()
        irish = kiosk.languages.for_language("ga")
        assert speaker.accessibleName() == irish.text("reach.no_voice")
        choose_language(kiosk, finger, kiosk.attract.language, "pl")
        assert speaker.isEnabled()
    finally:
        close_kiosk(kiosk)


def _header_controls(screen) -> list[QPushButton]:
    return [b for b in screen.findChildren(QPushButton) if b.objectName() == "reachButton"]


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_the_speaker_fits_beside_its_neighbours_and_clear_of_the_admin_corner(
    qtbot, data_dir, engine, size, large
):
    reader().use(engine)
    kiosk = make_kiosk(qtbot, data_dir, size)
    try:
        reach().set_enhanced(large)
        finger = Finger(kiosk.window)
        choose_language(kiosk, finger, kiosk.attract.language, "uk")  # the longest name
        corner = kiosk.admin_entry.corner_rect()
        for state in (State.ATTRACT, State.INVOLVED, State.FORM, State.THANKS):
            if state is State.THANKS:
                kiosk.thanks.show_for("Олена", "NH-7F3KQ2", "")
            kiosk.show(state)
            QApplication.processEvents()
            screen = kiosk.window.stack.currentWidget()
            speaker = screen.speaker
            assert speaker.isVisible(), state
            assert min(speaker.width(), speaker.height()) >= 60, state

            def rect(w):
                return QRect(w.mapTo(kiosk.window, QPoint(0, 0)), w.size())

            shown = rect(speaker)
            assert shown.left() >= 0 and shown.right() < kiosk.window.width(), state
            assert kiosk.window.rect().contains(shown), state
            assert not rect(speaker).intersects(corner), state
            for other in _header_controls(screen):
                if other is not speaker and other.isVisible():
                    assert not rect(speaker).intersects(rect(other)), (state, other.text())
                    assert not rect(other).intersects(corner), (state, other.text())
        kiosk.thanks.clear()
    finally:
        close_kiosk(kiosk)

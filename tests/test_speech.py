"""Read aloud: the engine is found lazily, speaks in the visitor's language, never blocks."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kiosk import speech

LISTING = """Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  en-029          --/M      English_(Caribbean) gmw/en-029
 2  en-gb           --/M      English_(Great_Britain) gmw/en
 5  ga              --/M      Irish_Gaelic       cel/ga
 5  pl              --/M      Polish             zls/pl
 5  uk              --/M      Ukrainian          zle/uk
"""


class FakeProcess:
    def __init__(self, argv, **kwargs):
        self.argv = argv
        self.kwargs = kwargs
        self.written = ""
        self.terminated = False
        self.running = True
        self.stdin = self

    # stdin
    def write(self, text):
        self.written += text

    def close(self):
        pass

    # process
    def communicate(self, timeout=None):
        return LISTING, ""

    def poll(self):
        return None if self.running else 0

    def terminate(self):
        self.terminated = True
        self.running = False

    def wait(self, timeout=None):
        return 0

    def kill(self):
        self.running = False


class FakeRunner:
    def __init__(self):
        self.started: list[FakeProcess] = []

    def __call__(self, argv, **kwargs):
        proc = FakeProcess(argv, **kwargs)
        self.started.append(proc)
        return proc


@pytest.fixture
def runner():
    return FakeRunner()


@pytest.fixture(autouse=True)
def _fresh_search():
    speech.reset_for_tests()
    yield
    speech.reset_for_tests()


def test_each_kiosk_language_gets_its_own_voice(runner):
    engine = speech.EspeakEngine("espeak-ng", run=runner)
    assert [engine.voice_for(code) for code in ("en", "ga", "pl", "uk", "fr")] == [
        "en-gb",
        "ga",
        "pl",
        "uk",
        None,
    ]
    assert len(runner.started) == 1  # the voice list is read once


def test_say_sends_the_text_on_stdin_in_the_chosen_voice(runner):
    engine = speech.EspeakEngine("espeak-ng", run=runner)
    assert engine.say("Dziękujemy   za\n wsparcie", "pl")
    proc = runner.started[-1]
    assert proc.argv[:3] == ["espeak-ng", "-v", "pl"]
    assert proc.written == "Dziękujemy za wsparcie"
    assert "Dziękujemy" not in " ".join(proc.argv)


def test_a_new_press_stops_what_is_still_being_read(runner):
    engine = speech.EspeakEngine("espeak-ng", run=runner)
    engine.say("First slide", "en")
    first = runner.started[-1]
    engine.say("Second slide", "en")
    assert first.terminated
    assert engine.speaking()
    engine.stop()
    assert runner.started[-1].terminated
    assert not engine.speaking()


def test_a_language_without_a_voice_says_nothing(runner):
    engine = speech.EspeakEngine("espeak-ng", run=runner)
    assert not engine.say("Bonjour", "fr")
    assert len(runner.started) == 1  # only the voice listing


def test_a_very_long_text_is_cut_to_a_bounded_utterance(runner):
    engine = speech.EspeakEngine("espeak-ng", run=runner)
    engine.say("word " * 5000, "en")
    assert len(runner.started[-1].written) <= speech.MAX_CHARS


def test_a_broken_engine_is_reported_not_raised():
    def broken(argv, **kwargs):
        raise OSError("exec format error")

    engine = speech.EspeakEngine("espeak-ng", run=broken)
    assert engine.voice_for("en") is None
    assert not engine.say("Hello", "en")


def test_no_engine_installed_means_no_engine_and_the_search_runs_once():
    calls = []

    def which(name):
        calls.append(name)
        return None

    assert speech.find_engine(which) is None
    assert speech.find_engine(which) is None
    assert calls == ["espeak-ng", "espeak"]


def test_the_installed_engine_is_found():
    engine = speech.find_engine(lambda name: "/usr/bin/espeak-ng" if name == "espeak-ng" else None)
    assert isinstance(engine, speech.EspeakEngine)


def test_spoken_text_joins_parts_as_sentences():
    assert speech.spoken(["Your name", "", "First name is needed."]) == (
        "Your name. First name is needed."
    )


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="eSpeak NG is not installed here")
def test_the_real_engine_lists_voices_for_the_four_languages():
    engine = speech.EspeakEngine(shutil.which("espeak-ng"), run=subprocess.Popen)
    assert all(engine.voice_for(code) for code in ("en", "ga", "pl", "uk"))

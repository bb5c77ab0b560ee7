"""UI fixtures: fonts loaded once, and a test fails if it leaves a QTimer or QThread running."""

from __future__ import annotations

import gc

import pytest
import shiboken6
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True)
def _fonts(qapp):
    from kiosk.ui.theme import load_fonts

    load_fonts()


def _live(cls):
    """Every live instance, parented or not (a worker moved to a thread has no parent)."""
    found = {id(o): o for o in gc.get_objects() if isinstance(o, cls) and shiboken6.isValid(o)}
    app = QApplication.instance()
    for widget in app.topLevelWidgets():
        found.update((id(t), t) for t in widget.findChildren(cls))
    return list(found.values())


@pytest.fixture(autouse=True)
def no_leaked_timers_or_threads(qapp, qtbot):
    """A kiosk is made of timers: one left running after a test is a bug."""
    yield
    # Widgets registered with qtbot are closed after this fixture; close them now.
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    qapp.processEvents()
    timers = [t for t in _live(QTimer) if t.isActive()]
    threads = [t for t in _live(QThread) if t.isRunning()]
    assert not timers, f"test left active timers: {[t.objectName() or t for t in timers]}"
    assert not threads, f"test left running threads: {threads}"


@pytest.fixture(autouse=True)
def _no_speech_engine(qapp):
    """As on a machine with no speech engine, whatever this one has installed; tests of
    read aloud give the reader a fake engine (tests/ui/test_speaker.py)."""
    from kiosk.ui.speaker import reader

    reader().use(None)
    yield
    reader().use(None)

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


def _kinds(cls: type) -> set[type]:
    kinds, todo = {cls}, [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in kinds:
                kinds.add(sub)
                todo.append(sub)
    return kinds


def _live(*classes: type) -> list:
    """Every live instance, parented or not (a worker moved to a thread has no parent).

    One pass over the heap, matching exact types against the classes and all their
    subclasses: a set lookup, several times cheaper than isinstance on Qt types."""
    kinds = set().union(*(_kinds(cls) for cls in classes))
    found = {id(o): o for o in gc.get_objects() if type(o) in kinds and shiboken6.isValid(o)}
    app = QApplication.instance()
    for widget in app.topLevelWidgets():
        for cls in classes:
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
    live = _live(QTimer, QThread)
    timers = [t for t in live if isinstance(t, QTimer) and t.isActive()]
    threads = [t for t in live if isinstance(t, QThread) and t.isRunning()]
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

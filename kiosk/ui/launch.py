"""`kiosk run`: show the first slide at once, then build the rest of the kiosk.

Only the window, the theme and the attract loop are imported before the first
paint; the database, the forms and their validation libraries follow one event
later, while the visitor is already looking at the story.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.content import Content, load_content
from kiosk.errors import ContentError
from kiosk.security import has_pin
from kiosk.settings import Settings
from kiosk.ui.attract import AttractScreen
from kiosk.ui.theme import Metrics, font, load_fonts
from kiosk.ui.window import KioskWindow, ProblemScreen

log = logging.getLogger(__name__)


def open_window(
    settings: Settings, content_dir: Path, *, windowed: bool
) -> tuple[KioskWindow, Content | None]:
    """The window with the attract loop, or with a ProblemScreen for a broken pack."""
    window = KioskWindow(kiosk_mode=not windowed)
    try:
        content = load_content(content_dir)
    except ContentError as exc:
        log.error("content pack %s is broken: %d problems", content_dir, len(exc.problems))
        for line in exc.problems:
            print(f"kiosk run: {line}", file=sys.stderr)
        window.stack.addWidget(ProblemScreen("This kiosk's content needs fixing", exc.problems))
        window.allow_close = True  # nothing to protect; let a volunteer close it
        return window, None
    window.stack.addWidget(AttractScreen(content))
    return window, content


class _AfterFirstPaint(QObject):
    """Calls `then` once, on the event loop turn after `widget` first paints."""

    def __init__(self, widget: QObject, then) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, then)
        return False


def run_kiosk(
    settings: Settings, content_dir: Path, *, windowed: bool, size: tuple[int, int] | None = None
) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Freedom Kiosk")
    load_fonts()
    app.setFont(font(Metrics(1920, 1080).body_px))
    window, content = open_window(settings, content_dir, windowed=windowed)
    built: dict[str, object] = {}

    def build_the_rest() -> None:
        from kiosk.store import Store
        from kiosk.ui.app import KioskController, install_excepthook

        built["store"] = store = Store(settings.db_path)
        attract = window.stack.widget(0)
        built["controller"] = controller = KioskController(
            settings, content, store, window, content_dir=content_dir, attract=attract
        )
        install_excepthook(controller)

    if content is not None and not has_pin(settings):
        build_the_rest()  # set-up first: the loop must not be painted before it
    elif content is not None:
        _AfterFirstPaint(window.stack.widget(0), build_the_rest)
    if windowed:
        window.resize(*(size or (1280, 800)))
        window.show()
    else:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
        window.place_on_screen(settings.screen)
    try:
        return app.exec()
    finally:
        if "controller" in built:
            built["controller"].shutdown()
        if "store" in built:
            built["store"].close()

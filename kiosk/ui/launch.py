"""`kiosk run`: show the first slide at once, then build the rest of the kiosk.

Only the window, the theme, the attract loop and the pack's default language are
read before the first paint; the other translations, the last good copy, the
database, the forms and their validation libraries follow one event later, while
the visitor is already looking at the story.

A broken content pack never stops the kiosk: the last pack that loaded cleanly
(kept in the data folder) is shown instead, with the problems kept for Admin;
with no good pack at all, the "content needs fixing" screen, with Admin over it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from kiosk.content import Content
from kiosk.last_good import LoadedPack, load_first, load_or_last_good, remember
from kiosk.security import has_pin
from kiosk.settings import Settings
from kiosk.ui.attract import AttractScreen
from kiosk.ui.theme import Metrics, font, load_fonts
from kiosk.ui.widgets import AfterFirstPaint
from kiosk.ui.window import PROBLEM_TITLE, KioskWindow, ProblemScreen

log = logging.getLogger(__name__)


def open_window(
    settings: Settings, content_dir: Path, *, windowed: bool
) -> tuple[KioskWindow, Content | None]:
    """The window with the attract loop, or with a ProblemScreen for a broken pack.

    Only the pack's default language is read here; `build_controller` reads every
    language after the first paint. `window.content_problem` holds the configured
    pack's problems when it broke.
    """
    window = KioskWindow(kiosk_mode=not windowed)
    # QR codes are only sized here: qrcode loads after the first paint.
    pack = load_first(content_dir, settings.data_dir, build_codes=False)
    _take(window, pack)
    if pack.content is None:
        window.stack.addWidget(ProblemScreen(PROBLEM_TITLE, pack.problems or []))
        return window, None
    window.stack.addWidget(AttractScreen(pack.content))
    return window, pack.content


def _take(window: KioskWindow, pack: LoadedPack) -> None:
    window.loaded = pack
    window.content_problem = pack.problems
    window.content_set = pack.languages  # the visitor's choice of language
    for line in pack.problems or ():
        print(f"kiosk run: {line}", file=sys.stderr)
    if pack.from_last_good:
        print("kiosk run: showing the last content pack that loaded cleanly", file=sys.stderr)


def read_every_language(
    settings: Settings, window: KioskWindow, content_dir: Path, content: Content | None
) -> Content | None:
    """After the first paint: every language of the pack open_window showed.

    A broken translation breaks the pack, as in `kiosk check`: the loop then shows
    the last good pack, or the window the problem screen. Returns the pack to run.
    """
    first = getattr(window, "loaded", None)
    if first is None or first.complete:
        return content
    pack = load_or_last_good(content_dir, settings.data_dir, build_codes=False)
    if pack.problems is None:  # the usual start
        window.loaded, window.content_set = pack, pack.languages
    else:
        _take(window, pack)
    first_screen = window.stack.widget(0)
    if pack.content is not None and pack.content == first_screen.content:
        return pack.content  # the usual start: the slide on screen stays
    # A broken translation: the last good pack (its own slides and codes) or the problem.
    screen = (
        AttractScreen(pack.content)
        if pack.content is not None
        else ProblemScreen(PROBLEM_TITLE, pack.problems or [])
    )
    window.stack.insertWidget(0, screen)
    window.stack.setCurrentWidget(screen)
    window.stack.removeWidget(first_screen)
    first_screen.hide()
    first_screen.deleteLater()
    return pack.content


def build_controller(
    settings: Settings,
    content: Content | None,
    window: KioskWindow,
    content_dir: Path,
    built: dict[str, object],
) -> QObject:
    """The store and the controller for what `open_window` showed (the visitor flow,
    or the problem screen with Admin), once every language is read; `built` receives
    the store to close."""
    from kiosk.store import Store
    from kiosk.ui.app import KioskController, install_excepthook

    content = read_every_language(settings, window, content_dir, content)
    built["store"] = store = Store(settings.db_path, seal_to=settings.privacy_seal_to)
    if content is None:
        from kiosk.ui.problem import ProblemController

        install_excepthook(None)  # log anything unexpected; the problem screen stays
        return ProblemController(
            settings, store, window, window.content_problem or [], content_dir=content_dir
        )
    if window.content_problem is None:
        remember(content, settings.data_dir)  # after the first paint: it reads every file
    attract = window.stack.widget(0)
    controller = KioskController(
        settings,
        content,
        store,
        window,
        content_dir=content_dir,
        attract=attract,
        languages=getattr(window, "content_set", None),
    )
    controller.content_problem = window.content_problem
    install_excepthook(controller)
    return controller


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
        from kiosk.ui.collector import GuiThreadCollector

        # Before the store's thread starts: from here on, only this thread collects.
        built["collector"] = collector = GuiThreadCollector(app)
        collector.freeze_startup()
        built["controller"] = build_controller(settings, content, window, content_dir, built)

    try:
        if has_pin(settings):
            AfterFirstPaint(window.stack.widget(0), build_the_rest)
        else:
            build_the_rest()  # set-up first: nothing else may be painted before it
        if windowed:
            window.resize(*(size or (1280, 800)))
            window.show()
        else:
            app.setOverrideCursor(Qt.CursorShape.BlankCursor)
            window.place_on_screen(settings.screen)
        return app.exec()
    finally:
        _shut_down(built)


def _shut_down(built: dict[str, object]) -> None:
    """What run_kiosk built, last first, each part even if an earlier one fails: the
    controller, the store, then the collector (automatic collection back on)."""
    with contextlib.ExitStack() as parts:  # callbacks run last-registered first
        for name, how in (
            ("collector", "uninstall"),
            ("store", "close"),
            ("controller", "shutdown"),
        ):
            if name in built:
                parts.callback(getattr(built[name], how))

"""A whole kiosk in every language of the default pack, shown and ready for a finger."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.languages import load_content_set
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.security import set_pin
from kiosk.settings import load_settings
from kiosk.store import Store
from kiosk.ui.app import KioskController
from kiosk.ui.window import KioskWindow


def make_kiosk(qtbot, data_dir, size=(1280, 800)) -> KioskController:
    """The controller of a shown kiosk-mode window (its store is `controller.store`)."""
    set_pin(data_dir, "2468")
    settings = load_settings(data_dir)
    languages = load_content_set(DEFAULT_CONTENT_DIR)
    store = Store(settings.db_path)
    window = KioskWindow(kiosk_mode=True)
    qtbot.addWidget(window)
    controller = KioskController(
        settings,
        languages.for_language(None),
        store,
        window,
        content_dir=DEFAULT_CONTENT_DIR,
        languages=languages,
    )
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return controller


def slide_paints(monkeypatch, note: Callable[[object, object], object]) -> list:
    """A list that gets `note(screen, slide)` each time the attract loop draws a slide
    (into its cached picture or straight on screen)."""
    from kiosk.ui.attract import AttractScreen

    seen: list = []
    paint_slide = AttractScreen._paint_slide

    def noted(screen, painter, slide, *args, **kwargs):
        seen.append(note(screen, slide))
        return paint_slide(screen, painter, slide, *args, **kwargs)

    monkeypatch.setattr(AttractScreen, "_paint_slide", noted)
    return seen


def thanks_painted(kiosk) -> None:
    """The thank-you is painted, and what the kiosk left for after its paint has run."""
    from PySide6.QtWidgets import QApplication

    kiosk.thanks.repaint()
    QApplication.processEvents()

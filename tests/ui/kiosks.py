"""A whole kiosk in every language of the default pack, shown and ready for a finger."""

from __future__ import annotations

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

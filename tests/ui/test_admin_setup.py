"""First start: a kiosk with no admin PIN serves no visitor until it is set up, by touch."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.security import has_pin, verify_pin
from kiosk.settings import load_settings, read_file, write_values
from kiosk.store import Store
from kiosk.ui.app import KioskController, State
from kiosk.ui.involved import InvolvedScreen
from kiosk.ui.setup import SetupScreen
from kiosk.ui.window import KioskWindow
from tests.ui.admin_support import find_button, touch_tap

VISITOR_SCREENS = ("AttractScreen", "InvolvedScreen", "SignupScreen", "ThanksScreen")


class _PaintWatch(QObject):
    """Which screens were ever painted: a screen never painted was never seen."""

    def __init__(self, shown: list[str]) -> None:
        super().__init__()
        self.shown = shown

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.shown.append(type(watched).__name__)
        return False


@pytest.fixture
def fresh(qtbot, data_dir):
    """A kiosk on a fresh machine: no settings, no PIN."""
    settings = load_settings(data_dir)
    store = Store(settings.db_path)
    window = KioskWindow(kiosk_mode=True)
    qtbot.addWidget(window)
    shown: list[str] = []
    watch = _PaintWatch(shown)
    QApplication.instance().installEventFilter(watch)
    controller = KioskController(
        settings, load_content(DEFAULT_CONTENT_DIR), store, window, content_dir=DEFAULT_CONTENT_DIR
    )
    controller.shown = shown
    window.resize(800, 800)  # touch stays on the offscreen platform's 800×800 screen
    window.show()
    qtbot.waitExposed(window)
    yield controller
    QApplication.instance().removeEventFilter(watch)
    controller.shutdown()
    window.allow_close = True
    window.close()
    store.close()


def _pin(setup: SetupScreen, pin: str) -> None:
    for digit in pin:
        touch_tap(find_button(setup.pad, digit))
    touch_tap(find_button(setup.pad, "OK"))


def _type(setup: SetupScreen, text: str) -> None:
    for ch in text:
        name = {"-": "hyphen", ".": "full stop", "/": "slash", ":": "colon"}.get(ch, ch)
        keys = [
            b
            for b in setup.keyboard.findChildren(QPushButton)
            if b.accessibleName() == name and b.isVisible()
        ]
        touch_tap(keys[0])
        QApplication.processEvents()


def test_a_fresh_kiosk_starts_on_set_up_and_never_shows_a_visitor_screen(qtbot, fresh):
    qtbot.waitUntil(lambda: "SetupScreen" in fresh.shown)
    assert fresh.state is State.SETUP
    assert isinstance(fresh.window.stack.currentWidget(), SetupScreen)
    assert not set(fresh.shown) & set(VISITOR_SCREENS)
    fresh.reset_visitor()  # an idle reset or the error hook: still set-up
    assert fresh.state is State.SETUP


def test_corner_taps_and_the_hotkey_never_open_admin_during_set_up(fresh):
    for _ in range(6):
        touch_tap(fresh.window, fresh.admin_entry.corner_rect().center())
    fresh.admin_entry.requested.emit()
    assert fresh.state is State.SETUP


def test_set_up_by_touch_pin_twice_a_name_then_the_loop(fresh, data_dir):
    setup = fresh.setup
    assert setup.step == 1
    _pin(setup, "1111")  # too easy: refused
    message = setup.pad.findChild(QLabel, "pinMessage")
    assert setup.step == 1 and "too easy" in message.text()
    _pin(setup, "5173")
    _pin(setup, "5137")  # not the same
    assert setup.step == 1 and not has_pin(data_dir)
    _pin(setup, "5173")
    _pin(setup, "5173")
    assert setup.step == 2
    assert setup.name_field.text() == fresh.settings.device_id  # the generated name, editable
    _type(setup, "tent-north")  # replaces the selected name
    touch_tap(find_button(setup, "Next step"))
    assert setup.step == 3
    assert not has_pin(data_dir)  # nothing is saved before the last step
    touch_tap(find_button(setup, "Skip sync"))
    assert fresh.state is State.ATTRACT
    saved = read_file(data_dir)
    assert saved["device_id"] == "tent-north"
    assert verify_pin(saved["admin.pin_hash"], "5173") and "5173" not in str(saved)
    assert fresh.settings.device_id == "tent-north"  # new sign-ups carry the new name


def test_an_unusable_name_is_refused_with_the_reason(fresh):
    setup = fresh.setup
    _pin(setup, "5173")
    _pin(setup, "5173")
    setup.name_field.setText("  ")
    touch_tap(find_button(setup, "Next step"))
    assert setup.step == 2 and "letters, digits" in setup.name_step.error.text()


def test_a_sync_folder_typed_in_set_up_turns_sync_on(fresh, data_dir, tmp_path):
    setup = fresh.setup
    _pin(setup, "5173")
    _pin(setup, "5173")
    touch_tap(find_button(setup, "Next step"))
    setup.sync_field.setText("https://office.example.org/kiosk")
    touch_tap(find_button(setup, "Start the kiosk"))
    assert setup.step == 3 and "sync password" in setup.sync_step.error.text()
    target = tmp_path / "to-office"
    target.mkdir()
    setup.sync_field.setText(str(target))
    touch_tap(find_button(setup, "Start the kiosk"))
    assert fresh.state is State.ATTRACT
    assert read_file(data_dir)["sync.folder"] == str(target)
    assert fresh.sync_worker is not None


@pytest.mark.parametrize("broken", ["", "2580", "scrypt$16384$8$1$bad$hash"])
def test_a_pin_lost_later_sends_admin_back_to_set_up_not_to_choose_a_pin(fresh, data_dir, broken):
    setup = fresh.setup
    _pin(setup, "5173")
    _pin(setup, "5173")
    touch_tap(find_button(setup, "Next step"))
    touch_tap(find_button(setup, "Skip sync"))
    # The hash is gone, or hand-edited into something no PIN can match.
    write_values(data_dir, {"admin.pin_hash": broken})
    fresh.open_admin()
    assert fresh.state is State.SETUP
    assert fresh.window.stack.currentWidget() is fresh.setup
    assert fresh.setup.step == 1


def test_kiosk_run_on_a_fresh_machine_lands_on_set_up(
    qtbot, data_dir, monkeypatch, automatic_collection
):
    """`kiosk run --windowed` with no PIN: set-up is what the window shows, never the loop."""
    from kiosk.ui import launch

    seen = {}

    def fake_exec():
        QApplication.processEvents()
        for w in QApplication.topLevelWidgets():
            if isinstance(w, KioskWindow) and w.isVisible():
                seen["screen"] = type(w.stack.currentWidget()).__name__
                seen["window"] = w
        seen["automatic_gc"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        # The visitor screens, which a change of language rebuilds, are not frozen:
        # a frozen cycle would never be freed.
        (involved,) = seen["window"].findChildren(InvolvedScreen)
        seen["involved_collectable"] = any(o is involved for o in gc.get_objects())
        return 0

    monkeypatch.setattr(QApplication.instance(), "exec", fake_exec)
    assert launch.run_kiosk(load_settings(data_dir), DEFAULT_CONTENT_DIR, windowed=True) == 0
    # While it ran, only the GUI thread collected (kiosk/ui/collector.py), and not
    # through what start-up built; then as before.
    assert seen["automatic_gc"] is False
    assert seen["frozen"] > 10_000
    assert seen["involved_collectable"]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    window = seen["window"]
    window.allow_close = True
    window.close()
    window.deleteLater()
    assert seen["screen"] == "SetupScreen"


def test_a_broken_pack_on_a_fresh_machine_is_set_up_first_then_admin_opens_over_it(
    qtbot, data_dir, tmp_path
):
    from kiosk.ui.launch import build_controller, open_window
    from kiosk.ui.window import ProblemScreen

    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "content.toml").write_text('version = "x"\n[[slides]]\nkind = "poem"\n')
    settings = load_settings(data_dir)
    window, content = open_window(settings, pack, windowed=False)
    qtbot.addWidget(window)
    window.resize(800, 800)
    window.show()
    qtbot.waitExposed(window)
    built: dict[str, object] = {}
    import sys

    saved_hook = sys.excepthook  # build_controller installs the kiosk's own
    controller = build_controller(settings, content, window, pack, built)
    try:
        assert isinstance(window.stack.currentWidget(), SetupScreen)
        setup = window.stack.currentWidget()
        _pin(setup, "5173")
        _pin(setup, "5173")
        touch_tap(find_button(setup, "Next step"))
        touch_tap(find_button(setup, "Skip sync"))
        assert isinstance(window.stack.currentWidget(), ProblemScreen)
        for _ in range(5):
            touch_tap(window, controller.admin_entry.corner_rect().center())
        assert controller.state == "admin" and not controller.admin.showing_panel
    finally:
        sys.excepthook = saved_hook
        controller.shutdown()
        window.allow_close = True
        window.close()
        built["store"].close()

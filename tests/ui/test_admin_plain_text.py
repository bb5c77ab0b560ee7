"""Names, stick labels and folder names are data: Admin shows them as typed, never as markup."""
# ruff: noqa: F811 - pytest fixtures imported from admin_support

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.drives import Drive
from tests.ui.admin_support import (  # noqa: F401 - fixtures
    find_button,
    make_screen,
    record,
    store,
    touch_tap,
    touch_unlock,
)

HOSTILE = "<font size=7 color=red>X</font>"


def _rich(root) -> list[str]:
    return [
        label.text()
        for label in root.findChildren(QLabel)
        if label.textFormat() != Qt.TextFormat.PlainText
    ]


def test_a_name_made_of_markup_shows_as_typed_in_find_and_withdraw(qtbot, make_screen, store):
    rec = store.save_signup(record(HOSTILE))
    screen = make_screen(size=(800, 800))
    touch_unlock(screen)
    touch_tap(find_button(screen, "Show Find a sign-up"))
    card = screen.find_card
    card.field.setText(rec.donation_ref)
    qtbot.waitUntil(lambda: len(card.results.rows) == 1)
    touch_tap(card.results.row_widget(0))
    touch_tap(find_button(screen, "Withdraw this sign-up"))
    assert HOSTILE in card.confirm_text.text() or "<font" in card.withdraw_hint.text()
    assert _rich(screen) == []


def test_stick_labels_and_folder_names_show_as_typed(qtbot, make_screen, tmp_path):
    stick = tmp_path / "media" / "S"
    (stick / "<h1>big<h1>").mkdir(parents=True)
    screen = make_screen(size=(800, 600))
    screen.drive_finder = lambda: [Drive(stick, "<h1>STICK</h1>", True, 14_200_000_000)]
    touch_unlock(screen)
    touch_tap(find_button(screen, "Show Export"))
    qtbot.waitUntil(lambda: screen.export_card.current_drive() is not None, timeout=5000)
    touch_tap(find_button(screen, "Choose a folder"))
    screen.picker.start(stick, stick)
    QApplication.processEvents()
    assert [r.title for r in screen.picker.list.rows] == ["<h1>big<h1>"]
    assert _rich(screen) == []


def test_set_up_screen_labels_are_plain(qtbot, data_dir):
    from kiosk.settings import load_settings
    from kiosk.ui.setup import SetupScreen

    screen = SetupScreen(load_settings(data_dir))
    qtbot.addWidget(screen)
    assert _rich(screen) == []

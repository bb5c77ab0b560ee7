"""Find a sign-up in Admin by touch, and withdraw it after a confirmation."""
# ruff: noqa: F811 - pytest fixtures imported from admin_support

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton

from tests.ui.admin_support import (  # noqa: F401 - fixtures
    find_button,
    make_screen,
    record,
    store,
    touch_tap,
    touch_unlock,
)


def _type(screen, text: str) -> None:
    """Type on the Find card's own on-screen keyboard, a key at a time by touch."""
    keyboard = screen.find_card.keyboard
    for ch in text:
        name = {" ": "Space", "-": "hyphen"}.get(ch, ch)
        keys = [
            b
            for b in keyboard.findChildren(QPushButton)
            if b.accessibleName() == name and b.isVisible()
        ]
        touch_tap(keys[0])
        QApplication.processEvents()  # the keyboard posts real key events


def _find_tab(qtbot, make_screen):
    screen = make_screen(size=(800, 800))
    touch_unlock(screen)
    touch_tap(find_button(screen, "Show Find a sign-up"))
    assert screen.current_tab == "find"
    return screen


def test_find_by_part_of_a_name_shows_masked_rows_with_their_times(qtbot, make_screen, store):
    store.save_signup(record("Aoife Murphy", email="aoife.murphy@gmail.com"))
    store.save_signup(record("Seán Ó Briain"))
    screen = _find_tab(qtbot, make_screen)
    _type(screen, "aoif")
    card = screen.find_card
    qtbot.waitUntil(lambda: len(card.results.rows) == 1)
    (row,) = card.results.rows
    assert row.title.endswith("· Aoife M…")
    assert "saved " in row.detail and "not synced" in row.detail
    assert "a…@gmail.com" in row.detail and "murphy" not in row.detail
    assert card.status.text() == "1 found, newest first."


def test_find_by_reference_then_withdraw_after_confirming(qtbot, make_screen, store, data_dir):
    kept = store.save_signup(record("Zoë Quinn"))
    rec = store.save_signup(record("Aoife Ní Bhriain", email="aoife@example.ie"))
    screen = _find_tab(qtbot, make_screen)
    card = screen.find_card
    _type(screen, rec.donation_ref.lower())
    assert card.field.text() == rec.donation_ref.lower()
    qtbot.waitUntil(lambda: len(card.results.rows) == 1)
    withdraw = find_button(screen, "Withdraw this sign-up")
    assert not withdraw.isEnabled()  # nothing chosen yet
    touch_tap(card.results.row_widget(0))
    assert withdraw.isEnabled()
    touch_tap(withdraw)
    assert "Withdraw " + rec.donation_ref in card.confirm_text.text()
    touch_tap(find_button(screen, "Keep this sign-up"))  # changed their mind
    assert store.get(rec.id).name == "Aoife Ní Bhriain"
    touch_tap(find_button(screen, "Withdraw this sign-up"))
    with qtbot.waitSignal(card.withdrawn, timeout=2000):
        touch_tap(find_button(screen, "Confirm withdraw"))
    held = store.get(rec.id)
    assert held.withdrawn and held.name is None and held.email is None
    assert store.get(kept.id).name == "Zoë Quinn"
    raw = b"".join(
        (data_dir / n).read_bytes()
        for n in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm")
        if (data_dir / n).exists()
    )
    assert b"Bhriain" not in raw and b"aoife@example.ie" not in raw
    assert card.status.text().startswith(f"Withdrawn: {rec.donation_ref}.")
    (row,) = card.results.rows
    assert "(withdrawn)" in row.title and "withdrawn " in row.detail


def test_leaving_find_forgets_what_was_typed(qtbot, make_screen, store):
    store.save_signup(record("Aoife Murphy"))
    screen = _find_tab(qtbot, make_screen)
    _type(screen, "aoife")
    qtbot.waitUntil(lambda: len(screen.find_card.results.rows) == 1)
    touch_tap(find_button(screen, "Show Overview"))
    assert screen.find_card.field.text() == ""
    assert screen.find_card.results.rows == []

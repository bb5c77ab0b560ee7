"""Export by touch: sticks appear and go while Admin is open, "insert a USB stick", the touch
folder picker (drag scrolls, never selects; never above its root), progress, "safe to remove"."""
# ruff: noqa: F811 - pytest fixtures imported from admin_support

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from kiosk.drives import Drive
from kiosk.paths import ASSETS_DIR
from tests.ui.admin_support import (  # noqa: F401 - fixtures
    find_button,
    make_screen,
    record,
    store,
    touch_drag,
    touch_tap,
    touch_unlock,
)

SIZE = (800, 600)  # touch tests stay on the offscreen platform's 800×800 screen


def _export_tab(qtbot, make_screen, **kw):
    screen = make_screen(size=kw.pop("size", SIZE), **kw)
    touch_unlock(screen)
    touch_tap(find_button(screen, "Show Export"))
    assert screen.current_tab == "export"
    return screen


def _stick(tmp_path, name="KINGSTON") -> Drive:
    path = tmp_path / "media" / name
    path.mkdir(parents=True, exist_ok=True)
    return Drive(path, name, True, 14_200_000_000)


def test_with_no_stick_it_says_insert_one_and_export_says_why_it_waits(qtbot, make_screen):
    screen = _export_tab(qtbot, make_screen)
    card = screen.export_card
    assert card.empty.isVisible() and "Insert a USB stick" in card.empty.text()
    button = find_button(screen, "Export")
    assert not button.isEnabled()
    assert "Insert a USB stick" in button.accessibleDescription()
    assert card.reason.isVisible() and card.reason.text() == button.accessibleDescription()


def test_a_stick_plugged_in_while_admin_is_open_appears_and_goes_when_pulled(
    qtbot, make_screen, tmp_path
):
    sticks: list[Drive] = []
    screen = _export_tab(qtbot, make_screen)
    screen.export_card._poll.setInterval(20)
    screen.drive_finder = lambda: list(sticks)
    screen.export_card.start_polling()
    sticks.append(_stick(tmp_path))
    card = screen.export_card
    qtbot.waitUntil(
        lambda: [r.title for r in card.destinations.rows] == ["KINGSTON · 14.2 GB free"]
    )
    assert card.destinations.isVisible() and not card.empty.isVisible()
    assert card.current_drive().path == sticks[0].path  # the only stick is chosen
    assert find_button(screen, "Export").isEnabled()
    sticks.clear()
    qtbot.waitUntil(lambda: card.destinations.rows == [])
    assert card.empty.isVisible()
    screen.show_tab("overview")
    assert not card._poll.isActive()  # polls only while the card is on screen


def test_export_to_a_stick_by_touch_says_safe_to_remove_only_after_flushing(
    qtbot, make_screen, store, tmp_path, monkeypatch
):
    for name in ("Aoife Ní Bhriain", "Seán Ó Briain"):
        store.save_signup(record(name))
    stick = _stick(tmp_path)
    monkeypatch.setattr(
        "kiosk.ui.admin.export_card.os.path.ismount", lambda p: Path(p) == stick.path
    )
    flushed: list[Path] = []
    messages_at_flush: list[str] = []

    def flush(path):
        flushed.append(Path(path))
        messages_at_flush.append(screen.export_message)

    monkeypatch.setattr("kiosk.ui.admin.export_card.flush_to_disk", flush)
    screen = _export_tab(qtbot, make_screen)
    screen.drive_finder = lambda: [stick]
    QApplication.processEvents()
    touch_tap(find_button(screen, "Format JSONL"))
    touch_tap(find_button(screen, "Export"))
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    (written,) = stick.path.glob("*.jsonl")
    assert flushed == [written]
    assert "safe to remove" not in messages_at_flush[0]
    assert screen.export_message == (
        f"Saved 2 sign-ups to {written} — safe to remove the USB stick"
    )
    assert store.stats().unexported == 0


def test_a_stick_pulled_before_export_is_reported_and_nothing_lands_on_the_kiosk(
    qtbot, make_screen, store, tmp_path
):
    store.save_signup(record("Aoife"))
    stick = _stick(tmp_path)
    screen = _export_tab(qtbot, make_screen)
    screen.drive_finder = lambda: [stick]
    QApplication.processEvents()  # the stick shows; the volunteer sees it
    stick.path.rmdir()  # pulled
    touch_tap(find_button(screen.export_card, "Export"))
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    assert screen.export_message.startswith("Not exported: the USB stick")
    assert not stick.path.exists()
    assert store.stats().unexported == 1


def test_export_into_a_folder_chosen_in_the_touch_picker(qtbot, make_screen, store, tmp_path):
    store.save_signup(record("Aoife"))
    root = tmp_path / "disk"
    for name in ("Documents", "exports", "Music"):
        (root / name).mkdir(parents=True)
    screen = _export_tab(qtbot, make_screen)
    touch_tap(find_button(screen, "Choose a folder"))
    picker = screen.picker
    assert picker.isVisible()
    picker.start(root, root)  # the test's disk instead of the home folder
    QApplication.processEvents()  # shown, as a person sees it before tapping
    assert [r.title for r in picker.list.rows] == ["Documents", "exports", "Music"]
    assert not find_button(screen, "Up one folder").isEnabled()  # never above its root
    touch_tap(picker.list.row_widget(1))
    assert picker.folder == root / "exports"
    assert find_button(screen, "Up one folder").isEnabled()
    touch_tap(find_button(screen, "Use this folder"))
    assert not picker.isVisible()
    assert screen.export_card.current_drive().path == root / "exports"
    touch_tap(find_button(screen, "Export"))
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    (written,) = (root / "exports").glob("*.csv")
    with open(written, encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.reader(fh))) == 2
    assert "safe to remove" not in screen.export_message  # a folder, not a stick


def test_dragging_the_folder_list_scrolls_and_never_opens_a_folder(qtbot, make_screen, tmp_path):
    root = tmp_path / "disk"
    for i in range(30):
        (root / f"folder {i:02d}").mkdir(parents=True)
    screen = _export_tab(qtbot, make_screen)
    touch_tap(find_button(screen, "Choose a folder"))
    picker = screen.picker
    picker.start(root, root)
    QApplication.processEvents()
    viewport = picker.list.viewport()
    bar = picker.list.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    bottom, top = QPoint(100, viewport.height() - 10), QPoint(100, 10)
    touch_drag(viewport, bottom, top)
    qtbot.waitUntil(lambda: bar.value() > 0)
    assert picker.folder == root  # nothing was opened
    assert picker.list.current == -1
    touch_drag(viewport, top, bottom)  # and back, with a mouse-free finger again
    assert picker.folder == root


def test_dragging_the_drive_list_never_selects_a_stick(qtbot, make_screen, tmp_path):
    sticks = [_stick(tmp_path, f"STICK{i}") for i in range(8)]
    screen = _export_tab(qtbot, make_screen)
    screen.drive_finder = lambda: sticks
    card = screen.export_card
    QApplication.processEvents()
    assert card.destinations.current == 0
    viewport = card.destinations.viewport()
    touch_drag(viewport, QPoint(80, viewport.height() - 5), QPoint(80, 5))
    assert card.destinations.current == 0
    touch_tap(card.destinations.row_widget(1))
    assert card.current_drive().path == sticks[1].path


def test_no_desktop_file_dialog_remains_in_the_kiosk():
    folder = ASSETS_DIR.parent / "kiosk"
    found = subprocess.run(
        ["grep", "-rlE", "QFileDialog|QMessageBox|QInputDialog", str(folder)],
        capture_output=True,
        text=True,
    )
    assert found.stdout == ""


def test_a_stick_that_fails_to_flush_is_never_called_safe_to_remove(
    qtbot, make_screen, store, tmp_path, monkeypatch
):
    import errno
    import os

    store.save_signup(record("Aoife"))
    stick = _stick(tmp_path)
    monkeypatch.setattr(
        "kiosk.ui.admin.export_card.os.path.ismount", lambda p: Path(p) == stick.path
    )
    real_fsync = os.fsync
    calls: dict[str, bool] = {}

    def failing_fsync(fd):
        # The exporter's own fsyncs pass; the final flush hits a failing stick.
        if calls.get("flushing"):
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    from kiosk import drives

    real_flush = drives.flush_to_disk

    def flush(path):
        calls["flushing"] = True
        try:
            real_flush(path)
        finally:
            calls["flushing"] = False

    monkeypatch.setattr("kiosk.drives.os.fsync", failing_fsync)
    monkeypatch.setattr("kiosk.ui.admin.export_card.flush_to_disk", flush)
    screen = _export_tab(qtbot, make_screen)
    screen.drive_finder = lambda: [stick]
    QApplication.processEvents()
    touch_tap(find_button(screen, "Export"))
    qtbot.waitUntil(lambda: not screen.exporting, timeout=10000)
    assert "safe to remove" not in screen.export_message
    assert "may not have all the data — don't remove it yet; try Export again" in (
        screen.export_message
    )


def test_flush_to_disk_reports_an_io_error(tmp_path, monkeypatch):
    import errno

    import pytest

    from kiosk import drives

    path = tmp_path / "f.csv"
    path.write_text("x")

    def eio(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("kiosk.drives.os.fsync", eio)
    with pytest.raises(OSError):
        drives.flush_to_disk(path)


def test_the_folder_picker_starts_at_the_sticks_and_home_never_at_slash(
    qtbot, make_screen, tmp_path, monkeypatch, data_dir
):
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setattr("kiosk.ui.admin.panel.Path.home", lambda: home)
    stick = _stick(tmp_path)
    screen = _export_tab(qtbot, make_screen)
    screen.drive_finder = lambda: [stick]
    touch_tap(find_button(screen, "Choose a folder"))
    picker = screen.picker
    QApplication.processEvents()
    assert [r.title for r in picker.list.rows] == [
        stick.describe(),
        "Home folder on this computer",
    ]
    assert picker.folder is None
    assert not find_button(screen, "Use this folder").isEnabled()
    assert not find_button(screen, "Up one folder").isEnabled()
    touch_tap(picker.list.row_widget(1))
    assert picker.folder == home
    assert [r.title for r in picker.list.rows] == ["Documents"]
    touch_tap(find_button(screen, "Up one folder"))  # back to the places, never home's parent
    assert picker.folder is None
    touch_tap(picker.list.row_widget(0))
    assert picker.folder == stick.path
    for _ in range(3):
        up = find_button(screen, "Up one folder")
        if up.isEnabled():
            touch_tap(up)
    assert picker.folder is None  # "/" and tmp were never shown


def test_the_folder_picker_never_offers_the_kiosks_data_folder(qtbot, make_screen, data_dir):
    screen = _export_tab(qtbot, make_screen)
    picker = screen.picker
    (data_dir / "logs").mkdir(exist_ok=True)
    picker.start_places([("Home", data_dir.parent)], exclude=data_dir)
    assert data_dir.name not in [r.title for r in picker.list.rows]
    picker.start_places([("Data", data_dir), ("Home", data_dir.parent)], exclude=data_dir)
    assert picker.folder == data_dir.parent  # the one place left, opened
    assert data_dir.name not in [r.title for r in picker.list.rows]
    picker.start(data_dir, data_dir)  # even if someone starts there, it is not usable
    assert not picker.use_button.isEnabled()

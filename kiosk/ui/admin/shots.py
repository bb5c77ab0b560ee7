"""Screenshots of set-up and every Admin card (called by kiosk/ui/shots.py at each size)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.drives import Drive


def seed_events(store) -> None:
    """A plausible morning's funnel, so the card has something to show."""
    for kind, n in (
        ("slide_shown", 412),
        ("engage", 37),
        ("form_started", 21),
        ("signup_saved", 12),
        ("qr_shown", 12),
    ):
        for _ in range(n):
            store.record_event(kind)


def admin_shots(controller, shot: Callable[[str, tuple[int, int]], None], size, folder: Path):
    """Set-up's three steps, then the PIN pad and each Admin tab and confirmation."""
    from kiosk.ui.app import State

    setup = controller.setup
    setup._restart()
    controller.show(State.SETUP)
    shot("0-setup-pin", size)
    setup.pad.entered.emit("5173")
    setup.pad.entered.emit("5173")
    shot("0-setup-name", size)
    setup._go(setup.sync_step)
    setup.sync_field.setText("https://office.example.org/kiosk")
    shot("0-setup-sync", size)
    setup._restart()
    controller.reset_visitor()

    stick = folder / "media" / "KINGSTON"
    (stick / "exports").mkdir(parents=True, exist_ok=True)
    for name in ("Festival 2025", "Photos", "Posters"):
        (stick / name).mkdir(exist_ok=True)
    controller.open_admin()
    admin = controller.admin
    admin.drive_finder = list
    shot("6-admin-pin", size)
    admin.pad.entered.emit("2468")
    shot("6-admin-overview", size)
    admin.show_tab("export")
    shot("6-admin-export-no-stick", size)
    admin.drive_finder = lambda: [Drive(stick, "KINGSTON", True, 14_200_000_000)]
    admin.export_card._say(
        "Saved 3 sign-ups — safe to remove the USB stick",
        "ok",
        Path("/media/volunteer/KINGSTON/signups-tent-3f9a-2026-08-02-1402.csv"),
    )
    shot("6-admin-export", size)
    admin.picker.start(stick, stick)
    admin._export_stack.setCurrentWidget(admin.picker)
    shot("6-admin-export-folders", size)
    admin._export_stack.setCurrentWidget(admin.export_card)
    admin.drive_finder = list
    admin.show_tab("find")
    admin.find_card.field.setText("aoif")
    admin.find_card.search()
    admin.find_card.results.set_current(0)
    admin.find_card._update_withdraw()
    shot("6-admin-find", size)
    admin.find_card._ask()
    shot("6-admin-find-withdraw", size)
    admin.find_card._end_confirm()
    admin.show_tab("overview")
    admin.danger.confirm("wipe")
    admin.danger._type("W")
    admin.danger._type("I")
    shot("6-admin-wipe", size)
    admin.danger.end_confirm()

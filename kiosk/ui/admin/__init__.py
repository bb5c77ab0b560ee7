"""The volunteers' Admin, one module per card.

`entry` (hotkey and corner taps), `pin` (the PIN step), `counts`, `funnel_card`,
`sync_card`, `export_card` with `folders`, `find_card`, `danger` (reset, change
PIN, exit, wipe) and `panel`, which only composes and wires them. The panel is
imported on first use: most days nobody opens Admin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.drives import Drive
from kiosk.ui.admin.entry import DEFAULT_HOTKEY, AdminEntry

if TYPE_CHECKING:
    from kiosk.ui.admin.panel import AdminScreen

__all__ = ["DEFAULT_HOTKEY", "AdminEntry", "AdminScreen", "Drive"]


def __getattr__(name: str):
    if name == "AdminScreen":
        from kiosk.ui.admin.panel import AdminScreen

        return AdminScreen
    raise AttributeError(name)

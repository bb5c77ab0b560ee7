"""A kiosk whose content pack is broken, with no good copy kept: the problem and Admin.

No visitor screen can be built without a pack, but the sign-ups already saved
still matter: the "content needs fixing" screen is a normal screen of the kiosk
window, so the Admin hotkey and corner gesture open Admin over it (export, sync,
exit), and sync keeps sending what is pending.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.ui.sync_host import SyncHost
from kiosk.ui.window import PROBLEM_TITLE, KioskWindow, ProblemScreen

log = logging.getLogger(__name__)


class ProblemController(SyncHost, QObject):
    """Shows the ProblemScreen and, on the hotkey or corner taps, Admin.

    Signals:
        state_changed(str): "problem" or "admin".
    """

    state_changed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        store: Store,
        window: KioskWindow,
        problems: list[str],
        *,
        content_dir: Path,
    ) -> None:
        super().__init__(window)
        self.settings = settings
        self.store = store
        self.window = window
        self.content_problem: list[str] | None = list(problems)
        self._content_dir = content_dir
        self.screen = next(
            (w for w in map(window.stack.widget, range(window.stack.count())) if _is_problem(w)),
            None,
        )
        if self.screen is None:
            self.screen = ProblemScreen(PROBLEM_TITLE, problems)
            window.stack.addWidget(self.screen)
        self.state = "problem"
        self._admin = None
        self._setup = None
        self._init_sync()
        from kiosk.ui.admin import AdminEntry

        self.admin_entry = AdminEntry(window, settings.admin_hotkey, self)
        self.admin_entry.requested.connect(self.open_admin)
        self._build_sync()
        from kiosk.security import has_pin

        # No admin PIN yet: set-up first, here too (nobody could open Admin otherwise).
        if has_pin(settings.data_dir):
            self.show_problem()
        else:
            self.show_setup()

    @property
    def admin(self):  # -> AdminScreen, built on first use
        if self._admin is None:
            from kiosk.ui.admin import AdminScreen

            self._admin = AdminScreen(self.store, self.settings, self._content_dir)
            self.window.stack.addWidget(self._admin)
            self._admin.closed.connect(self.show_problem)
            self._admin.exit_requested.connect(self.exit_kiosk)
            self._admin.sync_requested.connect(self._sync_now)
            self._admin.setup_needed.connect(self.show_setup)
            self._admin.set_content_problem(self.content_problem, last_good=False)
            self._admin.set_sync_status(*self._sync_status)
        return self._admin

    def show_problem(self) -> None:
        self.state = "problem"
        self.window.stack.setCurrentWidget(self.screen)
        self.state_changed.emit(self.state)

    def show_setup(self) -> None:
        if self._setup is None:
            from kiosk.ui.setup import SetupScreen

            self._setup = SetupScreen(self.settings)
            self.window.stack.addWidget(self._setup)
            self._setup.finished.connect(self.show_problem)
        self.state = "setup"
        self.window.stack.setCurrentWidget(self._setup)
        self.state_changed.emit(self.state)

    def open_admin(self) -> None:
        if self.state in ("admin", "setup"):
            return
        self.state = "admin"
        self.window.stack.setCurrentWidget(self.admin)
        self.admin.open()
        self.state_changed.emit(self.state)

    def shutdown(self) -> None:
        """Stop every timer and thread (tests and exit)."""
        self._stop_admin_and_sync()


def _is_problem(widget: object) -> bool:
    return isinstance(widget, ProblemScreen)

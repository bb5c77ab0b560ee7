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
from PySide6.QtWidgets import QApplication

from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.ui.window import PROBLEM_TITLE, KioskWindow, ProblemScreen

log = logging.getLogger(__name__)


class ProblemController(QObject):
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
        self.sync_worker = None
        self._sync_target = None
        self._sync_status = ("Sync is off: this kiosk has no office address or folder.", False)
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

    def _set_sync_status(self, text: str, busy: bool) -> None:
        self._sync_status = (text, busy)
        if self._admin is not None:
            self._admin.set_sync_status(text, busy)

    def _build_sync(self) -> None:
        if not (self.settings.sync_url or self.settings.sync_folder):
            return
        from kiosk.sync import make_target

        try:
            self._sync_target = make_target(self.settings)
        except Exception as exc:  # a bad sync setting must not stop the kiosk
            log.warning("sync disabled: %s", exc)
            self._set_sync_status(f"Sync is not set up: {exc}", False)
            return
        from kiosk.ui.sync_worker import SyncWorker

        worker = SyncWorker(self.store, self.settings, target=self._sync_target, parent=self)
        worker.status_changed.connect(lambda r: self._set_sync_status(r.status_line(), False))
        worker.finished.connect(lambda r: self._set_sync_status(r.status_line(), False))
        worker.progress.connect(
            lambda done, total: self._admin and self._admin.set_sync_progress(done, total)
        )
        self.sync_worker = worker
        self._set_sync_status("Sync is on; waiting for the first attempt.", False)
        worker.start()

    def _sync_now(self) -> None:
        if self.sync_worker is None:
            self._set_sync_status("Sync is off: this kiosk has no office address or folder.", False)
            return
        self._set_sync_status("Syncing…", True)
        self.sync_worker.sync_now()

    def exit_kiosk(self) -> None:
        log.info("kiosk exit requested from Admin (content pack broken)")
        self.shutdown()
        self.window.allow_close = True
        self.window.close()
        QApplication.instance().quit()

    def shutdown(self) -> None:
        """Stop every timer and thread (tests and exit)."""
        if self._admin is not None:
            self._admin.wait_for_export(600_000)
        if self.sync_worker is not None:
            self.sync_worker.stop()
            close = getattr(self._sync_target, "close", None)
            if close is not None:
                close()


def _is_problem(widget: object) -> bool:
    return isinstance(widget, ProblemScreen)

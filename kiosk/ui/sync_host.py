"""What every controller that hosts Admin shares: the sync worker's wiring and Exit.

The visitor flow (app.KioskController) and the broken-pack screen
(problem.ProblemController) both build the same worker, show its status in Admin
and quit the same way; they differ only in the screens around Admin.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

SYNC_OFF = "Sync is off: this kiosk has no office address or folder."


class SyncHost:
    """Mixin for a QObject controller with `settings`, `store`, `window` and `_admin`."""

    def _init_sync(self) -> None:
        self.sync_worker = None
        self._sync_target = None
        self._sync_status = (SYNC_OFF, False)

    def _set_sync_status(self, text: str, busy: bool) -> None:
        self._sync_status = (text, busy)
        if self._admin is not None:
            self._admin.set_sync_status(text, busy)

    def _on_sync_progress(self, done: int, total: int) -> None:
        if self._admin is not None:
            self._admin.set_sync_progress(done, total)

    def _build_sync(self) -> None:
        if not (self.settings.sync_url or self.settings.sync_folder):
            return  # nothing to sync to: don't even import the HTTP client
        from kiosk.sync import make_target

        try:
            target = make_target(self.settings)
        except Exception as exc:  # a bad sync setting must not stop the kiosk
            log.warning("sync disabled: %s", exc)
            self._set_sync_status(f"Sync is not set up: {exc}", False)
            return
        from kiosk.ui.sync_worker import SyncWorker

        self._sync_target = target  # ours to close: the worker only borrows it
        worker = SyncWorker(self.store, self.settings, target=target, parent=self)
        worker.progress.connect(self._on_sync_progress)
        worker.status_changed.connect(lambda r: self._set_sync_status(r.status_line(), False))
        worker.finished.connect(lambda r: self._set_sync_status(r.status_line(), False))
        self.sync_worker = worker
        self._set_sync_status("Sync is on; waiting for the first attempt.", False)
        worker.start()

    def _sync_now(self) -> None:
        if self.sync_worker is None:
            self._set_sync_status(SYNC_OFF, False)
            return
        self._set_sync_status("Syncing…", True)
        self.sync_worker.sync_now()

    def _stop_admin_and_sync(self) -> None:
        if self._admin is not None:
            # The admin chose Exit: let a running export finish (at most ten minutes).
            self._admin.wait_for_export(600_000)
        if self.sync_worker is not None:
            self.sync_worker.stop()
            close = getattr(self._sync_target, "close", None)
            if close is not None:
                close()

    def exit_kiosk(self) -> None:
        log.info("kiosk exit requested from Admin")
        self.shutdown()
        self.window.allow_close = True
        self.window.close()
        QApplication.instance().quit()

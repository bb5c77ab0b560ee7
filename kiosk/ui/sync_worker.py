"""The background sync worker: runs kiosk.sync's engine on its own QThread, never the UI's.

A thin adapter: timers and passes live in the worker thread; the UI only gets signals.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from kiosk.records import parse_iso, utc_now
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.sync import SyncEngine, SyncReport, Target, make_target

log = logging.getLogger(__name__)

NUDGE_DELAY_S = 2.0
MIN_RETRY_MS = 500
STOP_WAIT_MS = 5000


class _Runner(QObject):
    """Lives in the worker thread: owns the timers and runs the passes there."""

    progress = Signal(int, int)
    passed = Signal(object, bool)  # report, was it asked for (Sync now)

    def __init__(
        self, engine: SyncEngine, interval_s: float, nudge_s: float, cancel: threading.Event
    ) -> None:
        super().__init__()
        self._engine = engine
        self._interval_ms = max(1, round(interval_s * 1000))
        self._nudge_ms = max(0, round(nudge_s * 1000))
        self._cancel = cancel
        self._timers: list[QTimer] = []

    def _timer(self, name: str, single: bool, slot) -> QTimer:
        timer = QTimer(self)
        timer.setObjectName(name)
        timer.setSingleShot(single)
        timer.timeout.connect(slot)
        self._timers.append(timer)
        return timer

    @Slot()
    def setup(self) -> None:
        self._interval = self._timer("sync-interval", False, self.scheduled)
        self._nudge = self._timer("sync-nudge", True, self.scheduled)
        self._retry = self._timer("sync-retry", True, self.scheduled)
        self._interval.start(self._interval_ms)
        self.scheduled()

    @Slot()
    def scheduled(self) -> None:
        if self._cancel.is_set() or not self._engine.is_due():
            return  # respects the stored backoff: nothing until next_attempt_at
        self._run(due_only=True, asked=False)

    @Slot()
    def manual(self) -> None:
        if self._cancel.is_set():
            return
        self._engine.store.unpark_all()  # an admin asking again after fixing the target
        self._run(due_only=False, asked=True)

    @Slot()
    def nudge(self) -> None:
        if not self._cancel.is_set() and not self._nudge.isActive():
            self._nudge.start(self._nudge_ms)

    def _run(self, *, due_only: bool, asked: bool) -> None:
        try:
            report = self._engine.run_once(
                due_only=due_only, progress=self.progress.emit, cancel=self._cancel
            )
        except Exception:
            # A storage failure or a bug: the kiosk keeps running; the next pass tries again.
            log.exception("sync pass failed")
            stats = None
            try:
                stats = self._engine.store.stats()
            except Exception:
                log.warning("sync: stats unavailable after a failed pass")
            report = SyncReport(
                sent=0,
                failed=0,
                parked=0,
                pending=stats.pending_sync if stats else -1,
                last_error="sync stopped unexpectedly — see the log",
                next_attempt_at=None,
            )
        if self._cancel.is_set():
            return
        self._arm_retry(report)
        self.passed.emit(report, asked)

    def _arm_retry(self, report: SyncReport) -> None:
        # The interval may be long; wake at the backoff's own time when it comes first.
        if not report.pending or not report.next_attempt_at:
            return
        wait_ms = (parse_iso(report.next_attempt_at) - utc_now()).total_seconds() * 1000
        if wait_ms < self._interval_ms:
            self._retry.start(max(MIN_RETRY_MS, round(wait_ms)))

    @Slot()
    def teardown(self) -> None:
        for timer in self._timers:
            timer.stop()
        QThread.currentThread().quit()


class SyncWorker(QObject):
    """Pushes pending sign-ups in the background: at start, every `sync_interval_s`,
    soon after a new sign-up (`nudge`), and on demand (`sync_now`).

    Signals:
        progress(int sent, int total): during a pass.
        finished(object report): a SyncReport, after a pass asked for with sync_now().
        status_changed(object report): a SyncReport, after every pass.
    """

    progress = Signal(int, int)
    finished = Signal(object)
    status_changed = Signal(object)

    _start_requested = Signal()
    _manual_requested = Signal()
    _nudge_requested = Signal()
    _stop_requested = Signal()

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        target: Target | None = None,
        engine: SyncEngine | None = None,
        interval_s: float | None = None,
        nudge_delay_s: float = NUDGE_DELAY_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._owns_target = engine is None and target is None
        if engine is None:
            target = target or make_target(settings)
            engine = SyncEngine(store, target) if target is not None else None
        self._engine = engine
        self._interval_s = interval_s if interval_s is not None else settings.sync_interval_s
        self._nudge_s = nudge_delay_s
        self._cancel = threading.Event()
        self._thread: QThread | None = None
        self._runner: _Runner | None = None
        self._stopped = False
        self.last_report: SyncReport | None = None

    @property
    def enabled(self) -> bool:
        """False when no sync target is configured: the worker then does nothing."""
        return self._engine is not None

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @Slot()
    def start(self) -> None:
        if self._engine is None or self._thread is not None or self._stopped:
            return
        self._cancel.clear()
        thread = QThread()
        thread.setObjectName("kiosk-sync")
        runner = _Runner(self._engine, self._interval_s, self._nudge_s, self._cancel)
        runner.moveToThread(thread)
        queued = Qt.ConnectionType.QueuedConnection
        self._start_requested.connect(runner.setup, queued)
        self._manual_requested.connect(runner.manual, queued)
        self._nudge_requested.connect(runner.nudge, queued)
        self._stop_requested.connect(runner.teardown, queued)
        runner.progress.connect(self.progress, queued)
        runner.passed.connect(self._on_pass, queued)
        self._thread, self._runner = thread, runner
        thread.start()
        self._start_requested.emit()
        log.info("sync worker started (every %.0f s)", self._interval_s)

    @Slot()
    def sync_now(self) -> None:
        """Send everything pending now, backoff or not (Admin → Sync now)."""
        if self._thread is None:
            self.start()
        if self._thread is not None:
            self._manual_requested.emit()

    @Slot()
    def nudge(self) -> None:
        """A sign-up was just saved: sync it soon; many nudges make one pass."""
        if self._thread is not None:
            self._nudge_requested.emit()

    @Slot()
    def stop(self) -> None:
        """Stop the timers and the thread, for good; a hanging request is abandoned (its
        records stay pending and are resent with the same ids next time)."""
        thread = self._thread
        if thread is None:
            return
        self._cancel.set()
        self._stop_requested.emit()
        if not thread.wait(STOP_WAIT_MS):
            log.error("sync thread did not stop within %d ms", STOP_WAIT_MS)
            thread.quit()
            thread.wait()
        for signal in (
            self._start_requested,
            self._manual_requested,
            self._nudge_requested,
            self._stop_requested,
        ):
            signal.disconnect()
        self._thread = None
        self._runner = None
        self._stopped = True
        if self._owns_target and self._engine is not None:
            self._engine.target.close()

    def _on_pass(self, report: SyncReport, asked: bool) -> None:
        self.last_report = report
        self.status_changed.emit(report)
        if asked:
            self.finished.emit(report)

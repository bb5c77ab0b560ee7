"""The kiosk application: builds everything once and wires it in one place.

`KioskController` owns the screen state machine (loop → get involved → form →
thank you → loop, with the idle overlay and Admin on top); screens only emit
signals and never talk to each other or to the database.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import traceback
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.content import Content, load_content
from kiosk.errors import ContentError, StorageError
from kiosk.records import SignupForm, build_record, first_name
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.ui.attract import AttractScreen
from kiosk.ui.form import SAVE_FAILED, SignupScreen
from kiosk.ui.idle import IdleOverlay
from kiosk.ui.involved import InvolvedScreen
from kiosk.ui.thanks import ThanksScreen
from kiosk.ui.theme import Metrics, font, load_fonts

log = logging.getLogger(__name__)


class State(Enum):
    ATTRACT = "attract"
    INVOLVED = "involved"
    FORM = "form"
    THANKS = "thanks"
    ADMIN = "admin"


class KioskWindow(QWidget):
    """The one top-level window. In kiosk mode it cannot be closed except by `allow_close`.

    Signals:
        close_blocked(): a close/Alt+F4/Escape was refused (for logging and tests).
    """

    close_blocked = Signal()

    def __init__(self, *, kiosk_mode: bool) -> None:
        super().__init__()
        self.kiosk_mode = kiosk_mode
        self.allow_close = not kiosk_mode
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setWindowTitle("Freedom Kiosk")
        if kiosk_mode:
            # No frame and always on top: with no window manager (bare X, cage)
            # the window is placed exactly over the screen it is given.
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close:
            event.accept()
            return
        event.ignore()
        self.close_blocked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.kiosk_mode and (
            event.key() == Qt.Key.Key_Escape
            or (
                event.key() == Qt.Key.Key_F4 and event.modifiers() & Qt.KeyboardModifier.AltModifier
            )
        ):
            self.close_blocked.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def place_on_screen(self, index: int) -> None:
        screens = QGuiApplication.screens()
        screen = screens[min(max(index, 0), len(screens) - 1)]
        if index >= len(screens):
            log.warning("screen %d not found; using screen %d", index, len(screens) - 1)
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()


class _InputWatch(QObject):
    """Application-wide event filter: any touch, click or key counts as activity."""

    activity = Signal()
    _KINDS = frozenset(
        {
            QEvent.Type.MouseButtonPress,
            QEvent.Type.KeyPress,
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.Wheel,
            QEvent.Type.MouseMove,
        }
    )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._KINDS:
            self.activity.emit()
        return False


class KioskController(QObject):
    """Builds the screens, store wiring and timers, and runs the visitor flow.

    Signals:
        state_changed(str): the visible screen changed (State value).
        saved(object): a SignupRecord committed to the store.
    """

    state_changed = Signal(str)
    saved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        content: Content,
        store: Store,
        window: KioskWindow,
        *,
        content_dir: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self.settings = settings
        self.content = content
        self.store = store
        self.window = window
        self.state = State.ATTRACT
        self._form_active = False

        self.attract = AttractScreen(content, clock=clock)
        self.involved = InvolvedScreen(content)
        self.form = SignupScreen(content)
        self.thanks = ThanksScreen(content)
        for screen in (self.attract, self.involved, self.form, self.thanks):
            window.stack.addWidget(screen)
        self.idle_overlay = IdleOverlay(content, window)

        idle_s = settings.idle_timeout_s or content.timing.idle_timeout_s
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("visitor-idle")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_s * 1000))
        self.idle_timer.timeout.connect(self._on_idle)
        self._watch = _InputWatch(self)
        self._watch.activity.connect(self._on_activity)
        QApplication.instance().installEventFilter(self._watch)

        self.admin = None
        self.sync_worker = None
        self._build_admin(content_dir)
        self._build_sync()
        self._connect()
        self.show(State.ATTRACT)

    # -- wiring ----------------------------------------------------------------

    def _connect(self) -> None:
        self.attract.engaged.connect(self._on_engaged)
        self.attract.slide_shown.connect(
            lambda i: self._event("slide_shown", f"{i}:{self.content.slides[i].kind}")
        )
        self.involved.chosen.connect(self._on_chosen)
        self.involved.back.connect(self.reset_visitor)
        self.form.submitted.connect(self._on_submitted)
        self.form.cancelled.connect(self.reset_visitor)
        self.form.started.connect(lambda: self._event("form_started"))
        self.thanks.done.connect(self.reset_visitor)
        self.idle_overlay.kept.connect(self._on_kept)
        self.idle_overlay.expired.connect(self._on_idle_expired)

    def _build_admin(self, content_dir: Path) -> None:
        from kiosk.ui.admin import AdminEntry, AdminScreen

        self.admin = AdminScreen(self.store, self.settings, content_dir)
        self.window.stack.addWidget(self.admin)
        self.admin_entry = AdminEntry(self.window, self.settings.admin_hotkey, self)
        self.admin_entry.requested.connect(self.open_admin)
        # Reset kiosk emits reset_requested and then closed: one reset, on closed.
        self.admin.closed.connect(self.reset_visitor)
        self.admin.reset_requested.connect(lambda: log.info("kiosk reset from Admin"))
        self.admin.exit_requested.connect(self.exit_kiosk)
        self.admin.sync_requested.connect(self._sync_now)

    def _build_sync(self) -> None:
        from kiosk.sync import make_target

        try:
            target = make_target(self.settings)
        except Exception as exc:  # a bad sync setting must not stop the kiosk
            log.warning("sync disabled: %s", exc)
            self.admin.set_sync_status(f"Sync is not set up: {exc}", False)
            return
        if target is None:
            self.admin.set_sync_status("Sync is off (no sync.url or sync.folder set).", False)
            return
        from kiosk.ui.sync_worker import SyncWorker

        self.sync_worker = SyncWorker(self.store, self.settings, target=target, parent=self)
        self.sync_worker.progress.connect(self.admin.set_sync_progress)
        self.sync_worker.status_changed.connect(
            lambda report: self.admin.set_sync_status(report.summary(), False)
        )
        self.sync_worker.finished.connect(
            lambda report: self.admin.set_sync_status(report.summary(), False)
        )
        self.sync_worker.start()

    def _sync_now(self) -> None:
        if self.sync_worker is None:
            self.admin.set_sync_status("Sync is off: set sync.url or sync.folder first.", False)
            return
        self.admin.set_sync_status("Syncing…", True)
        self.sync_worker.sync_now()

    def _event(self, kind: str, detail: str | None = None) -> None:
        # Analytics never get in a visitor's way; the store already logged the failure.
        with contextlib.suppress(StorageError):
            self.store.record_event(kind, detail)

    # -- the state machine -------------------------------------------------------

    def show(self, state: State) -> None:
        widget = {
            State.ATTRACT: self.attract,
            State.INVOLVED: self.involved,
            State.FORM: self.form,
            State.THANKS: self.thanks,
            State.ADMIN: self.admin,
        }[state]
        self.state = state
        self.window.stack.setCurrentWidget(widget)
        if state in (State.INVOLVED, State.FORM, State.THANKS):
            self.idle_timer.start()
        else:
            self.idle_timer.stop()
        if state is State.ATTRACT:
            self.attract.setFocus(Qt.FocusReason.OtherFocusReason)
        self.state_changed.emit(state.value)

    def _on_engaged(self) -> None:
        self._event("engage")
        self.show(State.INVOLVED)

    def _on_chosen(self, key: str) -> None:
        self._form_active = True
        self.form.begin(key)
        self.show(State.FORM)
        self.form.begin(key)  # focus needs the form visible

    def _on_submitted(self, form: SignupForm) -> None:
        try:
            record = build_record(form, self.content, self.settings.device_id)
            record = self.store.save_signup(record)
        except StorageError:
            self._event("save_failed")
            self.form.show_save_error(SAVE_FAILED)
            return
        except ValueError:
            log.exception("a form that validated could not become a record")
            self.form.show_save_error(SAVE_FAILED)
            return
        log.info("sign-up %s saved", record.id)
        self._form_active = False
        self.saved.emit(record)
        self._event("signup_saved")
        self.form.wipe()
        self.thanks.show_for(first_name(record.name), record.donation_ref)
        self.show(State.THANKS)
        self._event("qr_shown", "thank_you")
        if self.sync_worker is not None:
            self.sync_worker.nudge()

    def _on_activity(self) -> None:
        if self.idle_timer.isActive():
            self.idle_timer.start()

    def _on_idle(self) -> None:
        if self.state in (State.INVOLVED, State.FORM, State.THANKS):
            self.idle_overlay.start()

    def _on_kept(self) -> None:
        self.idle_timer.start()

    def _on_idle_expired(self) -> None:
        self._event("idle_reset")
        self.reset_visitor()

    def reset_visitor(self) -> None:
        """Back to the loop with no trace of the visitor on any screen."""
        if self._form_active:
            self._event("form_abandoned")
        self._form_active = False
        self.idle_overlay.cancel()
        self.form.wipe()
        self.thanks.clear()
        self.attract.restart()
        self.show(State.ATTRACT)

    def open_admin(self) -> None:
        if self.state is State.ADMIN:
            return
        self.idle_overlay.cancel()
        self.form.wipe()
        self.thanks.clear()
        self._form_active = False
        self.show(State.ADMIN)
        self.admin.open()

    def exit_kiosk(self) -> None:
        log.info("kiosk exit requested from Admin")
        self.shutdown()
        self.window.allow_close = True
        self.window.close()
        QApplication.instance().quit()

    def shutdown(self) -> None:
        """Stop every timer and thread (tests and exit)."""
        self.idle_timer.stop()
        self.idle_overlay.cancel()
        QApplication.instance().removeEventFilter(self._watch)
        self.admin.wait_for_export()  # a half-written export would be lost
        if self.sync_worker is not None:
            self.sync_worker.stop()


class ProblemScreen(QWidget):
    """Shown instead of the slides when the content pack is broken: never a crash loop."""

    def __init__(self, title: str, problems: list[str]) -> None:
        super().__init__()
        self.setObjectName("problem")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet("QWidget#problem { background: #0B2545; } QLabel { color: #FFFFFF; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 80, 80, 80)
        heading = QLabel(title)
        heading.setFont(font(56, QFont.Weight.Bold))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        shown = problems[:12] + ([f"… and {len(problems) - 12} more"] if len(problems) > 12 else [])
        details = QLabel("\n".join(shown))
        details.setFont(font(26))
        details.setWordWrap(True)
        details.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(details)
        hint = QLabel("Please ask the kiosk admin. Run “kiosk check” to see every problem.")
        hint.setFont(font(30, QFont.Weight.DemiBold))
        layout.addWidget(hint)
        layout.addStretch(1)


def _install_excepthook(controller: KioskController | None) -> None:
    """Log anything unexpected and go back to the loop rather than die."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        # Frames and the exception type only: a message might quote what a visitor typed.
        log.error("unexpected %s:\n%s", kind.__name__, "".join(traceback.format_tb(tb)))
        if controller is not None:
            try:
                controller.reset_visitor()
            except Exception:
                log.exception("could not return to the attract loop")

    sys.excepthook = hook


def build_kiosk(
    settings: Settings, content_dir: Path, *, windowed: bool
) -> tuple[KioskWindow, KioskController | None, Store]:
    """Everything the kiosk shows, wired; a broken content pack gives a ProblemScreen."""
    window = KioskWindow(kiosk_mode=not windowed)
    store = Store(settings.db_path)
    try:
        content = load_content(content_dir)
    except ContentError as exc:
        log.error("content pack %s is broken: %d problems", content_dir, len(exc.problems))
        for line in exc.problems:
            print(f"kiosk run: {line}", file=sys.stderr)
        window.stack.addWidget(ProblemScreen("This kiosk's content needs fixing", exc.problems))
        window.allow_close = True  # nothing to protect; let a volunteer close it
        return window, None, store
    controller = KioskController(settings, content, store, window, content_dir=content_dir)
    return window, controller, store


def run_kiosk(
    settings: Settings, content_dir: Path, *, windowed: bool, size: tuple[int, int] | None = None
) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Freedom Kiosk")
    load_fonts()
    app.setFont(font(Metrics(1920, 1080).body_px))
    window, controller, store = build_kiosk(settings, content_dir, windowed=windowed)
    _install_excepthook(controller)
    if windowed:
        window.resize(*(size or (1280, 800)))
        window.show()
    else:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
        window.place_on_screen(settings.screen)
    try:
        return app.exec()
    finally:
        if controller is not None:
            controller.shutdown()
        store.close()

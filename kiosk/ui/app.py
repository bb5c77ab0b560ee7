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
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from kiosk.content import Content
from kiosk.errors import StorageError
from kiosk.languages import ContentSet
from kiosk.records import SignupForm, SignupRecord, build_record
from kiosk.settings import Settings
from kiosk.store import Store
from kiosk.texts import TEXTS
from kiosk.ui.attract import AttractScreen
from kiosk.ui.idle import IdleOverlay
from kiosk.ui.involved import InvolvedScreen
from kiosk.ui.language_switch import single_language, switch_language
from kiosk.ui.reach import reach
from kiosk.ui.signup import SignupScreen
from kiosk.ui.speaker import reader
from kiosk.ui.sync_host import SyncHost
from kiosk.ui.thanks import ThanksScreen
from kiosk.ui.widgets import AfterFirstPaint
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)


class State(Enum):
    ATTRACT = "attract"
    INVOLVED = "involved"
    FORM = "form"
    THANKS = "thanks"
    ADMIN = "admin"
    SETUP = "setup"


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


class KioskController(SyncHost, QObject):
    """Builds the screens, store wiring and timers, and runs the visitor flow.

    Signals:
        state_changed(str): the visible screen changed (State value).
        saved(object): a SignupRecord committed to the store.
    """

    state_changed = Signal(str)
    saved = Signal(object)
    # The configured pack's problems when the kiosk runs the last good pack instead
    # (one line each, for Admin to show); None when the configured pack loaded.
    content_problem: list[str] | None = None

    def __init__(
        self,
        settings: Settings,
        content: Content,
        store: Store,
        window: KioskWindow,
        *,
        content_dir: Path,
        clock: Callable[[], float] = time.monotonic,
        attract: AttractScreen | None = None,
        languages: ContentSet | None = None,
    ) -> None:
        super().__init__(window)
        self.settings = settings
        self.content = content
        self.store = store
        self.window = window
        self.state = State.ATTRACT
        self._form_active = False
        # Every language of the pack; a visitor's choice swaps the screens' words.
        self.languages = languages or single_language(content)
        self._thanks_shown: tuple = ()  # what the thank-you shows, to say it again
        state = reach()
        state.set_languages(
            [
                (code, c.language_name)
                for code, c in self.languages.languages.items()
                if c.language == code
            ],
            self.languages.default,
        )
        state.reset()
        self.content = self.languages.for_language(state.language)

        # `attract` is passed in when the launcher painted the first slide before us.
        self.attract = attract or AttractScreen(content, clock=clock)
        if window.stack.indexOf(self.attract) < 0:
            window.stack.addWidget(self.attract)
        self._build_visitor_screens(self.content)
        self.idle_overlay = IdleOverlay(self.content, window)

        idle_s = settings.idle_timeout_s or content.timing.idle_timeout_s
        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("visitor-idle")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(int(idle_s * 1000))
        self.idle_timer.timeout.connect(self._on_idle)
        self._watch = _InputWatch(self)
        self._watch.activity.connect(self._on_activity)
        QApplication.instance().installEventFilter(self._watch)

        self._content_dir = content_dir
        self._admin = None  # built on first use: most days nobody opens it
        self._setup = None  # built only on a kiosk with no admin PIN
        self._init_sync()
        from kiosk.ui.admin import AdminEntry

        self.admin_entry = AdminEntry(window, settings.admin_hotkey, self)
        self.admin_entry.requested.connect(self.open_admin)
        self._build_sync()
        self._connect()
        # No PIN yet: set-up first, and never a visitor screen before it (SPEC 3.0).
        self.show(State.SETUP if self._needs_setup() else State.ATTRACT)

    # -- wiring ----------------------------------------------------------------

    def _build_visitor_screens(self, content: Content) -> None:
        """The tiles, the sign-up and the thank-you in `content`'s language, wired."""
        # Made inside the stack: a screen built as a window of its own, once the kiosk
        # is showing, would take the window's activation (and the keyboard focus) away.
        stack = self.window.stack
        self.involved = InvolvedScreen(content, stack)
        self.form = SignupScreen(content, stack)
        self.thanks = ThanksScreen(content, parent=stack)
        for screen in (self.involved, self.form, self.thanks):
            self.window.stack.addWidget(screen)
        self.involved.chosen.connect(self._on_chosen)
        self.involved.back.connect(self.reset_visitor)
        self.form.submitted.connect(self._on_submitted)
        self.form.cancelled.connect(self._back_to_tiles)
        self.form.start_over.connect(self.reset_visitor)
        self.form.under_age.connect(self._on_under_age)
        self.form.started.connect(lambda: self._event("form_started"))
        self.thanks.done.connect(self.reset_visitor)

    def _connect(self) -> None:
        self.attract.engaged.connect(self._on_engaged)
        self.attract.slide_shown.connect(
            lambda i: self._event("slide_shown", f"{i}:{self.content.slides[i].kind}")
        )
        reach().language_changed.connect(self._on_language)
        self.idle_overlay.kept.connect(self._on_kept)
        self.idle_overlay.expired.connect(self._on_idle_expired)

    @property
    def admin(self):  # -> AdminScreen (imported lazily)
        if self._admin is None:
            from kiosk.ui.admin import AdminScreen

            self._admin = AdminScreen(self.store, self.settings, self._content_dir)
            self.window.stack.addWidget(self._admin)
            # Reset kiosk emits reset_requested and then closed: one reset, on closed.
            self._admin.closed.connect(self.reset_visitor)
            self._admin.reset_requested.connect(lambda: log.info("kiosk reset from Admin"))
            self._admin.exit_requested.connect(self.exit_kiosk)
            self._admin.sync_requested.connect(self._sync_now)
            self._admin.setup_needed.connect(lambda: self.show(State.SETUP))
            self._admin.set_sync_available(self.sync_worker is not None)
            self._admin.set_content_problem(self.content_problem)
            self._admin.set_sync_status(*self._sync_status)
        return self._admin

    # -- first start: set-up --------------------------------------------------------

    def _needs_setup(self) -> bool:
        from kiosk.errors import SettingsError
        from kiosk.security import has_pin

        try:
            return not has_pin(self.settings.data_dir)
        except SettingsError:
            return False  # an unreadable settings file is Admin's to report, not set-up's

    @property
    def setup(self):  # -> SetupScreen (imported lazily)
        if self._setup is None:
            from kiosk.ui.setup import SetupScreen

            self._setup = SetupScreen(self.settings)
            self.window.stack.addWidget(self._setup)
            self._setup.finished.connect(self._on_setup_finished)
        return self._setup

    def _on_setup_finished(self) -> None:
        import dataclasses

        from kiosk.settings import load_settings

        fresh = load_settings(self.settings.data_dir)
        names = ("device_id", "sync_url", "sync_secret", "sync_folder", "admin_pin_hash")
        self.settings = dataclasses.replace(self.settings, **{n: getattr(fresh, n) for n in names})
        if self.sync_worker is None:
            self._build_sync()
        if self._admin is not None:
            self._admin.set_sync_available(self.sync_worker is not None)
            self._admin.set_content_problem(self.content_problem)
        self.reset_visitor()

    def _event(self, kind: str, detail: str | None = None) -> None:
        # Analytics never get in a visitor's way; the store already logged the failure.
        with contextlib.suppress(StorageError):
            self.store.record_event(kind, detail)

    # -- the state machine -------------------------------------------------------

    def show(self, state: State) -> None:
        if state is State.ADMIN:
            widget = self.admin
        elif state is State.SETUP:
            widget = self.setup
        else:
            widget = {
                State.ATTRACT: self.attract,
                State.INVOLVED: self.involved,
                State.FORM: self.form,
                State.THANKS: self.thanks,
            }[state]
        self.state = state
        self.window.stack.setCurrentWidget(widget)
        if self.window.isVisible() and not self.window.isActiveWindow():
            # Screens rebuilt in another language can leave the window inactive, and an
            # inactive window has no focus for the on-screen keyboard to type into.
            self.window.activateWindow()
        if state in (State.INVOLVED, State.FORM, State.THANKS):
            self.idle_timer.start()
        else:
            self.idle_timer.stop()
        if state is State.ATTRACT:
            self.attract.setFocus(Qt.FocusReason.OtherFocusReason)
        elif state is State.THANKS:
            # Once the thank-you is on screen, the loop's first picture, ready for Done.
            AfterFirstPaint(self.thanks, self.attract.prepare_return)
        self.state_changed.emit(state.value)

    def _on_engaged(self) -> None:
        self._event("engage")
        self.show(State.INVOLVED)
        from kiosk.records import load_validators

        QTimer.singleShot(0, load_validators)  # once the tiles are up, before any typing

    def _on_chosen(self, key: str) -> None:
        self._form_active = True
        self.form.begin(key)
        self.show(State.FORM)
        self.form.go(0)  # again, now that it is visible: focus lands in the first name

    def _back_to_tiles(self) -> None:
        self.form.wipe()
        self.show(State.INVOLVED)

    def _on_under_age(self) -> None:
        # Nothing the visitor typed is kept, not even in the funnel's detail.
        self._form_active = False
        self._event("form_abandoned", "under_age")
        self.form.wipe()
        _clear_clipboard()
        self._thanks_shown = ("under_age",)
        self.thanks.show_under_age()
        self.show(State.THANKS)
        self._event("qr_shown", "under_age")

    def _on_submitted(self, form: SignupForm) -> None:
        try:
            record = build_record(form, self.content, self.settings.device_id)
            record = self.store.save_signup(record)
        except StorageError:
            self._event("save_failed")
            self.form.show_save_error()
            return
        except ValueError:
            log.exception("a form that validated could not become a record")
            self.form.show_save_error()
            return
        log.info("sign-up %s saved", record.id)
        self._form_active = False
        self.saved.emit(record)
        self._event("signup_saved")
        self.form.wipe()
        _clear_clipboard()
        self._thanks_shown = ("for", record)
        self.thanks.show_for(
            record.first_name or "", record.donation_ref, next_steps(record, self.content)
        )
        self.show(State.THANKS)
        self._event("qr_shown", "thank_you")
        if self.sync_worker is not None:
            self.sync_worker.nudge()

    def _on_language(self, code: str) -> None:
        switch_language(self, self.languages.for_language(code))

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
        _clear_clipboard()
        reader().new_visitor()  # stops reading, before the loop is shown
        reach().reset()
        self.attract.restart()
        self._show_today()
        self.show(State.SETUP if self._needs_setup() else State.ATTRACT)

    def _show_today(self) -> None:
        if not self.content.show_today:
            return
        try:
            self.attract.set_today(self.store.stats().today)
        except StorageError:
            self.attract.set_today(None)

    def open_admin(self) -> None:
        if self.state in (State.ADMIN, State.SETUP):
            return
        self.idle_overlay.cancel()
        self.form.wipe()
        self.thanks.clear()
        _clear_clipboard()
        self._form_active = False
        self.show(State.ADMIN)
        self.admin.open()

    def shutdown(self) -> None:
        """Stop every timer and thread (tests and exit)."""
        self.idle_timer.stop()
        self.idle_overlay.cancel()
        reader().stop()
        QApplication.instance().removeEventFilter(self._watch)
        with contextlib.suppress(RuntimeError, TypeError):
            reach().language_changed.disconnect(self._on_language)
        self._stop_admin_and_sync()


def _clear_clipboard() -> None:
    """The last visitor's name or email must not wait on the clipboard for the next one."""
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(clipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        clipboard.clear(clipboard.Mode.Selection)
    if clipboard.supportsFindBuffer():
        clipboard.clear(clipboard.Mode.FindBuffer)


def next_steps(record: SignupRecord, content: Content) -> str:
    """What the thank-you says happens next, by what the visitor gave.

    Channels they said yes to: "we'll be in touch by email and text message"; else an
    interest that asks the team to reach them (it needs a phone, or either contact):
    "the team will get in touch"; else nothing is promised.
    """
    chosen = [key for key, yes in record.consents.items() if yes]
    if chosen:
        names = []
        for key in chosen:
            text_key = f"thanks.channel.{key}"
            names.append(
                content.text(text_key) if text_key in TEXTS else content.consent(key).label
            )
        joined = content.text("thanks.channel.and").join(
            [", ".join(names[:-1]), names[-1]] if len(names) > 1 else names
        )
        return content.text("thanks.next.channels", channels=joined)
    asks = {i.key for i in content.interests if i.contact_needed in ("phone", "either")}
    if asks & set(record.interests):
        return content.text("thanks.next.talk")
    return content.text("thanks.next.nothing")


def install_excepthook(controller: KioskController | None) -> None:
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

"""The PIN step in front of Admin: enter the PIN, or change it (current, new, new again).

There is no "choose a first PIN" here: a kiosk without a PIN starts on the set-up
screen, and if the PIN is somehow gone later this asks for set-up again rather
than letting whoever stands at the screen choose one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.errors import SettingsError
from kiosk.security import PinGuard, PinPolicy, has_pin, set_pin
from kiosk.ui.admin.common import sentence
from kiosk.ui.pinpad import PinPad
from kiosk.ui.theme import Metrics, Palette

log = logging.getLogger(__name__)


class PinFlow(QWidget):
    """A PIN pad with the rules of entering and changing the admin PIN.

    Signals:
        unlocked(): the right PIN was entered.
        changed(): a new PIN was chosen twice and saved.
        cancelled(): Cancel on the pad (while entering, or part-way through a change).
        setup_needed(): there is no PIN to check against; the kiosk must be set up again.
    """

    unlocked = Signal()
    changed = Signal()
    cancelled = Signal()
    setup_needed = Signal()

    def __init__(
        self,
        data_dir,
        palette: Palette,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.guard = PinGuard(data_dir, clock=clock)
        self.pad = PinPad(self, palette=palette)
        self.pad.entered.connect(self._on_pin)
        self.pad.cancelled.connect(self._on_cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pad)
        self._step = "enter"
        self._new_pin: str | None = None

    @property
    def step(self) -> str:
        """ "enter", "current", "choose" or "confirm"."""
        return self._step

    def set_metrics(self, m: Metrics) -> None:
        self.pad.set_metrics(m)

    def start_enter(self) -> None:
        """Ask for the PIN to open Admin (or ask for set-up when there is none)."""
        self._new_pin = None
        try:
            pin_set = has_pin(self._data_dir)
        except SettingsError as exc:
            self._go("enter")
            self.pad.set_message(sentence(str(exc)), error=True)
            return
        if not pin_set:
            log.warning("no admin PIN is set: back to set-up")
            self.setup_needed.emit()
            return
        self._go("enter")

    def start_change(self) -> None:
        self._new_pin = None
        self._go("current")

    def _go(self, step: str) -> None:
        self._step = step
        self.pad.set_mode(step)  # the pad has one mode per step
        if step in ("enter", "current"):
            self.pad.set_locked(self.guard.locked_for())
        else:
            self.pad.set_locked(0)
        self.pad.setFocus()

    def _on_pin(self, pin: str) -> None:
        step = self._step
        if step in ("enter", "current"):
            self._check(pin, step)
        elif step == "choose":
            try:
                PinPolicy.check(pin)
            except SettingsError as exc:
                self.pad.set_message(sentence(str(exc)), error=True)
                return
            self._new_pin = pin
            self._go("confirm")
        elif step == "confirm":
            if pin != self._new_pin:
                self._new_pin = None
                self._go("choose")
                self.pad.set_message("Those two PINs were different — choose again.", error=True)
                return
            self._new_pin = None
            try:
                set_pin(self._data_dir, pin)
            except (SettingsError, OSError) as exc:
                log.error("admin PIN could not be saved: %s", type(exc).__name__)
                self._go("choose")
                self.pad.set_message(f"The PIN could not be saved: {exc}", error=True)
                return
            self.changed.emit()

    def _check(self, pin: str, step: str) -> None:
        try:
            result = self.guard.attempt(pin)
        except SettingsError as exc:
            if not has_pin(self._data_dir):
                self.setup_needed.emit()
            else:
                self.pad.set_message(sentence(str(exc)), error=True)
            return
        if result.ok:
            if step == "enter":
                self.unlocked.emit()
            else:
                self._go("choose")
        elif result.status == "locked":
            self.pad.set_locked(result.locked_s)
        else:
            tries = "1 try" if result.tries_left == 1 else f"{result.tries_left} tries"
            self.pad.set_message(f"Wrong PIN — {tries} left", error=True)

    def _on_cancel(self) -> None:
        self._new_pin = None
        self.cancelled.emit()

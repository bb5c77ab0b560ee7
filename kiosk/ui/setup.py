"""First start: set up this kiosk (admin PIN twice, the kiosk's name, optional sync) by touch.

A kiosk with no admin PIN shows this before any visitor screen, so no visitor
can ever be offered "choose a PIN". Nothing is saved until the last step: a
kiosk switched off half-way through set-up starts on set-up again.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import SettingsError
from kiosk.security import set_pin
from kiosk.settings import Settings, write_values
from kiosk.ui.admin.common import PlainLabel, style_sheet
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.pinpad import PinPad
from kiosk.ui.theme import FAMILY, Metrics, Palette

log = logging.getLogger(__name__)

STEPS = 3
_DEVICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")


def check_device_id(text: str) -> str:
    """The kiosk's name as it will appear in every record; SettingsError when unusable."""
    name = text.strip()
    if not _DEVICE_ID.fullmatch(name):
        raise SettingsError(
            "Use 1 to 40 letters, digits, spaces, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    return name


def sync_values(target: str, secret: str) -> dict[str, str]:
    """Settings for what was typed as the sync target: an https:// address or a folder."""
    target = target.strip()
    if not target:
        return {"sync.url": "", "sync.folder": ""}
    if re.match(r"(?i)^https?://", target):
        if not re.match(r"(?i)^https?://[^/\s]+", target) or " " in target:
            raise SettingsError(
                "That address looks incomplete — like https://office.example.org/kiosk"
            )
        if not secret.strip():
            raise SettingsError("An office address needs the sync password the office gave you.")
        return {"sync.url": target, "sync.secret": secret.strip(), "sync.folder": ""}
    folder = Path(target).expanduser()
    if not folder.is_absolute():
        raise SettingsError(
            "Type an address starting https://, or a whole folder path like /media/sync"
        )
    return {"sync.folder": str(folder), "sync.url": ""}


class _TextStep(QWidget):
    """A title, a hint, one or two fields, an error line and the step's buttons."""

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = PlainLabel(title, self)
        self.title.setObjectName("setupTitle")
        self.title.setWordWrap(True)
        self.hint = PlainLabel(hint, self)
        self.hint.setObjectName("setupHint")
        self.hint.setWordWrap(True)
        self.error = PlainLabel("", self)
        self.error.setObjectName("setupError")
        self.error.setWordWrap(True)
        self.fields: list[QLineEdit] = []
        self.buttons = QHBoxLayout()
        self.column = QVBoxLayout(self)
        self.column.addWidget(self.title)
        self.column.addWidget(self.hint)
        self._fields_at = self.column.count()
        self.column.addWidget(self.error)
        self.column.addLayout(self.buttons)
        self.column.addStretch(1)

    def add_field(self, name: str, mode: str, *, secret: bool = False) -> QLineEdit:
        label = PlainLabel(name, self)
        label.setObjectName("setupLabel")
        field = QLineEdit(self)
        field.setAccessibleName(name)
        field.setProperty("kiosk_keyboard", mode)
        field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        field.setMaxLength(300)
        if secret:
            field.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        at = self._fields_at + 2 * len(self.fields)
        self.column.insertWidget(at, label)
        self.column.insertWidget(at + 1, field)
        self.fields.append(field)
        return field

    def add_button(self, text: str, role: str, name: str | None = None) -> QPushButton:
        b = QPushButton(text, self)
        b.setProperty("role", role)
        b.setAccessibleName(name or text)
        b.setAutoDefault(True)
        self.buttons.addWidget(b)
        return b


class SetupScreen(QWidget):
    """Set up this kiosk: step 1 the PIN (twice), step 2 its name, step 3 sync (optional).

    Signals:
        finished(): everything is saved (PIN hash, device_id, sync target); start the loop.
    """

    finished = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupScreen")
        self.setAccessibleName("Set up this kiosk")
        self._settings = settings
        self._palette = Palette()
        self._metrics = Metrics(1920, 1080)
        self._pin: str | None = None
        self._first_pin: str | None = None

        self._heading = PlainLabel("", self)
        self._heading.setObjectName("setupHeading")

        self.pad = PinPad(self, palette=self._palette)
        self.pad.entered.connect(self._on_pin)
        self.pad.cancelled.connect(self._choose_again)

        self.name_step = _TextStep(
            "Name this kiosk",
            "Every sign-up carries this name, so the office knows which stand it came from.",
            self,
        )
        self.name_field = self.name_step.add_field("Kiosk name", "email")
        self.name_field.setText(settings.device_id)
        self.name_field.setMaxLength(40)
        self.name_field.returnPressed.connect(self._on_name)
        back = self.name_step.add_button("Back", "secondary", "Back to the PIN")
        back.clicked.connect(self._restart)
        self.name_step.buttons.addStretch(1)
        self.name_next = self.name_step.add_button("Next", "primary", "Next step")
        self.name_next.clicked.connect(self._on_name)

        self.sync_step = _TextStep(
            "Send sign-ups to the office? (optional)",
            "The office's https:// address and sync password, or a synced folder. "
            "Or skip, and export to a USB stick instead.",
            self,
        )
        self.sync_field = self.sync_step.add_field("Office address or folder", "email")
        self.secret_field = self.sync_step.add_field(
            "Sync password (only for an address)", "email", secret=True
        )
        self.sync_field.setText(settings.sync_url or settings.sync_folder)
        back = self.sync_step.add_button("Back", "secondary", "Back to the kiosk name")
        back.clicked.connect(lambda: self._go(self.name_step))
        self.sync_step.buttons.addStretch(1)
        self.skip_button = self.sync_step.add_button("Skip", "secondary", "Skip sync")
        self.skip_button.clicked.connect(lambda: self._finish(skip_sync=True))
        self.finish_button = self.sync_step.add_button("Start the kiosk", "primary")
        self.finish_button.clicked.connect(lambda: self._finish(skip_sync=False))
        self.sync_field.returnPressed.connect(self.secret_field.setFocus)
        self.secret_field.returnPressed.connect(lambda: self._finish(skip_sync=False))

        self.keyboard = OnScreenKeyboard(self._metrics, self._palette, self)
        self.keyboard.set_enter_label("Next")

        self._steps = QStackedWidget(self)
        for w in (self.pad, self.name_step, self.sync_step):
            self._steps.addWidget(w)
        self._body = QVBoxLayout(self)
        self._body.addWidget(self._heading)
        self._body.addWidget(self._steps, 1)
        self._body.addWidget(self.keyboard)
        self._restart()
        self._apply_metrics(self._metrics)
        self.setMinimumSize(1, 1)

    # -- methods in ---------------------------------------------------------

    @property
    def step(self) -> int:
        """1 (PIN), 2 (name) or 3 (sync)."""
        return self._steps.currentIndex() + 1

    def _restart(self) -> None:
        self._pin = self._first_pin = None
        self.pad.set_mode("choose")
        self.pad.set_title("Choose an admin PIN")
        self.pad.set_message("4 to 12 digits — not 1111 or 1234. Staff need it to open Admin.")
        self.pad.set_cancel_text(None)
        self._go(self.pad)

    def _go(self, step: QWidget) -> None:
        self._steps.setCurrentWidget(step)
        n = self._steps.currentIndex() + 1
        self._heading.setText(f"Set up this kiosk · step {n} of {STEPS}")
        self.keyboard.setVisible(step is not self.pad)
        if step is self.name_step:
            self.name_field.setFocus(Qt.FocusReason.OtherFocusReason)
            self.name_field.selectAll()
            self.keyboard.set_enter_label("Next")
        elif step is self.sync_step:
            self.sync_field.setFocus(Qt.FocusReason.OtherFocusReason)
            self.keyboard.set_enter_label("Next")
        else:
            self.pad.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- step 1: the PIN, twice ---------------------------------------------------

    def _on_pin(self, pin: str) -> None:
        from kiosk.security import PinPolicy

        if self._first_pin is None:
            try:
                PinPolicy.check(pin)
            except SettingsError as exc:
                text = str(exc)
                self.pad.set_message(text[:1].upper() + text[1:] + ".", error=True)
                return
            self._first_pin = pin
            self.pad.set_mode("confirm")
            self.pad.set_cancel_text("Choose again")
            return
        if pin != self._first_pin:
            self._restart()
            self.pad.set_message("Those two PINs were different — choose again.", error=True)
            return
        self._pin = pin
        self._go(self.name_step)

    def _choose_again(self) -> None:
        self._restart()

    # -- step 2: the name ---------------------------------------------------------

    def _on_name(self) -> None:
        try:
            self.name_field.setText(check_device_id(self.name_field.text()))
        except SettingsError as exc:
            self.name_step.error.setText(str(exc))
            return
        self.name_step.error.setText("")
        self._go(self.sync_step)

    # -- step 3: sync, then save everything -----------------------------------------

    def _finish(self, *, skip_sync: bool) -> None:
        if self._pin is None:
            self._restart()
            return
        try:
            values = {"device_id": check_device_id(self.name_field.text())}
            if skip_sync:
                values.update(sync_values("", ""))
            else:
                values.update(sync_values(self.sync_field.text(), self.secret_field.text()))
        except SettingsError as exc:
            self.sync_step.error.setText(str(exc))
            return
        folder = self._settings.data_dir
        try:
            write_values(folder, values)
            set_pin(folder, self._pin)  # last: a PIN means set-up is done
        except (SettingsError, OSError) as exc:
            log.error("set-up could not be saved: %s", type(exc).__name__)
            self.sync_step.error.setText(f"Set-up could not be saved: {exc}")
            return
        self.secret_field.clear()
        self._restart()  # should set-up ever be needed again, it starts from the PIN
        log.info("kiosk set up as %s (sync %s)", values["device_id"], _sync_kind(values))
        self.finished.emit()

    # -- look -------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self._palette.primary))
        painter.end()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        m = Metrics(max(1, self.width()), max(1, self.height()))
        if (m.width, m.height) != (self._metrics.width, self._metrics.height):
            self._apply_metrics(m)

    def _apply_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self.pad.set_metrics(m)
        self.keyboard.set_metrics(m)  # it sizes its own height
        self._body.setContentsMargins(m.px(64), m.px(32), m.px(64), m.px(16))
        for step in (self.name_step, self.sync_step):
            step.column.setSpacing(m.px(12))
            step.column.setContentsMargins(0, m.px(8), 0, m.px(20))
            for f in step.fields:
                f.setFixedHeight(m.touch)
            for b in step.findChildren(QPushButton):
                b.setMinimumSize(m.px(220), m.touch)
        p = self._palette
        self.setStyleSheet(
            style_sheet(p, m)
            + f"""
            QLabel#setupHeading {{ color: {p.muted}; font-size: {m.px(30)}px;
                font-family: "{FAMILY}"; font-weight: 600; }}
            QLabel#setupTitle {{ color: {p.text}; font-size: {m.px(48)}px; font-weight: 700; }}
            QLabel#setupHint, QLabel#setupLabel {{ color: {p.text}; font-size: {m.body_px}px; }}
            QLabel#setupLabel {{ font-weight: 600; }}
            QLabel#setupError {{ color: {p.accent}; font-size: {m.body_px}px; font-weight: 600; }}
            QPushButton[role="secondary"] {{ background: transparent; color: {p.text};
                border: {max(2, m.px(3))}px solid {p.text}; }}
            """
        )
        # The pad has its own sheet; the panel's general QLabel rule must not override it.
        self.pad.set_metrics(m)


def _sync_kind(values: dict[str, str]) -> str:
    if values.get("sync.url"):
        return "to an address"
    return "to a folder" if values.get("sync.folder") else "off"

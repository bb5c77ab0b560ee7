"""The danger zone: Reset kiosk, Change PIN, Exit kiosk and Wipe data, each confirmed in place.

Exit asks once; Wipe only unlocks when every sign-up is exported or synced, and
then needs WIPE typed on its own letter keys. No system dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.admin.common import PlainLabel, button, plural, restyle
from kiosk.ui.theme import Metrics

WIPE_WORD = "WIPE"


class DangerZone(QWidget):
    """The footer of actions, or a confirmation strip in their place.

    Signals:
        reset_requested(), change_pin_requested(): pressed.
        exit_confirmed(), wipe_confirmed(): confirmed in the strip.
    """

    reset_requested = Signal()
    change_pin_requested = Signal()
    exit_confirmed = Signal()
    wipe_confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._confirming: str | None = None
        self._total = 0
        self._portrait: bool | None = None

        self.footer = QFrame(self)
        self.footer.setObjectName("footer")
        self.hint = PlainLabel("", self.footer)
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        self.reset_button = button("Reset kiosk", "secondary", self.footer)
        self.reset_button.clicked.connect(self.reset_requested)
        self.change_pin_button = button("Change PIN", "secondary", self.footer)
        self.change_pin_button.clicked.connect(self.change_pin_requested)
        self.exit_button = button("Exit kiosk", "secondary", self.footer)
        self.exit_button.clicked.connect(lambda: self.confirm("exit"))
        self.wipe_button = button("Wipe data", "danger", self.footer)
        self.wipe_button.clicked.connect(lambda: self.confirm("wipe"))
        self._buttons = (
            self.reset_button,
            self.change_pin_button,
            self.exit_button,
            self.wipe_button,
        )
        for b in self._buttons:
            # Equal shares of the row, whatever the label: the grid sizes them, not the text.
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._grid = QGridLayout(self.footer)

        self.strip = QFrame(self)
        self.strip.setObjectName("confirm")
        self.text = PlainLabel("", self.strip)
        self.text.setWordWrap(True)
        self.wipe_input = QLineEdit(self.strip)
        self.wipe_input.setObjectName("wipeInput")
        self.wipe_input.setAccessibleName("Type WIPE to confirm")
        self.wipe_input.setPlaceholderText("type WIPE")
        self.wipe_input.setMaxLength(len(WIPE_WORD))
        self.wipe_input.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.wipe_input.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.wipe_input.textChanged.connect(self._on_text)
        self._letter_buttons: list[QPushButton] = []
        letters = QHBoxLayout()
        letters.setContentsMargins(0, 0, 0, 0)
        letters.addWidget(self.wipe_input)
        for letter in dict.fromkeys(WIPE_WORD):
            b = button(letter, "letter", self.strip, f"Letter {letter}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, ch=letter: self._type(ch))
            self._letter_buttons.append(b)
            letters.addWidget(b)
        erase = button("⌫", "letter", self.strip, "Delete letter")
        erase.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        erase.clicked.connect(lambda: self.wipe_input.setText(self.wipe_input.text()[:-1]))
        self._letter_buttons.append(erase)
        letters.addWidget(erase)
        self.letters = QWidget(self.strip)
        self.letters.setLayout(letters)
        self.cancel_button = button("Cancel", "secondaryDark", self.strip)
        self.cancel_button.clicked.connect(self.end_confirm)
        self.confirm_button = button("Confirm", "primary", self.strip)
        self.confirm_button.clicked.connect(self._on_confirmed)
        self._actions = QHBoxLayout()
        self._actions.addStretch(1)
        self._actions.addWidget(self.cancel_button)
        self._actions.addWidget(self.confirm_button)
        self._row = QHBoxLayout()
        self._row.addWidget(self.letters)
        self._row.addStretch(1)
        self._strip_layout = QVBoxLayout(self.strip)
        self._strip_layout.addWidget(self.text)
        self._strip_layout.addLayout(self._row)
        self.strip.hide()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.footer)
        outer.addWidget(self.strip)
        self.set_wipe_allowed(False, 0)

    @property
    def confirming(self) -> str | None:
        return self._confirming

    def set_wipe_allowed(self, allowed: bool, total: int) -> None:
        self._total = total
        self.wipe_button.setEnabled(allowed)
        self.hint.setText(
            "Everything is exported or synced — wiping is allowed."
            if allowed
            else "Wipe data unlocks once every sign-up is exported or synced."
        )
        self.wipe_button.setAccessibleDescription(self.hint.text())

    def confirm(self, action: str) -> None:
        self._confirming = action
        self.wipe_input.setText("")
        if action == "exit":
            self.text.setText(
                "Exit the kiosk? Visitors will see the computer's desktop until it is "
                "started again."
            )
            self.letters.hide()
            self.confirm_button.setText("Exit kiosk")
            self.confirm_button.setAccessibleName("Confirm exit kiosk")
            restyle(self.confirm_button, "role", "primary")
            self.confirm_button.setEnabled(True)
        else:
            self.text.setText(
                f"Delete all {plural(self._total, 'sign-up')} from this kiosk for good? "
                f"Type {WIPE_WORD} to confirm."
            )
            self.letters.show()
            self.confirm_button.setText("Wipe data")
            self.confirm_button.setAccessibleName("Confirm wipe data")
            restyle(self.confirm_button, "role", "dangerSolid")
            self.confirm_button.setEnabled(False)
        self.footer.hide()
        self.strip.show()
        (self.wipe_input if action == "wipe" else self.cancel_button).setFocus()

    def end_confirm(self) -> None:
        self._confirming = None
        self.wipe_input.setText("")
        self.strip.hide()
        self.footer.show()

    def _type(self, letter: str) -> None:
        if len(self.wipe_input.text()) < len(WIPE_WORD):
            self.wipe_input.setText(self.wipe_input.text() + letter)

    def _on_text(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            self.wipe_input.setText(upper)
            return
        if self._confirming == "wipe":
            self.confirm_button.setEnabled(upper == WIPE_WORD)

    def _on_confirmed(self) -> None:
        action = self._confirming
        if action == "exit":
            self.end_confirm()
            self.exit_confirmed.emit()
        elif action == "wipe" and self.wipe_input.text() == WIPE_WORD:
            self.end_confirm()
            self.wipe_confirmed.emit()

    def set_metrics(self, m: Metrics) -> None:
        self._reflow(m.portrait)
        margin = m.px(40)
        self._grid.setContentsMargins(margin, m.px(20), margin, m.px(20))
        self._grid.setHorizontalSpacing(m.px(20))
        self._grid.setVerticalSpacing(m.px(14))
        self._strip_layout.setContentsMargins(margin, m.px(20), margin, m.px(20))
        self._strip_layout.setSpacing(m.px(14))
        self.wipe_input.setFixedSize(m.px(220), m.touch)
        for b in self.findChildren(QPushButton):
            b.setMinimumHeight(m.touch)
        for b in self._letter_buttons:
            b.setFixedSize(m.touch, m.touch)
        for b in self._buttons:
            b.setMinimumWidth(m.px(180))
        for b in (self.cancel_button, self.confirm_button):
            b.setMinimumWidth(m.px(220))

    def _reflow(self, portrait: bool) -> None:
        if portrait == self._portrait:
            return
        self._portrait = portrait
        # Portrait is too narrow for the letters and the two buttons side by side.
        self._strip_layout.removeItem(self._actions)
        self._row.removeItem(self._actions)
        (self._strip_layout if portrait else self._row).addLayout(self._actions)
        for w in (self.hint, *self._buttons):
            self._grid.removeWidget(w)
        for i in range(5):
            self._grid.setColumnStretch(i, 0)
        if portrait:
            self._grid.addWidget(self.hint, 0, 0, 1, 4)
            for i, b in enumerate(self._buttons):
                self._grid.addWidget(b, 1, i)
                self._grid.setColumnStretch(i, 1)
        else:
            self._grid.addWidget(self.hint, 0, 0)
            self._grid.setColumnStretch(0, 4)
            for i, b in enumerate(self._buttons):
                self._grid.addWidget(b, 0, i + 1)
                self._grid.setColumnStretch(i + 1, 3)

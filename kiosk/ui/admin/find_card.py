"""Find a sign-up by reference or part of a name, and withdraw it after a confirmation.

Answers "did my sign-up go through?" (saved, synced, exported times) with the
person's details masked, and honours "please delete me" on the spot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.errors import KioskError
from kiosk.finding import MIN_QUERY, FoundSignup, find_signups
from kiosk.ui.admin.common import Card, PlainLabel, button
from kiosk.ui.admin.touchlist import Row, TouchList
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.theme import Metrics, Palette

log = logging.getLogger(__name__)

HINT = "Type a reference (like NH-7F3KQ2) or part of a name."
SEALED_HINT = "Names are sealed on this kiosk: type a reference (like NH-7F3KQ2)."


class FindCard(Card):
    """Signals: withdrawn(str) — a sign-up was withdrawn (its reference)."""

    withdrawn = Signal(str)

    def __init__(
        self,
        store,
        palette: Palette,
        *,
        clock: Callable[[], float],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Find a sign-up", parent)
        self._store = store
        self._clock = clock
        self._found: list[FoundSignup] = []
        self._search_timer = QTimer(self)
        self._search_timer.setObjectName("adminFindDebounce")
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self.search)

        self.field = QLineEdit(self)
        self.field.setObjectName("findField")
        self.field.setAccessibleName("Reference or name")
        self.field.setPlaceholderText("Reference or name")
        self.field.setMaxLength(60)
        self.field.setProperty("kiosk_keyboard", "email")  # letters and digits together
        self.field.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.field.textChanged.connect(lambda _t: self._search_timer.start())
        self.field.returnPressed.connect(self.search)
        self.clear_button = button("Clear", "secondary", self, "Clear the search")
        self.clear_button.clicked.connect(self.clear)
        search_row = QHBoxLayout()
        search_row.addWidget(self.field, 1)
        search_row.addWidget(self.clear_button)

        self._hint = SEALED_HINT if getattr(store, "sealing", False) else HINT
        self.status = PlainLabel(self._hint, self)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.results = TouchList("Sign-ups found", self)
        self.results.picked.connect(self._on_picked)
        self.withdraw_button = button("Withdraw this sign-up…", "danger", self)
        self.withdraw_button.clicked.connect(self._ask)
        self.withdraw_button.setEnabled(False)
        self.withdraw_hint = PlainLabel("Tap a sign-up to withdraw it.", self)
        self.withdraw_hint.setObjectName("muted")
        actions = QHBoxLayout()
        actions.addWidget(self.withdraw_hint, 1)
        actions.addWidget(self.withdraw_button)

        self.confirm = QFrame(self)
        self.confirm.setObjectName("confirm")
        self.confirm_text = PlainLabel("", self.confirm)
        self.confirm_text.setWordWrap(True)
        self.cancel_button = button("Cancel", "secondaryDark", self.confirm, "Keep this sign-up")
        self.cancel_button.clicked.connect(self._end_confirm)
        self.confirm_button = button("Withdraw", "dangerSolid", self.confirm, "Confirm withdraw")
        self.confirm_button.clicked.connect(self._withdraw)
        strip = QVBoxLayout(self.confirm)
        strip.addWidget(self.confirm_text)
        self._confirm_row = QHBoxLayout()
        self._confirm_row.addStretch(1)
        self._confirm_row.addWidget(self.cancel_button)
        self._confirm_row.addWidget(self.confirm_button)
        strip.addLayout(self._confirm_row)
        self.confirm.hide()

        self.keyboard = OnScreenKeyboard(Metrics(1920, 1080), palette, self)
        self.keyboard.set_enter_label("Find")  # short: the portrait key is narrow

        self.body.addLayout(search_row)
        self.body.addWidget(self.status)
        self.body.addWidget(self.results, 1)
        self.body.addLayout(actions)
        self.body.addWidget(self.confirm)
        self.body.addWidget(self.keyboard)

    # -- methods in ---------------------------------------------------------

    @property
    def found(self) -> list[FoundSignup]:
        return list(self._found)

    def begin(self) -> None:
        """The tab was opened: focus the field (the keyboard types into it)."""
        self._end_confirm()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search()

    def end(self) -> None:
        """The tab was left or Admin closed: forget what was typed and found."""
        self._search_timer.stop()
        self._end_confirm()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self._show([])
        self.status.setText(self._hint)

    def clear(self) -> None:
        self.end()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_metrics(self, m: Metrics) -> None:
        super().set_metrics(m)
        self.results.set_metrics(m)
        self.field.setFixedHeight(m.touch)
        self.keyboard.set_metrics(m)  # it sizes its own height
        for b in (self.clear_button, self.withdraw_button, self.cancel_button, self.confirm_button):
            b.setMinimumSize(m.px(200), m.touch)
        self.confirm.layout().setContentsMargins(m.px(28), m.px(20), m.px(28), m.px(20))

    def search(self) -> None:
        self._search_timer.stop()
        text = self.field.text().strip()
        if len(text) < MIN_QUERY:
            self._show([])
            self.status.setText(self._hint)
            return
        try:
            found = find_signups(self._store, text)
        except KioskError as exc:
            self._show([])
            self.status.setText(str(exc))
            return
        self._show(found)
        if not found:
            self.status.setText(f"No sign-up matches “{text}”.")
        else:
            many = " (the newest 50)" if len(found) >= 50 else ""
            self.status.setText(f"{len(found)} found, newest first{many}.")

    def _show(self, found: list[FoundSignup]) -> None:
        self._found = found
        now = datetime.fromtimestamp(self._clock()).astimezone()
        rows = []
        for f in found:
            detail = f.times(today=now)
            if f.contact():
                detail += f" · {f.contact()}"
            rows.append(Row(f"{f.donation_ref} · {f.name}", detail, f.id))
        self.results.set_rows(rows)
        self._update_withdraw()

    def _on_picked(self, _index: int) -> None:
        self._update_withdraw()

    def _selected(self) -> FoundSignup | None:
        i = self.results.current
        return self._found[i] if 0 <= i < len(self._found) else None

    def _update_withdraw(self) -> None:
        chosen = self._selected()
        ok = chosen is not None and not chosen.withdrawn
        self.withdraw_button.setEnabled(ok)
        if chosen is None:
            self.withdraw_hint.setText("Tap a sign-up to withdraw it." if self._found else "")
        elif chosen.withdrawn:
            self.withdraw_hint.setText(f"{chosen.donation_ref} is already withdrawn.")
        else:
            self.withdraw_hint.setText(f"Selected: {chosen.donation_ref}, {chosen.name}")
        self.withdraw_button.setAccessibleDescription(self.withdraw_hint.text())

    # -- withdraw -------------------------------------------------------------

    def _ask(self) -> None:
        chosen = self._selected()
        if chosen is None or chosen.withdrawn:
            return
        self.confirm_text.setText(
            f"Withdraw {chosen.donation_ref} ({chosen.name})? Their name, email and phone "
            "are erased from this kiosk for good, and the office is told to erase its copy."
        )
        self.keyboard.hide()
        self.withdraw_button.hide()
        self.withdraw_hint.hide()
        self.confirm.show()
        self.cancel_button.setFocus()

    def _end_confirm(self) -> None:
        self.confirm.hide()
        self.withdraw_button.show()
        self.withdraw_hint.show()
        self.keyboard.show()

    def _withdraw(self) -> None:
        chosen = self._selected()
        self._end_confirm()
        if chosen is None:
            return
        try:
            marker = self._store.withdraw(chosen.id)
        except KioskError as exc:
            self.status.setText(f"Not withdrawn: {exc}")
            return
        if marker is None:
            self.status.setText("Not withdrawn: that sign-up is not on this kiosk any more.")
            return
        log.info("sign-up withdrawn from Admin")
        self.search()
        self.status.setText(
            f"Withdrawn: {chosen.donation_ref}. The office learns of it at the next export or sync."
        )
        self.withdrawn.emit(chosen.donation_ref)

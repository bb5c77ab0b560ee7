"""Steps 2 and 3: email and phone, each required only when a chosen interest needs it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.content import Content
from kiosk.records import (
    EMAIL_MAX,
    InvalidField,
    normalise_email,
    normalise_phone,
    suggest_email,
)
from kiosk.ui.reach import Reach
from kiosk.ui.signup.parts import Field, Step
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BigButton

PHONE_MAX = 25

# Asks the container: which contact is needed now? ("required", the interest's label)
Need = Callable[[], tuple[bool, str]]


class _ContactStep(Step):
    """A single contact field; Skip shows only while the contact is optional."""

    kind = ""
    normalise = staticmethod(normalise_email)

    def __init__(self, content: Content, title: str, label: str, max_len: int) -> None:
        super().__init__(content, title)
        # The title asks the question; the field's own label line says whether it is needed.
        self.field = Field(label, self.kind, max_len)
        self.field.label.setProperty("role", "stephint")
        self.field.edit.textEdited.connect(self._on_edit)
        self.body.addWidget(self.field)
        self._need: Need = lambda: (False, "")
        self._shown = False

    def set_need(self, need: Need) -> None:
        self._need = need

    @property
    def text(self) -> str:
        return self.field.edit.text()

    def first_input(self) -> QWidget:
        return self.field.edit

    def _on_edit(self) -> None:
        self.changed.emit()
        if self._shown:
            self.check(show=True)

    def refresh(self) -> None:
        required, why = self._need()
        c = self.content
        if why == "either":
            hint = c.text(f"step.{self.kind}.either")
        elif required:
            hint = c.text(f"step.{self.kind}.needed", interest=why)
        else:
            hint = c.text(f"step.{self.kind}.optional")
        self.field.label.setText(hint)
        self.skip.setVisible(not required and not self.text.strip())

    def problem(self) -> InvalidField | None:
        required, _ = self._need()
        if not self.text.strip() and not required:
            return None
        try:
            self.normalise(self.text)
        except InvalidField as exc:
            return exc
        return None

    def check(self, *, show: bool) -> QWidget | None:
        self._shown = self._shown or show
        self.refresh()
        exc = self.problem()
        if show:
            self.field.show_problem(self.content.text(exc.key) if exc else "")
        return self.field.edit if exc else None

    def wipe(self) -> None:
        self.field.wipe()
        self._shown = False

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        super().set_metrics(m, reach)
        self.field.set_message_height(max(m.touch, reach.text(m.px(60))))


class EmailStep(_ContactStep):
    """The email, with "Did you mean …?" inside the step (>= 60 px; accepting keeps focus)."""

    keyboard = "email"
    kind = "email"
    normalise = staticmethod(normalise_email)

    def __init__(self, content: Content) -> None:
        super().__init__(
            content,
            content.text("step.email.title"),
            content.text("step.email.label"),
            EMAIL_MAX,
        )
        self.suggestion = BigButton("", "link")
        self.suggestion.setObjectName("suggestion")
        self.suggestion.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps focus
        self.suggestion.hide()
        self.suggestion.clicked.connect(self.accept_suggestion)
        self.field.row.insertWidget(0, self.suggestion, 0, Qt.AlignmentFlag.AlignTop)
        self._offered = ""  # the suggestion the visitor has already been asked about

    def _on_edit(self) -> None:
        self._offer()
        super()._on_edit()

    def _offer(self) -> None:
        text = self.text.strip()
        suggested = suggest_email(text) if "@" in text else None
        self.suggestion.setProperty("email", suggested or "")
        self.suggestion.setText(self.content.text("step.email.suggest", email=suggested or ""))
        self.suggestion.setAccessibleName(self.suggestion.text())
        self.suggestion.setVisible(bool(suggested))

    def accept_suggestion(self) -> None:
        suggested = self.suggestion.property("email")
        if not suggested:
            return
        self.field.edit.setText(suggested)
        self.field.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.field.edit.end(False)
        self._offer()
        self.changed.emit()
        self.check(show=self._shown)

    def check(self, *, show: bool) -> QWidget | None:
        problem = super().check(show=show)
        if problem is None and show and self.suggestion.isVisible():
            suggested = self.suggestion.property("email")
            if suggested != self._offered:
                # Asked once: a second Next keeps the address as typed.
                self._offered = suggested
                return self.field.edit
        return problem

    def wipe(self) -> None:
        super().wipe()
        self._offered = ""
        self._offer()


class PhoneStep(_ContactStep):
    """The phone number: GB and Irish national numbers, or +country code."""

    keyboard = "phone"
    kind = "phone"
    normalise = staticmethod(normalise_phone)

    def __init__(self, content: Content) -> None:
        super().__init__(
            content,
            content.text("step.phone.title"),
            content.text("step.phone.label"),
            PHONE_MAX,
        )

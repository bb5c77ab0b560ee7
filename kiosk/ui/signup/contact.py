"""Steps 2 and 3: email and phone, each required only when a chosen interest needs it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from kiosk.content import Content
from kiosk.records import (
    EMAIL_MAX,
    InvalidField,
    normalise_email,
    normalise_phone,
    suggest_email,
)
from kiosk.ui.reach import Reach
from kiosk.ui.signup.parts import Field, Step, WrapButton
from kiosk.ui.theme import Metrics

PHONE_MAX = 25

# Asks the container: which contact is needed now? ("required", the interest's label)
Need = Callable[[], tuple[bool, str]]


class _ContactStep(Step):
    """A single contact field; Skip shows only while the contact is optional."""

    kind = ""
    normalise = staticmethod(normalise_email)

    def __init__(self, content: Content, title: str, label: str, max_len: int) -> None:
        super().__init__(content, title)
        # The title asks the question; the field's label says whether it is needed, and
        # is the step's hint: beside the question in landscape, on its own line (wrapping)
        # in portrait, so a long translation never runs past the edge.
        self.field = Field(label, self.kind, max_len)
        hint = self.field.detach_label()
        hint.setProperty("role", "stephint")
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.replaceWidget(self.hint, hint)
        self.hint.deleteLater()
        self.hint = hint
        self.field.edit.textEdited.connect(self._on_edit)
        self.body.addWidget(self.field)
        self._need: Need = lambda: (False, "")
        self._portrait = False
        self._spacing = (8, 40)
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
        self._place_hint()
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
        self._portrait = m.portrait
        self._spacing = (m.px(8), m.px(40))
        self._place_hint()
        self.fit_text(m, reach)

    def _place_hint(self) -> None:
        """In landscape the hint sits beside the question while it takes two lines there
        at most; a longer one goes under it, full width, as in portrait."""
        width = self.width()
        title = self.title.fontMetrics().horizontalAdvance(self.title.text()) + 4
        room = width - title - self._spacing[1]
        line = self.hint.fontMetrics().lineSpacing()
        beside = (
            not self._portrait
            and width > 1
            and room > width // 4
            and self.hint.heightForWidth(room) <= 2 * line + line // 2
        )
        self.heading.setDirection(
            QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        )
        self.heading.setSpacing(self._spacing[beside])
        self.title.setMinimumWidth(title if beside else 0)  # one line, the hint wraps
        self.hint.setAlignment(
            (Qt.AlignmentFlag.AlignRight if beside else Qt.AlignmentFlag.AlignLeft)
            | Qt.AlignmentFlag.AlignVCenter
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place_hint()
        super().resizeEvent(event)

    def shrinkable(self) -> tuple[list, list[tuple[QLabel, int]]]:
        return [], [(self.title, 52), (self.hint, 28), (self.field.message, 26)]

    def rearrange(self) -> None:
        self._place_hint()


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
        self.suggestion = WrapButton("link")
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
        self._arrange()

    def _arrange(self) -> None:
        """Did-you-mean beside the message while it leaves the message a third of the
        line; above the message when narrower (portrait, long translations)."""
        row = self.field.row
        room = self.field.width() - self.suggestion.sizeHint().width() - row.spacing()
        wanted = room >= self.field.width() // 3
        if wanted == (row.direction() == QBoxLayout.Direction.LeftToRight):
            return
        row.setDirection(
            QBoxLayout.Direction.LeftToRight if wanted else QBoxLayout.Direction.TopToBottom
        )
        row.setAlignment(
            self.suggestion,
            Qt.AlignmentFlag.AlignTop if wanted else Qt.AlignmentFlag.AlignLeft,
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange()
        super().resizeEvent(event)

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        self.suggestion.set_metrics(m, reach)
        super().set_metrics(m, reach)
        self._arrange()

    def shrinkable(self) -> tuple[list, list[tuple[QLabel, int]]]:
        toggles, labels = super().shrinkable()
        return toggles, [*labels, (self.suggestion.words, 28)]

    def rearrange(self) -> None:
        super().rearrange()
        self._arrange()

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

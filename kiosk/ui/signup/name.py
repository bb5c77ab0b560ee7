"""Step 1, "What's your name?": first name (required) and last name (optional)."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QWidget

from kiosk.content import Content
from kiosk.records import NAME_MAX, InvalidField, normalise_name
from kiosk.ui.reach import Reach
from kiosk.ui.signup.parts import Field, Step
from kiosk.ui.theme import Metrics

COUNTER_FROM = 0.8  # show the counter once a name reaches this share of the limit


class NameStep(Step):
    """First and last name; the limit shows as a counter, never a silent cut."""

    keyboard = "text"

    def __init__(self, content: Content) -> None:
        super().__init__(content, content.text("step.name.title"))
        self.first = Field(content.text("step.name.first"), "text", NAME_MAX)
        self.last = Field(content.text("step.name.last"), "text", NAME_MAX)
        self.fields = (self.first, self.last)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        for f in self.fields:
            f.edit.setProperty("kiosk_autocap", True)
            f.edit.textChanged.connect(lambda _t, f=f: self._count(f))
            f.edit.textEdited.connect(self.changed)
            self.row.addWidget(f, 1)
        self.body.addLayout(self.row)
        self._shown = False

    def first_input(self) -> QWidget:
        return self.first.edit

    def _count(self, f: Field) -> None:
        n = len(f.edit.text())
        c = self.content
        if n >= NAME_MAX:
            f.side.setText(c.text("step.name.counter", count=n, max=NAME_MAX))
            f.show_problem(c.text("step.name.at_limit", max=NAME_MAX))
        else:
            show = n >= COUNTER_FROM * NAME_MAX
            f.side.setText(c.text("step.name.counter", count=n, max=NAME_MAX) if show else "")
            if f is self.first and self._shown:
                self.check(show=True)
            elif f.message.text():
                f.show_problem("")

    def check(self, *, show: bool) -> QWidget | None:
        self._shown = self._shown or show
        try:
            normalise_name(self.first.edit.text())
        except InvalidField as exc:
            if show:
                key = "error.name.empty" if exc.key.endswith("empty") else "error.name.too_long"
                self.first.show_problem(self.content.text(key, max=NAME_MAX))
            return self.first.edit
        if len(self.first.edit.text()) < NAME_MAX:
            self.first.show_problem("")
        return None

    def wipe(self) -> None:
        for f in self.fields:
            f.wipe()
        self._shown = False

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        super().set_metrics(m, reach)
        self.row.setDirection(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        self.row.setSpacing(m.px(40))
        for f in self.fields:
            f.set_message_height(reach.text(m.px(60)))

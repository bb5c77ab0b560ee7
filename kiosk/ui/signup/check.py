"""Step 5, "Check and sign up": everything on one screen, Change beside each part, and the
one button that saves (it also confirms the visitor's age)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.content import Content
from kiosk.ui.reach import Reach
from kiosk.ui.signup.parts import Step, Toggle
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BigButton

PARTS = ("name", "email", "phone", "touch")
_LONG_RUN = re.compile(r"\S{16,}")


def breakable(text: str) -> str:
    """`text` with invisible break chances in long runs (an email, a 100-letter name),
    so the summary wraps it instead of growing wider than the screen."""

    def soften(match: re.Match[str]) -> str:
        run = re.sub(r"([@._-])", "\u200b\\1", match.group(0))
        return "\u200b".join(run[i : i + 12] for i in range(0, len(run), 12))

    return _LONG_RUN.sub(soften, text)


class CheckStep(Step):
    """The summary and the age-confirming sign-up button.

    Signals:
        change(str): the visitor tapped Change beside a part ("name", "email", ...).
        sign_up(): the age-confirming button; the container saves.
        under_age(): "I'm under 16": nothing is stored.
    """

    change = Signal(str)
    sign_up = Signal()
    under_age = Signal()
    keyboard = None

    def __init__(self, content: Content) -> None:
        super().__init__(content, content.text("step.check.title"))
        c = content
        self.values: dict[str, QLabel] = {}
        self.changes: dict[str, BigButton] = {}
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for row, part in enumerate(PARTS):
            label = QLabel(c.text(f"step.check.{part}"))
            label.setProperty("role", "summarylabel")
            value = QLabel("")
            value.setProperty("role", "summary")
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            button = BigButton(c.text("button.change"), "secondary")
            button.setObjectName(f"change-{part}")
            button.setAccessibleName(f"{c.text('button.change')}: {label.text()}")
            button.clicked.connect(lambda _=False, p=part: self.change.emit(p))
            text = QVBoxLayout()
            text.setSpacing(0)
            text.addWidget(label)
            text.addWidget(value)
            grid.addLayout(text, row, 0)
            grid.addWidget(button, row, 1, Qt.AlignmentFlag.AlignVCenter)
            self.values[part] = value
            self.changes[part] = button
        grid.setColumnStretch(0, 1)
        self.grid = grid

        self.interest_title = QLabel(c.text("step.check.interests"))
        self.interest_title.setProperty("role", "fieldlabel")
        self.interests: dict[str, Toggle] = {}
        on_off = (c.text("step.touch.on"), c.text("step.touch.off"))
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.interest_title)
        for interest in c.interests:
            toggle = Toggle(interest.key, interest.label, "", on_off)
            toggle.setObjectName(f"interest-{interest.key}")
            toggle.toggled.connect(self.changed)
            self.interests[interest.key] = toggle
            right.addWidget(toggle)
        right.addStretch(1)
        self.right = right

        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.addLayout(grid, 5)
        self.columns.addLayout(right, 4)
        self.body.addLayout(self.columns)

        self.next.setText(c.text("step.check.sign_up", age=c.min_age))
        self.next.setAccessibleName(self.next.text())
        self.next.setObjectName("signUpButton")
        self.next.clicked.disconnect(self.primary)
        self.next.clicked.connect(self.sign_up)
        self.young = BigButton(c.text("step.check.under_age", age=c.min_age), "secondary")
        self.young.setObjectName("underAgeButton")
        self.young.clicked.connect(self.under_age)
        self.actions.insertWidget(2, self.young)
        # The reason sits on its own line just above the buttons, so both keep their size.
        self.actions.removeWidget(self.reason)
        self.outer.insertWidget(self.outer.count() - 1, self.reason)
        self.reason.hide()
        self.actions.insertStretch(0, 1)
        self._problem: QWidget | None = None
        self._reason_h = 60

    def show_summary(self, parts: dict[str, str], interests: tuple[str, ...]) -> None:
        for part, value in parts.items():
            self.values[part].setText(breakable(value))
        for key, toggle in self.interests.items():
            if toggle.isChecked() != (key in interests):
                toggle.set_quietly(key in interests)

    def chosen(self) -> tuple[str, ...]:
        return tuple(k for k, t in self.interests.items() if t.isChecked())

    def set_problem(self, reason: str, target: QWidget | None) -> None:
        """Disable the sign-up button with its reason beside it, or enable it."""
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        self.reason.setMinimumHeight(self._reason_h)
        self.next.setEnabled(not reason)
        self._problem = target

    def check(self, *, show: bool) -> QWidget | None:
        return self._problem

    def primary(self) -> None:
        if self._problem is not None:
            self._problem.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.sign_up.emit()

    def first_input(self) -> QWidget:
        return self.next if self.next.isEnabled() else (self._problem or self.young)

    def wipe(self) -> None:
        for toggle in self.interests.values():
            toggle.set_quietly(False)
        for value in self.values.values():
            value.setText("")
        self.set_problem("", None)

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        super().set_metrics(m, reach)
        self.columns.setDirection(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        self.columns.setSpacing(m.px(56))
        self._reason_h = m.px(60)  # a message is at least 60 px tall at 1080p
        self.reason.setMinimumHeight(self._reason_h)
        # Portrait is narrow: the reason and both answers stack, each full width.
        self.actions.setDirection(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        self.reason.setAlignment(
            (Qt.AlignmentFlag.AlignLeft if m.portrait else Qt.AlignmentFlag.AlignRight)
            | Qt.AlignmentFlag.AlignVCenter
        )
        self.grid.setVerticalSpacing(m.px(14))
        self.grid.setHorizontalSpacing(m.px(24))
        self.right.setSpacing(m.px(12))
        self.fit_text(m, reach)

    def shrinkable(self) -> tuple[list[Toggle], list[tuple[QLabel, int]]]:
        return list(self.interests.values()), []

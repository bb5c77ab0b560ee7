"""The sign-up in steps: composes the five steps, the header, the docked keyboard and
the "Start over?" confirmation, and wires them. The steps hold what the visitor gave;
this container only moves between them and builds the SignupForm."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import Content
from kiosk.records import SignupForm, contact_needs, validate_form
from kiosk.ui.keyboard import WORDS as KEYBOARD_WORDS
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.reach import ReachButton, back_arrow, reach
from kiosk.ui.signup.check import CheckStep
from kiosk.ui.signup.confirm import ConfirmOverlay
from kiosk.ui.signup.contact import EmailStep, PhoneStep
from kiosk.ui.signup.keep_in_touch import KeepInTouchStep
from kiosk.ui.signup.name import NameStep
from kiosk.ui.signup.parts import Step, step_stylesheet
from kiosk.ui.speaker import SpeakerButton, step_parts
from kiosk.ui.theme import Metrics, Palette
from kiosk.ui.touch import install_touch
from kiosk.ui.widgets import BigButton

log = logging.getLogger(__name__)

CORNER_PX = 120  # the admin gesture's corner square at 1080p: no control sits there


def corner_px(m: Metrics) -> int:
    return max(60, m.px(CORNER_PX))


class _Dots(QWidget):
    """The step indicator's dots: done, current (long) and to come."""

    def __init__(self, colours: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on, self._off = colours
        self.total, self.current = 5, 0

    def set_step(self, current: int, total: int) -> None:
        self.current, self.total = current, total
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        h = self.height()
        dot = h * 0.5
        gap = dot * 0.8
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        x = 0.0
        for i in range(self.total):
            width = dot * 2.4 if i == self.current else dot
            p.setBrush(QColor(self._on if i <= self.current else self._off))
            p.drawRoundedRect(QRectF(x, (h - dot) / 2, width, dot), dot / 2, dot / 2)
            x += width + gap
        p.end()


class SignupScreen(QWidget):
    """Screen 3, the sign-up in steps, with the on-screen keyboard docked beneath.

    Signals:
        submitted(object): a valid SignupForm, from the last step's age-confirming button.
        under_age(): the visitor said they are under the minimum age; nothing is kept.
        cancelled(): Back on the first step (to the tiles).
        start_over(): "Start over", confirmed.
        started(): the first change a visitor makes (for the funnel).
    """

    submitted = Signal(object)
    under_age = Signal()
    cancelled = Signal()
    start_over = Signal()
    started = Signal()

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        c = content
        b = content.brand
        self.palette_ = Palette(
            primary=b.primary, accent=b.accent, surface=b.surface, text=b.text, ink=b.ink
        )
        self._metrics = Metrics(1920, 1080)
        self._styled: tuple[float, bool, bool] | None = None
        self._started = False
        self._wiping = False  # wipe() in progress: its field changes are not the visitor's
        self._return_to_check = False
        self.setObjectName("signup")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        # The window's size is the screen's: the steps fit it (tests check), never grow it.
        self.setMinimumSize(1, 1)

        self.name = NameStep(c)
        self.email = EmailStep(c)
        self.phone = PhoneStep(c)
        self.touch = KeepInTouchStep(c)
        self.check = CheckStep(c)
        self.steps: tuple[Step, ...] = (self.name, self.email, self.phone, self.touch, self.check)
        self._index = 0

        self.back = BigButton(back_arrow(c.language) + "  " + c.text("button.back"), "secondary")
        self.back.setObjectName("backButton")
        self.back.setAccessibleName(c.text("button.back"))
        self.indicator = QLabel("")
        self.indicator.setObjectName("stepIndicator")
        self.dots = _Dots((b.accent, "#4A6285"))
        self.restart = BigButton(c.text("button.start_over"), "secondary")
        self.restart.setObjectName("startOverButton")
        self.aa = ReachButton(c.text("reach.aa"), c.text("reach.aa_name"))
        self.header = QWidget()
        self.header.setObjectName("signupHeader")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        top = QHBoxLayout()
        top.addWidget(self.back)
        where = QVBoxLayout()
        where.setSpacing(4)
        where.addWidget(self.indicator)
        where.addWidget(self.dots)
        top.addLayout(where)
        top.addStretch(1)
        top.addWidget(self.aa)
        self.language = LanguageButton()
        top.addWidget(self.language)
        self.speaker = SpeakerButton(self, self.header, ink="#FFFFFF", pressed_inverts=True)
        top.addWidget(self.speaker)
        top.addWidget(self.restart)
        self.top = top
        # Portrait: "Aa", language, read aloud and Start over in a second row, below the
        # admin corner, where long translations fit (see _arrange_header).
        self.second = QHBoxLayout()
        rows = QVBoxLayout(self.header)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(0)
        rows.addLayout(top)
        rows.addLayout(self.second)
        self._two_rows = False

        self.banner = QLabel("")
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.stack = QStackedWidget()
        self.stack.setObjectName("stepArea")
        for step in self.steps:
            self.stack.addWidget(step)
        self.area = QWidget()
        self.area.setObjectName("stepArea")
        self.area.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        area = QVBoxLayout(self.area)
        area.addWidget(self.stack)
        self.area_layout = area

        self.keyboard = OnScreenKeyboard(self._metrics, self.palette_)
        self.keyboard.set_enter_label(c.text("button.next"))
        self.keyboard.set_language(c.language)
        self.keyboard.set_words({w: c.text(f"keyboard.{w}") for w in KEYBOARD_WORDS})
        # Its layouts are Latin and Cyrillic, left to right, whatever the page's direction.
        self.keyboard.setLayoutDirection(Qt.LayoutDirection.LeftToRight)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.header)
        outer.addWidget(self.banner)
        outer.addWidget(self.area, 1)
        outer.addWidget(self.keyboard)

        self.confirm = ConfirmOverlay(
            c.text("startover.question"), c.text("startover.yes"), c.text("startover.no"), self
        )
        self.confirm.accepted.connect(self.start_over)

        self._connect()
        install_touch(self)
        self.go(0)

    # -- wiring ----------------------------------------------------------------

    def _connect(self) -> None:
        self.back.clicked.connect(self.step_back)
        self.restart.clicked.connect(self.confirm.open)
        self.email.set_need(lambda: self._need("email"))
        self.phone.set_need(lambda: self._need("phone"))
        self.touch.set_given(lambda: (bool(self.email.text.strip()), bool(self.phone.text.strip())))
        for step in self.steps:
            step.advance.connect(self._advance)
            step.changed.connect(self._on_change)
            for edit in step.findChildren(QLineEdit):
                edit.installEventFilter(self)
        self.check.change.connect(self._change)
        self.check.sign_up.connect(self._sign_up)
        self.check.under_age.connect(self.under_age)
        reach().changed.connect(self._on_reach)

    # -- moving between steps --------------------------------------------------

    @property
    def index(self) -> int:
        return self._index

    @property
    def current(self) -> Step:
        return self.steps[self._index]

    def spoken_parts(self) -> list[str]:
        return step_parts(self.current, self.banner, self)

    def go(self, index: int) -> None:
        self.speaker.stop()  # it was reading the step being left
        self._index = index
        step = self.steps[index]
        self._refresh()
        self.stack.setCurrentWidget(step)
        self.indicator.setText(
            self.content.text("step.indicator", step=index + 1, total=len(self.steps))
        )
        self.dots.set_step(index, len(self.steps))
        self.dots.setAccessibleName(self.indicator.text())
        self.keyboard.setVisible(step.keyboard is not None)
        if step.keyboard is not None:
            self.keyboard.set_mode(step.keyboard)
        target = step.first_input()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _advance(self) -> None:
        if self._return_to_check or self._index + 1 >= len(self.steps):
            self._return_to_check = False
            self.go(len(self.steps) - 1)
        else:
            self.go(self._index + 1)

    def step_back(self) -> None:
        """One step back; from the first step, back to the tiles."""
        self._return_to_check = False
        if self._index == 0:
            self.cancelled.emit()
        else:
            self.go(self._index - 1)

    def _change(self, part: str) -> None:
        self._return_to_check = True
        self.go({"name": 0, "email": 1, "phone": 2, "touch": 3}[part])

    # -- what the visitor gave ---------------------------------------------------

    def form(self) -> SignupForm:
        return SignupForm(
            first_name=self.name.first.edit.text(),
            last_name=self.name.last.edit.text(),
            email=self.email.text,
            phone=self.phone.text,
            interests=self.check.chosen(),
            consents=self.touch.choices(),
            language=self.content.language,
        )

    def _need(self, kind: str) -> tuple[bool, str]:
        needs = contact_needs(self.check.chosen(), self.content)
        if kind in needs:
            return True, self.content.interest(needs[kind]).label
        if "either" in needs:
            other = self.phone.text if kind == "email" else self.email.text
            return kind == "phone" and not other.strip(), "either"
        return False, ""

    def _on_change(self) -> None:
        if self._wiping:  # the visitor changed nothing: wipe leaves no summary to refresh
            return
        if not self._started:
            self._started = True
            self.started.emit()
        self.banner.hide()
        if self.current is self.check:
            self._refresh()

    def _refresh(self) -> None:
        for step in self.steps:
            step.refresh()
        form = self.form()
        c = self.content
        not_given = c.text("step.check.not_given")
        visible = self.touch.visible_keys()
        chosen = [
            x.label for x in c.consents if x.key in visible and x.choice(form.consents[x.key])
        ]
        name = f"{form.first_name.strip()} {form.last_name.strip()}".strip()
        self.check.show_summary(
            {
                "name": name or not_given,
                "email": form.email.strip() or not_given,
                "phone": form.phone.strip() or not_given,
                "touch": ", ".join(chosen) or c.text("step.check.none_chosen"),
            },
            form.interests,
        )
        self.check.set_problem(*self._check_problem(form))

    def _check_problem(self, form: SignupForm) -> tuple[str, QWidget | None]:
        c = self.content
        problems = validate_form(form, c)
        changes = self.check.changes
        if "interests" in problems:
            return c.text("reason.interests"), next(iter(self.check.interests.values()))
        if "first_name" in problems or "last_name" in problems:
            return c.text("reason.fix_name"), changes["name"]
        needs = contact_needs(form.interests, c)
        for kind in ("email", "phone"):
            if kind not in problems:
                continue
            value = form.email if kind == "email" else form.phone
            if value.strip():
                return c.text(f"reason.fix_{kind}"), changes[kind]
            if kind in needs:
                label = c.interest(needs[kind]).label
                return c.text(f"reason.{kind}_needed", interest=label), changes[kind]
            if "either" in needs:
                label = c.interest(needs["either"]).label
                return c.text("reason.contact_needed", interest=label), changes[kind]
            return c.text(f"reason.fix_{kind}"), changes[kind]
        return "", None

    # -- saving ------------------------------------------------------------------

    def _sign_up(self) -> None:
        self._refresh()
        problem = self.check.check(show=True)
        if problem is not None:
            problem.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.check.next.setEnabled(False)  # until the controller says the save failed
        self.submitted.emit(self.form())

    def show_save_error(self, text: str | None = None) -> None:
        """Saving failed: say so, keep everything the visitor typed."""
        self.banner.setText(text or self.content.text("save_failed"))
        self.banner.show()
        self.check.next.setEnabled(True)

    # -- a new visitor -------------------------------------------------------------

    def begin(self, interest_key: str | None = None) -> None:
        """A fresh sign-up for a new visitor, with `interest_key` chosen."""
        self.wipe()
        if interest_key in self.check.interests:
            self.check.show_summary({}, (interest_key,))
        self.go(0)

    def wipe(self) -> None:
        """Forget the visitor: fields, undo history, choices, messages and keyboard state."""
        self.confirm.close_now()
        self._wiping = True
        try:
            for step in self.steps:
                step.wipe()
        finally:
            self._wiping = False
        self.banner.setText("")
        self.banner.hide()
        self.keyboard.reset()
        self._started = False
        self._return_to_check = False
        self._index = 0
        self.stack.setCurrentIndex(0)

    # -- keys ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(watched, QLineEdit)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.current.primary()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: object) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.current.primary()
            return
        super().keyPressEvent(event)

    # -- look --------------------------------------------------------------------------

    def _on_reach(self) -> None:
        if self.isVisible():  # hidden, it catches up when shown: a toggle stays quick
            self._restyle()

    def showEvent(self, event: object) -> None:
        self._restyle()

    def resizeEvent(self, event: object) -> None:
        self._restyle()
        self.confirm.setGeometry(self.rect())

    def _arrange_header(self, two_rows: bool) -> None:
        if two_rows == self._two_rows:
            return
        self._two_rows = two_rows
        moving = (self.aa, self.language, self.speaker, self.restart)
        for button in moving:
            self.top.removeWidget(button)
        while self.second.count():
            self.second.takeAt(0)  # the buttons (moved below) and a stretch
        into = self.second if two_rows else self.top
        for button in moving:
            if two_rows and button is self.restart:
                into.addStretch(1)
            into.addWidget(button)

    def _restyle(self) -> None:
        m = Metrics(max(1, self.width()), max(1, self.height()))
        r = reach()
        key = (m.scale, m.portrait, r.enhanced)
        self._metrics = m
        if key == self._styled:
            return
        self._styled = key
        p = self.palette_
        t = r.text
        line = max(2, m.px(3))
        self.setStyleSheet(
            step_stylesheet(p, m, r)
            + f"""
            QWidget#signupHeader {{ background: {p.primary}; }}
            QLabel#stepIndicator {{ color: #FFFFFF; font-size: {t(m.px(26))}px; font-weight: 600; }}
            QWidget#signupHeader QPushButton {{
                color: #FFFFFF; background: transparent;
                border: {line}px solid {"#FFFFFF" if r.contrast else "rgba(255, 255, 255, 0.7)"};
                font-size: {t(m.px(28))}px; padding: 0px {m.px(24)}px;
            }}
            QWidget#signupHeader QPushButton:pressed,
            QWidget#signupHeader QPushButton:checked {{ background: #FFFFFF; color: {p.primary}; }}
            QLabel#banner {{ background: {p.danger}; color: #FFFFFF; font-size: {t(m.px(30))}px;
                             font-weight: 700; padding: {m.px(14)}px {m.margin}px; }}
            """
        )
        pad = m.px(16)
        margin = m.px(48) if m.portrait else m.margin
        self._arrange_header(m.portrait)
        self.top.setContentsMargins(margin, pad, margin + corner_px(m), pad)
        self.second.setContentsMargins(margin, 0, margin, pad if m.portrait else 0)
        self.second.setSpacing(m.px(24))
        self.top.setSpacing(m.px(24))
        self.language.setMinimumHeight(m.touch)
        for button in (self.aa, self.language, self.speaker):
            button.setMinimumWidth(m.touch)  # round, never a square
        self.language.set_compact(m.portrait)  # a narrow header: "Укр", "Pol", "Gae"
        self.dots.setFixedSize(m.px(150), m.px(16))
        self.area_layout.setContentsMargins(margin, m.px(28), margin, m.px(20))
        self.keyboard.set_metrics(m)
        for step in self.steps:
            step.set_metrics(m, r)
        self.confirm.set_metrics(m, r, p)

"""The sign-up form: name, email, phone, interests, consents, with the on-screen keyboard.

It validates as the visitor goes (records.validate_form is the one rule book),
never opens the database, and can be wiped so nothing of a visitor survives.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import Content
from kiosk.records import (
    EMAIL_MAX,
    NAME_MAX,
    SignupForm,
    required_contacts,
    suggest_email,
    validate_form,
)
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.theme import Metrics, Palette, font, stylesheet
from kiosk.ui.widgets import BigButton, QrCode

SAVE_FAILED = "We couldn't save that — please ask a volunteer."
_SENSITIVE = (
    Qt.InputMethodHint.ImhSensitiveData
    | Qt.InputMethodHint.ImhNoPredictiveText
    | Qt.InputMethodHint.ImhNoAutoUppercase
)


class _Field(QWidget):
    """A labelled text field with its inline message."""

    def __init__(self, title: str, hint: str, keyboard: str, max_len: int) -> None:
        super().__init__()
        self.title = QLabel(title)
        self.title.setProperty("role", "fieldlabel")
        self.hint = QLabel(hint)
        self.hint.setProperty("role", "hint")
        self.edit = QLineEdit()
        self.edit.setMaxLength(max_len)
        self.edit.setAccessibleName(title)
        self.edit.setProperty("kiosk_keyboard", keyboard)
        self.edit.setInputMethodHints(
            _SENSITIVE
            | (
                Qt.InputMethodHint.ImhEmailCharactersOnly
                if keyboard == "email"
                else Qt.InputMethodHint.ImhDialableCharactersOnly
                if keyboard == "phone"
                else Qt.InputMethodHint.ImhNone
            )
        )
        self.edit.setClearButtonEnabled(False)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.suggestion = QPushButton("")
        self.suggestion.setProperty("role", "link")
        self.suggestion.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.hint)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addLayout(head)
        box.addWidget(self.edit)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.message, 1)
        row.addWidget(self.suggestion)
        box.addLayout(row)
        self.touched = False

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        invalid = bool(text)
        if self.edit.property("invalid") != invalid:
            self.edit.setProperty("invalid", invalid)
            self.edit.style().unpolish(self.edit)
            self.edit.style().polish(self.edit)

    def wipe(self) -> None:
        # setText("") also empties the undo history; clear() would keep it.
        self.edit.setText("")
        self.edit.setModified(False)
        self.show_problem("")
        self.suggestion.setText("")
        self.suggestion.hide()
        self.touched = False


class _ConsentRow(QWidget):
    """A consent tick box with its exact wording wrapped beside it; tapping the words ticks."""

    def __init__(self, key: str, label: str, wording: str) -> None:
        super().__init__()
        self.box = QCheckBox()
        self.box.setObjectName(f"consent-{key}")
        self.box.setAccessibleName(f"{label}: {wording}")
        self.words = QLabel(wording)
        self.words.setWordWrap(True)
        self.words.setProperty("role", "consent")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 4)
        row.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.words, 1)

    def mouseReleaseEvent(self, event: object) -> None:
        self.box.toggle()
        self.box.setFocus(Qt.FocusReason.MouseFocusReason)


class SignupScreen(QWidget):
    """The sign-up form with its docked on-screen keyboard.

    Signals:
        submitted(object): a valid SignupForm, when the visitor presses Submit.
        cancelled(): Back was pressed.
        started(): the first change a visitor makes (for the funnel).
    """

    submitted = Signal(object)
    cancelled = Signal()
    started = Signal()

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        b = content.brand
        self.palette_ = Palette(
            primary=b.primary, accent=b.accent, surface=b.surface, text=b.text, ink=b.ink
        )
        self._metrics = Metrics(1920, 1080)
        self._started = False
        self._attempted = False
        self.setObjectName("signup")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)

        self.back = BigButton("←  Back", "secondary")
        self.back.setAccessibleName("Back to the start")
        self.heading = QLabel("Sign up")
        self.heading.setObjectName("formtitle")
        self.subheading = QLabel("It takes a minute. We keep your details safe.")
        self.subheading.setObjectName("formsubtitle")
        self.subheading.setWordWrap(True)
        self.banner = QLabel("")
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Problem saving")
        self.banner.hide()

        self.name = _Field("Your name", "", "text", NAME_MAX)
        self.email = _Field("Email", "", "email", EMAIL_MAX)
        self.phone = _Field("Phone", "optional", "phone", 25)
        self.fields = (self.name, self.email, self.phone)

        self.interest_boxes: dict[str, QCheckBox] = {}
        self.interest_title = QLabel("I'd like to…")
        self.interest_title.setProperty("role", "fieldlabel")
        self.interest_message = QLabel("")
        self.interest_message.setProperty("role", "error")
        for interest in content.interests:
            box = QCheckBox(interest.label)
            box.setAccessibleName(interest.label)
            box.setAccessibleDescription(interest.description)
            self.interest_boxes[interest.key] = box

        self.consent_boxes: dict[str, QCheckBox] = {}
        self.consent_title = QLabel("Keep in touch? Tick any you're happy with")
        self.consent_title.setProperty("role", "fieldlabel")
        self.consent_title.setWordWrap(True)
        self.consent_rows: list[_ConsentRow] = []
        for consent in content.consents:
            row = _ConsentRow(consent.key, consent.label, consent.wording)
            self.consent_rows.append(row)
            self.consent_boxes[consent.key] = row.box

        self.privacy = QLabel(content.privacy_notice)
        self.privacy.setProperty("role", "consent")
        self.privacy.setWordWrap(True)
        self.privacy_qr = QrCode(content.links.privacy_url, accessible="Privacy notice QR code")
        self.submit = BigButton("Sign me up", "primary")
        self.submit.setAccessibleName("Submit sign-up")
        self.submit.setEnabled(False)

        self.keyboard = OnScreenKeyboard(self._metrics, self.palette_)
        self.keyboard.set_enter_label("Next")

        self._build()
        self._connect()

        # Showing or hiding the keyboard moves the layout; do it once focus settles.
        self._keyboard_timer = QTimer(self)
        self._keyboard_timer.setObjectName("keyboard-dock")
        self._keyboard_timer.setSingleShot(True)
        self._keyboard_timer.setInterval(0)
        self._keyboard_timer.timeout.connect(self._dock_keyboard)

    # -- construction --------------------------------------------------------

    def _build(self) -> None:
        self.body = QWidget()
        self.body.setObjectName("formbody")
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.header = QWidget()
        self.header.setObjectName("formheader")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        # Submit lives in the header so it is on screen whatever the keyboard covers.
        top = QHBoxLayout(self.header)
        top.addWidget(self.back)
        top.addSpacing(32)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.heading)
        titles.addWidget(self.subheading)
        top.addLayout(titles, 1)
        top.addWidget(self.submit)
        self.top = top

        outer = QVBoxLayout(self)
        outer.setSpacing(0)
        outer.addWidget(self.header)
        outer.addWidget(self.banner)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.keyboard)
        self.outer = outer

        self.grid = QGridLayout(self.body)
        self._columns()
        self._place(portrait=False)
        self.setTabOrder(self.name.edit, self.email.edit)
        self.setTabOrder(self.email.edit, self.phone.edit)
        previous: QWidget = self.phone.edit
        for box in [
            *self.interest_boxes.values(),
            *self.consent_boxes.values(),
            self.submit,
            self.back,
        ]:
            self.setTabOrder(previous, box)
            previous = box

    def _columns(self) -> None:
        self.left_col = QWidget()
        left = QVBoxLayout(self.left_col)
        left.setContentsMargins(0, 0, 0, 0)
        for f in self.fields:
            left.addWidget(f)
        left.addStretch(1)
        self.right_col = QWidget()
        right = QVBoxLayout(self.right_col)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.interest_title)
        chips = QGridLayout()
        for i, box in enumerate(self.interest_boxes.values()):
            chips.addWidget(box, i // 2, i % 2)
        right.addLayout(chips)
        right.addWidget(self.interest_message)
        right.addSpacing(16)
        right.addWidget(self.consent_title)
        for row in self.consent_rows:
            right.addWidget(row)
        privacy = QHBoxLayout()
        privacy.addWidget(self.privacy, 1)
        privacy.addWidget(self.privacy_qr)
        right.addLayout(privacy)
        right.addStretch(1)

    def _place(self, *, portrait: bool) -> None:
        """Two columns in landscape (fields | choices), one in portrait."""
        grid = self.grid
        grid.removeWidget(self.left_col)
        grid.removeWidget(self.right_col)
        grid.addWidget(self.left_col, 0, 0)
        grid.addWidget(self.right_col, 1 if portrait else 0, 0 if portrait else 1)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 0 if portrait else 6)
        self._portrait = portrait

    def _connect(self) -> None:
        self.back.clicked.connect(self.cancelled)
        self.submit.clicked.connect(self._on_submit)
        for f in self.fields:
            f.edit.textEdited.connect(self._on_edit)
            f.edit.editingFinished.connect(lambda f=f: self._touch(f))
            f.edit.installEventFilter(self)
        self.email.suggestion.clicked.connect(self._apply_suggestion)
        for box in [*self.interest_boxes.values(), *self.consent_boxes.values()]:
            box.toggled.connect(self._on_edit)

    # -- behaviour -----------------------------------------------------------

    def begin(self, interest_key: str | None = None) -> None:
        """A fresh form for a new visitor, with `interest_key` ticked."""
        self.wipe()
        if interest_key in self.interest_boxes:
            with QSignalBlocker(self.interest_boxes[interest_key]):
                self.interest_boxes[interest_key].setChecked(True)
        self._refresh()
        self.name.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def wipe(self) -> None:
        """Forget the visitor: fields, undo history, ticks, messages and keyboard state."""
        for f in self.fields:
            f.wipe()
        for box in [*self.interest_boxes.values(), *self.consent_boxes.values()]:
            with QSignalBlocker(box):
                box.setChecked(False)
        self.banner.setText("")
        self.banner.hide()
        self.keyboard.reset()
        self._started = False
        self._attempted = False
        self.scroll.verticalScrollBar().setValue(0)
        self._refresh()

    def form(self) -> SignupForm:
        return SignupForm(
            first_name=self.name.edit.text(),
            email=self.email.edit.text(),
            phone=self.phone.edit.text(),
            interests=tuple(k for k, b in self.interest_boxes.items() if b.isChecked()),
            consents={k: b.isChecked() for k, b in self.consent_boxes.items()},
        )

    def show_save_error(self, text: str = SAVE_FAILED) -> None:
        """Saving failed: say so, keep everything the visitor typed."""
        self.banner.setText(text)
        self.banner.show()
        self.submit.setEnabled(True)

    def _on_edit(self, *_: object) -> None:
        if not self._started:
            self._started = True
            self.started.emit()
        self.banner.hide()
        self._refresh()

    def _touch(self, f: _Field) -> None:
        if f.edit.text().strip():
            f.touched = True
        self._refresh()

    def _apply_suggestion(self) -> None:
        suggested = self.email.suggestion.property("email")
        if suggested:
            self.email.edit.setText(suggested)
            self.email.touched = True
            self._on_edit()

    def _refresh(self) -> None:
        form = self.form()
        problems = validate_form(form, self.content)
        needs_email, needs_phone = required_contacts(form, self.content)
        self.email.hint.setText("needed for updates" if needs_email else "optional")
        self.phone.hint.setText("needed for texts and calls" if needs_phone else "optional")
        for f, key in ((self.name, "first_name"), (self.email, "email"), (self.phone, "phone")):
            show = (f.touched or self._attempted) and key in problems
            f.show_problem(problems[key].message if show else "")
        self.interest_message.setText(
            problems["interests"].message if self._attempted and "interests" in problems else ""
        )
        suggestion = suggest_email(form.email) if form.email.strip() else None
        self.email.suggestion.setProperty("email", suggestion or "")
        self.email.suggestion.setText(f"Did you mean {suggestion}?" if suggestion else "")
        self.email.suggestion.setVisible(bool(suggestion))
        self.submit.setEnabled(not problems)
        self._problems = problems

    def _first_problem_widget(self) -> QWidget | None:
        order = (
            ("first_name", self.name.edit),
            ("email", self.email.edit),
            ("phone", self.phone.edit),
        )
        for key, widget in order:
            if key in self._problems:
                return widget
        if "interests" in self._problems:
            return next(iter(self.interest_boxes.values()))
        return None

    def _on_submit(self) -> None:
        self._attempted = True
        self._refresh()
        target = self._first_problem_widget()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.submit.setEnabled(False)  # until the controller says the save failed
        self.submitted.emit(self.form())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QLineEdit):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_enter(watched)
                return True
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._keyboard_timer.start()
        return super().eventFilter(watched, event)

    def _on_enter(self, edit: QLineEdit) -> None:
        for f in self.fields:
            if f.edit is edit and edit.text().strip():
                f.touched = True
        self._refresh()
        if not self._problems:
            self._on_submit()
            return
        target = self._first_problem_widget()
        if target is edit or target is None:
            # This field is fine or is the problem itself: move on in reading order.
            edit.focusNextChild()
        else:
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def _dock_keyboard(self) -> None:
        focus = QApplication.focusWidget()
        typing = isinstance(focus, QLineEdit) and self.isAncestorOf(focus)
        self.keyboard.setVisible(typing)
        if typing:
            self.scroll.ensureWidgetVisible(focus.parentWidget(), 20, 20)

    def hideEvent(self, event: object) -> None:
        self._keyboard_timer.stop()

    # -- look ------------------------------------------------------------------

    def resizeEvent(self, event: object) -> None:
        m = Metrics(self.width(), self.height())
        if m == self._metrics and self.styleSheet():
            return
        self._metrics = m
        p = self.palette_
        self.setStyleSheet(
            stylesheet(p, m)
            + f"""
            QWidget#signup {{ background: {p.surface}; }}
            QWidget#formbody {{ background: {p.surface}; }}
            QScrollArea {{ background: {p.surface}; }}
            QWidget#formheader {{ background: {p.primary}; }}
            QLabel#formtitle {{ color: #FFFFFF; }}
            QLabel#formsubtitle {{ color: #C9D5E6; font-size: {m.small_px}px; }}
            QWidget#formheader QPushButton[role="primary"]:disabled {{
                background: rgba(255, 255, 255, 0.12); color: rgba(255, 255, 255, 0.55); }}
            QWidget#formheader QPushButton[role="secondary"] {{
                color: #FFFFFF; border-color: rgba(255, 255, 255, 0.7); }}
            QLabel#banner {{ background: {p.danger}; color: #FFFFFF; font-size: {m.body_px}px;
                             font-weight: 700; padding: {m.px(18)}px {m.margin}px; }}
        """
        )
        margin = m.margin if not m.portrait else m.px(48)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.top.setContentsMargins(margin, m.px(22), margin, m.px(22))
        self.grid.setContentsMargins(margin, m.px(28), margin, m.px(24))
        self.grid.setHorizontalSpacing(m.px(72))
        self.grid.setVerticalSpacing(m.px(24))
        side = max(m.px(180), 140)  # scannable from arm's length
        self.privacy_qr.setFixedSize(side, side)
        self.heading.setFont(font(m.px(52), QFont.Weight.Bold, display=True))
        if m.portrait != self._portrait:
            self._place(portrait=m.portrait)
        self.keyboard.set_metrics(m)

"""Pieces every sign-up step is made of: a step page, a text field, a big toggle, the look."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import Content
from kiosk.ui.reach import Reach, next_arrow
from kiosk.ui.theme import FAMILY, MIN_TOUCH_PX, Metrics, Palette, font
from kiosk.ui.widgets import BigButton

SENSITIVE = (
    Qt.InputMethodHint.ImhSensitiveData
    | Qt.InputMethodHint.ImhNoPredictiveText
    | Qt.InputMethodHint.ImhNoAutoUppercase
)


def personal_field(keyboard: str, max_len: int, name: str) -> QLineEdit:
    """A text field for personal data: no copy/paste menu, no prediction, no history."""
    edit = QLineEdit()
    edit.setMaxLength(max_len)
    edit.setAccessibleName(name)
    edit.setProperty("kiosk_keyboard", keyboard)
    edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    edit.setDragEnabled(False)
    extra = {
        "email": Qt.InputMethodHint.ImhEmailCharactersOnly,
        "phone": Qt.InputMethodHint.ImhDialableCharactersOnly,
    }.get(keyboard, Qt.InputMethodHint.ImhNone)
    edit.setInputMethodHints(SENSITIVE | extra)
    if keyboard in ("email", "phone"):
        # Addresses and numbers read left to right, even in a right-to-left language.
        edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return edit


def wipe_edit(edit: QLineEdit) -> None:
    # setText("") also empties the undo history; clear() would keep it.
    edit.setText("")
    edit.setModified(False)


class Field(QWidget):
    """A labelled text field with a message line beneath that always keeps its room."""

    def __init__(self, label: str, keyboard: str, max_len: int) -> None:
        super().__init__()
        self.label = QLabel(label)
        self.label.setProperty("role", "fieldlabel")
        self.edit = personal_field(keyboard, max_len, label)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.side = QLabel("")  # a counter or hint, right-aligned on the label's line
        self.side.setProperty("role", "hint")
        self.side.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.side.setWordWrap(True)  # a long hint takes a second line, never the edge
        self._head = QHBoxLayout()
        self._head.setContentsMargins(0, 0, 0, 0)
        self._head.addWidget(self.label)
        self._head.addWidget(self.side, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addLayout(self._head)
        box.addWidget(self.edit)
        # The message, and whatever a step puts beside it (or above it, when narrow).
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.message, 1)
        box.addLayout(self.row)

    def detach_label(self) -> QLabel:
        """Take the label off the field's head row, for the step to place elsewhere."""
        self._head.removeWidget(self.label)
        self.side.hide()
        return self.label

    def show_problem(self, text: str) -> None:
        self.message.setText(text)
        invalid = bool(text)
        if self.edit.property("invalid") != invalid:
            self.edit.setProperty("invalid", invalid)
            self.edit.style().unpolish(self.edit)
            self.edit.style().polish(self.edit)

    def set_message_height(self, px: int) -> None:
        self.message.setMinimumHeight(px)

    def wipe(self) -> None:
        wipe_edit(self.edit)
        self.show_problem("")
        self.side.setText("")


class WrapButton(QPushButton):
    """A button whose words wrap onto another line rather than run past its edge (a
    suggestion holding a long address). The words are a label; the button is the target,
    so `text()` and `setText()` are the label's."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.setProperty("role", role)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.words = QLabel()
        self.words.setProperty("role", f"{role}words")
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._box = QHBoxLayout(self)
        self._box.addWidget(self.words)

    def text(self) -> str:
        return self.words.text()

    def setText(self, text: str) -> None:
        self.words.setText(text)
        self.setAccessibleName(text)
        self.updateGeometry()

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        # A font, not a stylesheet size: the label's height for width follows it at once.
        self.words.setFont(font(reach.text(m.px(28)), QFont.Weight.Bold))
        self._box.setContentsMargins(m.px(28), m.px(8), m.px(28), m.px(8))
        self.setMinimumHeight(m.touch)
        self._box.invalidate()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        # On one line: a wrapping label's own hint would be a narrow two-line guess.
        left, top, right, bottom = self._box.getContentsMargins()
        metrics = self.words.fontMetrics()
        width = metrics.horizontalAdvance(self.words.text()) + left + right + 2
        return QSize(width, max(self.minimumHeight(), metrics.height() + top + bottom))

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), self.minimumHeight() * 3), hint.height())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(self.minimumHeight(), self.layout().heightForWidth(width))


class Toggle(QPushButton):
    """A big on/off row: its exact wording, and a switch that says Yes or No.

    The whole row is one button, so a tap on the words toggles it and a drag on them
    (see kiosk.ui.touch) never does.
    """

    def __init__(self, key: str, title: str, wording: str, on_off: tuple[str, str]) -> None:
        super().__init__()
        self.key = key
        self.setCheckable(True)
        self.setObjectName(f"toggle-{key}")
        self.setProperty("role", "toggle")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(f"{title}: {wording}" if wording else title)
        self._on_off = on_off
        self.title = QLabel(title)
        self.title.setProperty("role", "toggletitle")
        self.title.setWordWrap(True)
        self.words = QLabel(wording)
        self.words.setProperty("role", "togglewords")
        self.words.setWordWrap(True)
        self.words.setVisible(bool(wording))
        self.switch = QLabel()
        self.switch.setObjectName("switch")
        self.switch.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for label in (self.title, self.words, self.switch):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setTextFormat(Qt.TextFormat.PlainText)
        self._text_box = QVBoxLayout()
        self._text_box.setContentsMargins(0, 0, 0, 0)
        self._text_box.setSpacing(4)
        self._text_box.addWidget(self.title)
        self._text_box.addWidget(self.words)
        self.row = QHBoxLayout(self)
        self.row.addWidget(self.switch, 0, Qt.AlignmentFlag.AlignVCenter)
        self.row.addLayout(self._text_box, 1)
        self.toggled.connect(self._show_state)
        self._show_state(False)

    def set_quietly(self, on: bool) -> None:
        """Set without emitting toggled (the summary following the form, not the visitor)."""
        self.blockSignals(True)
        self.setChecked(on)
        self.blockSignals(False)
        self._show_state(on)

    def _show_state(self, on: bool) -> None:
        self.switch.setText(self._on_off[0] if on else self._on_off[1])
        self.switch.setProperty("on", on)
        self.switch.style().unpolish(self.switch)
        self.switch.style().polish(self.switch)
        self.setAccessibleDescription(self._on_off[0] if on else self._on_off[1])

    def set_metrics(self, m: Metrics, reach: Reach, scale: float = 1.0) -> None:
        """Sized for the screen; `scale` below 1 shrinks the text a little (long wording)."""
        # Fonts, not stylesheet sizes: the row's height for width follows them at once.
        self.title.setFont(font(round(reach.text(m.px(30)) * scale), QFont.Weight.Bold))
        self.words.setFont(font(round(reach.text(m.px(25)) * scale)))
        # The row's height for width changed with them; nested layouts keep their last
        # answer until told.
        self._text_box.invalidate()
        self.row.invalidate()
        self.updateGeometry()
        pad = m.px(18)
        self.row.setContentsMargins(pad, pad, pad, pad)
        self.row.setSpacing(m.px(24))
        self.switch.setFixedSize(max(MIN_TOUCH_PX, reach.text(m.px(104))), max(48, m.px(64)))

    def sizeHint(self):
        return self.layout().sizeHint()

    def minimumSizeHint(self):
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.layout().heightForWidth(width)


class Step(QWidget):
    """One question of the sign-up. The container shows one at a time.

    Subclasses set `keyboard` (a keyboard mode, or None for no keyboard), build their
    body into `self.body`, and implement `check()`, `first_input()` and `wipe()`.

    Signals:
        advance(): the visitor asked for the next step and this one is fine.
        changed(): something the visitor gave changed (for the funnel and the summary).
    """

    advance = Signal()
    changed = Signal()
    keyboard: str | None = None

    def __init__(self, content: Content, title: str) -> None:
        super().__init__()
        self.content = content
        self._sized: tuple[Metrics, Reach] | None = None  # for fitting long text
        self._shrunk = -1.0
        self.setProperty("role", "step")
        self.title = QLabel(title)
        self.title.setProperty("role", "steptitle")
        self.title.setWordWrap(True)
        self.hint = QLabel("")
        self.hint.setProperty("role", "stephint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        self.heading = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.heading.setContentsMargins(0, 0, 0, 0)
        self.heading.addWidget(self.title)
        self.heading.addWidget(self.hint, 1)
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.reason = QLabel("")
        self.reason.setProperty("role", "reason")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.skip = BigButton(content.text("button.skip"), "secondary")
        self.skip.setObjectName("skipButton")
        self.skip.hide()
        self.next = BigButton(
            content.text("button.next") + "  " + next_arrow(content.language), "primary"
        )
        self.next.setObjectName("nextButton")
        self.next.setAccessibleName(content.text("button.next"))
        self.actions = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.actions.setContentsMargins(0, 0, 0, 0)
        self.actions.addWidget(self.reason, 1)
        self.actions.addWidget(self.skip)
        self.actions.addWidget(self.next)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.addLayout(self.heading)
        self.outer.addLayout(self.body)
        self.outer.addStretch(1)
        self.outer.addLayout(self.actions)
        self.next.clicked.connect(self.primary)
        self.skip.clicked.connect(self.skip_step)

    # -- what the container asks of a step ------------------------------------

    def check(self, *, show: bool) -> QWidget | None:
        """The widget that needs attention (showing its reason if `show`), or None if fine."""
        return None

    def first_input(self) -> QWidget | None:
        """Where focus goes when the step opens."""
        return self.next

    def wipe(self) -> None:
        """Forget everything the visitor gave on this step."""

    def refresh(self) -> None:
        """Re-read what other steps gave (hints, which toggles show)."""

    def primary(self) -> None:
        """Enter, the keyboard's Next key and the Next button: next step when fine."""
        problem = self.check(show=True)
        if problem is None:
            self.advance.emit()
        else:
            problem.setFocus(Qt.FocusReason.OtherFocusReason)

    def skip_step(self) -> None:
        self.wipe()
        self.changed.emit()
        self.primary()

    # -- long text in large text on a short screen --------------------------------

    def shrinkable(self) -> tuple[list[Toggle], list[tuple[QLabel, int]]]:
        """Toggles, and labels with their size at 1080p, that may shrink a little to fit."""
        return [], []

    def rearrange(self) -> None:
        """Place what sits differently as its text grows or shrinks (see _fit)."""

    def fit_text(self, m: Metrics, reach: Reach) -> None:
        """Size the shrinkable text for `m`, as large as lets the step fit its height."""
        self._sized = (m, reach)
        self._shrunk = -1.0
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Show):
            self._fit(grow=False)  # only ever smaller here: a font change asks again
        return handled

    def _fit(self, grow: bool = True) -> None:
        """The shrinkable text a little smaller, step by step, until the step fits without
        scrolling (fonts, not stylesheet sizes, so heights follow at once)."""
        if self._sized is None or self.width() <= 1:
            return
        m, reach = self._sized
        toggles, labels = self.shrinkable()
        scales = (1.0, 0.9, 0.8, 0.72)
        start = 0 if grow or self._shrunk not in scales else scales.index(self._shrunk)
        for scale in scales[start:]:
            if scale != self._shrunk:
                self._shrunk = scale
                for toggle in toggles:
                    toggle.set_metrics(m, reach, scale)
                for label, px in labels:
                    weight = label.font().weight()  # a bold message stays bold
                    label.setFont(font(round(reach.text(m.px(px)) * scale), weight))
            self.rearrange()
            _invalidate(self.outer)  # nested layouts keep their last answer until told
            if self.outer.totalHeightForWidth(self.width()) <= self.height():
                return

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        tight = reach.enhanced and not m.portrait
        self.outer.setSpacing(m.px(12 if tight else 18))
        self.body.setSpacing(m.px(16 if tight else 24))
        self.actions.setSpacing(m.px(24))
        # Landscape has width to spare and no height: the hint sits beside the question.
        self.heading.setDirection(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        self.heading.setSpacing(m.px(8) if m.portrait else m.px(40))
        self.hint.setAlignment(
            (Qt.AlignmentFlag.AlignLeft if m.portrait else Qt.AlignmentFlag.AlignRight)
            | Qt.AlignmentFlag.AlignVCenter
        )
        # Fonts, not stylesheet sizes, so a step may shrink them to fit (see _fit).
        self.title.setFont(font(reach.text(m.px(52)), QFont.Weight.Bold))
        self.hint.setFont(font(reach.text(m.px(28))))
        for field in self.findChildren(Field):
            field.message.setFont(font(reach.text(m.px(26)), QFont.Weight.DemiBold))


def _invalidate(layout: QLayout) -> None:
    layout.invalidate()
    for i in range(layout.count()):
        inner = layout.itemAt(i).layout()
        if inner is not None:
            _invalidate(inner)


def step_stylesheet(p: Palette, m: Metrics, reach: Reach) -> str:
    """The sign-up's look at this size, text scale and contrast."""
    t = reach.text
    ink = "#000000" if reach.contrast else p.ink
    subtle = reach.subtle_ink(ink)
    edge = "#1F2933" if reach.contrast else "#C5D0DE"
    line = max(2, m.px(3))
    ring = max(3, m.px(4))  # the focus ring; every button reserves it so text never shifts
    touch = m.touch
    outline = ink if reach.contrast else edge
    chosen_bg = "#FFFFFF" if reach.contrast else "#EEF3FA"
    return f"""
    QWidget {{ font-family: "{FAMILY}"; }}
    QWidget#signup, QWidget#stepArea {{ background: {"#FFFFFF" if reach.contrast else p.surface}; }}
    QLabel[role="steptitle"] {{ color: {ink}; }}
    QLabel[role="stephint"] {{ color: {subtle}; }}
    QLabel[role="fieldlabel"] {{ color: {ink}; font-size: {t(m.px(30))}px; font-weight: 600; }}
    QLabel[role="hint"] {{ color: {subtle}; font-size: {t(m.px(26))}px; }}
    QLabel[role="error"] {{ color: {"#8B0000" if reach.contrast else p.danger}; }}
    QLabel[role="reason"] {{
        color: {"#8B0000" if reach.contrast else p.danger}; font-size: {t(m.px(26))}px;
        font-weight: 600; }}
    QLabel[role="body"] {{ color: {ink}; font-size: {t(m.px(28))}px; }}
    QLabel[role="summarylabel"] {{ color: {subtle}; font-size: {t(m.px(24))}px; font-weight: 600; }}
    QLabel[role="summary"] {{ color: {ink}; font-size: {t(m.px(30))}px; }}
    QLineEdit {{
        font-size: {t(m.px(36))}px; color: {ink}; background: #FFFFFF;
        border: {line}px solid {edge}; border-radius: {m.px(14)}px;
        padding: {m.px(6)}px {m.px(18)}px; min-height: {max(touch - m.px(16), t(m.px(56)))}px;
        selection-background-color: {p.accent};
    }}
    QLineEdit:focus {{ border: {max(3, m.px(4))}px solid {p.primary}; }}
    QLineEdit[invalid="true"] {{ border-color: {p.danger}; }}
    QPushButton {{
        font-size: {t(m.px(32))}px; font-weight: 700; border-radius: {touch // 2}px;
        padding: {m.px(6)}px {m.px(40)}px; min-height: {touch}px;
        border: {ring}px solid transparent;
    }}
    QPushButton[role="primary"] {{ background: {p.accent}; color: {p.ink}; }}
    QPushButton[role="primary"]:pressed {{ background: {p.primary}; color: #FFFFFF; }}
    QPushButton[role="primary"]:disabled {{ background: #E3E8EF; color: #5A6778; }}
    QPushButton[role="secondary"] {{
        background: transparent; color: {ink}; border: {ring}px solid {outline};
    }}
    QPushButton[role="secondary"]:pressed {{ background: #E3E8EF; }}
    QPushButton[role="link"] {{
        background: #FFF6E2; color: {ink}; border: {ring}px solid {p.accent};
        font-size: {t(m.px(28))}px; font-weight: 700; min-height: {touch}px;
        padding: 0px {m.px(28)}px; text-align: left;
    }}
    QPushButton:focus {{ outline: none; border: {ring}px solid {p.primary}; }}
    QPushButton[role="toggle"] {{
        background: #FFFFFF; border: {ring}px solid {edge}; border-radius: {m.px(20)}px;
        padding: 0px; text-align: left; min-height: {touch}px;
    }}
    QPushButton[role="toggle"]:checked {{ border: {ring}px solid {p.primary};
                                          background: {chosen_bg}; }}
    QPushButton[role="toggle"]:focus {{ border: {ring}px solid {p.accent}; }}
    QLabel[role="toggletitle"], QLabel[role="togglewords"], QLabel[role="linkwords"] {{
        color: {ink}; }}
    QLabel[role="privacy"] {{ color: {subtle}; }}
    QLabel#switch {{
        border-radius: {m.px(32)}px; font-size: {t(m.px(26))}px; font-weight: 700;
        background: #E3E8EF; color: {ink}; border: {line}px solid {edge};
    }}
    QLabel#switch[on="true"] {{
        background: {p.primary}; color: #FFFFFF; border-color: {p.primary}; }}
    """

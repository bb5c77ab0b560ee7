"""A touch confirmation laid over the sign-up ("Start over?"): no desktop dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui.reach import Reach
from kiosk.ui.theme import Metrics, Palette
from kiosk.ui.widgets import BigButton


class ConfirmOverlay(QWidget):
    """A dimmed overlay with a question and two big answers; "No" is where focus starts.

    Signals:
        accepted(): the visitor confirmed.
    """

    accepted = Signal()

    def __init__(self, question: str, yes: str, no: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("confirmOverlay")
        self.card = QWidget(self)
        self.card.setObjectName("confirmCard")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.question = QLabel(question)
        self.question.setObjectName("confirmQuestion")
        self.question.setWordWrap(True)
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.yes = BigButton(yes, "secondary")
        self.yes.setObjectName("confirmYes")
        self.no = BigButton(no, "primary")
        self.no.setObjectName("confirmNo")
        for button in (self.yes, self.no):
            button.setAutoDefault(True)
        buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        buttons.addWidget(self.yes)
        buttons.addWidget(self.no)
        self.box = QVBoxLayout(self.card)
        self.box.addWidget(self.question)
        self.box.addLayout(buttons)
        self.buttons = buttons
        self.yes.clicked.connect(self._accept)
        self.no.clicked.connect(self.close_now)
        self._metrics = Metrics(1920, 1080)
        self.hide()

    def open(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self._place()  # shown, so polished: the answers' sizes are their styled ones
        self.no.setFocus(Qt.FocusReason.OtherFocusReason)

    def close_now(self) -> None:
        self.hide()

    def _accept(self) -> None:
        self.hide()
        self.accepted.emit()

    def set_metrics(self, m: Metrics, reach: Reach, p: Palette) -> None:
        self._metrics = m
        t = reach.text
        self.card.setStyleSheet(f"""
            QWidget#confirmCard {{ background: #FFFFFF; border-radius: {m.px(36)}px; }}
            QLabel#confirmQuestion {{ color: {p.ink}; font-size: {t(m.px(44))}px;
                                     font-weight: 700; }}
        """)
        pad = m.px(56)
        self.box.setContentsMargins(pad, pad, pad, pad)
        self.box.setSpacing(m.px(40))
        self.buttons.setSpacing(m.px(24))
        self._place()

    def _place(self) -> None:
        m = self._metrics
        w, h = self.width(), self.height()
        # Side by side while both answers fit a card on this screen; else one above the
        # other, each the card's width (long answers in portrait large text).
        room = w - 2 * m.px(48) - sum(self.box.getContentsMargins()[::2])
        beside = self.yes.sizeHint().width() + self.no.sizeHint().width() + self.buttons.spacing()
        self.buttons.setDirection(
            QBoxLayout.Direction.LeftToRight if beside <= room else QBoxLayout.Direction.TopToBottom
        )
        card_w = min(w - 2 * m.px(48), max(m.px(900), self.card.minimumSizeHint().width()))
        card_h = self.box.totalHeightForWidth(card_w)
        self.card.setGeometry((w - card_w) // 2, (h - card_h) // 2, card_w, card_h)

    def resizeEvent(self, event: object) -> None:
        self._place()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        shade = QColor(0, 0, 0, 150)
        p.fillRect(self.rect(), shade)
        p.end()

"""The language choice (SPEC 11): one compact button beside "Aa" on every visitor
screen, opening a big touch list of the pack's languages, each by its own name
(English, Gaeilge, Polski, Українська), never a flag. Tapping one sets
`reach().language`; the controller does the rest.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QPushButton, QVBoxLayout, QWidget

from kiosk.ui.reach import reach
from kiosk.ui.theme import FAMILY, Metrics
from kiosk.ui.touch import install_touch

ROW_PX = 96  # a language's row at 1080p: well over the 60 px touch minimum


def language_name(code: str) -> str:
    """`code`'s own name from the pack, or the code itself."""
    return dict(reach().languages).get(code, code)


class LanguageButton(QPushButton):
    """Shows the visitor's language by its own name; opens the list. Hidden with one language.

    Styled by the screen that holds it, like "Aa" (object name "reachButton").
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reachButton")
        self.setProperty("language_button", True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._compact = False
        self.clicked.connect(self.open_list)
        reach().language_changed.connect(self._follow)
        self._follow()

    def _follow(self, *_: object) -> None:
        name = language_name(reach().language)
        # Compact (a crowded header in portrait, large text): the name's first letters.
        self.setText(name[:3] if self._compact else name)
        # Every language's own name, so a visitor who reads none of the others can find it.
        names = " / ".join(n for _, n in reach().languages)
        self.setAccessibleName(f"{name}: {names}")
        many = len(reach().languages) > 1
        if self.parentWidget() is not None or not many:  # never a window of its own
            self.setVisible(many)

    def set_compact(self, compact: bool) -> None:
        """Show only the first letters of the name (the accessible name stays whole)."""
        self._compact = compact
        self._follow()

    def open_list(self) -> LanguageList:
        top = self.window()
        shown = LanguageList(top)
        shown.open()
        return shown


class LanguageList(QWidget):
    """A full-window overlay: one big row per language; a tap outside closes it.

    Signals:
        chosen(str): the code of the language tapped.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("languageList")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.card = QWidget(self)
        self.card.setObjectName("languageCard")
        self.card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        column = QVBoxLayout(self.card)
        self.rows: dict[str, QPushButton] = {}
        for code, name in reach().languages:
            row = QPushButton(name, self.card)
            row.setObjectName("languageRow")
            row.setCheckable(True)
            row.setChecked(code == reach().language)
            row.setAccessibleName(name)
            row.setCursor(Qt.CursorShape.PointingHandCursor)
            row.clicked.connect(lambda _=False, c=code: self._choose(c))
            column.addWidget(row)
            self.rows[code] = row
        self._column = column
        install_touch(self)
        parent.installEventFilter(self)

    def open(self) -> None:
        self._place()
        self.show()
        self.raise_()
        row = self.rows.get(reach().language)
        if row is not None:
            row.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: object) -> None:
        # Focus goes back to the screen beneath, never nowhere (keys must keep working).
        parent = self.parentWidget()
        if parent is not None and self.isAncestorOf(QApplication.focusWidget()):
            parent.setFocus(Qt.FocusReason.OtherFocusReason)
        super().closeEvent(event)

    def _choose(self, code: str) -> None:
        self.close()
        self.chosen.emit(code)
        reach().set_language(code)

    def _place(self) -> None:
        parent = self.parentWidget()
        self.setGeometry(parent.rect())
        m = Metrics(max(1, self.width()), max(1, self.height()))
        row_h = max(m.touch, reach().text(m.px(ROW_PX)))
        gap = m.px(16)
        pad = m.px(32)
        self._column.setContentsMargins(pad, pad, pad, pad)
        self._column.setSpacing(gap)
        for row in self.rows.values():
            row.setFixedHeight(row_h)
        width = min(self.width() - 2 * m.margin, max(m.px(640), self.width() // 3))
        height = len(self.rows) * (row_h + gap) - gap + 2 * pad
        self.card.setGeometry(
            (self.width() - width) // 2, (self.height() - height) // 2, width, height
        )
        ink = "#0B1F3A"
        accent = "#0A5BD3"
        self.setStyleSheet(
            f"""
            QWidget#languageCard {{ background: #FFFFFF; border-radius: {m.px(24)}px; }}
            QPushButton#languageRow {{
                font-family: "{FAMILY}"; font-size: {reach().text(m.px(40))}px;
                font-weight: 700; color: {ink}; background: #EEF2F7;
                border: {max(2, m.px(3))}px solid #C5D0DE; border-radius: {m.px(16)}px;
            }}
            QPushButton#languageRow:checked {{ background: {accent}; color: #FFFFFF; }}
            QPushButton#languageRow:focus {{ border-color: {ink}; }}
            """
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0, 150))
        p.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self.card.geometry().contains(event.position().toPoint()):
            self.close()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

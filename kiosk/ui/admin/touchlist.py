"""A list of big touch rows: a drag scrolls (kinetic, through QScroller) and never selects.

Used for the USB sticks, the folder picker and Find's results. A press that
moves more than a few millimetres is a drag; only a press released where it
started picks a row.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.admin.common import PlainLabel, restyle
from kiosk.ui.theme import Metrics


@dataclass(frozen=True)
class Row:
    title: str
    detail: str = ""
    key: object = None


class _RowWidget(QFrame):
    def __init__(self, row: Row, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("touchRow")
        self.setProperty("current", False)
        self.row = row
        layout = QVBoxLayout(self)
        self.title = PlainLabel(row.title, self)
        self.title.setObjectName("rowTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.detail = PlainLabel(row.detail, self)
        self.detail.setObjectName("rowDetail")
        self.detail.setWordWrap(True)
        self.detail.setVisible(bool(row.detail))
        layout.addWidget(self.detail)
        self.setAccessibleName(f"{row.title}. {row.detail}" if row.detail else row.title)
        # As wide as the list, whatever the text: long paths wrap, never widen the row.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)


class TouchList(QScrollArea):
    """Rows of text; tap picks one, drag scrolls.

    Signals:
        picked(int): a row was tapped (or chosen with Enter/Space); it is now current.
    """

    picked = Signal(int)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("touchList")
        self.setAccessibleName(name)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._box = QWidget()
        self._box.setObjectName("touchRows")
        # Rows never see the pointer: the viewport decides tap or drag for all of them.
        self._box.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self._layout = QVBoxLayout(self._box)
        self._layout.addStretch(1)
        self.setWidget(self._box)
        self._rows: list[_RowWidget] = []
        self._current = -1
        self._press: QPointF | None = None
        self._dragging = False
        self._metrics = Metrics(1920, 1080)
        self._scroller = QScroller.scroller(self.viewport())
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.viewport().installEventFilter(self)

    # -- methods in ---------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return [w.row for w in self._rows]

    @property
    def current(self) -> int:
        return self._current

    def current_row(self) -> Row | None:
        return self._rows[self._current].row if 0 <= self._current < len(self._rows) else None

    def set_rows(self, rows: list[Row], current: int = -1) -> None:
        if rows == self.rows:
            if current != self._current:
                self.set_current(current)
            return
        for w in self._rows:
            self._layout.removeWidget(w)
            w.hide()  # at once: deleteLater leaves it painted until the next event loop turn
            w.deleteLater()
        self._rows = []
        for index, row in enumerate(rows):
            w = _RowWidget(row, self._box)
            self._layout.insertWidget(index, w)
            self._rows.append(w)
        self._apply_sizes()
        self._layout.activate()  # place the rows now: a tap may come before the next paint
        self._current = -1
        self.set_current(current)

    def set_current(self, index: int) -> None:
        self._current = index if 0 <= index < len(self._rows) else -1
        for i, w in enumerate(self._rows):
            if w.property("current") != (i == self._current):
                restyle(w, "current", i == self._current)
                for label in (w.title, w.detail):  # their colour depends on the row's
                    label.style().unpolish(label)
                    label.style().polish(label)
        if self._current >= 0:
            self.ensureWidgetVisible(self._rows[self._current], 0, 0)

    def row_widget(self, index: int) -> QWidget:
        return self._rows[index]

    def set_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self._apply_sizes()

    def _apply_sizes(self) -> None:
        m = self._metrics
        self._layout.setContentsMargins(m.px(8), m.px(8), m.px(8), m.px(8))
        self._layout.setSpacing(m.px(8))
        for w in self._rows:
            w.setMinimumHeight(max(m.touch, m.px(96)) if w.row.detail else m.touch)
            w.layout().setContentsMargins(m.px(20), m.px(10), m.px(20), m.px(10))
            w.layout().setSpacing(m.px(2))

    # -- touch ----------------------------------------------------------------

    def _drag_threshold(self) -> int:
        return max(12, self._metrics.px(24))  # about 4-5 mm

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        # A finger (touch events, taken here so Qt makes no mouse press of them) and
        # a mouse follow the same rule.
        if kind == QEvent.Type.TouchBegin and event.points():
            self._down(event.points()[0].position(), event.timestamp())
            return True
        if kind == QEvent.Type.TouchUpdate and event.points():
            self._move(event.points()[0].position(), event.timestamp())
            return True
        if kind == QEvent.Type.TouchEnd and event.points():
            self._up(event.points()[0].position(), event.timestamp())
            return True
        if kind == QEvent.Type.TouchCancel:
            self._press, self._dragging = None, False
            return True
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._down(event.position(), event.timestamp())
            return True
        if kind == QEvent.Type.MouseMove and self._press is not None:
            self._move(event.position(), event.timestamp())
            return True
        if kind == QEvent.Type.MouseButtonRelease and self._press is not None:
            self._up(event.position(), event.timestamp())
            return True
        return kind == QEvent.Type.MouseButtonDblClick

    def _down(self, pos: QPointF, stamp: int) -> None:
        self._press = QPointF(pos)
        self._dragging = False
        self._scroller.stop()
        self._scroller.handleInput(QScroller.Input.InputPress, pos, stamp)

    def _move(self, pos: QPointF, stamp: int) -> None:
        if self._press is None:
            return
        if (pos - self._press).manhattanLength() > self._drag_threshold():
            self._dragging = True
        if self._dragging:
            self._scroller.handleInput(QScroller.Input.InputMove, pos, stamp)

    def _up(self, pos: QPointF, stamp: int) -> None:
        if self._press is None:
            return
        self._press = None
        self._scroller.handleInput(QScroller.Input.InputRelease, pos, stamp)
        if not self._dragging:
            self._tap(pos)
        self._dragging = False

    def _tap(self, pos: QPointF) -> None:
        self._layout.activate()
        point = self._box.mapFrom(self.viewport(), pos.toPoint())
        for index, w in enumerate(self._rows):
            if w.geometry().contains(point):
                self.set_current(index)
                self.picked.emit(index)
                return

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._rows:
            step = 1 if key == Qt.Key.Key_Down else -1
            self.set_current(max(0, min(len(self._rows) - 1, self._current + step)))
            event.accept()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self._current >= 0:
            self.picked.emit(self._current)
            event.accept()
        else:
            super().keyPressEvent(event)

    def hideEvent(self, event) -> None:
        self._scroller.stop()
        self._press = None
        super().hideEvent(event)

"""The panel's frame: the header (title, tabs, Back) and the Overview page's grid of cards."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.admin.common import PlainLabel, button
from kiosk.ui.theme import Metrics

TABS = (("overview", "Overview"), ("export", "Export"), ("find", "Find a sign-up"))


class Header(QFrame):
    """ "Admin", the kiosk's name and count, the tabs and Back.

    Signals: tab_chosen(str) — a tab's key; back() — Back to kiosk.
    """

    tab_chosen = Signal(str)
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminHeader")
        self._portrait: bool | None = None
        self.title = PlainLabel("Admin", self)
        self.title.setObjectName("adminTitle")
        self.subtitle = PlainLabel("", self)
        self.subtitle.setObjectName("adminSubtitle")
        self.back_button = button("Back to kiosk", "header", self)
        self.back_button.clicked.connect(self.back)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.tabs: dict[str, QPushButton] = {}
        self._tabs_row = QHBoxLayout()
        for key, label in TABS:
            b = button(label, "tab", self, f"Show {label}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, k=key: self.tab_chosen.emit(k))
            self._group.addButton(b)
            self.tabs[key] = b
            self._tabs_row.addWidget(b)
        self._titles = QVBoxLayout()
        self._titles.setSpacing(0)
        self._titles.addWidget(self.title)
        self._titles.addWidget(self.subtitle)
        self._grid = QGridLayout(self)

    def set_metrics(self, m: Metrics) -> None:
        if m.portrait != self._portrait:
            self._portrait = m.portrait
            grid = self._grid
            grid.removeItem(self._titles)
            grid.removeItem(self._tabs_row)
            grid.removeWidget(self.back_button)
            grid.addLayout(self._titles, 0, 0)
            grid.setColumnStretch(0, 1)
            if m.portrait:  # too narrow for one row: the tabs go underneath
                grid.addWidget(self.back_button, 0, 1)
                grid.addLayout(self._tabs_row, 1, 0, 1, 2)
            else:
                grid.addLayout(self._tabs_row, 0, 1)
                grid.addWidget(self.back_button, 0, 2)
        margin = m.px(40)
        self._grid.setContentsMargins(margin, m.px(16), margin, m.px(16))
        self._grid.setHorizontalSpacing(m.px(16))
        self._grid.setVerticalSpacing(m.px(12))
        self._tabs_row.setSpacing(m.px(8))
        for b in self.findChildren(QPushButton):
            b.setMinimumHeight(m.touch)
        for b in self.tabs.values():
            b.setMinimumWidth(m.px(170))
        self.back_button.setMinimumWidth(m.px(240))


class Overview(QWidget):
    """Counts across the top; the chart and the funnel side by side; sync under them
    (stacked in portrait)."""

    def __init__(self, counts, chart, funnel, sync, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cards = (counts, chart, funnel, sync)
        self._portrait: bool | None = None
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)

    def set_metrics(self, m: Metrics) -> None:
        self._grid.setSpacing(m.px(20))
        if m.portrait == self._portrait:
            return
        self._portrait = m.portrait
        counts, chart, funnel, sync = self._cards
        grid = self._grid
        for w in self._cards:
            grid.removeWidget(w)
        for i in range(4):
            grid.setRowStretch(i, 0)
            grid.setColumnStretch(i, 0)
        if m.portrait:
            for row, w in enumerate((counts, sync, chart, funnel)):
                grid.addWidget(w, row, 0)
            grid.setRowStretch(2, 1)
            grid.setRowStretch(3, 1)
        else:
            grid.addWidget(counts, 0, 0, 1, 2)
            grid.addWidget(chart, 1, 0)
            grid.addWidget(funnel, 1, 1)
            grid.addWidget(sync, 2, 0, 1, 2)
            grid.setColumnStretch(0, 1)
            grid.setColumnStretch(1, 1)
            grid.setRowStretch(1, 1)

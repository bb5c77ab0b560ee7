"""A touch folder picker (the fallback when no USB stick is found): big rows, drag to scroll.

It starts at a list of places (each USB stick, then the home folder, labelled)
and never goes above the place chosen: never "/", and never into the kiosk's own
data folder. No desktop dialog.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.drives import can_go_up, subfolders
from kiosk.ui.admin.common import Card, PlainLabel, button
from kiosk.ui.admin.touchlist import Row, TouchList
from kiosk.ui.theme import Metrics


class FolderPicker(Card):
    """Signals: chosen(object) — "Use this folder" (a Path); cancelled()."""

    chosen = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Choose a folder", parent)
        self._root = Path.home()
        self._folder: Path | None = Path.home()
        self._places: list[tuple[str, Path]] = []
        self._exclude: Path | None = None
        self.where = PlainLabel("", self)
        self.where.setObjectName("muted")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.up_button = button("Up one folder", "secondary", self)
        self.up_button.clicked.connect(self.go_up)
        top = QHBoxLayout()
        top.addWidget(self.where, 1)
        top.addWidget(self.up_button)
        self.list = TouchList("Folders", self)
        self.list.picked.connect(self._open_row)
        self.empty = PlainLabel("No folders inside this one.", self)
        self.empty.setObjectName("empty")
        self.cancel_button = button("Cancel", "secondary", self, "Cancel choosing a folder")
        self.cancel_button.clicked.connect(self.cancelled)
        self.use_button = button("Use this folder", "primary", self)
        self.use_button.clicked.connect(self._use)
        actions = QHBoxLayout()
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        actions.addWidget(self.use_button)
        column = QVBoxLayout()
        column.addLayout(top)
        column.addWidget(self.list, 1)
        column.addWidget(self.empty)
        column.addLayout(actions)
        self.body.addLayout(column, 1)

    @property
    def folder(self) -> Path | None:
        """The folder shown (None while the list of places is shown)."""
        return self._folder

    def start(self, folder: Path, root: Path) -> None:
        """Show `folder`; Up stops at `root`."""
        self._root = Path(root)
        folder = Path(folder)
        if folder != self._root and self._root not in folder.parents:
            folder = self._root
        self._show(folder)

    def start_places(self, places: list[tuple[str, Path]], exclude: Path | None = None) -> None:
        """Offer `places` (label, folder) to start from; `exclude` (the data folder) and
        everything inside it is never listed nor usable."""
        self._exclude = Path(os.path.abspath(exclude)) if exclude is not None else None
        self._places = [(label, Path(path)) for label, path in places if not self._hidden(path)]
        if len(self._places) == 1:
            self.start(self._places[0][1], self._places[0][1])
        else:
            self._show_places()

    def go_up(self) -> None:
        if self._folder is None:
            return
        if can_go_up(self._folder, self._root):
            self._show(self._folder.parent)
        elif len(self._places) > 1:
            self._show_places()

    def _open_row(self, index: int) -> None:
        row = self.list.rows[index]
        if self._folder is None:  # a place: it becomes the fence
            self._root = Path(row.key)
        self._show(Path(row.key))

    def _hidden(self, path: Path) -> bool:
        if self._exclude is None:
            return False
        path = Path(os.path.abspath(path))
        return path == self._exclude or self._exclude in path.parents

    def _show_places(self) -> None:
        self._folder = None
        self.list.set_rows([Row(label, str(path), str(path)) for label, path in self._places])
        self.list.verticalScrollBar().setValue(0)
        self.empty.setVisible(not self._places)
        self.up_button.setEnabled(False)
        self.use_button.setEnabled(False)
        self._elide()

    def _show(self, folder: Path) -> None:
        self._folder = folder
        names = [p for p in subfolders(folder) if not self._hidden(p)]
        self.list.set_rows([Row(p.name, "", str(p)) for p in names])
        self.list.verticalScrollBar().setValue(0)
        self.empty.setVisible(not names)
        self.up_button.setEnabled(can_go_up(folder, self._root) or len(self._places) > 1)
        self.use_button.setEnabled(not self._hidden(folder))
        self._elide()
        self.use_button.setAccessibleDescription(str(folder))

    def _use(self) -> None:
        if self._folder is not None and not self._hidden(self._folder):
            self.chosen.emit(self._folder)

    def where_text(self) -> str:
        """ "KINGSTON › exports › 2026": where we are, from the root the picker started at."""
        if self._folder is None:
            return "Choose where to save"
        try:
            parts = self._folder.relative_to(self._root).parts
        except ValueError:
            parts = ()
        return " › ".join([self._root.name or str(self._root), *parts])

    def _elide(self) -> None:
        width = max(50, self.where.width())
        metrics = self.where.fontMetrics()
        self.where.setText(metrics.elidedText(self.where_text(), Qt.TextElideMode.ElideLeft, width))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def set_metrics(self, m: Metrics) -> None:
        super().set_metrics(m)
        self.list.set_metrics(m)
        for b in (self.up_button, self.cancel_button, self.use_button):
            b.setMinimumSize(m.px(240), m.touch)

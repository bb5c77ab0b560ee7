"""The export card: pick a USB stick (or a folder), a format, Export; progress; "safe to remove".

The stick list is refreshed every few seconds while the card is on screen, so a
stick plugged in (or pulled) while Admin is open appears (or goes) by itself.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QWidget,
)

from kiosk.drives import Drive, find_drives, flush_to_disk, free_bytes
from kiosk.errors import KioskError
from kiosk.ui.admin.common import Card, PlainLabel, button, plural, restyle
from kiosk.ui.admin.touchlist import Row, TouchList
from kiosk.ui.theme import Metrics

log = logging.getLogger(__name__)

EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSONL"))
NO_STICK = "Insert a USB stick\nIt appears here by itself. No stick? Choose a folder instead."
WAITING = "Insert a USB stick or choose a folder first."
POLL_MS = 2000


@dataclass(frozen=True)
class ExportOutcome:
    path: Path
    count: int
    flushed: bool = True  # False: the file may not all be on the stick yet


class ExportThread(QThread):
    """Runs one export off the UI thread; talks back only through signals."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        store,
        fmt: str,
        folder: Path,
        *,
        must_be_mount: bool,
        columns: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    ) -> None:
        # Parented to the application, not the card: a card destroyed mid-export
        # must not destroy a running thread (that aborts the process).
        super().__init__(QApplication.instance())
        self.setObjectName("adminExport")
        self._store = store
        self._fmt = fmt
        self._folder = folder
        self._must_be_mount = must_be_mount
        self._columns = columns

    def run(self) -> None:
        # export_signups takes a path that is not a folder as a file name: a pulled
        # stick would quietly become a file on the kiosk's own disk.
        folder = self._folder
        if not folder.is_dir() or (self._must_be_mount and not os.path.ismount(folder)):
            self.failed.emit("the USB stick or folder is not there any more — is it plugged in?")
            return
        try:
            from kiosk.exporting import export_signups

            result = export_signups(
                self._store,
                self._fmt,
                folder,
                progress=self.progressed.emit,
                columns=self._columns,
            )
            # Only now is it safe to pull the stick: the file, its folder and the
            # file system's own caches are on the stick.
            flushed = True
            try:
                flush_to_disk(Path(result.path))
            except OSError as exc:
                log.error("export written but not flushed (errno %s)", exc.errno)
                flushed = False
        except KioskError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("export failed unexpectedly")
            self.failed.emit(f"the export failed unexpectedly ({type(exc).__name__})")
        else:
            self.succeeded.emit(ExportOutcome(Path(result.path), int(result.count), flushed))


class ResultLabel(PlainLabel):
    """A sentence that may wrap, then a file path kept to one line (elided in the middle)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("result")
        self.setWordWrap(True)
        self.setProperty("kind", "ok")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self._head = ""
        self._path: Path | None = None

    def set_parts(self, head: str, path: Path | None, kind: str) -> None:
        self._head, self._path = head, path
        self.setAccessibleName(head)
        restyle(self, "kind", kind)
        self._render()

    def _render(self) -> None:
        if self._path is None:
            self.setText(self._head)
            return
        width = max(50, self.contentsRect().width())
        path = self.fontMetrics().elidedText(str(self._path), Qt.TextElideMode.ElideMiddle, width)
        self.setText(f"{self._head}\n{path}")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._path is not None:
            self._render()


class ExportCard(Card):
    """Signals:
    choose_folder(): "Choose a folder…" was pressed (the panel shows the picker).
    busy_changed(bool): an export started or ended (the panel holds its idle close).
    exported(): an export finished, well or not (the counts changed).
    """

    choose_folder = Signal()
    busy_changed = Signal(bool)
    exported = Signal()

    def __init__(self, store, columns: Callable[[], tuple], parent: QWidget | None = None) -> None:
        super().__init__("Export sign-ups", parent)
        self._store = store
        self._columns = columns
        self.drive_finder: Callable[[], list[Drive]] = find_drives
        """Where USB sticks come from (tests put a fake here)."""
        self._chosen_folder: Path | None = None
        self._export: ExportThread | None = None
        self._to_stick = False
        self.message = ""

        self._poll = QTimer(self)
        self._poll.setObjectName("adminDrivePoll")
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.refresh_drives)

        self._format_group = QButtonGroup(self)
        self._format_group.setExclusive(True)
        formats = QHBoxLayout()
        self.format_buttons: dict[str, QPushButton] = {}
        for key, label in EXPORT_FORMATS:
            b = button(label, "segment", self, f"Format {label}")
            b.setCheckable(True)
            b.setProperty("fmt", key)
            self._format_group.addButton(b)
            self.format_buttons[key] = b
            formats.addWidget(b)
        self.format_buttons["csv"].setChecked(True)

        dest_label = PlainLabel("Save to", self)
        dest_label.setObjectName("fieldLabel")
        self.choose_button = button("Choose a folder…", "secondary", self)
        self.choose_button.clicked.connect(self.choose_folder)
        dest_row = QHBoxLayout()
        dest_row.addWidget(dest_label, 1)
        dest_row.addWidget(self.choose_button)
        self.destinations = TouchList("Export destinations", self)
        self.destinations.picked.connect(lambda _i: self._update_button())
        self.empty = PlainLabel(NO_STICK, self)
        self.empty.setObjectName("emptyBox")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reason = PlainLabel(WAITING, self)
        self.reason.setObjectName("muted")
        self.reason.setWordWrap(True)
        self.export_button = button("Export", "primary", self)
        self.export_button.clicked.connect(self.start_export)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Export progress")
        self.bar.hide()
        self.result = ResultLabel(self)

        self.body.addLayout(formats)
        self.body.addLayout(dest_row)
        self.body.addWidget(self.destinations, 1)
        self.body.addWidget(self.empty, 1)
        self.body.addWidget(self.export_button)
        self.body.addWidget(self.reason)
        self.body.addWidget(self.bar)
        self.body.addWidget(self.result)
        self.refresh_drives()

    # -- methods in ---------------------------------------------------------

    def set_metrics(self, m: Metrics) -> None:
        super().set_metrics(m)
        self.destinations.set_metrics(m)
        self.destinations.setMinimumHeight(round(m.touch * 1.5))
        for b in self.findChildren(QPushButton):
            b.setMinimumHeight(m.touch)

    @property
    def export_format(self) -> str:
        b = self._format_group.checkedButton()
        return b.property("fmt") if b is not None else "csv"

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def start_polling(self) -> None:
        self.refresh_drives()
        self._poll.start()

    def stop_polling(self) -> None:
        self._poll.stop()

    def refresh_drives(self) -> None:
        """Scan for USB sticks again, keeping the chosen destination selected."""
        current = self.destinations.current_row()
        try:
            drives = list(self.drive_finder())
        except OSError as exc:
            log.warning("USB scan failed: %s", exc.strerror)
            drives = []
        if self._chosen_folder is not None and all(d.path != self._chosen_folder for d in drives):
            folder = self._chosen_folder
            drives.append(Drive(folder, folder.name or str(folder), False, free_bytes(folder)))
        rows = [
            Row(d.describe(), "USB stick" if d.removable else f"Folder · {d.path}", d)
            for d in drives
        ]
        select = 0 if rows else -1
        if current is not None:
            for i, row in enumerate(rows):
                if row.key.path == current.key.path:
                    select = i
        self.destinations.set_rows(rows, select)
        self.destinations.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._update_button()

    def set_export_folder(self, path: Path) -> None:
        """Export into `path` (the folder picker's choice, or a test's tmp folder)."""
        self._chosen_folder = Path(path)
        self.refresh_drives()
        for i, row in enumerate(self.destinations.rows):
            if row.key.path == self._chosen_folder:
                self.destinations.set_current(i)
        self._update_button()

    def current_drive(self) -> Drive | None:
        row = self.destinations.current_row()
        return row.key if row is not None else None

    def _update_button(self) -> None:
        ready = self.current_drive() is not None
        self.export_button.setEnabled(not self.exporting and ready)
        self.export_button.setAccessibleDescription("" if ready else WAITING)
        self.reason.setVisible(not ready and not self.exporting)

    def start_export(self) -> None:
        """Export every sign-up to the selected destination, on a worker thread."""
        drive = self.current_drive()
        if drive is None or self._export is not None:
            return
        self._to_stick = drive.removable
        thread = ExportThread(
            self._store,
            self.export_format,
            drive.path,
            must_be_mount=drive.removable,
            columns=self._columns(),
        )
        thread.progressed.connect(self._on_progress)
        thread.succeeded.connect(self._on_done)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_finished)
        self._export = thread
        self.bar.setRange(0, 0)
        self.bar.show()
        self._say("Exporting…", "busy")
        self.export_button.setText("Exporting…")
        for b in (*self.format_buttons.values(), self.choose_button):
            b.setEnabled(False)
        self._update_button()
        self.busy_changed.emit(True)
        log.info("export started (%s)", self.export_format)
        thread.start()

    def wait(self, timeout_ms: int) -> bool:
        thread = self._export
        return thread is None or thread.wait(timeout_ms)

    def clear_message(self) -> None:
        if not self.exporting:
            self._say("", "ok")

    # -- the worker's reports ---------------------------------------------------

    def _say(self, text: str, kind: str, path: Path | None = None, head: str | None = None) -> None:
        self.message = text
        self.result.set_parts(head if head is not None else text, path, kind)

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self._say(f"Exporting… {done:,} of {total:,}", "busy")
        else:
            self._say(f"Exporting… {done:,}", "busy")

    def _on_done(self, outcome: ExportOutcome) -> None:
        if not outcome.flushed:
            where = "the stick" if self._to_stick else "the disk"
            self._say(
                f"Saved {plural(outcome.count, 'sign-up')} to {outcome.path}, but {where} "
                "may not have all the data — don't remove it yet; try Export again",
                "error",
            )
            return
        safe = " — safe to remove the USB stick" if self._to_stick else ""
        head = f"Saved {plural(outcome.count, 'sign-up')}{safe}"
        # On screen: the sentence, then the path on one line, shortened in the middle.
        self._say(
            f"Saved {plural(outcome.count, 'sign-up')} to {outcome.path}{safe}",
            "ok",
            outcome.path,
            head,
        )

    def _on_failed(self, message: str) -> None:
        self._say(f"Not exported: {message}", "error")

    def _on_finished(self) -> None:
        thread, self._export = self._export, None
        if thread is not None:
            thread.deleteLater()
        self.bar.hide()
        self.export_button.setText("Export")
        for b in (*self.format_buttons.values(), self.choose_button):
            b.setEnabled(True)
        self._update_button()
        self.busy_changed.emit(False)
        self.exported.emit()

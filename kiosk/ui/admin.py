"""The volunteers' admin: a PIN pad, then counts, a chart, export, sync and the kiosk's off switch.

Opened by a hotkey or five taps in the top-left corner (`AdminEntry`); every
confirmation happens inside the panel, never in a system dialog.
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QThread, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import export_columns
from kiosk.errors import KioskError, SettingsError
from kiosk.records import parse_iso
from kiosk.security import PinGuard, PinPolicy, has_pin, set_pin
from kiosk.settings import Settings
from kiosk.store import Stats, Store
from kiosk.ui.pinpad import PinPad
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, Palette, font

log = logging.getLogger(__name__)

DEFAULT_HOTKEY = "Ctrl+Alt+Shift+A"
EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSONL"))
WIPE_WORD = "WIPE"
_INPUT_EVENTS = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.Wheel,
)


# -- USB sticks ----------------------------------------------------------------


@dataclass(frozen=True)
class Drive:
    """A place an export can go: a detected USB stick or a folder the admin chose."""

    path: Path
    label: str
    removable: bool
    free_bytes: int | None = None

    def describe(self) -> str:
        free = f" · {_size(self.free_bytes)} free" if self.free_bytes is not None else ""
        kind = "USB stick" if self.removable else "Folder"
        return f"{kind}: {self.label}{free}\n{self.path}"


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def _free(path: Path) -> int | None:
    try:
        info = os.statvfs(path)
        return info.f_bavail * info.f_frsize
    except (AttributeError, OSError):
        from PySide6.QtCore import QStorageInfo

        info = QStorageInfo(str(path))
        return info.bytesAvailable() if info.isValid() else None


def find_usb_drives() -> list[Drive]:
    """Writable removable drives: /media/*/*, /run/media/*/*, /mnt/* (Linux), drive letters."""
    if sys.platform == "win32":
        return _windows_drives()
    patterns = ["/media/*/*", "/media/*", "/run/media/*/*", "/mnt/*"]
    if sys.platform == "darwin":
        patterns.append("/Volumes/*")
    found: dict[str, Drive] = {}
    for pattern in patterns:
        for name in sorted(glob.glob(pattern)):
            path = Path(name)
            if path.is_mount() and os.access(path, os.W_OK) and name not in found:
                found[name] = Drive(path, path.name, True, _free(path))
    return list(found.values())


def _windows_drives() -> list[Drive]:
    from PySide6.QtCore import QStorageInfo

    drives = []
    for volume in QStorageInfo.mountedVolumes():
        root = volume.rootPath()
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        try:
            removable = ctypes.windll.kernel32.GetDriveTypeW(root) == 2  # DRIVE_REMOVABLE
        except (AttributeError, OSError):
            removable = False
        if removable:
            label = volume.displayName() or root
            drives.append(Drive(Path(root), label, True, volume.bytesAvailable()))
    return drives


# -- export on a worker thread ----------------------------------------------------


@dataclass(frozen=True)
class _ExportOutcome:
    path: Path
    count: int


class _ExportThread(QThread):
    """Runs one export off the UI thread; talks back only through signals."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        fmt: str,
        folder: Path,
        *,
        must_be_mount: bool,
        columns: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    ) -> None:
        # Parented to the application, not the panel: a panel destroyed mid-export
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
            self.failed.emit(f"{folder} is not there any more — is the USB stick plugged in?")
            return
        try:
            from kiosk.exporting import export_signups

            result = export_signups(
                self._store,
                self._fmt,
                self._folder,
                progress=self.progressed.emit,
                columns=self._columns,
            )
        except KioskError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            log.exception("export failed unexpectedly")
            self.failed.emit(f"The export failed unexpectedly ({type(exc).__name__}).")
        else:
            self.succeeded.emit(_ExportOutcome(Path(result.path), int(result.count)))


# -- small widgets ----------------------------------------------------------------


class HourlyChart(QWidget):
    """Sign-ups in each hour of today: 24 bars, hour labels every 3 h, the current hour in gold."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._counts = [0] * 24
        self._hour = -1
        self._metrics = Metrics(1920, 1080)
        self.setMinimumHeight(100)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Sign-ups per hour today")

    @property
    def counts(self) -> list[int]:
        return list(self._counts)

    def set_counts(self, counts: list[int], current_hour: int) -> None:
        self._counts = (list(counts) + [0] * 24)[:24]
        self._hour = current_hour
        busy = [f"{h:02d}:00 {c}" for h, c in enumerate(self._counts) if c]
        self.setAccessibleDescription("No sign-ups yet today" if not busy else "; ".join(busy))
        self.update()

    def set_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        m, p = self._metrics, self._palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_font = font(m.small_px)
        value_font = font(m.small_px, QFont.Weight.DemiBold)
        fm = QFontMetrics(label_font)
        top_room = fm.height() + m.px(8)
        bottom_room = fm.height() + m.px(10)
        plot = QRectF(0, top_room, self.width(), self.height() - top_room - bottom_room)
        if plot.height() < 10:
            return
        peak = max(self._counts) or 1
        slot = plot.width() / 24
        bar_w = slot * 0.68
        muted = QColor(p.ink)
        muted.setAlpha(40)
        painter.setPen(muted)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        navy = QColor(p.primary)
        empty = QColor(p.primary)
        empty.setAlpha(28)
        for hour, count in enumerate(self._counts):
            x = plot.left() + hour * slot + (slot - bar_w) / 2
            h = plot.height() * count / peak
            current = hour == self._hour
            if count:
                rect = QRectF(x, plot.bottom() - h, bar_w, h)
                colour = QColor(p.accent) if current else navy
            else:
                rect = QRectF(x, plot.bottom() - m.px(4), bar_w, m.px(4))
                colour = QColor(p.accent) if current else empty
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            radius = min(bar_w / 4, m.px(6))
            painter.drawRoundedRect(rect, radius, radius)
            if count:
                text = str(count)
                painter.setFont(value_font)
                if QFontMetrics(value_font).horizontalAdvance(text) <= slot * 1.1:
                    painter.setPen(QColor(p.ink))
                    painter.drawText(
                        QRectF(
                            x - slot,
                            rect.top() - fm.height() - m.px(4),
                            bar_w + 2 * slot,
                            fm.height(),
                        ),
                        Qt.AlignmentFlag.AlignCenter,
                        text,
                    )
            if hour % 3 == 0 or current:
                painter.setFont(font(m.small_px, QFont.Weight.Bold) if current else label_font)
                ink = QColor(p.ink)
                if not current:
                    ink.setAlpha(170)
                painter.setPen(ink)
                painter.drawText(
                    QRectF(x - slot, plot.bottom() + m.px(8), bar_w + 2 * slot, fm.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    f"{hour:02d}",
                )
        painter.end()


class _StatCard(QFrame):
    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statCard")
        self.setProperty("attention", False)
        self.value = QLabel("—", self)
        self.value.setObjectName("statValue")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("statCaption")
        self.caption.setWordWrap(True)
        self._name = name
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.setAccessibleName(name)

    def set_value(self, value: int | None, attention: bool = False) -> None:
        self.value.setText("—" if value is None else f"{value:,}")
        self.setAccessibleDescription(f"{self._name}: {self.value.text()}")
        if self.property("attention") != attention:
            self.setProperty("attention", attention)
            self.style().unpolish(self)
            self.style().polish(self)


class _ResultLabel(QLabel):
    """A sentence that may wrap, then a file path kept to one line (elided in the middle)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self._head = ""
        self._path: Path | None = None

    def set_parts(self, head: str, path: Path | None) -> None:
        self._head, self._path = head, path
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


def _button(text: str, role: str, parent: QWidget, name: str | None = None) -> QPushButton:
    button = QPushButton(text, parent)
    button.setProperty("role", role)
    button.setAccessibleName(name or text.replace("…", ""))
    button.setAutoDefault(True)  # Enter activates the focused button, as Space does
    return button


def _restyle(widget: QWidget, prop: str, value: Any) -> None:
    if widget.property(prop) != value:
        widget.setProperty(prop, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _when(iso: str | None, now: float) -> str:
    if not iso:
        return "never"
    try:
        moment = parse_iso(iso).astimezone()
    except ValueError:
        return iso
    today = datetime.fromtimestamp(now).astimezone().date()
    ago = max(0, int(now - moment.timestamp()))
    if ago < 60:
        rel = "just now"
    elif ago < 3600:
        rel = f"{ago // 60} min ago"
    else:
        rel = f"{ago // 3600} h ago"
    day = "today" if moment.date() == today else moment.strftime("%d %b")
    return f"{day} {moment:%H:%M} ({rel})"


# -- the admin screen ---------------------------------------------------------------


class AdminScreen(QWidget):
    """The admin: a PIN pad first, then the panel.

    Signals:
        closed(): back to the kiosk (Back, Cancel on the PIN pad, idle timeout, Reset).
        reset_requested(): clear the current visitor and return to the loop.
        exit_requested(): the admin confirmed Exit kiosk.
        sync_requested(): Sync now; the controller's sync worker reports back through
            `set_sync_status` and `set_sync_progress`.

    Methods in: `open()`, `refresh()`, `set_sync_status(text, busy)`,
    `set_sync_progress(done, total)`, `set_export_folder(path)`.
    The controller shows this widget; `open()` decides what it shows first.
    """

    closed = Signal()
    reset_requested = Signal()
    exit_requested = Signal()
    sync_requested = Signal()

    def __init__(
        self,
        store: Store,
        settings: Settings,
        content_dir: Path,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adminScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName("Admin")
        self._store = store
        self._settings = settings
        self._content_dir = Path(content_dir)
        self._clock = clock or time.time
        self._palette = Palette()
        self._metrics = Metrics(1920, 1080)
        self._portrait: bool | None = None
        self.guard = PinGuard(settings.data_dir, clock=self._clock)
        self.drive_finder: Callable[[], list[Drive]] = find_usb_drives
        """Where USB sticks come from (tests put a folder here)."""
        self._flow = "enter"
        self._new_pin: str | None = None
        self._stats: Stats | None = None
        self._chosen_folder: Path | None = None
        self._export: _ExportThread | None = None
        self._export_to_usb = False
        self._export_message = ""
        self._confirming: str | None = None
        self._watching = False

        self._idle = QTimer(self)
        self._idle.setObjectName("adminIdle")
        self._idle.setSingleShot(True)
        self._idle.setInterval(round(settings.admin_idle_s * 1000))
        self._idle.timeout.connect(self._on_idle)

        self._drive_poll = QTimer(self)
        self._drive_poll.setObjectName("adminDrivePoll")
        self._drive_poll.setInterval(2000)
        self._drive_poll.timeout.connect(self.refresh_drives)

        self.pad = PinPad(self, palette=self._palette)
        self.pad.entered.connect(self._on_pin)
        self.pad.cancelled.connect(self._on_pin_cancelled)

        self._panel = QWidget(self)
        self._panel.setObjectName("adminPanel")
        self._panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._build_panel()

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.pad)
        self._stack.addWidget(self._panel)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self._stack)
        self._apply_metrics(Metrics(1920, 1080))
        # Sized by the window it fills, never the other way round: the layout's
        # minimum at 1080p metrics must not stop it shrinking to a 1280×800 screen
        # (the metrics, and so the minimum, follow the size it is given).
        self.setMinimumSize(1, 1)

    # -- building ---------------------------------------------------------------

    def _build_panel(self) -> None:
        panel = self._panel
        header = QFrame(panel)
        header.setObjectName("adminHeader")
        self._title = QLabel("Admin", header)
        self._title.setObjectName("adminTitle")
        self._subtitle = QLabel(f"Kiosk {self._settings.device_id}", header)
        self._subtitle.setObjectName("adminSubtitle")
        self.back_button = _button("Back to kiosk", "header", header)
        self.back_button.clicked.connect(self._close)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self._title)
        titles.addWidget(self._subtitle)
        self._header_layout = QHBoxLayout(header)
        self._header_layout.addLayout(titles, 1)
        self._header_layout.addWidget(self.back_button)

        self._notice = QLabel("", panel)
        self._notice.setObjectName("notice")
        self._notice.setWordWrap(True)
        self._notice.setProperty("kind", "ok")
        self._notice.hide()

        # Counts
        self._stats_box = QWidget(panel)
        self._stats_grid = QGridLayout(self._stats_box)
        self._stats_grid.setContentsMargins(0, 0, 0, 0)
        self._cards = {
            "total": _StatCard("Total", "Total sign-ups", self._stats_box),
            "today": _StatCard("Today", "Sign-ups today", self._stats_box),
            "pending_sync": _StatCard("Not yet synced", "Not yet synced", self._stats_box),
            "unexported": _StatCard("Not yet exported", "Not yet exported", self._stats_box),
        }

        # Sync
        self._sync_card = QFrame(panel)
        self._sync_card.setObjectName("card")
        self._sync_heading = QLabel("Sync", self._sync_card)
        self._sync_heading.setObjectName("cardTitle")
        self._last_sync = QLabel("", self._sync_card)
        self._last_sync.setWordWrap(True)
        self._last_error = QLabel("", self._sync_card)
        self._last_error.setObjectName("syncError")
        self._last_error.setProperty("error", False)
        self._last_error.setWordWrap(True)
        self._sync_status = QLabel("", self._sync_card)
        self._sync_status.setObjectName("muted")
        self._sync_status.setWordWrap(True)
        self._sync_status.hide()
        self._sync_bar = QProgressBar(self._sync_card)
        self._sync_bar.setTextVisible(False)
        self._sync_bar.setAccessibleName("Sync progress")
        self._sync_bar.hide()
        self.sync_button = _button("Sync now", "secondary", self._sync_card)
        self.sync_button.clicked.connect(self._on_sync_clicked)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self._sync_heading)
        for w in (self._sync_status, self._last_sync, self._last_error):
            texts.addWidget(w)
        texts.addWidget(self._sync_bar)
        sync_row = QHBoxLayout(self._sync_card)
        sync_row.addLayout(texts, 1)
        sync_row.addWidget(self.sync_button, 0, Qt.AlignmentFlag.AlignVCenter)

        # Chart
        self._chart_card = QFrame(panel)
        self._chart_card.setObjectName("card")
        chart_title = QLabel("Sign-ups per hour today", self._chart_card)
        chart_title.setObjectName("cardTitle")
        self.chart = HourlyChart(self._palette, self._chart_card)
        chart_layout = QVBoxLayout(self._chart_card)
        chart_layout.addWidget(chart_title)
        chart_layout.addWidget(self.chart, 1)

        # Export
        self._export_card = QFrame(panel)
        self._export_card.setObjectName("card")
        export_title = QLabel("Export sign-ups", self._export_card)
        export_title.setObjectName("cardTitle")
        self._format_group = QButtonGroup(self._export_card)
        self._format_group.setExclusive(True)
        formats = QHBoxLayout()
        self._format_buttons: dict[str, QPushButton] = {}
        for key, label in EXPORT_FORMATS:
            button = _button(label, "segment", self._export_card, f"Format {label}")
            button.setCheckable(True)
            button.setProperty("fmt", key)
            self._format_group.addButton(button)
            self._format_buttons[key] = button
            formats.addWidget(button)
        self._format_buttons["csv"].setChecked(True)
        dest_label = QLabel("Save to", self._export_card)
        dest_label.setObjectName("fieldLabel")
        self.choose_button = _button("Choose folder…", "secondary", self._export_card)
        self.choose_button.clicked.connect(self._choose_folder)
        dest_row = QHBoxLayout()
        dest_row.addWidget(dest_label, 1)
        dest_row.addWidget(self.choose_button)
        self.destinations = QListWidget(self._export_card)
        self.destinations.setObjectName("destinations")
        self.destinations.setAccessibleName("Export destinations")
        self.destinations.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.destinations.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.destinations.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.destinations.setWordWrap(True)
        self.destinations.currentRowChanged.connect(lambda _row: self._update_export_button())
        self.export_button = _button("Export", "primary", self._export_card)
        self.export_button.clicked.connect(self.start_export)
        self._export_bar = QProgressBar(self._export_card)
        self._export_bar.setTextVisible(False)
        self._export_bar.setAccessibleName("Export progress")
        self._export_bar.hide()
        self._export_result = _ResultLabel(self._export_card)
        self._export_result.setObjectName("result")
        self._export_result.setWordWrap(True)
        self._export_result.setProperty("kind", "ok")
        self._export_result.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        export_layout = QVBoxLayout(self._export_card)
        export_layout.addWidget(export_title)
        export_layout.addLayout(formats)
        export_layout.addLayout(dest_row)
        export_layout.addWidget(self.destinations, 1)
        export_layout.addWidget(self.export_button)
        export_layout.addWidget(self._export_bar)
        export_layout.addWidget(self._export_result)
        self._export_layout = export_layout

        self._body = QWidget(panel)
        self._body_grid = QGridLayout(self._body)
        self._body_grid.setContentsMargins(0, 0, 0, 0)

        # Footer: the actions, or a confirmation strip in their place.
        self._footer = QFrame(panel)
        self._footer.setObjectName("footer")
        self._wipe_hint = QLabel(
            "Wipe data unlocks once every sign-up is exported or synced.", self._footer
        )
        self._wipe_hint.setObjectName("muted")
        self._wipe_hint.setWordWrap(True)
        self.reset_button = _button("Reset kiosk", "secondary", self._footer)
        self.reset_button.clicked.connect(self._on_reset)
        self.change_pin_button = _button("Change PIN", "secondary", self._footer)
        self.change_pin_button.clicked.connect(self._start_change_pin)
        self.exit_button = _button("Exit kiosk", "secondary", self._footer)
        self.exit_button.clicked.connect(lambda: self._confirm("exit"))
        self.wipe_button = _button("Wipe data", "danger", self._footer)
        self.wipe_button.clicked.connect(lambda: self._confirm("wipe"))
        for b in (self.reset_button, self.change_pin_button, self.exit_button, self.wipe_button):
            # Equal shares of the row, whatever the label: the grid sizes them, not the text.
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._footer_grid = QGridLayout(self._footer)

        self._confirm_strip = QFrame(panel)
        self._confirm_strip.setObjectName("confirm")
        self._confirm_text = QLabel("", self._confirm_strip)
        self._confirm_text.setObjectName("confirmText")
        self._confirm_text.setWordWrap(True)
        self.wipe_input = QLineEdit(self._confirm_strip)
        self.wipe_input.setObjectName("wipeInput")
        self.wipe_input.setAccessibleName("Type WIPE to confirm")
        self.wipe_input.setPlaceholderText("type WIPE")
        self.wipe_input.setMaxLength(len(WIPE_WORD))
        self.wipe_input.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.wipe_input.textChanged.connect(self._on_wipe_text)
        self._letter_buttons: list[QPushButton] = []
        letters = QHBoxLayout()
        letters.addWidget(self.wipe_input)
        for letter in dict.fromkeys(WIPE_WORD):
            button = _button(letter, "letter", self._confirm_strip, f"Letter {letter}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, ch=letter: self._type_letter(ch))
            self._letter_buttons.append(button)
            letters.addWidget(button)
        erase = _button("⌫", "letter", self._confirm_strip, "Delete letter")
        erase.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        erase.clicked.connect(lambda: self.wipe_input.setText(self.wipe_input.text()[:-1]))
        self._letter_buttons.append(erase)
        letters.addWidget(erase)
        self._wipe_letters = QWidget(self._confirm_strip)
        self._wipe_letters.setLayout(letters)
        letters.setContentsMargins(0, 0, 0, 0)
        self.confirm_cancel = _button("Cancel", "secondaryDark", self._confirm_strip)
        self.confirm_cancel.clicked.connect(self._end_confirm)
        self.confirm_button = _button("Confirm", "primary", self._confirm_strip)
        self.confirm_button.clicked.connect(self._on_confirmed)
        strip = QVBoxLayout(self._confirm_strip)
        strip.addWidget(self._confirm_text)
        self._strip_row = QHBoxLayout()
        self._strip_row.addWidget(self._wipe_letters)
        self._strip_row.addStretch(1)
        self._strip_actions = QHBoxLayout()
        self._strip_actions.addStretch(1)
        self._strip_actions.addWidget(self.confirm_cancel)
        self._strip_actions.addWidget(self.confirm_button)
        strip.addLayout(self._strip_row)
        self._confirm_strip.hide()

        self._panel_layout = QVBoxLayout(panel)
        self._panel_layout.setContentsMargins(0, 0, 0, 0)
        self._panel_layout.setSpacing(0)
        self._panel_layout.addWidget(header)
        self._content = QVBoxLayout()
        self._content.addWidget(self._notice)
        self._content.addWidget(self._body, 1)
        self._panel_layout.addLayout(self._content, 1)
        self._panel_layout.addWidget(self._footer)
        self._panel_layout.addWidget(self._confirm_strip)

    def _reflow(self, portrait: bool) -> None:
        if portrait == self._portrait:
            return
        self._portrait = portrait
        grid = self._body_grid
        for w in (self._stats_box, self._sync_card, self._chart_card, self._export_card):
            grid.removeWidget(w)
        for i in range(4):
            grid.setRowStretch(i, 0)
            grid.setColumnStretch(i, 0)
        if portrait:
            grid.addWidget(self._stats_box, 0, 0)
            grid.addWidget(self._sync_card, 1, 0)
            grid.addWidget(self._chart_card, 2, 0)
            grid.addWidget(self._export_card, 3, 0)
            grid.setRowStretch(2, 1)
        else:
            grid.addWidget(self._stats_box, 0, 0)
            grid.addWidget(self._sync_card, 1, 0)
            grid.addWidget(self._chart_card, 2, 0)
            grid.addWidget(self._export_card, 0, 1, 3, 1)
            grid.setColumnStretch(0, 11)
            grid.setColumnStretch(1, 8)
            grid.setRowStretch(2, 1)
        if not self._stats_grid.count():
            for i, card in enumerate(self._cards.values()):
                self._stats_grid.addWidget(card, 0, i)
                self._stats_grid.setColumnStretch(i, 1)
        # Portrait is too narrow for the letters and the two buttons side by side.
        strip = self._confirm_strip.layout()
        strip.removeItem(self._strip_actions)
        self._strip_row.removeItem(self._strip_actions)
        (strip if portrait else self._strip_row).addLayout(self._strip_actions)
        footer = self._footer_grid
        buttons = (self.reset_button, self.change_pin_button, self.exit_button, self.wipe_button)
        for w in (self._wipe_hint, *buttons):
            footer.removeWidget(w)
        for i in range(5):
            footer.setColumnStretch(i, 0)
        if portrait:
            footer.addWidget(self._wipe_hint, 0, 0, 1, 4)
            for i, b in enumerate(buttons):
                footer.addWidget(b, 1, i)
                footer.setColumnStretch(i, 1)
        else:
            footer.addWidget(self._wipe_hint, 0, 0)
            footer.setColumnStretch(0, 4)
            for i, b in enumerate(buttons):
                footer.addWidget(b, 0, i + 1)
                footer.setColumnStretch(i + 1, 3)

    def _apply_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self._reflow(m.portrait)
        self.pad.set_metrics(m)
        self.chart.set_metrics(m)
        gap = m.px(24)
        margin = m.px(48)
        self._header_layout.setContentsMargins(margin, m.px(20), margin, m.px(20))
        self._content.setContentsMargins(margin, m.px(32), margin, m.px(24))
        self._content.setSpacing(gap)
        self._body_grid.setSpacing(gap)
        self._stats_grid.setSpacing(gap)
        self._footer_grid.setContentsMargins(margin, m.px(24), margin, m.px(24))
        self._footer_grid.setHorizontalSpacing(m.px(20))
        self._footer_grid.setVerticalSpacing(m.px(16))
        pad = m.px(28)
        for card in (self._sync_card, self._chart_card, self._export_card):
            card.layout().setContentsMargins(pad, m.px(22), pad, pad)
            card.layout().setSpacing(m.px(16))
        for card in self._cards.values():
            card.layout().setContentsMargins(pad, m.px(18), pad, m.px(18))
            card.layout().setSpacing(m.px(2))
        self._confirm_strip.layout().setContentsMargins(margin, m.px(24), margin, m.px(24))
        self._confirm_strip.layout().setSpacing(m.px(16))
        self.wipe_input.setFixedWidth(m.px(220))
        self.destinations.setMinimumHeight(round(m.touch * 1.6))
        touch = m.touch
        for b in self._panel.findChildren(QPushButton):
            b.setMinimumHeight(touch)
        for b in self._letter_buttons:
            b.setFixedSize(touch, touch)
        self.wipe_input.setFixedHeight(touch)
        for b in (self.reset_button, self.change_pin_button, self.exit_button, self.wipe_button):
            b.setMinimumWidth(m.px(200))
        self.setStyleSheet(self._style_sheet(m))

    def _style_sheet(self, m: Metrics) -> str:
        p = self._palette
        line = "#DCE2EA"
        soft_ink = "#42536A"  # 7:1 on white: captions stay readable
        border = max(2, m.px(3))
        radius = m.px(20)
        header_down = QColor(p.primary).lighter(160).name()
        return f"""
        QWidget#adminPanel {{ background: {p.surface}; }}
        QLabel {{ font-family: "{FAMILY}"; font-size: {m.body_px}px; color: {p.ink}; }}
        QFrame#adminHeader {{ background: {p.primary}; }}
        QLabel#adminTitle {{ color: {p.text}; font-size: {m.px(48)}px; font-weight: 700; }}
        QLabel#adminSubtitle {{ color: {p.muted}; font-size: {m.small_px + 2}px; }}
        QLabel#notice {{ background: #E7F4EC; color: #1E5E3A; font-weight: 600;
            border-radius: {m.px(14)}px; padding: {m.px(14)}px {m.px(22)}px; }}
        QLabel#notice[kind="error"] {{ background: #FBE9E7; color: #8E2A1F; }}
        QFrame#card, QFrame#statCard {{ background: #FFFFFF; border: 1px solid {line};
            border-radius: {radius}px; }}
        QFrame#statCard[attention="true"] {{ border: {border}px solid {p.accent}; }}
        QLabel#statValue {{ font-family: "{DISPLAY_FAMILY}"; font-size: {m.px(76)}px;
            font-weight: 700; color: {p.primary}; }}
        QLabel#statCaption {{ font-size: {m.body_px - 2}px; color: {soft_ink}; }}
        QLabel#cardTitle {{ font-size: {m.px(34)}px; font-weight: 700; color: {p.primary}; }}
        QLabel#fieldLabel {{ font-weight: 600; color: {soft_ink}; }}
        QLabel#muted {{ color: {soft_ink}; }}
        QLabel#syncError {{ color: {soft_ink}; }}
        QLabel#syncError[error="true"] {{ color: {p.danger}; font-weight: 600; }}
        QLabel#result {{ font-weight: 600; color: #1E5E3A; }}
        QLabel#result[kind="error"] {{ color: {p.danger}; }}
        QLabel#result[kind="busy"] {{ color: {soft_ink}; }}
        QPushButton {{ font-family: "{FAMILY}"; font-size: {m.body_px}px; font-weight: 600;
            border-radius: {m.px(16)}px; padding: 0 {m.px(20)}px; }}
        QPushButton[role="primary"] {{ background: {p.accent}; color: {p.ink}; border: none; }}
        QPushButton[role="primary"]:pressed {{ background: {QColor(p.accent).darker(115).name()}; }}
        QPushButton[role="primary"]:disabled {{ background: #E6E9EE; color: #8A96A8; }}
        QPushButton[role="secondary"], QPushButton[role="segment"] {{ background: #FFFFFF;
            color: {p.primary}; border: {border}px solid {p.primary}; }}
        QPushButton[role="secondary"]:pressed, QPushButton[role="segment"]:pressed {{
            background: #E4EAF2; }}
        QPushButton[role="segment"] {{ padding: 0 {m.px(12)}px; }}
        QPushButton[role="segment"]:checked {{ background: {p.primary}; color: {p.text}; }}
        QPushButton[role="segment"]:disabled {{ color: #8A96A8; border-color: #C5CDD8; }}
        QPushButton[role="segment"]:checked:disabled {{ background: #C5CDD8; color: #FFFFFF; }}
        QPushButton[role="secondary"]:disabled {{ color: #8A96A8; border-color: #C5CDD8; }}
        QPushButton[role="danger"] {{ background: #FFFFFF; color: {p.danger};
            border: {border}px solid {p.danger}; }}
        QPushButton[role="danger"]:pressed {{ background: #FBE9E7; }}
        QPushButton[role="danger"]:disabled {{ color: #A9B2BF; border-color: #D5DAE1; }}
        QPushButton[role="header"] {{ background: transparent; color: {p.text};
            border: {border}px solid {p.text}; }}
        QPushButton[role="header"]:pressed {{ background: {header_down}; }}
        QFrame#footer {{ background: #FFFFFF; border-top: 1px solid {line}; }}
        QFrame#confirm {{ background: {p.primary}; }}
        QFrame#confirm QLabel#confirmText {{ color: {p.text}; font-size: {m.px(34)}px;
            font-weight: 600; }}
        QPushButton[role="secondaryDark"] {{ background: transparent; color: {p.text};
            border: {border}px solid {p.text}; }}
        QPushButton[role="letter"] {{ background: #FFFFFF; color: {p.ink}; border: none;
            font-size: {m.px(36)}px; font-weight: 700; padding: 0; }}
        QPushButton[role="letter"]:pressed {{ background: {p.accent}; }}
        QPushButton[role="dangerSolid"] {{ background: {p.danger}; color: #FFFFFF; border: none; }}
        QPushButton[role="dangerSolid"]:disabled {{ background: #5B6B82; color: #B8C3D3; }}
        QLineEdit#wipeInput {{ font-family: "{FAMILY}"; font-size: {m.px(36)}px;
            font-weight: 700; letter-spacing: {m.px(6)}px; color: {p.ink}; background: #FFFFFF;
            border: {border}px solid {p.accent}; border-radius: {m.px(14)}px; }}
        QListWidget#destinations {{ font-family: "{FAMILY}"; font-size: {m.body_px - 2}px;
            color: {p.ink}; background: {p.surface}; border: 1px solid {line};
            border-radius: {m.px(14)}px; padding: {m.px(6)}px; outline: none; }}
        QListWidget#destinations::item {{ padding: {m.px(14)}px {m.px(16)}px;
            border-radius: {m.px(10)}px; margin: {m.px(3)}px 0; }}
        QListWidget#destinations::item:selected {{ background: {p.primary}; color: {p.text}; }}
        QListWidget#destinations::item:disabled {{ color: #6B7A8F; }}
        QProgressBar {{ background: #E4EAF2; border: none; border-radius: {m.px(6)}px;
            min-height: {m.px(12)}px; max-height: {m.px(12)}px; }}
        QProgressBar::chunk {{ background: {p.accent}; border-radius: {m.px(6)}px; }}
        QScrollBar:vertical {{ width: {m.px(14)}px; background: transparent; }}
        QScrollBar::handle:vertical {{ background: #B7C1CF; border-radius: {m.px(7)}px;
            min-height: {m.px(40)}px; }}
        QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
        """

    # -- opening, PIN flows -----------------------------------------------------------

    @property
    def idle_ms(self) -> int:
        """Milliseconds without input before the admin closes itself (tests shorten it)."""
        return self._idle.interval()

    @idle_ms.setter
    def idle_ms(self, value: int) -> None:
        self._idle.setInterval(int(value))

    @property
    def showing_panel(self) -> bool:
        return self._stack.currentWidget() is self._panel

    def open(self) -> None:
        """Start at the PIN pad (or choosing a first PIN); the panel comes after the PIN."""
        self._end_confirm()
        self._notice.hide()
        self._new_pin = None
        try:
            pin_set = has_pin(self._settings.data_dir)
        except SettingsError as exc:
            pin_set = True  # never offer to choose a PIN over an unreadable one
            self._start_flow("enter")
            self.pad.set_message(str(exc), error=True)
        else:
            self._start_flow("enter" if pin_set else "first_choose")
        self._stack.setCurrentWidget(self.pad)
        self._restart_idle()

    def _start_flow(self, flow: str) -> None:
        self._flow = flow
        mode = {
            "enter": "enter",
            "first_choose": "choose",
            "first_confirm": "confirm",
            "change_current": "current",
            "change_choose": "choose",
            "change_confirm": "confirm",
        }[flow]
        self.pad.set_mode(mode)
        if flow == "first_choose":
            self.pad.set_message("No admin PIN yet — choose one to protect this panel.")
        if flow in ("enter", "change_current"):
            wait = self.guard.locked_for()
            if wait > 0:
                self.pad.set_locked(wait)
            else:
                self.pad.set_locked(0)
        else:
            self.pad.set_locked(0)
        self._stack.setCurrentWidget(self.pad)
        self.pad.setFocus()

    def _on_pin(self, pin: str) -> None:
        flow = self._flow
        if flow in ("enter", "change_current"):
            self._check_pin(pin, flow)
        elif flow in ("first_choose", "change_choose"):
            try:
                PinPolicy.check(pin)
            except SettingsError as exc:
                self.pad.set_message(_sentence(str(exc)), error=True)
                return
            self._new_pin = pin
            self._start_flow("first_confirm" if flow == "first_choose" else "change_confirm")
        elif flow in ("first_confirm", "change_confirm"):
            first = flow == "first_confirm"
            if pin != self._new_pin:
                self._new_pin = None
                self._start_flow("first_choose" if first else "change_choose")
                self.pad.set_message("Those two PINs were different — choose again.", error=True)
                return
            self._new_pin = None
            try:
                set_pin(self._settings.data_dir, pin)
            except (SettingsError, OSError) as exc:
                log.error("admin PIN could not be saved: %s", type(exc).__name__)
                self._start_flow("first_choose" if first else "change_choose")
                self.pad.set_message(f"The PIN could not be saved: {exc}", error=True)
                return
            self._show_panel("Admin PIN set." if first else "PIN changed.")

    def _check_pin(self, pin: str, flow: str) -> None:
        try:
            result = self.guard.attempt(pin)
        except SettingsError as exc:
            if not has_pin(self._settings.data_dir) and flow == "enter":
                self._start_flow("first_choose")
            else:
                self.pad.set_message(_sentence(str(exc)), error=True)
            return
        if result.ok:
            if flow == "enter":
                self._show_panel(None)
            else:
                self._start_flow("change_choose")
        elif result.status == "locked":
            self.pad.set_locked(result.locked_s)
        else:
            tries = "1 try" if result.tries_left == 1 else f"{result.tries_left} tries"
            self.pad.set_message(f"Wrong PIN — {tries} left", error=True)

    def _on_pin_cancelled(self) -> None:
        self._new_pin = None
        if self._flow.startswith("change_"):
            self._show_panel(None)
        else:
            self._close()

    def _start_change_pin(self) -> None:
        self._end_confirm()
        self._start_flow("change_current")

    def _show_panel(self, notice: str | None) -> None:
        self._stack.setCurrentWidget(self._panel)
        self.refresh()
        self.refresh_drives()
        self._show_notice(notice)
        if self.isVisible():
            self._drive_poll.start()
        self.back_button.setFocus()

    def _show_notice(self, text: str | None, error: bool = False) -> None:
        if not text:
            self._notice.hide()
            return
        self._notice.setText(text)
        _restyle(self._notice, "kind", "error" if error else "ok")
        self._notice.show()

    # -- the panel's data -------------------------------------------------------------

    def refresh(self) -> None:
        """Read the counts and the chart again from the store."""
        try:
            stats = self._store.stats()
            hourly = self._store.hourly_counts()
        except KioskError as exc:
            self._stats = None
            for card in self._cards.values():
                card.set_value(None)
            self._show_notice(f"The sign-ups can't be read: {exc}", error=True)
            self.wipe_button.setEnabled(False)
            return
        self._stats = stats
        self._cards["total"].set_value(stats.total)
        self._cards["today"].set_value(stats.today)
        self._cards["pending_sync"].set_value(stats.pending_sync, stats.pending_sync > 0)
        self._cards["unexported"].set_value(stats.unexported, stats.unexported > 0)
        now = self._clock()
        self.chart.set_counts(hourly, datetime.fromtimestamp(now).hour)
        self._last_sync.setText(f"Last sync: {_when(stats.last_sync_at, now)}")
        error = stats.last_sync_error
        if stats.parked:
            error = f"{error or 'refused'} ({stats.parked:,} held back until fixed)"
        if error and len(error) > 140:  # the card has room for about three lines
            error = error[:139] + "…"
        self._last_error.setText(f"Last error: {error}" if error else "Last error: none")
        _restyle(self._last_error, "error", bool(error))
        self._subtitle.setText(
            f"Kiosk {self._settings.device_id} · {stats.total:,} sign-ups stored"
        )
        self._update_wipe_button()

    def _wipe_allowed(self) -> bool:
        s = self._stats
        # Per sign-up: each one exported or synced (an imported one is never synced here).
        return s is not None and s.unsaved_elsewhere == 0

    def _update_wipe_button(self) -> None:
        allowed = self._wipe_allowed()
        self.wipe_button.setEnabled(allowed)
        self._wipe_hint.setText(
            "Everything is exported or synced — wiping is allowed."
            if allowed
            else "Wipe data unlocks once every sign-up is exported or synced."
        )
        self.wipe_button.setAccessibleDescription(self._wipe_hint.text())

    def set_sync_status(self, text: str, busy: bool) -> None:
        """The controller's sync worker reports here (any thread's signal, queued to ours)."""
        self._sync_status.setText(text)
        self._sync_status.setVisible(bool(text))
        self.sync_button.setEnabled(not busy)
        self.sync_button.setText("Syncing…" if busy else "Sync now")
        if not busy:
            self._sync_bar.hide()
            if self.showing_panel:
                self.refresh()

    def set_sync_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self._sync_bar.setRange(0, 0)
        else:
            self._sync_bar.setRange(0, total)
            self._sync_bar.setValue(min(done, total))
        self._sync_bar.setVisible(done < total or total <= 0)
        if total > 0:
            self._sync_status.setText(f"Sent {done:,} of {total:,}")
            self._sync_status.show()

    def _on_sync_clicked(self) -> None:
        self.sync_requested.emit()

    # -- export ---------------------------------------------------------------------

    def refresh_drives(self) -> None:
        """Scan for USB sticks again, keeping the chosen destination selected."""
        current = self._current_drive()
        try:
            drives = self.drive_finder()
        except OSError as exc:
            log.warning("USB scan failed: %s", exc.strerror)
            drives = []
        if self._chosen_folder is not None and all(d.path != self._chosen_folder for d in drives):
            drives.append(
                Drive(
                    self._chosen_folder,
                    self._chosen_folder.name or str(self._chosen_folder),
                    False,
                    _free(self._chosen_folder),
                )
            )
        listed = [
            self.destinations.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.destinations.count())
        ]
        if listed == drives:
            return
        self.destinations.blockSignals(True)
        self.destinations.clear()
        select = 0
        for index, drive in enumerate(drives):
            item = QListWidgetItem(drive.describe())
            item.setData(Qt.ItemDataRole.UserRole, drive)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, drive.describe())
            self.destinations.addItem(item)
            if current is not None and drive.path == current.path:
                select = index
        if not drives:
            item = QListWidgetItem("No USB stick found — plug one in, or choose a folder.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.destinations.addItem(item)
        else:
            self.destinations.setCurrentRow(select)
        self.destinations.blockSignals(False)
        self._update_export_button()

    def set_export_folder(self, path: Path) -> None:
        """Export into `path` (the "Choose folder…" result, or a test's tmp folder)."""
        self._chosen_folder = Path(path)
        self.refresh_drives()
        for i in range(self.destinations.count()):
            drive = self.destinations.item(i).data(Qt.ItemDataRole.UserRole)
            if drive is not None and drive.path == self._chosen_folder:
                self.destinations.setCurrentRow(i)
        self._update_export_button()

    def _current_drive(self) -> Drive | None:
        item = self.destinations.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_export_button(self) -> None:
        busy = self._export is not None
        self.export_button.setEnabled(not busy and self._current_drive() is not None)

    def _choose_folder(self) -> None:
        # Non-native: a kiosk has no desktop, and the system dialog may not even appear.
        dialog = QFileDialog(self._panel, "Choose a folder for the export")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.setFont(font(self._metrics.body_px))
        dialog.resize(round(self.width() * 0.8), round(self.height() * 0.8))
        dialog.fileSelected.connect(lambda chosen: self.set_export_folder(Path(chosen)))
        dialog.open()

    @property
    def export_format(self) -> str:
        button = self._format_group.checkedButton()
        return button.property("fmt") if button is not None else "csv"

    def set_export_format(self, fmt: str) -> None:
        self._format_buttons[fmt].setChecked(True)

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def start_export(self) -> None:
        """Export every sign-up to the selected destination, on a worker thread."""
        drive = self._current_drive()
        if drive is None or self._export is not None:
            return
        self._export_to_usb = drive.removable
        thread = _ExportThread(
            self._store,
            self.export_format,
            drive.path,
            must_be_mount=drive.removable,
            columns=export_columns(self._content_dir),
        )
        thread.progressed.connect(self._on_export_progress)
        thread.succeeded.connect(self._on_export_done)
        thread.failed.connect(self._on_export_failed)
        thread.finished.connect(self._on_export_finished)
        self._export = thread
        self._export_bar.setRange(0, 0)
        self._export_bar.show()
        self._set_result("Exporting…", "busy")
        self.export_button.setText("Exporting…")
        for button in self._format_buttons.values():
            button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self._update_export_button()
        self._idle.stop()  # never close on the admin while their file is being written
        log.info("export started (%s)", self.export_format)
        thread.start()

    def _on_export_progress(self, done: int, total: int) -> None:
        if total > 0:
            self._export_bar.setRange(0, total)
            self._export_bar.setValue(min(done, total))
            self._set_result(f"Exporting… {done:,} of {total:,}", "busy")
        else:
            self._set_result(f"Exporting… {done:,}", "busy")

    def _on_export_done(self, outcome: _ExportOutcome) -> None:
        noun = "sign-up" if outcome.count == 1 else "sign-ups"
        safe = " — safe to remove the stick" if self._export_to_usb else ""
        self._set_result(f"Saved {outcome.count:,} {noun} to {outcome.path}{safe}", "ok")
        # On screen: the sentence, then the path on one line, shortened in the middle
        # (a full path wraps into four lines at 1280×800).
        self._export_result.set_parts(f"Saved {outcome.count:,} {noun}{safe}", outcome.path)

    def _on_export_failed(self, message: str) -> None:
        self._set_result(f"Not exported: {message}", "error")

    def _on_export_finished(self) -> None:
        thread, self._export = self._export, None
        if thread is not None:
            thread.deleteLater()
        self._export_bar.hide()
        self.export_button.setText("Export")
        for button in self._format_buttons.values():
            button.setEnabled(True)
        self.choose_button.setEnabled(True)
        self._update_export_button()
        self.refresh()
        if self.isVisible():
            self._restart_idle()

    def _set_result(self, text: str, kind: str) -> None:
        self._export_message = text
        self._export_result.set_parts(text, None)
        self._export_result.setAccessibleName(text)
        _restyle(self._export_result, "kind", kind)

    @property
    def export_message(self) -> str:
        """The last export's outcome in full, e.g. "Saved 312 sign-ups to /media/… — safe to…"."""
        return self._export_message

    def wait_for_export(self, timeout_ms: int = 30000) -> bool:
        """Block until a running export ends (shutdown); True when none is left running."""
        thread = self._export
        return thread is None or thread.wait(timeout_ms)

    # -- confirmations: exit and wipe ------------------------------------------------

    def _confirm(self, action: str) -> None:
        self._confirming = action
        self.wipe_input.setText("")
        if action == "exit":
            self._confirm_text.setText(
                "Exit the kiosk? Visitors will see the computer's desktop until it is "
                "started again."
            )
            self._wipe_letters.hide()
            self.confirm_button.setText("Exit kiosk")
            self.confirm_button.setAccessibleName("Confirm exit kiosk")
            _restyle(self.confirm_button, "role", "primary")
            self.confirm_button.setEnabled(True)
        else:
            total = self._stats.total if self._stats else 0
            self._confirm_text.setText(
                f"Delete all {total:,} sign-ups from this kiosk for good? "
                f"Type {WIPE_WORD} to confirm."
            )
            self._wipe_letters.show()
            self.confirm_button.setText("Wipe data")
            self.confirm_button.setAccessibleName("Confirm wipe data")
            _restyle(self.confirm_button, "role", "dangerSolid")
            self.confirm_button.setEnabled(False)
        self._footer.hide()
        self._confirm_strip.show()
        if action == "wipe":
            self.wipe_input.setFocus()
        else:
            self.confirm_cancel.setFocus()

    def _end_confirm(self) -> None:
        self._confirming = None
        self.wipe_input.setText("")
        self._confirm_strip.hide()
        self._footer.show()

    def _type_letter(self, letter: str) -> None:
        if len(self.wipe_input.text()) < len(WIPE_WORD):
            self.wipe_input.setText(self.wipe_input.text() + letter)

    def _on_wipe_text(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            self.wipe_input.setText(upper)
            return
        if self._confirming == "wipe":
            self.confirm_button.setEnabled(upper == WIPE_WORD)

    def _on_confirmed(self) -> None:
        action = self._confirming
        if action == "exit":
            self._end_confirm()
            log.info("exit confirmed in admin")
            self.exit_requested.emit()
        elif action == "wipe" and self.wipe_input.text() == WIPE_WORD:
            self._end_confirm()
            self._wipe()

    def _wipe(self) -> None:
        self.refresh()  # the rule is checked on fresh counts, not on what was on screen
        if not self._wipe_allowed():
            self._show_notice(
                "Not wiped: some sign-ups are neither exported nor synced. Export first.", True
            )
            return
        total = self._stats.total if self._stats else 0
        try:
            self._store.wipe()
        except KioskError as exc:
            self._show_notice(f"Not wiped: {exc}", error=True)
            return
        log.warning("admin wiped %d sign-ups", total)
        self.refresh()
        self._show_notice(f"Wiped {total:,} sign-ups from this kiosk.")

    def _on_reset(self) -> None:
        log.info("kiosk reset from admin")
        self.reset_requested.emit()
        self._close()

    # -- idle and closing -------------------------------------------------------------

    def _restart_idle(self) -> None:
        if self._export is None:
            self._idle.start()

    def _on_idle(self) -> None:
        log.info("admin closed after %d s idle", self.idle_ms // 1000)
        self._close()

    def _close(self) -> None:
        self._idle.stop()
        self._drive_poll.stop()
        self._end_confirm()
        self._new_pin = None
        self.pad.reset()
        self._stack.setCurrentWidget(self.pad)
        self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Installed on the application while shown: child widgets get the input,
        # and any touch or key anywhere counts as the admin still being there.
        if event.type() in _INPUT_EVENTS and self._idle.isActive():
            self._idle.start()
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        size = event.size()
        if (size.width(), size.height()) != (self._metrics.width, self._metrics.height):
            self._apply_metrics(Metrics(max(1, size.width()), max(1, size.height())))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True
        if self.showing_panel:
            self._drive_poll.start()

    def hideEvent(self, event) -> None:
        self._idle.stop()
        self._drive_poll.stop()
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False
        super().hideEvent(event)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


# -- how the admin is opened -------------------------------------------------------------


class AdminEntry(QObject):
    """Watches for the admin hotkey and for five quick taps in the top-left corner.

    Signals:
        requested(): the hotkey was pressed or the corner tapped five times within 3 s.

    Taps are only watched, never consumed: the kiosk still reacts to every one.
    """

    requested = Signal()

    taps_needed = 5
    window_s = 3.0
    corner_px_at_1080p = 120

    def __init__(
        self,
        window: QWidget,
        hotkey: str,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._clock = clock
        self._taps: deque[float] = deque()
        self._last_stamp: int | None = None
        sequence = _key_sequence(hotkey)
        self.hotkey = sequence.toString(QKeySequence.SequenceFormat.PortableText)
        self._shortcut = QShortcut(sequence, window)
        self._shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self._shortcut.activated.connect(self.requested)
        QApplication.instance().installEventFilter(self)

    def corner_size(self) -> int:
        """Side of the top-left square that counts as the corner, in window pixels."""
        w, h = self._window.width(), self._window.height()
        return max(60, round(self.corner_px_at_1080p * min(w, h) / 1080))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self._on_tap(event.timestamp(), event.globalPosition().toPoint())
        elif kind == QEvent.Type.TouchBegin and event.points():
            self._on_tap(event.timestamp(), event.points()[0].globalPosition().toPoint())
        return False

    def _on_tap(self, stamp: int, global_pos) -> None:
        # One physical tap reaches several receivers (the window, the widget, its
        # parents; a touch and the mouse press made from it) with one timestamp.
        if stamp and stamp == self._last_stamp:
            return
        self._last_stamp = stamp
        if not self._window.isVisible():
            return
        local = self._window.mapFromGlobal(global_pos)
        size = self.corner_size()
        if not (0 <= local.x() < size and 0 <= local.y() < size):
            self._taps.clear()
            return
        now = self._clock()
        self._taps.append(now)
        while self._taps and now - self._taps[0] > self.window_s:
            self._taps.popleft()
        if len(self._taps) >= self.taps_needed:
            self._taps.clear()
            log.info("admin requested by corner taps")
            self.requested.emit()


def _key_sequence(hotkey: str) -> QKeySequence:
    sequence = QKeySequence.fromString(hotkey or "", QKeySequence.SequenceFormat.PortableText)
    valid = sequence.count() > 0 and all(
        sequence[i].key() != Qt.Key.Key_unknown for i in range(sequence.count())
    )
    if not valid:
        log.warning("admin.hotkey %r is not a key combination; using %s", hotkey, DEFAULT_HOTKEY)
        sequence = QKeySequence.fromString(DEFAULT_HOTKEY, QKeySequence.SequenceFormat.PortableText)
    return sequence

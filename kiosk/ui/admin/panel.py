"""The Admin screen: the PIN step, then a panel that composes the cards and wires them.

Each card lives in its own module and knows nothing of the others; this module
only places them (three tabs: Overview, Export, Find) and passes data between
them and the store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.content import export_columns
from kiosk.errors import KioskError
from kiosk.funnel import today_funnel
from kiosk.settings import Settings
from kiosk.store import Stats, Store
from kiosk.ui.admin.common import PlainLabel, plural, restyle, style_sheet
from kiosk.ui.admin.counts import ChartCard, CountsRow
from kiosk.ui.admin.danger import DangerZone
from kiosk.ui.admin.export_card import ExportCard
from kiosk.ui.admin.find_card import FindCard
from kiosk.ui.admin.folders import FolderPicker
from kiosk.ui.admin.funnel_card import FunnelCard
from kiosk.ui.admin.layout import TABS, Header, Overview
from kiosk.ui.admin.pin import PinFlow
from kiosk.ui.admin.sync_card import SyncCard
from kiosk.ui.theme import Metrics, Palette

log = logging.getLogger(__name__)

_INPUT_EVENTS = (
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove,
    QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.Wheel,
)


class AdminScreen(QWidget):
    """The admin: a PIN pad first, then the panel.

    Signals:
        closed(): back to the kiosk (Back, Cancel on the PIN pad, idle timeout, Reset).
        reset_requested(): clear the current visitor and return to the loop.
        exit_requested(): the admin confirmed Exit kiosk.
        sync_requested(): Sync now; the controller's sync worker reports back through
            `set_sync_status` and `set_sync_progress`.
        setup_needed(): there is no admin PIN; the controller shows set-up.

    Methods in: `open()`, `refresh()`, `set_sync_status(text, busy)`,
    `set_sync_progress(done, total)`, `set_sync_available(on, reason)`,
    `set_export_folder(path)`, `show_tab(key)`.
    """

    closed = Signal()
    reset_requested = Signal()
    exit_requested = Signal()
    sync_requested = Signal()
    setup_needed = Signal()

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
        self._stats: Stats | None = None
        self._watching = False

        self._idle = QTimer(self)
        self._idle.setObjectName("adminIdle")
        self._idle.setSingleShot(True)
        self._idle.setInterval(round(settings.admin_idle_s * 1000))
        self._idle.timeout.connect(self._on_idle)

        self.pin = PinFlow(settings.data_dir, self._palette, self, clock=self._clock)
        self.pin.unlocked.connect(lambda: self._show_panel(None))
        self.pin.changed.connect(lambda: self._show_panel("PIN changed."))
        self.pin.cancelled.connect(self._on_pin_cancelled)
        self.pin.setup_needed.connect(self._on_setup_needed)

        self._panel = QWidget(self)
        self._panel.setObjectName("adminPanel")
        self._panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._build_panel()

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.pin)
        self._stack.addWidget(self._panel)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self._stack)
        self.set_sync_available(bool(settings.sync_url or settings.sync_folder))
        self._apply_metrics(Metrics(1920, 1080))
        # Sized by the window it fills, never the other way round.
        self.setMinimumSize(1, 1)

    # -- building ---------------------------------------------------------------

    def _build_panel(self) -> None:
        panel = self._panel
        self.header = Header(panel)
        self.header.subtitle.setText(f"Kiosk {self._settings.device_id}")
        self.header.back.connect(self._close)
        self.header.tab_chosen.connect(self.show_tab)
        self.back_button = self.header.back_button
        self.tab_buttons = self.header.tabs

        # Not transient: the content pack stays broken until someone fixes it.
        self.pack_problem = PlainLabel("", panel)
        self.pack_problem.setObjectName("packProblem")
        self.pack_problem.setWordWrap(True)
        self.pack_problem.hide()

        self._notice = PlainLabel("", panel)
        self._notice.setObjectName("notice")
        self._notice.setWordWrap(True)
        self._notice.setProperty("kind", "ok")
        self._notice.hide()

        # Overview: counts, chart, funnel, sync, and the danger zone under them.
        self.counts = CountsRow(panel)
        self.chart_card = ChartCard(self._palette, panel)
        self.funnel_card = FunnelCard(self._palette, panel)
        self.sync_card = SyncCard(panel)
        self.sync_card.sync_requested.connect(self._on_sync_clicked)
        self._overview = Overview(
            self.counts, self.chart_card, self.funnel_card, self.sync_card, panel
        )

        # Export: the card, or the folder picker in its place.
        self.export_card = ExportCard(self._store, lambda: export_columns(self._content_dir), panel)
        self.export_card.choose_folder.connect(self._open_picker)
        self.export_card.busy_changed.connect(self._on_export_busy)
        self.export_card.exported.connect(self.refresh)
        self.picker = FolderPicker(panel)
        self.picker.chosen.connect(self._on_folder_chosen)
        self.picker.cancelled.connect(lambda: self._export_stack.setCurrentWidget(self.export_card))
        self._export_stack = QStackedWidget(panel)
        self._export_stack.addWidget(self.export_card)
        self._export_stack.addWidget(self.picker)

        # Find a sign-up, and withdraw one.
        self.find_card = FindCard(self._store, self._palette, clock=self._clock, parent=panel)
        self.find_card.withdrawn.connect(self._on_withdrawn)

        self._pages = QStackedWidget(panel)
        self._pages.addWidget(self._overview)
        self._pages.addWidget(self._export_stack)
        self._pages.addWidget(self.find_card)

        self.danger = DangerZone(panel)
        self.danger.reset_requested.connect(self._on_reset)
        self.danger.change_pin_requested.connect(self._start_change_pin)
        self.danger.exit_confirmed.connect(self._on_exit)
        self.danger.wipe_confirmed.connect(self._wipe)

        self._content = QVBoxLayout()
        self._content.addWidget(self.pack_problem)
        self._content.addWidget(self._notice)
        self._content.addWidget(self._pages, 1)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addLayout(self._content, 1)
        layout.addWidget(self.danger)
        self.tab_buttons["overview"].setChecked(True)

    def _apply_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self.pin.set_metrics(m)
        margin = m.px(40)
        self._content.setContentsMargins(margin, m.px(24), margin, m.px(20))
        self._content.setSpacing(m.px(20))
        for part in (
            self.header,
            self._overview,
            self.counts,
            self.chart_card,
            self.funnel_card,
            self.sync_card,
            self.export_card,
            self.picker,
            self.find_card,
            self.danger,
        ):
            part.set_metrics(m)
        self.setStyleSheet(style_sheet(self._palette, m))

    # -- opening and the PIN -------------------------------------------------------

    @property
    def pad(self):
        return self.pin.pad

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

    @property
    def current_tab(self) -> str:
        return TABS[self._pages.currentIndex()][0]

    def open(self) -> None:
        """Start at the PIN pad; the panel comes after the PIN."""
        self.danger.end_confirm()
        self._show_notice(None)
        self._stack.setCurrentWidget(self.pin)
        self._restart_idle()
        self.pin.start_enter()  # may hand over to set-up (and stop the idle timer)

    def _on_setup_needed(self) -> None:
        self._idle.stop()
        self.setup_needed.emit()

    def _on_pin_cancelled(self) -> None:
        if self.pin.step in ("current", "choose", "confirm"):
            self._show_panel(None)
        else:
            self._close()

    def _start_change_pin(self) -> None:
        self.danger.end_confirm()
        self._stack.setCurrentWidget(self.pin)
        self.pin.start_change()

    def _show_panel(self, notice: str | None) -> None:
        self._stack.setCurrentWidget(self._panel)
        self.show_tab("overview")
        self._show_notice(notice)
        self.back_button.setFocus()

    def show_tab(self, key: str) -> None:
        """Show one tab: "overview", "export" or "find" (a later action clears any notice)."""
        index = [k for k, _ in TABS].index(key)
        self.tab_buttons[key].setChecked(True)
        self._show_notice(None)
        self.danger.end_confirm()
        self._pages.setCurrentIndex(index)
        for i in range(self._pages.count()):
            # A stack is as tall as its tallest page unless the hidden ones are ignored.
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self._pages.widget(i).setSizePolicy(policy, policy)
        self.danger.setVisible(key == "overview")
        # The pack's problem is told on the Overview; Find needs the room for its keyboard.
        self.pack_problem.setVisible(key == "overview" and bool(self.pack_problem.text()))
        if key != "export":
            self.export_card.clear_message()
        if key == "export" and self.isVisible():
            self.export_card.start_polling()
        else:
            self.export_card.stop_polling()
        if key == "find":
            self.find_card.begin()
        else:
            self.find_card.end()
        self.refresh()

    def _show_notice(self, text: str | None, error: bool = False) -> None:
        if not text:
            self._notice.hide()
            return
        self._notice.setText(text)
        restyle(self._notice, "kind", "error" if error else "ok")
        self._notice.show()

    # -- data -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the counts, the chart and the funnel again from the store."""
        now = self._clock()
        try:
            stats = self._store.stats()
            hourly = self._store.hourly_counts()
            funnel = today_funnel(self._store)  # the store's day, like its counts
        except KioskError as exc:
            self._stats = None
            self.counts.show_stats(None)
            self._show_notice(f"The sign-ups can't be read: {exc}", error=True)
            self.danger.set_wipe_allowed(False, 0)
            return
        self._stats = stats
        self.counts.show_stats(stats)
        self.chart_card.chart.set_counts(hourly, datetime.fromtimestamp(now).hour)
        self.funnel_card.set_funnel(funnel)
        self.sync_card.show_stats(stats, now)
        self.header.subtitle.setText(
            f"Kiosk {self._settings.device_id} · {plural(stats.total, 'sign-up')} stored"
        )
        # Per sign-up: each one exported or synced (an imported one is never synced here).
        self.danger.set_wipe_allowed(stats.unsaved_elsewhere == 0, stats.total)

    def set_content_problem(self, problems: list[str] | None, *, last_good: bool = True) -> None:
        """The configured content pack is broken: say so at the top of the panel."""
        if not problems:
            self.pack_problem.setText("")
            self.pack_problem.hide()
            return
        first = problems[0] if len(problems[0]) <= 80 else problems[0][:79] + "…"
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        showing = (
            "showing the last pack that worked" if last_good else "visitors see the problem screen"
        )
        self.pack_problem.setText(f"Content pack needs fixing — {first}{more}; {showing}.")
        self.pack_problem.setToolTip("\n".join(problems[:20]))
        self.pack_problem.setAccessibleDescription(
            f"{len(problems)} problems; run “kiosk check” on the pack to see them all"
        )
        self.pack_problem.setVisible(self.current_tab == "overview")

    def set_sync_available(self, available: bool, reason: str | None = None) -> None:
        if reason:
            self.sync_card.set_available(available, reason)
        else:
            self.sync_card.set_available(available)

    def set_sync_status(self, text: str, busy: bool) -> None:
        """The controller's sync worker reports here (any thread's signal, queued to ours)."""
        self.sync_card.set_status(text, busy)
        if not busy and self.showing_panel:
            self.refresh()

    def set_sync_progress(self, done: int, total: int) -> None:
        self.sync_card.set_progress(done, total)

    def _on_sync_clicked(self) -> None:
        self._show_notice(None)
        self.sync_requested.emit()

    # -- export ---------------------------------------------------------------------

    @property
    def drive_finder(self):
        return self.export_card.drive_finder

    @drive_finder.setter
    def drive_finder(self, finder) -> None:
        self.export_card.drive_finder = finder
        self.export_card.refresh_drives()

    @property
    def exporting(self) -> bool:
        return self.export_card.exporting

    @property
    def export_message(self) -> str:
        """The last export's outcome in full, e.g. "Saved 312 sign-ups to /media/… — safe to…"."""
        return self.export_card.message

    def set_export_folder(self, path: Path) -> None:
        self.export_card.set_export_folder(path)

    def wait_for_export(self, timeout_ms: int = 30000) -> bool:
        """Block until a running export ends (shutdown); True when none is left running."""
        return self.export_card.wait(timeout_ms)

    def _open_picker(self) -> None:
        # USB sticks first, then the home folder; never "/" nor the data folder.
        sticks = [d for d in self.export_card.drive_finder() if d.removable]
        places = [(d.describe(), d.path) for d in sticks]
        places.append(("Home folder on this computer", Path.home()))
        self.picker.start_places(places, exclude=Path(self._settings.data_dir))
        self._export_stack.setCurrentWidget(self.picker)

    def _on_folder_chosen(self, folder: Path) -> None:
        self._export_stack.setCurrentWidget(self.export_card)
        self.export_card.set_export_folder(folder)

    def _on_export_busy(self, busy: bool) -> None:
        if busy:
            self._idle.stop()  # never close on the admin while their file is being written
        elif self.isVisible():
            self._restart_idle()

    # -- find and withdraw -------------------------------------------------------------

    def _on_withdrawn(self, ref: str) -> None:
        self.refresh()

    # -- danger zone -------------------------------------------------------------------

    def _on_exit(self) -> None:
        log.info("exit confirmed in admin")
        self.exit_requested.emit()

    def _wipe(self) -> None:
        self.refresh()  # the rule is checked on fresh counts, not on what was on screen
        stats = self._stats
        if stats is None or stats.unsaved_elsewhere:
            self._show_notice(
                "Not wiped: some sign-ups are neither exported nor synced. Export first.", True
            )
            return
        try:
            self._store.wipe()
        except KioskError as exc:
            self._show_notice(f"Not wiped: {exc}", error=True)
            return
        from kiosk.exporting.staging import clean_recorded

        clean_recorded(Path(self._settings.data_dir))  # a killed export's half-written file
        log.warning("admin wiped %d sign-ups", stats.total)
        self.refresh()
        self._show_notice(f"Wiped {plural(stats.total, 'sign-up')} from this kiosk.")

    def _on_reset(self) -> None:
        log.info("kiosk reset from admin")
        self.reset_requested.emit()
        self._close()

    # -- idle and closing -------------------------------------------------------------

    def _restart_idle(self) -> None:
        if not self.export_card.exporting:
            self._idle.start()

    def _on_idle(self) -> None:
        log.info("admin closed after %d s idle", self.idle_ms // 1000)
        self._close()

    def _close(self) -> None:
        self._idle.stop()
        self.export_card.stop_polling()
        self.find_card.end()
        self.danger.end_confirm()
        self._export_stack.setCurrentWidget(self.export_card)
        self.pin.pad.reset()
        self._stack.setCurrentWidget(self.pin)
        self.closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Installed on the application while shown: any touch or key anywhere
        # counts as the admin still being there.
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
        if self.showing_panel and self.current_tab == "export":
            self.export_card.start_polling()

    def hideEvent(self, event) -> None:
        self._idle.stop()
        self.export_card.stop_polling()
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False
        super().hideEvent(event)

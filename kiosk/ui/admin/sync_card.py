"""The sync card: last sync, last error, progress, and Sync now (disabled, with why, when off)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from kiosk.store import Stats
from kiosk.ui.admin.common import Card, PlainLabel, button, plural, restyle, when
from kiosk.ui.theme import Metrics

OFF_REASON = "Sync is off: this kiosk has no office address or sync folder."

# Volunteers read these; setting names mean nothing to them.
_PLAIN = (
    (re.compile(r"\bsync\.url\b"), "the office address"),
    (re.compile(r"\bsync\.folder\b"), "the sync folder"),
    (re.compile(r"\bsync\.secret\b|\bKIOSK_SYNC_SECRET\b"), "the sync password"),
    (re.compile(r"\bsync\.timeout_s\b"), "the sync time limit"),
    (re.compile(r"\bsync\.interval_s\b"), "the sync interval"),
)


def plain_words(text: str) -> str:
    """A sync message with setting names replaced by what they are."""
    for pattern, words in _PLAIN:
        text = pattern.sub(words, text)
    return text


class SyncCard(Card):
    """Signals: sync_requested() — Sync now was pressed."""

    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sync", parent)
        self._available = True
        self.status = PlainLabel("", self)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.hide()
        self.last_sync = PlainLabel("", self)
        self.last_sync.setWordWrap(True)
        self.last_error = PlainLabel("", self)
        self.last_error.setObjectName("syncError")
        self.last_error.setProperty("error", False)
        self.last_error.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Sync progress")
        self.bar.hide()
        self.button = button("Sync now", "secondary", self)
        self.button.clicked.connect(self.sync_requested)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        for w in (self.status, self.last_sync, self.last_error, self.bar):
            texts.addWidget(w)
        row = QHBoxLayout()
        row.addLayout(texts, 1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.body.addLayout(row)

    def set_metrics(self, m: Metrics) -> None:
        super().set_metrics(m)
        self.button.setMinimumSize(m.px(220), m.touch)

    def show_stats(self, stats: Stats | None, now: float) -> None:
        if stats is None:
            return
        last = f"Last sync: {when(stats.last_sync_at, now)}"
        error = plain_words(stats.last_sync_error or "")
        if stats.parked:
            error = (
                f"{error or 'refused'} ({plural(stats.parked, 'sign-up')} held back until fixed)"
            )
        if len(error) > 140:  # the card has room for about three lines
            error = error[:139] + "…"
        # One line when all is well; the error, when there is one, on its own in red.
        self.last_sync.setText(last if error else f"{last} · no errors")
        self.last_error.setText(f"Last error: {error}" if error else "")
        self.last_error.setVisible(bool(error))
        restyle(self.last_error, "error", bool(error))

    def set_available(self, available: bool, reason: str = OFF_REASON) -> None:
        """Sync is set up (or not): when not, Sync now is disabled and says why."""
        self._available = available
        self.button.setEnabled(available)
        self.button.setAccessibleDescription("" if available else plain_words(reason))
        if not available:
            self.set_status(reason, False)

    def set_status(self, text: str, busy: bool) -> None:
        text = plain_words(text)
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.button.setEnabled(self._available and not busy)
        self.button.setText("Syncing…" if busy else "Sync now")
        if not busy:
            self.bar.hide()

    def set_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        self.bar.setVisible(done < total or total <= 0)
        if total > 0:
            self.status.setText(f"Sent {done:,} of {total:,}")
            self.status.show()

"""The kiosk's one window, and what it shows when the content pack is broken.

Light on purpose: `kiosk run` shows this window and the first slide before the
rest of the kiosk (database, forms, validation libraries) is even imported.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.theme import Metrics, font
from kiosk.ui.widgets import ScaledWidget

log = logging.getLogger(__name__)

PROBLEM_TITLE = "This kiosk's content needs fixing"


class KioskWindow(QWidget):
    """The one top-level window. In kiosk mode it cannot be closed except by `allow_close`.

    Signals:
        close_blocked(): a close/Alt+F4/Escape was refused (for logging and tests).
    """

    close_blocked = Signal()
    content_problem: list[str] | None = None  # the configured pack's problems, if it broke

    def __init__(self, *, kiosk_mode: bool) -> None:
        super().__init__()
        self.kiosk_mode = kiosk_mode
        self.allow_close = not kiosk_mode
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setWindowTitle("Freedom Kiosk")
        if kiosk_mode:
            # No frame and always on top: with no window manager (bare X, cage)
            # the window is placed exactly over the screen it is given.
            self.setWindowFlags(
                Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close:
            event.accept()
            return
        event.ignore()
        self.close_blocked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.kiosk_mode and (
            event.key() == Qt.Key.Key_Escape
            or (
                event.key() == Qt.Key.Key_F4 and event.modifiers() & Qt.KeyboardModifier.AltModifier
            )
        ):
            self.close_blocked.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def place_on_screen(self, index: int) -> None:
        screens = QGuiApplication.screens()
        screen = screens[min(max(index, 0), len(screens) - 1)]
        if index >= len(screens):
            log.warning("screen %d not found; using screen %d", index, len(screens) - 1)
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()


class ProblemScreen(ScaledWidget):
    """Shown instead of the slides when the content pack is broken: never a crash loop.

    A normal screen of the kiosk window, so Admin opens over it (export, sync, exit).
    Each problem shows with its file name and key path; the folder is left out.
    """

    shown_max = 8

    def __init__(self, title: str, problems: list[str]) -> None:
        super().__init__(backdrop="#0B2545")
        self.setObjectName("problem")
        self.setAccessibleName(title)
        self.problems = list(problems)
        layout = QVBoxLayout(self)
        self._heading = QLabel(title)
        self._heading.setWordWrap(True)
        self._intro = QLabel(
            "The story can't be shown until the content pack is fixed. "
            "Sign-ups already saved are safe."
        )
        self._intro.setWordWrap(True)
        shown = [_short(p) for p in problems[: self.shown_max]]
        if len(problems) > self.shown_max:
            shown.append(f"… and {len(problems) - self.shown_max} more")
        self._details = QLabel("\n".join(shown))
        self._details.setObjectName("problemList")
        self._details.setWordWrap(True)
        self._hint = QLabel(
            "Staff: open Admin to export, sync or exit. "
            "“kiosk check” on a computer lists every problem."
        )
        self._hint.setWordWrap(True)
        for label in (self._heading, self._intro, self._details, self._hint):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            label.setStyleSheet("color: #FFFFFF;")
            layout.addWidget(label)
        layout.addStretch(1)

    def _apply_style(self, m: Metrics) -> None:
        self._heading.setFont(font(m.px(64), QFont.Weight.Bold))
        self._intro.setFont(font(m.px(34)))
        self._details.setFont(font(m.px(28)))
        self._hint.setFont(font(m.px(30), QFont.Weight.DemiBold))
        self._details.setStyleSheet(
            f"color: #FFFFFF; background: rgba(255,255,255,24); border-radius: {m.px(12)}px;"
            f" padding: {m.px(20)}px {m.px(28)}px;"
        )

    def _relayout(self) -> None:
        m = self._metrics
        # The admin corner (top right) stays clear: text starts below it.
        self.layout().setContentsMargins(m.margin, max(m.margin, m.px(140)), m.margin, m.margin)
        self.layout().setSpacing(m.px(28))


def _short(problem: str) -> str:
    """`/long/folder/content.pl.toml: slides[2].caption: ...` as `content.pl.toml: ...`."""
    head, sep, rest = problem.partition(": ")
    line = f"{Path(head).name}{sep}{rest}" if sep and "/" in head else problem
    return line if len(line) <= 240 else line[:237] + "…"

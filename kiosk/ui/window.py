"""The kiosk's one window, and what it shows when the content pack is broken.

Light on purpose: `kiosk run` shows this window and the first slide before the
rest of the kiosk (database, forms, validation libraries) is even imported.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.theme import font

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


class ProblemScreen(QWidget):
    """Shown instead of the slides when the content pack is broken: never a crash loop."""

    def __init__(self, title: str, problems: list[str]) -> None:
        super().__init__()
        self.setObjectName("problem")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet("QWidget#problem { background: #0B2545; } QLabel { color: #FFFFFF; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 80, 80, 80)
        heading = QLabel(title)
        heading.setFont(font(56, QFont.Weight.Bold))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        shown = problems[:12] + ([f"… and {len(problems) - 12} more"] if len(problems) > 12 else [])
        details = QLabel("\n".join(shown))
        details.setFont(font(26))
        details.setWordWrap(True)
        details.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(details)
        hint = QLabel("Please ask the kiosk admin. Run “kiosk check” to see every problem.")
        hint.setFont(font(30, QFont.Weight.DemiBold))
        layout.addWidget(hint)
        layout.addStretch(1)

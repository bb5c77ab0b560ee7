"""The visitor's reach settings, one state object every visitor screen reads.

Today: large text (1.5×) and high contrast (7:1 or more), switched together by one
"Aa" control on every visitor screen (EN 301 549 5.1.4; WCAG 1.4.3/1.4.6). The
choice lasts until the visitor leaves: the controller calls `reset()` on every
return to the loop. The visitor's language lives here too: `language_changed(code)`
tells the controller to give every visitor screen the pack in that language.

    state = reach()                 # the shared instance
    state.changed.connect(restyle)  # screens re-read it
    state.text(px)                  # a font size, scaled for large text
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

LARGE_TEXT = 1.5


def direction(code: str) -> Qt.LayoutDirection:
    """How language `code`'s script runs: right to left for Arabic, Hebrew, Persian, Urdu."""
    return QLocale(code).textDirection()


def back_arrow(code: str) -> str:
    """ "Back" points the way the language reads from: left, or right in right to left."""
    return "→" if direction(code) == Qt.LayoutDirection.RightToLeft else "←"


def next_arrow(code: str) -> str:
    return "←" if direction(code) == Qt.LayoutDirection.RightToLeft else "→"


class Reach(QObject):
    """Large text and high contrast for the current visitor.

    Signals:
        changed(): `enhanced` switched; screens restyle and lay out again.
        language_changed(str): the visitor chose another language (its code).
    """

    changed = Signal()
    language_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._enhanced = False
        self._language = "en"
        self.default_language = "en"
        """What `reset()` returns to: the pack's default (the controller sets it)."""
        self.languages: list[tuple[str, str]] = []
        """(code, own name) of every language the pack speaks."""

    def set_languages(self, languages: list[tuple[str, str]], default: str) -> None:
        """The pack's languages (code, own name) and its default; language buttons follow."""
        self.languages = list(languages)
        self.default_language = default
        self.language_changed.emit(self._language)

    @property
    def language(self) -> str:
        """The visitor's language code (en, ga, pl, uk)."""
        return self._language

    def set_language(self, code: str) -> None:
        if code != self._language:
            self._language = code
            self.language_changed.emit(code)

    @property
    def enhanced(self) -> bool:
        """Large text and high contrast are on."""
        return self._enhanced

    @property
    def text_scale(self) -> float:
        return LARGE_TEXT if self._enhanced else 1.0

    @property
    def contrast(self) -> bool:
        return self._enhanced

    def text(self, px: float) -> int:
        """A font size in pixels, scaled for large text."""
        return round(px * self.text_scale)

    def set_enhanced(self, on: bool) -> None:
        if on != self._enhanced:
            self._enhanced = on
            self.changed.emit()

    def toggle(self) -> None:
        self.set_enhanced(not self._enhanced)

    def reset(self) -> None:
        """Back to the defaults for the next visitor."""
        self.set_enhanced(False)
        self.set_language(self.default_language)

    # Colours that change with contrast (text on white, text on the brand colour).
    def subtle_ink(self, ink: str) -> str:
        """Secondary text on white: 7:1 normally, the ink itself in high contrast."""
        return ink if self._enhanced else "#4A5B73"

    def on_brand(self, normal: str, text: str) -> str:
        """Secondary text on the brand colour: `normal`, or full `text` in high contrast."""
        return text if self._enhanced else normal


_state: Reach | None = None


def reach() -> Reach:
    """The one Reach every screen shares (made on first use)."""
    global _state
    if _state is None:
        _state = Reach(QApplication.instance())
    return _state


class ReachButton(QPushButton):
    """The "Aa" control: switches large text and high contrast for this visitor.

    Styled by the screen that holds it (object name "reachButton"); checked while on.
    """

    def __init__(self, label: str = "Aa", name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.setObjectName("reachButton")
        self.setCheckable(True)
        self.setAccessibleName(name or "Larger text and stronger contrast")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        state = reach()
        self.setChecked(state.enhanced)
        self.clicked.connect(lambda: state.set_enhanced(self.isChecked()))
        state.changed.connect(self._follow)

    def _follow(self) -> None:
        self.setChecked(reach().enhanced)

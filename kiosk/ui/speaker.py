"""Read aloud (SPEC 11, EN 301 549 5.1.3.1): a speaker button beside "Aa" on every
visitor screen reads that screen in the visitor's language; a second tap stops.

The speech engine (kiosk/speech.py) is looked up once, the event loop turn after the
first paint, and its voices are listed on the first press: nothing of it runs at
start-up. With no engine installed the buttons stay hidden. A screen offers its words
through one method, `spoken_parts() -> list[str]`; the helpers below build them.

    reader()                      the shared state: engine, what is being read
    SpeakerButton(screen, parent) the control (object name "reachButton", like "Aa")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from kiosk.content import Content, Slide
from kiosk.ui.reach import reach
from kiosk.ui.slide_paint import format_stat
from kiosk.ui.widgets import AfterFirstPaint

if TYPE_CHECKING:
    from kiosk.speech import Engine

POLL_MS = 300  # how often a reading is checked for its end (only while reading)


class Spoken(Protocol):
    """A screen with a speaker button."""

    content: Content

    def spoken_parts(self) -> list[str]: ...


class Reader(QObject):
    """Read aloud for the whole kiosk: the engine, and which button's text is being read.

    Signals:
        changed(): the engine was looked up, a reading started or ended, or a voice
            turned out to be missing; buttons show, hide and relabel themselves.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine: Engine | None = None
        self._looked_up = False
        self._listed = False  # the engine has been asked for its voices (first press)
        self._used = False  # this visitor has pressed a speaker button
        self._by: QObject | None = None  # the button whose screen is being read
        self._poll = QTimer(self)
        self._poll.setObjectName("speech-poll")
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_done)
        reach().language_changed.connect(lambda _code: self.stop())

    @property
    def looked_up(self) -> bool:
        return self._looked_up

    @property
    def available(self) -> bool:
        """An engine is installed (False until it has been looked up)."""
        return self._engine is not None

    def look_up(self) -> None:
        """Find the engine (a PATH search, no process), once."""
        if self._looked_up:
            return
        from kiosk import speech  # subprocess and friends: never on the start path

        self._looked_up = True
        self._engine = speech.find_engine()
        self.changed.emit()

    def look_up_after_paint(self, widget: QWidget) -> None:
        """Look the engine up on the event loop turn after `widget` first paints."""
        if not self._looked_up:
            AfterFirstPaint(widget, self.look_up)

    def voice_missing(self, language: str) -> bool:
        """The engine is known (after a first press) to have no voice for `language`."""
        return self._listed and self._engine is not None and not self._engine.voice_for(language)

    def reading(self, by: QObject | None = None) -> bool:
        """Something is being read (for the button `by`, if given)."""
        return self._by is not None and (by is None or self._by is by)

    def read(self, parts: Sequence[str], language: str, by: QObject) -> bool:
        """Read `parts` as one utterance in `language`; False if nothing could be read."""
        from kiosk.speech import spoken

        engine = self._engine
        if engine is None:
            return False
        self._listed = self._used = True
        text = spoken(parts)
        started = bool(text) and bool(engine.voice_for(language)) and engine.say(text, language)
        self._by = by if started else None
        if started:
            self._poll.start()
        else:
            self._poll.stop()
        self.changed.emit()
        return started

    def read_if_used(self, parts: Sequence[str], by: QObject) -> None:
        """Read `parts` only if this visitor has been using read aloud (the idle question)."""
        if self._used and self._engine is not None:
            self.read(parts, reach().language, by)

    def stop(self) -> None:
        """Stop reading now (a second tap, the visitor leaving, another language)."""
        self._poll.stop()
        if self._by is None:
            return
        self._by = None
        if self._engine is not None:
            self._engine.stop()
        self.changed.emit()

    def new_visitor(self) -> None:
        """Stop, and forget that this visitor used read aloud."""
        self.stop()
        self._used = False

    def _check_done(self) -> None:
        if self._engine is None or not self._engine.speaking():
            self._poll.stop()
            self._by = None
            self.changed.emit()

    def use(self, engine: Engine | None, *, looked_up: bool = True) -> None:
        """Use `engine` as if it had been found (tests, screenshots); a fresh start."""
        self.stop()
        self._engine, self._looked_up = engine, looked_up
        self._listed = self._used = False
        self.changed.emit()


_reader: Reader | None = None


def reader() -> Reader:
    """The one Reader every speaker button shares (made on first use)."""
    global _reader
    if _reader is None:
        _reader = Reader(QApplication.instance())
    return _reader


class SpeakerButton(QPushButton):
    """Reads `screen.spoken_parts()` aloud in the visitor's language; a second tap stops.

    Hidden until the engine is found (and for good without one); disabled, and named
    so, in a language the engine has no voice for. Styled by the screen like "Aa"
    (object name "reachButton"); it draws its own glyph in `ink` (the screen's button
    text colour) and, when checked or `pressed_inverts` and down, in the brand colour.
    `relayout` is called when the button appears, so the screen can make room.
    """

    def __init__(
        self,
        screen: Spoken,
        parent: QWidget | None = None,
        *,
        relayout: Callable[[], None] | None = None,
        ink: str = "",
        pressed_inverts: bool = False,
    ) -> None:
        super().__init__(parent)
        self._screen = screen
        self._relayout = relayout
        self._ink = ink
        self._pressed_inverts = pressed_inverts
        self.setObjectName("reachButton")
        self.setProperty("speaker", True)
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.clicked.connect(self._tap)
        state = reader()
        state.changed.connect(self.refresh)
        # Queued: the screen takes the new language's words first (the loop keeps its widget).
        reach().language_changed.connect(self._on_language, Qt.ConnectionType.QueuedConnection)
        self.setVisible(False)
        self._building = True  # the screen is still being built: no relayout yet
        self.refresh()
        self._building = False
        state.look_up_after_paint(screen)  # type: ignore[arg-type]

    def _tap(self) -> None:
        state = reader()
        if state.reading(self):
            state.stop()
        else:
            state.read(self._screen.spoken_parts(), reach().language, self)
        self.refresh()

    def stop(self) -> None:
        """Stop reading, if this button's screen is being read."""
        if reader().reading(self):
            reader().stop()

    @Slot(str)
    def _on_language(self, _code: str) -> None:
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Follow the reader and the visitor's language (and the screen's words)."""
        state = reader()
        reading = state.reading(self)
        missing = state.voice_missing(reach().language)
        self.setChecked(reading)
        self.setEnabled(not missing)
        key = (
            "reach.stop_reading" if reading else "reach.no_voice" if missing else "reach.read_aloud"
        )
        self.setAccessibleName(self._screen.content.text(key))
        shown = state.available
        if self.isHidden() == shown and (self.parentWidget() is not None or not shown):
            self.setVisible(shown)  # never a window of its own
            if self._relayout is not None and not self._building:
                self._relayout()
                self.parentWidget().update()
        self.update()

    def sizeHint(self) -> QSize:
        side = max(self.minimumHeight(), super().sizeHint().height())
        return QSize(max(side, self.minimumWidth()), side)

    def hideEvent(self, event: object) -> None:
        self.stop()  # its screen was left: stop reading it
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # the screen's pill: background, border, focus
        brand = self._screen.content.brand
        active = self.isChecked() or (self._pressed_inverts and self.isDown())
        ink = QColor(brand.primary if active else (self._ink or brand.text))
        if not self.isEnabled():
            ink.setAlphaF(0.5)
        kind = "stop" if self.isChecked() else "mute" if not self.isEnabled() else "speaker"
        p = QPainter(self)
        side = min(self.width(), self.height()) * 0.5
        paint_speaker(p, kind, QRectF(self.rect()).center(), side, ink)
        p.end()


def paint_speaker(p: QPainter, kind: str, centre: QPointF, side: float, ink: QColor) -> None:
    """A speaker `side` pixels across: with sound waves, crossed out ("mute"), or a stop square."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    cx, cy, s = centre.x(), centre.y(), side
    if kind == "stop":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        p.drawRoundedRect(QRectF(cx - 0.3 * s, cy - 0.3 * s, 0.6 * s, 0.6 * s), 0.08 * s, 0.08 * s)
        p.restore()
        return
    x = cx - 0.12 * s  # the glyph's middle: the cone's mouth
    body = QPainterPath()
    body.moveTo(x - 0.36 * s, cy - 0.13 * s)
    body.lineTo(x - 0.2 * s, cy - 0.13 * s)
    body.lineTo(x + 0.04 * s, cy - 0.36 * s)
    body.lineTo(x + 0.04 * s, cy + 0.36 * s)
    body.lineTo(x - 0.2 * s, cy + 0.13 * s)
    body.lineTo(x - 0.36 * s, cy + 0.13 * s)
    body.closeSubpath()
    p.fillPath(body, ink)
    pen = QPen(ink, max(2.0, s * 0.09))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if kind == "mute":
        d = 0.13 * s
        mx = x + 0.3 * s
        p.drawLine(QPointF(mx - d, cy - d), QPointF(mx + d, cy + d))
        p.drawLine(QPointF(mx - d, cy + d), QPointF(mx + d, cy - d))
    else:
        for r in (0.2 * s, 0.38 * s):
            p.drawArc(QRectF(x + 0.04 * s - r, cy - r, 2 * r, 2 * r), -45 * 16, 90 * 16)
    p.restore()


# -- what each screen says ------------------------------------------------------------


def slide_parts(content: Content, slide: Slide) -> list[str]:
    """What a slide shows, in reading order, then the loop's call to action."""
    if slide.kind == "stat":
        number = format_stat(slide.value or 0, slide.prefix, slide.suffix)
        source = content.text("attract.source", source=slide.source) if slide.source else ""
        parts = [slide.headline, number, slide.caption, source]
    elif slide.kind == "quote":
        parts = [slide.body, slide.headline]
    else:
        parts = [slide.headline, slide.body]
    return [*parts, content.screens.attract_cta]


def involved_parts(content: Content) -> list[str]:
    """The heading, then each tile's title."""
    return [content.screens.involved_title, *(i.label for i in content.interests)]


def shown_texts(labels: Sequence[QLabel], within: QWidget) -> list[str]:
    """The text of each label that is shown on `within` and not empty, in order."""
    return [label.text() for label in labels if label.isVisibleTo(within) and label.text()]


def step_parts(step: QWidget, banner: QLabel, within: QWidget) -> list[str]:
    """A sign-up step's question, its hint, and any message it shows (a problem with a
    field, the reason Next cannot go on), then the screen's banner (a failed save)."""
    roles = ("steptitle", "stephint", "error", "reason")
    labels = [w for w in step.findChildren(QLabel) if w.property("role") in roles]
    labels.sort(key=lambda w: roles.index(w.property("role")))
    return shown_texts([*labels, banner], within)

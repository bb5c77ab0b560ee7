"""The attract loop's frames: pushes by scrolling, slides from cached pictures, a live number.

A push moves the leaving and the arriving slide by the same whole pixels, so a
frame scrolls what is already on screen and paints only the strip it uncovers,
from the arriving slide's picture (kiosk/ui/layers.py). A count-up repaints its
number only. The chrome is painted when it changes, never per frame. One picture
is kept: the current slide's, or the next one's once it has been drawn ahead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap, QRegion
from PySide6.QtWidgets import QWidget

from kiosk.ui.layers import Layer, LayerCache, Live, render_layer
from kiosk.ui.motion import ease_out
from kiosk.ui.theme import Metrics

if TYPE_CHECKING:
    from kiosk.ui.attract import AttractScreen


class SlideFrames:
    """Owned by an AttractScreen: what its frames draw, scroll and keep."""

    def __init__(self, screen: AttractScreen) -> None:
        self.screen = screen
        self.layers = LayerCache(keep=1)
        self.x: int | None = None  # where the arriving slide is on screen during a push

    # -- geometry -------------------------------------------------------------

    def moving_rect(self) -> QRect:
        """What frames repaint or scroll: the slide area above the progress dots."""
        s = self.screen
        return s._area().adjusted(0, 0, 0, -Metrics(s.width(), s.height()).px(8)).toAlignedRect()

    def push_x(self) -> int:
        """Where the arriving slide is now (whole pixels): the screen width at the start, 0 done."""
        s = self.screen
        transition = s._transition_s()
        t = ease_out(s._elapsed() / transition) if transition > 0 else 1.0
        return round(s.width() * s._direction * (1 - t))

    def key(self, index: int) -> tuple:
        s = self.screen
        area = s._area()
        slide = s.content.slides[index]
        return (index, id(slide), area.width(), area.height(), s.devicePixelRatioF())

    def next_prepared(self) -> bool:
        s = self.screen
        return self.key((s._index + 1) % len(s.content.slides)) in self.layers

    # -- what the screen calls --------------------------------------------------

    def start_push(self) -> None:
        """go_to: repaint only the chrome when the leaving slide is on screen at rest."""
        s = self.screen
        settled = self.x is None
        self.x = self.push_x()
        if settled:
            s.update(QRegion(s.rect()).subtracted(QRegion(self.moving_rect())))
        else:
            s.update()

    def stop(self) -> None:
        self.x = None

    def frame(self, counting: bool) -> None:
        """One animation frame (from tick): scroll the push on, or repaint the number."""
        s = self.screen
        area = self.moving_rect()
        if s._previous is not None and self.x is not None:
            if s._elapsed() >= s._transition_s():
                # The last frame: the slide at rest, whole (whatever was painted before).
                s._previous = self.x = None
                s.update(area)
            else:
                x = self.push_x()
                dx, self.x = x - self.x, x
                if dx:
                    s.scroll(dx, 0, area)
                    self._repaint_children(dx, area)
            return
        s._previous = self.x = None
        if counting:  # a count-up, up to and including its last frame
            s.update(self._live_rect() or area)

    def prepare_next(self) -> None:
        """Draw the next slide's picture while nothing moves, so its first frame is a blit."""
        s = self.screen
        self._layer((s._index + 1) % len(s.content.slides))

    def prepare_first(self) -> None:
        """Draw the first slide's picture while the loop is hidden, so the return to the
        loop (restart) is a blit. A change of words or text size meanwhile clears it."""
        self._layer(0)

    def paint(self, p: QPainter, dirty: QRegion, m: Metrics) -> bool:
        """The slides, where `dirty` reaches them; True when the chrome needs painting too."""
        s = self.screen
        area = s._area()
        slides = QRegion(self.moving_rect())
        whole = not dirty.subtracted(slides).isEmpty()
        if whole:
            # A flat fill: a full-screen gradient costs more than the whole slide, every frame.
            p.fillRect(s.rect(), QColor(s.content.brand.primary))
        if not dirty.intersects(slides):
            return whole
        elapsed = s._elapsed()
        # Slides stop above the progress dots: that strip never moves.
        p.save()
        p.setClipRect(self.moving_rect(), Qt.ClipOperation.IntersectClip)
        if s._previous is not None and self.x is not None and elapsed < s._transition_s():
            # A push, not a cross-fade: opacity triples the cost of painting text. At the
            # x tick() scrolled to, so any repaint agrees with what is on screen.
            shift = s.width() * s._direction
            self._draw_leaving(p, dirty, area, self.x - shift, m)
            self._draw(p, s._index, area, self.x, 0.0)
        else:
            progress = ease_out((elapsed - s._transition_s()) / s.count_up_s)
            self._draw(p, s._index, area, 0, progress)
        p.restore()
        return whole

    # -- inside -------------------------------------------------------------------

    def _repaint_children(self, dx: int, area: QRect) -> None:
        """Controls over the slides are not moved by a scroll, but their pixels were."""
        s = self.screen
        for child in s.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            box = child.geometry()
            if child.isVisible() and box.intersects(area):
                s.update(box)
                s.update(box.translated(dx, 0))

    def _live_rect(self) -> QRect | None:
        """What a count-up frame repaints: the number only, when its slide's picture is kept."""
        s = self.screen
        layer = self.layers.peek(self.key(s._index))
        if layer is None or layer.live is None:
            return None
        return layer.live.rect.translated(s._area().topLeft()).toAlignedRect()

    def _layer(self, index: int) -> Layer:
        """The slide's picture at rest (a count-up number left out), drawn once and kept."""
        s = self.screen
        slide = s.content.slides[index]

        def build(spare: QPixmap | None) -> Layer:
            area = s._area()
            m = Metrics(s.width(), s.height())

            def paint(painter: QPainter) -> Live | None:
                s._capture = []
                try:
                    box = QRectF(0, 0, area.width(), area.height())
                    s._paint_slide(painter, slide, box, m, count_progress=1.0)
                    return s._capture[0] if s._capture else None
                finally:
                    s._capture = None

            return render_layer(
                int(area.width()),
                int(area.height()),
                s.devicePixelRatioF(),
                QColor(s.content.brand.primary),
                paint,
                slide,
                spare,
            )

        return self.layers.get(self.key(index), build)

    def _draw_straight(
        self, p: QPainter, index: int, area: QRectF, dx: int, m: Metrics, progress: float
    ) -> None:
        s = self.screen
        p.save()
        p.setClipRect(area, Qt.ClipOperation.IntersectClip)
        p.fillRect(area, QColor(s.content.brand.primary))
        s._paint_slide(
            p, s.content.slides[index], area.translated(dx, 0), m, count_progress=progress
        )
        p.restore()

    def _draw_leaving(self, p: QPainter, dirty: QRegion, area: QRectF, dx: int, m: Metrics) -> None:
        """The leaving slide, where the repaint reaches it (a scroll's strip never does)."""
        index = self.screen._previous
        if index is None or not dirty.intersects(area.translated(dx, 0).toAlignedRect()):
            return
        if self.key(index) in self.layers:
            self._draw(p, index, area, dx, 1.0)
        else:  # drawn straight: the one picture kept is the arriving slide's
            self._draw_straight(p, index, area, dx, m, 1.0)

    def _draw(self, p: QPainter, index: int, area: QRectF, dx: int, progress: float) -> None:
        s = self.screen
        if dx <= -area.width() or dx >= area.width():
            return
        if index == s._index and self.key(index) not in self.layers and self.next_prepared():
            # A repaint at rest after the next slide was drawn ahead: keep that picture.
            self._draw_straight(p, index, area, dx, Metrics(s.width(), s.height()), progress)
            return
        layer = self._layer(index)
        p.drawPixmap(QPointF(area.left() + dx, area.top()), layer.pixmap)
        if layer.live is not None:
            slide = s.content.slides[index]
            p.setFont(layer.live.font)
            p.setPen(layer.live.colour)
            value = (slide.value or 0) * progress
            p.drawText(
                layer.live.rect.translated(area.left() + dx, area.top()),
                layer.live.flags,
                s.format_number(slide, value),
            )

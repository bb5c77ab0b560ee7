"""Touch semantics for every screen: a press that moves is a drag, never a tap.

The whole API:

    install_touch(widget)      every button in `widget` (now and added later) ignores drags
    make_kinetic(scroll_area)  the area scrolls by dragging, with momentum
    drag_threshold_px()        how far a press may move and still be a tap

A finger on a touchscreen wobbles and slides; Qt's buttons click on release anywhere
inside them, so a visitor scrolling or swiping across a consent box would tick it.
`install_touch` puts one event filter on the widget tree: once a press moves more than
a few millimetres it stops being a tap, the button is released without clicking, and
the rest of the gesture is left to whatever scrolls. Touch reaches widgets as
synthesised mouse events (Qt's default), so one filter covers mouse, pen and touch.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QEvent, QObject, QPointF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QScroller, QWidget

DRAG_MM = 4.0
"""A press that moves further than this (millimetres) is a drag."""


def drag_threshold_px(widget: QWidget | None = None) -> int:
    """DRAG_MM in pixels on `widget`'s screen (at least 12 px)."""
    screen = widget.screen() if widget is not None else QGuiApplication.primaryScreen()
    dpi = screen.physicalDotsPerInch() if screen is not None else 96.0
    if not 40 <= dpi <= 600:  # offscreen and some panels report nonsense
        dpi = 96.0
    return max(12, round(DRAG_MM * dpi / 25.4))


class TapFilter(QObject):
    """Cancels a button's click once its press has moved past the drag threshold.

    Installed by `install_touch`; one instance serves a whole widget tree.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._press: QPointF | None = None
        self._dragging = False
        self._watched: weakref.WeakSet[QWidget] = weakref.WeakSet()
        self.drags = 0
        """How many presses turned into drags (for tests and diagnostics)."""

    def watch(self, widget: QWidget) -> None:
        for w in (widget, *widget.findChildren(QWidget)):
            if w not in self._watched:
                self._watched.add(w)
                w.installEventFilter(self)  # once: Qt never holds one filter twice

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ChildPolished:
            # Polished, not added: a widget is polished before it is shown (so before any
            # press), fully built, after its own children. Asking Qt for a child still
            # inside its constructor made PySide resolve every lazily loaded class once:
            # ~60 ms before the first paint.
            child = event.child()
            if child not in self._watched:  # a new panel: its children were polished first
                self.watch(child)
            return False
        if not isinstance(watched, QAbstractButton):
            return False
        # Qt turns a quick second tap into a double-click, which buttons treat as a press.
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            self._press = event.globalPosition()
            self._dragging = False
        elif kind == QEvent.Type.MouseMove and self._press is not None:
            if not self._dragging:
                moved = event.globalPosition() - self._press
                if max(abs(moved.x()), abs(moved.y())) > drag_threshold_px(watched):
                    self._dragging = True
                    self.drags += 1
                    watched.setDown(False)
            return self._dragging
        elif kind == QEvent.Type.MouseButtonRelease:
            dragged = self._dragging
            self._press = None
            self._dragging = False
            if dragged:
                watched.setDown(False)
                return True  # no click, no toggle
        return False


_filter: TapFilter | None = None


def tap_filter() -> TapFilter:
    """The one filter every screen shares."""
    global _filter
    if _filter is None:
        _filter = TapFilter(QGuiApplication.instance())
    return _filter


def install_touch(widget: QWidget) -> TapFilter:
    """Make every button in `widget`, and any added to it later, treat a drag as no tap."""
    shared = tap_filter()
    shared.watch(widget)
    return shared


def make_kinetic(area: QAbstractScrollArea) -> QScroller:
    """Scroll `area` by dragging it (finger or mouse), with momentum; no overshoot bounce."""
    viewport = area.viewport()
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    props = scroller.scrollerProperties()
    props.setScrollMetric(props.ScrollMetric.DragStartDistance, 0.004)  # metres: DRAG_MM
    off = props.OvershootPolicy.OvershootAlwaysOff
    props.setScrollMetric(props.ScrollMetric.HorizontalOvershootPolicy, off)
    props.setScrollMetric(props.ScrollMetric.VerticalOvershootPolicy, off)
    scroller.setScrollerProperties(props)
    install_touch(area)
    return scroller

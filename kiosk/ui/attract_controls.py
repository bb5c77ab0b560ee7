"""The loop's real controls over the painted slides (pause, "Aa", language, read aloud) and
small painted marks."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QPushButton

from kiosk.content import Brand
from kiosk.ui.reach import reach
from kiosk.ui.theme import FAMILY, Metrics


def controls_stylesheet(brand: Brand, m: Metrics) -> str:
    """Pill buttons on the brand colour, sized for `m` and the visitor's text size."""
    r = reach()
    line = max(2, m.px(3))
    edge = brand.text if r.contrast else "rgba(255, 255, 255, 0.6)"
    return f"""
        QPushButton {{
            font-family: "{FAMILY}"; font-size: {r.text(m.px(28))}px; font-weight: 700;
            color: {brand.text}; background: rgba(0, 0, 0, 0.25);
            border: {line}px solid {edge}; border-radius: {m.touch // 2}px;
            padding: 0px {m.px(28)}px;
        }}
        QPushButton:checked {{ background: {brand.text}; color: {brand.primary}; }}
        QPushButton:focus {{ border-color: {brand.accent}; }}
    """


def place_controls(buttons: Iterable[QPushButton], m: Metrics, has_logo: bool) -> None:
    """Top left, after the logo: well clear of the admin corner (top right).

    A row too long for the screen (portrait, large text, a long language name) shows
    the language by its first letters, then closes its gaps.
    """
    x = m.margin + (m.px(200) + m.px(40) if has_logo else 0)
    y = max(m.px(16), m.px(40) + (m.px(80) - m.touch) // 2)
    shown = [b for b in buttons if not b.isHidden()]
    room = m.width - max(60, m.px(120)) - m.px(16) - x  # the admin corner: 120 px at 1080p
    for compact, gap in ((False, m.px(20)), (True, m.px(20)), (True, m.px(10))):
        for button in shown:
            if hasattr(button, "set_compact"):
                button.set_compact(compact)
        widths = [max(m.touch, b.sizeHint().width()) for b in shown]
        if sum(widths) + gap * (len(shown) - 1) <= room:
            break
    for button, width in zip(shown, widths, strict=True):
        button.setGeometry(x, y, width, m.touch)
        x += width + gap


def paint_hand(p: QPainter, centre: QPointF, r: float, colour: QColor) -> None:
    """A tap target symbol: a dot with a ring, drawn rather than loaded."""
    p.setBrush(colour)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(centre, r * 0.45, r * 0.45)
    ring = QPainterPath()
    ring.addEllipse(centre, r, r)
    p.setBrush(Qt.BrushStyle.NoBrush)
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(colour)
    pen.setWidthF(max(2.0, r * 0.16))
    p.setPen(pen)
    p.drawPath(ring)

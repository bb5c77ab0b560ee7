"""The interest tiles' glyphs, drawn rather than loaded: heart, candle, envelope, bubble, arrow."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from kiosk.content import Interest


def icon_kind(interest: Interest) -> str:
    key = interest.key
    if key in _ICON_BY_KEY:
        return _ICON_BY_KEY[key]
    # Another charity's pack names its interests differently; guess from the words.
    words = f"{key} {interest.label}".lower()
    for needle, kind in _ICON_BY_WORD:
        if needle in words:
            return kind
    return "arrow"


_ICON_BY_KEY = {
    "freedom_partner": "heart",
    "prayer": "candle",
    "email_updates": "envelope",
    "talk": "bubble",
}
_ICON_BY_WORD = (
    ("pray", "candle"),
    ("email", "envelope"),
    ("news", "envelope"),
    ("inform", "envelope"),
    ("talk", "bubble"),
    ("call", "bubble"),
    ("contact", "bubble"),
    ("volunteer", "bubble"),
    ("partner", "heart"),
    ("give", "heart"),
    ("donat", "heart"),
)


def paint_icon(p: QPainter, kind: str, centre: QPointF, side: float, ink: QColor) -> None:
    """A simple glyph `side` pixels across: heart, candle, envelope, bubble or arrow."""
    cx, cy, s = centre.x(), centre.y(), side
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(ink, max(2.0, s * 0.085))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    path = QPainterPath()
    if kind == "heart":
        path.moveTo(cx, cy + 0.36 * s)
        path.cubicTo(cx - 0.62 * s, cy - 0.02 * s, cx - 0.40 * s, cy - 0.56 * s, cx, cy - 0.22 * s)
        path.cubicTo(cx + 0.40 * s, cy - 0.56 * s, cx + 0.62 * s, cy - 0.02 * s, cx, cy + 0.36 * s)
        p.fillPath(path, ink)
    elif kind == "candle":
        body = QRectF(cx - 0.15 * s, cy - 0.04 * s, 0.30 * s, 0.46 * s)
        path.addRoundedRect(body, 0.05 * s, 0.05 * s)
        flame = QPainterPath()
        flame.moveTo(cx, cy - 0.46 * s)
        flame.cubicTo(cx + 0.20 * s, cy - 0.26 * s, cx + 0.13 * s, cy - 0.12 * s, cx, cy - 0.12 * s)
        flame.cubicTo(cx - 0.13 * s, cy - 0.12 * s, cx - 0.20 * s, cy - 0.26 * s, cx, cy - 0.46 * s)
        p.fillPath(path, ink)
        p.fillPath(flame, ink)
    elif kind == "envelope":
        box = QRectF(cx - 0.36 * s, cy - 0.25 * s, 0.72 * s, 0.50 * s)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(box, 0.06 * s, 0.06 * s)
        path.moveTo(box.left() + 0.04 * s, box.top() + 0.05 * s)
        path.lineTo(cx, cy + 0.04 * s)
        path.lineTo(box.right() - 0.04 * s, box.top() + 0.05 * s)
        p.drawPath(path)
    elif kind == "bubble":
        box = QRectF(cx - 0.38 * s, cy - 0.30 * s, 0.76 * s, 0.50 * s)
        path.addRoundedRect(box, 0.14 * s, 0.14 * s)
        tail = QPainterPath()
        tail.moveTo(box.left() + 0.14 * s, box.bottom() - 0.05 * s)
        tail.lineTo(box.left() + 0.08 * s, box.bottom() + 0.20 * s)
        tail.lineTo(box.left() + 0.36 * s, box.bottom() - 0.05 * s)
        p.fillPath(path.united(tail), ink)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#FFFFFF"))
        for dx in (-0.18, 0.0, 0.18):
            p.drawEllipse(QPointF(cx + dx * s, box.center().y()), 0.055 * s, 0.055 * s)
    else:
        p.setPen(pen)
        path.moveTo(cx - 0.30 * s, cy)
        path.lineTo(cx + 0.28 * s, cy)
        path.moveTo(cx + 0.08 * s, cy - 0.22 * s)
        path.lineTo(cx + 0.30 * s, cy)
        path.lineTo(cx + 0.08 * s, cy + 0.22 * s)
        p.drawPath(path)
    p.restore()

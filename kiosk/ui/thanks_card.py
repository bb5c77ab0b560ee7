"""The thank-you screen's parts: the saved badge and the white card with the donation QR."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.content import Content
from kiosk.ui.involved import place
from kiosk.ui.reach import reach
from kiosk.ui.theme import Metrics, font
from kiosk.ui.widgets import QrCode, mirror_if_rtl


class Badge(QWidget):
    """A gold disc with a tick: the sign-up is saved."""

    def __init__(self, colours: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._disc, self._ink = colours

    def paintEvent(self, event: QPaintEvent) -> None:
        side = min(self.width(), self.height())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self._disc))
        p.drawEllipse(QRectF(0, 0, side, side))
        pen = QPen(QColor(self._ink), max(3.0, side * 0.09))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        tick = QPainterPath(QPointF(side * 0.29, side * 0.52))
        tick.lineTo(side * 0.44, side * 0.66)
        tick.lineTo(side * 0.72, side * 0.36)
        p.drawPath(tick)
        p.end()


class QrCard(QWidget):
    """The white card: "Scan to give", the QR, and the reference printed large beneath it."""

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._metrics = Metrics(1920, 1080)
        self._qr_side = 480
        self.scan = QLabel(content.screens.scan_to_give, self)
        self.scan.setObjectName("thanksScan")
        self.scan.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scan.setWordWrap(True)  # translations run longer than "Scan to give"
        self.qr = QrCode("", self, accessible=content.text("thanks.qr_name"))
        self.ref_caption = QLabel(content.text("thanks.reference"), self)
        self.ref_caption.setObjectName("refCaption")
        self.ref_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ref_caption.setWordWrap(True)
        self.ref = QLabel("", self)
        self.ref.setObjectName("refCode")
        self.ref.setTextFormat(Qt.TextFormat.PlainText)
        self.ref.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ref.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.ref.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # a code reads left to right

    def set_metrics(self, m: Metrics, qr_side: int) -> None:
        self._metrics = m
        self._qr_side = qr_side
        self.ref.setFont(self._ref_font())
        self._relayout()

    def _ref_font(self) -> QFont:
        """The reference's font: large, and smaller if that would not fit the card."""
        m = self._metrics
        room = self.preferred_width() - 2 * m.px(12)
        px = reach().text(m.px(56))
        while True:
            ref_font = font(px, QFont.Weight.Bold)
            # Reads like a code: even digit widths and air between characters.
            ref_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, m.px(5))
            ref_font.setFeature(QFont.Tag("tnum"), 1)
            sample = self.ref.text() or "NH-WWWWWW"
            if px <= m.px(28) or QFontMetrics(ref_font).horizontalAdvance(sample) <= room:
                return ref_font
            px = math.floor(px * 0.92)

    def set_reference(self, ref: str) -> None:
        self.ref.setText(ref)
        self.ref.setFont(self._ref_font())
        self._relayout()

    def show_reference(self, shown: bool) -> None:
        self.ref_caption.setVisible(shown)
        self.ref.setVisible(shown)
        self._relayout()

    def _rows(self) -> tuple[int, int, int, int]:
        shown = not self.ref.isHidden()
        return (
            self.scan.heightForWidth(self._qr_side),
            self._qr_side,
            self.ref_caption.heightForWidth(self._qr_side) if shown else 0,
            max(self.ref.sizeHint().height(), self.ref.fontMetrics().height()) if shown else 0,
        )

    def preferred_height(self) -> int:
        m = self._metrics
        scan_h, qr_h, cap_h, ref_h = self._rows()
        return 2 * m.px(40) + scan_h + m.px(20) + qr_h + m.px(24) + cap_h + m.px(2) + ref_h

    def preferred_width(self) -> int:
        return self._qr_side + 2 * self._metrics.px(40)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()

    def _relayout(self) -> None:
        m = self._metrics
        pad = m.px(40)
        w = self.width()
        scan_h, qr_h, cap_h, ref_h = self._rows()
        y = pad
        y = place(self.scan, pad, y, w - 2 * pad, scan_h) + m.px(20)
        self.qr.setGeometry((w - qr_h) // 2, y, qr_h, qr_h)
        y += qr_h + m.px(24)
        y = place(self.ref_caption, pad, y, w - 2 * pad, cap_h) + m.px(2)
        place(self.ref, m.px(12), y, w - 2 * m.px(12), ref_h)
        mirror_if_rtl(self)

    def paintEvent(self, event: QPaintEvent) -> None:
        radius = self._metrics.px(36)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#FFFFFF"))
        p.drawRoundedRect(QRectF(self.rect()), radius, radius)
        p.end()

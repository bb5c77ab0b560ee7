"""Today's funnel card: slides shown → taps → sign-ups started → saved → QR shown, with rates."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.funnel import Funnel, funnel_from_counts
from kiosk.ui.admin.common import SOFT_INK, Card
from kiosk.ui.theme import Metrics, Palette, font


class FunnelChart(QWidget):
    """One row per step: its name, a bar (log-scaled: slides outnumber sign-ups 100 to 1),
    the count and the rate from the step before."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._metrics = Metrics(1920, 1080)
        self._funnel = funnel_from_counts({})
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Today's funnel")
        self.set_funnel(self._funnel)

    @property
    def funnel(self) -> Funnel:
        return self._funnel

    def set_funnel(self, funnel: Funnel) -> None:
        self._funnel = funnel
        parts = []
        for s in funnel.steps:
            rate = f" ({s.rate_text()} of the step before)" if s.rate is not None else ""
            parts.append(f"{s.label}: {s.count:,}{rate}")
        self.setAccessibleDescription("; ".join(parts))
        self.update()

    def set_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self.setMinimumHeight(5 * m.px(28))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        m, p = self._metrics, self._palette
        steps = self._funnel.steps
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_font = font(m.small_px)
        count_font = font(m.small_px, QFont.Weight.Bold)
        fm = QFontMetrics(label_font)
        cm = QFontMetrics(count_font)
        label_w = max(fm.horizontalAdvance(s.label) for s in steps) + m.px(16)
        value_w = cm.horizontalAdvance("00,000") + fm.horizontalAdvance("  100%") + m.px(8)
        row_h = self.height() / len(steps)
        bar_w = max(10.0, self.width() - label_w - value_w)
        peak = max(math.log10(s.count + 1) for s in steps) or 1.0
        for i, s in enumerate(steps):
            top = i * row_h
            painter.setFont(label_font)
            painter.setPen(QColor(p.ink))
            painter.drawText(
                QRectF(0, top, label_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                s.label,
            )
            bar_h = min(row_h * 0.55, m.px(28))
            length = bar_w * math.log10(s.count + 1) / peak
            colour = QColor(p.accent if s.key == "saved" else p.primary)
            if not s.count:
                colour.setAlpha(40)
                length = m.px(4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(
                QRectF(label_w, top + (row_h - bar_h) / 2, length, bar_h), m.px(4), m.px(4)
            )
            painter.setFont(count_font)
            painter.setPen(QColor(p.ink))
            text_left = label_w + length + m.px(8)
            painter.drawText(
                QRectF(text_left, top, cm.horizontalAdvance(f"{s.count:,}") + 2, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                f"{s.count:,}",
            )
            if s.rate is not None:
                painter.setFont(label_font)
                painter.setPen(QColor(SOFT_INK))
                painter.drawText(
                    QRectF(
                        text_left + cm.horizontalAdvance(f"{s.count:,}") + m.px(10),
                        top,
                        fm.horizontalAdvance("100%") + 4,
                        row_h,
                    ),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    s.rate_text(),
                )
        painter.end()


class FunnelCard(Card):
    """ "Today's funnel" with its chart."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__("Today's funnel", parent)
        self.chart = FunnelChart(palette, self)
        self.body.addWidget(self.chart, 1)

    def set_funnel(self, funnel: Funnel) -> None:
        self.chart.set_funnel(funnel)

    def set_metrics(self, m: Metrics) -> None:
        super().set_metrics(m)
        self.chart.set_metrics(m)

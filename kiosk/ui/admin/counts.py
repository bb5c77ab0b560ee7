"""The counts (total, today, not yet synced, not yet exported) and today's sign-ups per hour."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.store import Stats
from kiosk.ui.admin.common import Card, PlainLabel
from kiosk.ui.theme import Metrics, Palette, font


class HourlyChart(QWidget):
    """Sign-ups in each hour of today: 24 bars, hour labels every 3 h, the current hour in gold."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._counts = [0] * 24
        self._hour = -1
        self._metrics = Metrics(1920, 1080)
        self.setMinimumHeight(100)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Sign-ups per hour today")

    @property
    def counts(self) -> list[int]:
        return list(self._counts)

    def set_counts(self, counts: list[int], current_hour: int) -> None:
        self._counts = (list(counts) + [0] * 24)[:24]
        self._hour = current_hour
        busy = [f"{h:02d}:00 {c}" for h, c in enumerate(self._counts) if c]
        self.setAccessibleDescription("No sign-ups yet today" if not busy else "; ".join(busy))
        self.update()

    def set_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self.update()

    def hour_labels(self) -> list[tuple[QRectF, str, bool]]:
        """Where each hour label goes: (rect, "09", is the current hour).

        Every third hour (sixth when narrow) and the current one, each centred under
        its bar but kept inside the widget ("00" and "23" sit at the edges, and a
        narrow chart at 1280×800 must not clip them), none overlapping another.
        """
        m = self._metrics
        fm = QFontMetrics(font(m.small_px))
        bold = QFontMetrics(font(m.small_px, QFont.Weight.Bold))
        bottom = self.height() - fm.height() - m.px(12)
        slot = self.width() / 24
        slot * 0.68
        digits = bold.horizontalAdvance("00")
        every = 3 if slot >= digits * 1.2 else 6
        out = []
        for hour in range(24):
            current = hour == self._hour
            near_current = self._hour >= 0 and 0 < abs(hour - self._hour) * slot < digits * 1.3
            if not current and (hour % every or near_current):
                continue
            text = f"{hour:02d}"
            tw = (bold if current else fm).horizontalAdvance(text) + 2
            centre = hour * slot + slot / 2
            left = min(max(0.0, centre - tw / 2), self.width() - tw)
            out.append((QRectF(left, bottom + m.px(6), tw, fm.height() + 2), text, current))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        m, p = self._metrics, self._palette
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        label_font = font(m.small_px)
        value_font = font(m.small_px, QFont.Weight.DemiBold)
        fm = QFontMetrics(label_font)
        top_room = fm.height() + m.px(8)
        bottom_room = fm.height() + m.px(12)
        plot = QRectF(0, top_room, self.width(), self.height() - top_room - bottom_room)
        if plot.height() < 10:
            return
        peak = max(self._counts) or 1
        slot = plot.width() / 24
        bar_w = slot * 0.68
        muted = QColor(p.ink)
        muted.setAlpha(40)
        painter.setPen(muted)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        navy = QColor(p.primary)
        empty = QColor(p.primary)
        empty.setAlpha(28)
        for hour, count in enumerate(self._counts):
            x = plot.left() + hour * slot + (slot - bar_w) / 2
            h = plot.height() * count / peak
            current = hour == self._hour
            if count:
                rect = QRectF(x, plot.bottom() - h, bar_w, h)
                colour = QColor(p.accent) if current else navy
            else:
                rect = QRectF(x, plot.bottom() - m.px(4), bar_w, m.px(4))
                colour = QColor(p.accent) if current else empty
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            radius = min(bar_w / 4, m.px(6))
            painter.drawRoundedRect(rect, radius, radius)
            if count:
                text = str(count)
                painter.setFont(value_font)
                if QFontMetrics(value_font).horizontalAdvance(text) <= slot * 1.1:
                    painter.setPen(QColor(p.ink))
                    painter.drawText(
                        QRectF(
                            x - slot,
                            rect.top() - fm.height() - m.px(4),
                            bar_w + 2 * slot,
                            fm.height(),
                        ),
                        Qt.AlignmentFlag.AlignCenter,
                        text,
                    )
        for rect, text, current in self.hour_labels():
            painter.setFont(font(m.small_px, QFont.Weight.Bold) if current else label_font)
            ink = QColor(p.ink)
            if not current:
                ink.setAlpha(170)
            painter.setPen(ink)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class StatCard(QFrame):
    def __init__(self, caption: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statCard")
        self.setProperty("attention", False)
        self.value = PlainLabel("—", self)
        self.value.setObjectName("statValue")
        self.caption = PlainLabel(caption, self)
        self.caption.setObjectName("statCaption")
        self.caption.setWordWrap(True)
        self._name = name
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.setAccessibleName(name)

    def set_value(self, value: int | None, attention: bool = False) -> None:
        self.value.setText("—" if value is None else f"{value:,}")
        self.setAccessibleDescription(f"{self._name}: {self.value.text()}")
        if self.property("attention") != attention:
            self.setProperty("attention", attention)
            self.style().unpolish(self)
            self.style().polish(self)


class CountsRow(QWidget):
    """Four numbers side by side; "not yet synced/exported" are ringed when above zero."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = {
            "total": StatCard("Total", "Total sign-ups", self),
            "today": StatCard("Today", "Sign-ups today", self),
            "pending_sync": StatCard("Not yet synced", "Not yet synced", self),
            "unexported": StatCard("Not yet exported", "Not yet exported", self),
        }
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        for i, card in enumerate(self.cards.values()):
            self._grid.addWidget(card, 0, i)
            self._grid.setColumnStretch(i, 1)

    def show_stats(self, stats: Stats | None) -> None:
        if stats is None:
            for card in self.cards.values():
                card.set_value(None)
            return
        self.cards["total"].set_value(stats.total)
        self.cards["today"].set_value(stats.today)
        self.cards["pending_sync"].set_value(stats.pending_sync, stats.pending_sync > 0)
        self.cards["unexported"].set_value(stats.unexported, stats.unexported > 0)

    def set_metrics(self, m: Metrics) -> None:
        self._grid.setSpacing(m.px(20))
        pad = m.px(24)
        for card in self.cards.values():
            card.layout().setContentsMargins(pad, m.px(14), pad, m.px(14))
            card.layout().setSpacing(m.px(2))


class ChartCard(Card):
    """ "Sign-ups per hour today" with its 24 bars."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__("Sign-ups per hour today", parent)
        self.chart = HourlyChart(palette, self)
        self.body.addWidget(self.chart, 1)

    def set_metrics(self, m: Metrics) -> None:
        super().set_metrics(m)
        self.chart.set_metrics(m)

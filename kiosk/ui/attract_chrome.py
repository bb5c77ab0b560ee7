"""What never moves on the attract loop: the logo, the tagline, the progress dots, the
"Scan to give" code and the call to action, painted by AttractScreen over its bottom
strip and top row whenever a frame reaches them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget

from kiosk.ui.attract_controls import paint_hand
from kiosk.ui.reach import reach
from kiosk.ui.theme import Metrics, font
from kiosk.ui.widgets import image_pixmap, qr_qimage

if TYPE_CHECKING:
    from kiosk.ui.attract import AttractScreen


def _fitted(text: str, px: int, smallest: int, room: float) -> tuple[QFont, str]:
    """A DemiBold font from `px` down to `smallest` that fits `text` in `room`, and the
    text, elided if even the smallest does not fit (translations run longer)."""
    size = px
    face = font(size, QFont.Weight.DemiBold)
    while size > smallest and QFontMetrics(face).horizontalAdvance(text) > room:
        size -= 1
        face = font(size, QFont.Weight.DemiBold)
    return face, QFontMetrics(face).elidedText(text, Qt.TextElideMode.ElideRight, int(room))


class AttractChrome:
    """Owned by an AttractScreen: paints its fixed parts and keeps the donation code
    drawn at its size."""

    def __init__(self, screen: AttractScreen) -> None:
        self.screen = screen
        self.qr_url = screen.content.links.donate_url_for()
        self._qr: tuple[int, QImage] | None = None
        self.painted_once = False

    @staticmethod
    def height(m: Metrics) -> int:
        """The bottom strip: dots, call to action and code."""
        return m.px(320) if m.portrait else m.px(270)

    def paint(self, p: QPainter, m: Metrics) -> None:
        """Always visible: logo, progress dots, "Tap to get involved", "Scan to give"."""
        s = self.screen
        brand = s.content.brand
        w, h = s.width(), s.height()
        margin = m.margin
        height = self.height(m)
        if brand.logo is not None:
            logo = image_pixmap(brand.logo, m.px(200), m.px(80))
            p.drawPixmap(margin, m.px(40), logo)
        r = reach()
        soft = QColor(brand.text if r.contrast else "#C9D5E6")
        # The tagline takes what the top row of controls leaves: smaller, then elided.
        left = self._controls_right() + m.px(24)
        room = max(0, w - margin - left)
        tag_font, tagline = _fitted(brand.tagline.upper(), r.text(m.px(26)), m.px(18), room)
        p.setFont(tag_font)
        p.setPen(soft)
        p.drawText(
            QRectF(left, m.px(40), room, m.px(80)),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            tagline,
        )

        bar = QRectF(0, h - height, w, height)
        shade = QLinearGradient(0, bar.top(), 0, bar.bottom())
        shade.setColorAt(0, QColor(0, 0, 0, 0))
        shade.setColorAt(1, QColor(0, 0, 0, 90))
        p.fillRect(bar, shade)
        self._paint_dots(p, m, bar)
        qr_x = self._paint_code(p, m, bar)
        self._paint_call(p, m, bar, qr_x, soft)

    def _controls_right(self) -> int:
        """The right edge of the controls in the top row (the logo's when there are none)."""
        s = self.screen
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        edges = [
            child.geometry().right()
            for child in s.findChildren(QWidget, options=direct)
            if child.isVisibleTo(s) and child.geometry().top() < s.height() // 4
        ]
        return max(edges, default=0)

    def _paint_dots(self, p: QPainter, m: Metrics, bar: QRectF) -> None:
        s = self.screen
        count = len(s.content.slides)
        dot, gap = m.px(12), m.px(14)
        total = count * dot + (count - 1) * gap + dot
        x = (s.width() - total) / 2
        y = bar.top() - m.px(8)
        for i in range(count):
            current = i == s.index
            p.setBrush(QColor(s.content.brand.accent) if current else QColor(255, 255, 255, 90))
            p.setPen(Qt.PenStyle.NoPen)
            width = dot * 2 if current else dot
            p.drawRoundedRect(QRectF(x, y, width, dot), dot / 2, dot / 2)
            x += width + gap

    def _paint_code(self, p: QPainter, m: Metrics, bar: QRectF) -> float:
        """The donation code in its white box, "Scan to give" under it; returns its left."""
        s = self.screen
        w, margin = s.width(), m.margin
        label_h = reach().text(m.px(40))
        qr_side = self.height(m) - m.px(70) - (label_h - m.px(40))
        qr_x = w - margin - qr_side
        qr_y = bar.top() + m.px(20)
        p.setBrush(QColor("#FFFFFF"))
        p.drawRoundedRect(QRectF(qr_x, qr_y, qr_side, qr_side), m.px(14), m.px(14))
        if self._qr is None and not self.painted_once:
            # The very first frame shows the story without the code: making it loads
            # the QR and imaging libraries (~0.1 s). It follows one event later.
            self.painted_once = True
            QTimer.singleShot(0, s.update)
        else:
            if self._qr is None or self._qr[0] != qr_side:
                # The code's own quiet zone is the white margin inside the box.
                self._qr = (qr_side, qr_qimage(self.qr_url, qr_side))
            image = self._qr[1]
            p.drawImage(
                QPointF(
                    qr_x + (qr_side - image.width()) / 2, qr_y + (qr_side - image.height()) / 2
                ),
                image,
            )
        # Centred under the code and never past the screen's edge.
        centre = qr_x + qr_side / 2
        label_w = min(qr_side + m.px(160), 2 * (w - centre) - m.px(16))
        label_font, label = _fitted(
            s.content.screens.scan_to_give, reach().text(m.px(24)), m.px(16), label_w
        )
        p.setFont(label_font)
        p.setPen(QColor(s.content.brand.text))
        p.drawText(
            QRectF(centre - label_w / 2, qr_y + qr_side + m.px(4), label_w, label_h),
            int(Qt.AlignmentFlag.AlignHCenter),
            label,
        )
        return qr_x

    def _paint_call(self, p: QPainter, m: Metrics, bar: QRectF, qr_x: float, soft: QColor) -> None:
        """The call to action, a large pill, with today's count above it when shown."""
        s = self.screen
        brand, margin, height = s.content.brand, m.margin, self.height(m)
        pill_h = max(m.touch, m.px(120))
        pill_font = font(m.px(48), QFont.Weight.Bold)
        text = s.content.screens.attract_cta
        pill_w = QFontMetrics(pill_font).horizontalAdvance(text) + m.px(190)
        if m.portrait:  # beside the code, which takes the right
            pill_w = min(pill_w, qr_x - margin - m.px(40))
        pill = QRectF(margin, bar.top() + (height - pill_h) / 2, pill_w, pill_h)
        p.setBrush(QColor(brand.accent))
        p.drawRoundedRect(pill, pill_h / 2, pill_h / 2)
        p.setPen(QColor(brand.ink))
        p.setFont(pill_font)
        p.drawText(
            pill.adjusted(m.px(40), 0, -m.px(110), 0), int(Qt.AlignmentFlag.AlignCenter), text
        )
        paint_hand(
            p, QPointF(pill.right() - m.px(70), pill.center().y()), m.px(22), QColor(brand.ink)
        )
        today = s.today_text
        if today:
            p.setFont(font(reach().text(m.px(26)), QFont.Weight.DemiBold))
            p.setPen(soft)
            p.drawText(
                QRectF(pill.left() + m.px(8), bar.top(), s.width(), pill.top() - bar.top()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                today,
            )

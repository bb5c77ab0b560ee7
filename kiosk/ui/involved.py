"""The "Get involved" screen: one big tile per interest, and a QR for those who only want to give.

The tiles paint themselves (icon, label, description) so they stay crisp at any size.
"""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.content import Content
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.reach import ReachButton, back_arrow, reach
from kiosk.ui.speaker import SpeakerButton, involved_parts
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, font
from kiosk.ui.tiles import SUBTLE_INK, InterestTile
from kiosk.ui.touch import install_touch
from kiosk.ui.widgets import BigButton, QrCode, ScaledWidget, image_pixmap, mirror_if_rtl

__all__ = ["SUBTLE_INK", "InterestTile", "InvolvedScreen", "mix", "place"]


def mix(colour: str, base: str, amount: float) -> str:
    """`colour` laid over `base` at `amount` opacity, as one opaque colour.

    Translucent stylesheet borders overlap at the corners of rounded buttons and show seams.
    """
    a, b = QColor(colour), QColor(base)
    channels = (
        round(x * amount + y * (1 - amount))
        for x, y in ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    )
    return QColor(*channels).name()


def place(widget: QWidget, x: float, y: float, width: float, height: float | None = None) -> int:
    """Give `widget` its geometry (wrapped labels get the height they need); return its bottom."""
    if height is None:
        height = widget.heightForWidth(int(width)) if widget.hasHeightForWidth() else -1
        if height < 0:
            height = widget.sizeHint().height()
    widget.setGeometry(round(x), round(y), round(width), round(height))
    return round(y + height)


class _ScanPanel(QWidget):
    """ "Just scan to give": a quiet glass panel with the donation QR and a one-line how-to."""

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._metrics = Metrics(1920, 1080)
        self._horizontal = False
        self.heading = QLabel(content.screens.just_scan, self)
        self.heading.setObjectName("scanHeading")
        self.heading.setWordWrap(True)
        self.caption = QLabel(content.text("involved.scan_caption"), self)
        self.caption.setObjectName("scanCaption")
        self.caption.setWordWrap(True)
        self.qr = QrCode(
            content.links.donate_url_for(),
            self,
            accessible=f"{content.screens.just_scan}: QR code to the donation page",
        )

    def set_metrics(self, m: Metrics, horizontal: bool) -> None:
        self._metrics = m
        self._horizontal = horizontal
        self.caption.setFont(font(reach().text(m.px(28))))
        align = Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignHCenter
        for widget in (self.heading, self.caption):
            widget.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self._relayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()

    def _fit_heading(self, width: int, room: int) -> None:
        """The heading as large as fits: its longest word on a line, all of it in `room`."""
        m = self._metrics
        text = self.heading.text()
        longest = max(text.split(), key=len, default="")
        px = reach().text(m.px(44))
        while True:
            heading = font(px, QFont.Weight.Bold, display=True)
            metrics = QFontMetrics(heading)
            bounds = QRect(0, 0, max(1, width), 100000)
            tall = metrics.boundingRect(bounds, int(Qt.TextFlag.TextWordWrap), text).height()
            if px <= m.px(24) or (metrics.horizontalAdvance(longest) <= width and tall <= room):
                break
            px = math.floor(px * 0.92)
        self.heading.setFont(heading)

    def _relayout(self) -> None:
        m = self._metrics
        pad = m.px(40)
        w, h = self.width(), self.height()
        if self._horizontal:
            width = max(1, w - 2 * pad - max(120, h - 2 * pad) - m.px(40))
            room = h - 2 * pad - m.px(16) - self.caption.heightForWidth(width)
        else:
            width = max(1, w - 2 * pad)
            room = h - 2 * pad - 2 * m.px(28) - 120 - self.caption.heightForWidth(width)
        self._fit_heading(width, room)
        if self._horizontal:
            side = max(120, h - 2 * pad)
            self.qr.setGeometry(pad, pad, side, side)
            x = pad + side + m.px(40)
            width = max(1, w - x - pad)
            heading_h = self.heading.heightForWidth(width)
            caption_h = self.caption.heightForWidth(width)
            top = (h - heading_h - m.px(16) - caption_h) // 2
            place(self.heading, x, top, width, heading_h)
            place(self.caption, x, top + heading_h + m.px(16), width, caption_h)
            mirror_if_rtl(self)
            return
        width = max(1, w - 2 * pad)
        heading_h = self.heading.heightForWidth(width)
        caption_h = self.caption.heightForWidth(width)
        gap = m.px(28)
        side = min(width, m.px(380), h - 2 * pad - heading_h - caption_h - 2 * gap)
        side = max(120, side)
        top = (h - heading_h - side - caption_h - 2 * gap) // 2
        place(self.heading, pad, top, width, heading_h)
        self.qr.setGeometry((w - side) // 2, top + heading_h + gap, side, side)
        place(self.caption, pad, top + heading_h + side + 2 * gap, width, caption_h)

    def paintEvent(self, event: QPaintEvent) -> None:
        m = self._metrics
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = max(2, m.px(2))
        p.setPen(QPen(QColor(255, 255, 255, 40), border))
        p.setBrush(QColor(255, 255, 255, 16))
        half = border / 2
        radius = m.px(28)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), radius, radius)
        p.end()


class InvolvedScreen(ScaledWidget):
    """Screen 2, "Get involved": a tile per interest, a donation QR, and Back.

    Signals:
        chosen(str): the key of the interest tile the visitor tapped (or activated by keyboard).
        back(): the visitor pressed Back.
    """

    chosen = Signal(str)
    back = Signal()

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent, backdrop=content.brand.primary)
        self.content = content
        self.setObjectName("involvedScreen")
        self.setAccessibleName(content.screens.involved_title)

        self._title = QLabel(content.screens.involved_title, self)
        self._title.setObjectName("involvedTitle")
        self._title.setWordWrap(True)
        self._logo = QLabel(self)
        self._logo.setAccessibleName(content.brand.name)
        self._logo.setVisible(content.brand.logo is not None)

        self._tiles: list[InterestTile] = []
        for interest in content.interests:
            tile = InterestTile(interest, content, self)
            tile.chosen.connect(self.chosen)
            self._tiles.append(tile)
        self._panel = _ScanPanel(content, self)
        self._back = BigButton(
            back_arrow(content.language) + "  " + content.text("button.back"),
            role="secondary",
            parent=self,
        )
        self._back.setObjectName("backButton")
        self._back.setAccessibleName(content.text("button.back"))
        self._aa = ReachButton(content.text("reach.aa"), content.text("reach.aa_name"), self)
        self._language = LanguageButton(self)
        self.speaker = SpeakerButton(self, self, relayout=self._relayout)
        reach().changed.connect(self._on_reach)
        install_touch(self)
        self._back.setAutoDefault(True)
        self._back.clicked.connect(self.back)

        chain = [*self._tiles, self._back, self._aa, self._language, self.speaker]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @property
    def tiles(self) -> tuple[InterestTile, ...]:
        return tuple(self._tiles)

    def tile(self, key: str) -> InterestTile:
        return next(t for t in self._tiles if t.key == key)

    @property
    def back_button(self) -> QPushButton:
        return self._back

    @property
    def donate_qr_url(self) -> str:
        return self._panel.qr.data

    def spoken_parts(self) -> list[str]:
        return involved_parts(self.content)

    def _on_reach(self) -> None:
        self._styled_for = None
        if self.isVisible():  # hidden screens catch up when shown: a toggle stays quick
            self._restyle()
            self._relayout()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._styled_for is None:
            self._restyle()
            self._relayout()
        if self._tiles:
            self._tiles[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _apply_style(self, m: Metrics) -> None:
        brand = self.content.brand
        r = reach()
        t = r.text
        caption = r.on_brand("rgba(255, 255, 255, 215)", brand.text)
        self.setStyleSheet(f"""
            QLabel#involvedTitle {{
                color: {brand.text}; font-family: "{DISPLAY_FAMILY}";
                font-size: {m.px(68)}px; font-weight: 700;
            }}
            QLabel#scanHeading {{ color: {brand.accent}; }}
            QLabel#scanCaption {{ color: {caption}; }}
            QPushButton#backButton, QPushButton#reachButton {{
                font-family: "{FAMILY}"; font-size: {t(m.px(32))}px; font-weight: 600;
                color: {brand.text}; background: transparent;
                border: {max(2, m.px(3))}px solid {mix(brand.text, brand.primary, 0.45)};
                border-radius: {m.touch // 2}px; padding: 0px {m.px(44)}px;
                min-height: {m.touch}px; max-height: {m.touch}px;
            }}
            QPushButton#backButton:pressed {{ background: {mix(brand.text, brand.primary, 0.15)}; }}
            QPushButton#reachButton:checked {{ background: {brand.text}; color: {brand.primary}; }}
            QPushButton#backButton:focus, QPushButton#reachButton:focus {{
                border: {max(3, m.px(5))}px solid {brand.accent};
            }}
        """)
        for tile in self._tiles:
            tile.set_metrics(m)
        if self.content.brand.logo is not None:
            self._logo.setPixmap(image_pixmap(self.content.brand.logo, m.px(190), m.px(76)))

    def _relayout(self) -> None:
        m = self._metrics
        w, h = self.width(), self.height()
        margin = m.margin * (1.25 if not m.portrait else 1.0)
        top = m.px(56)
        gap = m.px(28)
        section = m.px(44)

        has_logo = self.content.brand.logo is not None
        logo_w = self._logo.pixmap().width() if has_logo else 0
        logo_h = self._logo.pixmap().height() if has_logo else 0
        title_w = w - 2 * margin - (logo_w + m.px(48) if logo_w else 0)
        title_h = self._title.heightForWidth(int(title_w))
        place(self._title, margin, top, title_w, title_h)
        if logo_w:
            row_h = max(title_h, logo_h)
            self._logo.setGeometry(
                round(w - margin - logo_w),
                round(top + (min(row_h, m.px(96)) - logo_h) / 2),
                logo_w,
                logo_h,
            )
            title_h = row_h

        back_w = max(self._back.sizeHint().width(), m.px(220))
        back_y = h - m.px(48) - m.touch
        self._back.setGeometry(round(margin), back_y, back_w, m.touch)
        aa_w = max(m.touch, self._aa.sizeHint().width(), m.px(120))
        self._aa.setGeometry(round(margin) + back_w + m.px(24), back_y, aa_w, m.touch)
        lang_x = round(margin) + back_w + aa_w + m.px(48)
        # A long language name in a narrow row: its first letters (the whole in its name).
        self._language.set_compact(False)
        speaker_w = m.touch + m.px(24) if self.speaker.isVisibleTo(self) else 0
        if lang_x + self._language.sizeHint().width() + speaker_w > w - margin:
            self._language.set_compact(True)
        lang_w = max(m.touch, self._language.sizeHint().width())
        self._language.setGeometry(lang_x, back_y, lang_w, m.touch)
        speaker_x = lang_x + (lang_w + m.px(24) if self._language.isVisibleTo(self) else 0)
        self.speaker.setGeometry(speaker_x, back_y, m.touch, m.touch)

        body = QRectF(
            margin,
            top + title_h + section,
            w - 2 * margin,
            back_y - section - (top + title_h + section),
        )
        if m.portrait:
            panel_h = m.px(300)
            tiles_area = QRectF(
                body.left(), body.top(), body.width(), body.height() - panel_h - section
            )
            self._panel.set_metrics(m, horizontal=True)
            self._panel.setGeometry(
                round(body.left()),
                round(tiles_area.bottom() + section),
                round(body.width()),
                panel_h,
            )
            columns = 1
        else:
            panel_w = m.px(480)
            tiles_area = QRectF(
                body.left(), body.top(), body.width() - panel_w - section, body.height()
            )
            self._panel.set_metrics(m, horizontal=False)
            self._panel.setGeometry(
                round(tiles_area.right() + section),
                round(body.top()),
                panel_w,
                round(body.height()),
            )
            columns = 2 if len(self._tiles) > 1 else 1

        rows = max(1, math.ceil(len(self._tiles) / columns))
        tile_w = (tiles_area.width() - (columns - 1) * gap) / columns
        tile_h = (tiles_area.height() - (rows - 1) * gap) / rows
        tile_h = max(2 * m.touch, min(tile_h, m.px(360)))
        for i, tile in enumerate(self._tiles):
            row, col = divmod(i, columns)
            tile.setGeometry(
                round(tiles_area.left() + col * (tile_w + gap)),
                round(tiles_area.top() + row * (tile_h + gap)),
                round(tile_w),
                round(tile_h),
            )
        # One type size for every tile, the largest at which all of them fit: tiles that
        # differ in size look like a mistake.
        # The title stays larger than the description as both give way.
        big = reach().text
        label_px, desc_px = big(m.px(46)), big(m.px(30))
        desc_floor = big(m.px(22))
        while label_px > desc_floor and not all(t.fits(label_px, desc_px) for t in self._tiles):
            label_px = max(desc_floor, math.floor(label_px * 0.93))
            desc_px = max(desc_floor, min(math.floor(desc_px * 0.95), label_px - m.px(4)))
        small = any(t.small_icon for t in self._tiles)  # one tile's small icon: all of them
        for tile in self._tiles:
            tile.set_text_px(label_px, desc_px, small_icon=small)
        mirror_if_rtl(self)

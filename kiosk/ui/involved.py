"""The "Get involved" screen: one big tile per interest, and a QR for those who only want to give.

The tiles paint themselves (icon, label, description) so they stay crisp at any size.
"""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
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
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.content import Content, Interest
from kiosk.ui.icons import icon_kind, paint_icon
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.reach import ReachButton, reach
from kiosk.ui.speaker import SpeakerButton, involved_parts
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, font
from kiosk.ui.touch import install_touch
from kiosk.ui.widgets import BigButton, QrCode, ScaledWidget, image_pixmap

SUBTLE_INK = "#4A5B73"  # descriptions on white: 7:1 against white


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


class InterestTile(QPushButton):
    """A large white tile for one interest; Enter, Return and Space activate it.

    Signals:
        chosen(str): the interest's key, when tapped or activated from the keyboard.
    """

    chosen = Signal(str)

    def __init__(self, interest: Interest, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(interest.label, parent)
        self.interest = interest
        self._brand = content.brand
        self._icon = icon_kind(interest)
        self._metrics = Metrics(1920, 1080)
        self._label_px, self._desc_px = 46, 30
        self.setObjectName(f"tile_{interest.key}")
        name = interest.label
        if interest.description:
            name = f"{interest.label}. {interest.description}"
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # Outside a dialog a QPushButton ignores Enter unless it is an auto-default button.
        self.setAutoDefault(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.clicked.connect(self._emit_chosen)

    @property
    def key(self) -> str:
        return self.interest.key

    def set_metrics(self, m: Metrics) -> None:
        self._metrics = m
        self.setMinimumHeight(2 * m.touch)
        self.update()

    def sizeHint(self) -> QSize:
        m = self._metrics
        return QSize(m.px(560), max(2 * m.touch, m.px(260)))

    def minimumSizeHint(self) -> QSize:
        m = self._metrics
        return QSize(m.px(300), 2 * m.touch)

    def _emit_chosen(self) -> None:
        self.chosen.emit(self.interest.key)

    def paintEvent(self, event: QPaintEvent) -> None:
        m = self._metrics
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(self.rect())
        radius = m.px(28)
        down = self.isDown()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#E4EAF2") if down else QColor("#FFFFFF"))
        p.drawRoundedRect(rect, radius, radius)
        if self.hasFocus():
            ring = max(4, m.px(6))
            pen = QPen(QColor(self._brand.accent), ring)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            half = ring / 2
            p.drawRoundedRect(rect.adjusted(half, half, -half, -half), radius - half, radius - half)

        pad, disc = m.px(40), m.px(100)
        wide = self._wide()
        text_rect = self._text_rect()
        label_font = font(self._label_px, QFont.Weight.Bold, display=True)
        desc_font = font(self._desc_px)
        label_h, desc_h = self._text_heights(label_font, desc_font, text_rect.width())
        gap = m.px(10) if self.interest.description else 0
        block = label_h + gap + desc_h
        if wide:
            top = text_rect.top() + max(0.0, (text_rect.height() - block) / 2)
            disc_centre = QPointF(rect.left() + pad + disc / 2, rect.center().y())
        else:
            top = text_rect.top()
            disc_centre = QPointF(rect.left() + pad + disc / 2, rect.top() + pad + disc / 2)

        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self._brand.accent))
        p.drawEllipse(disc_centre, disc / 2, disc / 2)
        paint_icon(p, self._icon, disc_centre, disc * 0.62, QColor(self._brand.ink))

        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
            Qt.TextFlag.TextWordWrap
        )
        p.setPen(QColor(self._brand.ink))
        p.setFont(label_font)
        p.drawText(
            QRectF(text_rect.left(), top, text_rect.width(), label_h), flags, self.interest.label
        )
        if self.interest.description:
            p.setPen(QColor(SUBTLE_INK))
            p.setFont(desc_font)
            p.drawText(
                QRectF(text_rect.left(), top + label_h + gap, text_rect.width(), desc_h),
                flags,
                self.interest.description,
            )
        p.end()

    def _wide(self) -> bool:
        return self.width() >= self.height() * 1.45

    def _text_rect(self) -> QRectF:
        m = self._metrics
        pad, disc = m.px(40), m.px(100)
        rect = QRectF(self.rect())
        if self._wide():
            return rect.adjusted(pad + disc + m.px(32), pad, -pad, -pad)
        return rect.adjusted(pad, pad + disc + m.px(24), -pad, -pad)

    def _text_heights(self, label_font: QFont, desc_font: QFont, width: float) -> tuple[int, int]:
        bounds = QRect(0, 0, max(1, int(width)), 100000)
        flags = int(Qt.TextFlag.TextWordWrap)
        label_h = QFontMetrics(label_font).boundingRect(bounds, flags, self.interest.label)
        desc_h = 0
        if self.interest.description:
            desc_h = (
                QFontMetrics(desc_font)
                .boundingRect(bounds, flags, self.interest.description)
                .height()
            )
        return label_h.height(), desc_h

    def fits(self, label_px: int, desc_px: int) -> bool:
        """Whether the text fits at these sizes in the tile's current geometry."""
        rect = self._text_rect()
        label_h, desc_h = self._text_heights(
            font(label_px, QFont.Weight.Bold, display=True), font(desc_px), rect.width()
        )
        return label_h + self._metrics.px(10) + desc_h <= rect.height()

    def set_text_px(self, label_px: int, desc_px: int) -> None:
        self._label_px, self._desc_px = label_px, desc_px
        self.update()


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
        align = Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignHCenter
        for widget in (self.heading, self.caption):
            widget.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self._relayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()

    def _relayout(self) -> None:
        m = self._metrics
        pad = m.px(40)
        w, h = self.width(), self.height()
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
        self._back = BigButton("←  " + content.text("button.back"), role="secondary", parent=self)
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
            QLabel#scanHeading {{
                color: {brand.accent}; font-family: "{DISPLAY_FAMILY}";
                font-size: {t(m.px(44))}px; font-weight: 700;
            }}
            QLabel#scanCaption {{
                color: {caption}; font-family: "{FAMILY}";
                font-size: {t(m.px(28))}px;
            }}
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
        lang_w = max(m.touch, self._language.sizeHint().width())
        lang_x = round(margin) + back_w + aa_w + m.px(48)
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
        big = reach().text
        label_px, desc_px = big(m.px(46)), big(m.px(30))
        while label_px > m.px(28) and not all(t.fits(label_px, desc_px) for t in self._tiles):
            label_px = max(m.px(28), math.floor(label_px * 0.93))
            desc_px = max(big(m.px(22)), math.floor(desc_px * 0.96))
        for tile in self._tiles:
            tile.set_text_px(label_px, desc_px)

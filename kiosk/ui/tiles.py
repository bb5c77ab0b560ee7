"""The interest tiles of "Get involved": each paints its icon, label and description,
so it stays crisp at any size, and says whether its text fits at a given type size."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from kiosk.content import Content, Interest
from kiosk.ui.icons import icon_kind, paint_icon
from kiosk.ui.theme import Metrics, font

SUBTLE_INK = "#4A5B73"  # descriptions on white: 7:1 against white


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
        self._wide_layout: bool | None = None  # None: by the tile's shape
        self._compact = False  # a smaller icon and padding, for long text
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

        pad, disc = self._pad_disc()
        wide = self._wide()
        text_rect = self._text_rect()
        if self.layoutDirection() == Qt.LayoutDirection.RightToLeft:
            # The icon on the right, the text to its left; AlignLeft reads as right here.
            text_rect.moveLeft(rect.width() - text_rect.right())
        label_font = font(self._label_px, QFont.Weight.Bold, display=True)
        desc_font = font(self._desc_px)
        label_h, desc_h = self._text_heights(label_font, desc_font, text_rect.width())
        gap = m.px(10) if self.interest.description else 0
        block = label_h + gap + desc_h
        if wide:
            top = text_rect.top() + max(0.0, (text_rect.height() - block) / 2)
            disc_centre = QPointF(self._disc_x(pad, disc), rect.center().y())
        else:
            top = text_rect.top()
            disc_centre = QPointF(self._disc_x(pad, disc), rect.top() + pad + disc / 2)

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
        if self._wide_layout is not None:
            return self._wide_layout
        return self.width() >= self.height() * 1.45

    def _disc_x(self, pad: float, disc: float) -> float:
        """The icon's centre: by the leading edge (left, or right in right-to-left)."""
        x = pad + disc / 2
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        return self.width() - x if rtl else x

    def _pad_disc(self) -> tuple[int, int]:
        m = self._metrics
        return (m.px(26), m.px(72)) if self._compact else (m.px(40), m.px(100))

    def _text_rect(self, wide: bool | None = None) -> QRectF:
        m = self._metrics
        pad, disc = self._pad_disc()
        rect = QRectF(self.rect())
        if self._wide() if wide is None else wide:
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

    def fits(self, label_px: int, desc_px: int, *, small_icon: bool = False) -> bool:
        """Whether the text fits at these sizes in the tile's current geometry, with the
        icon beside the text or above it (whichever fits; the shape's own first), and
        if need be a smaller icon."""
        shaped = self.width() >= self.height() * 1.45
        label_font = font(label_px, QFont.Weight.Bold, display=True)
        ways = ((shaped, False), (not shaped, False), (shaped, True), (not shaped, True))
        ways = ways[2:] if small_icon else ways
        for wide, compact in ways:
            self._compact = compact
            rect = self._text_rect(wide)
            label_h, desc_h = self._text_heights(label_font, font(desc_px), rect.width())
            longest = max(self.interest.label.split(), key=len, default="")
            if (
                label_h + self._metrics.px(10) + desc_h <= rect.height()
                and QFontMetrics(label_font).horizontalAdvance(longest) <= rect.width()
            ):
                self._wide_layout = wide
                return True
        self._wide_layout = None
        self._compact = small_icon
        return False

    @property
    def small_icon(self) -> bool:
        """The icon is drawn smaller to leave the text room."""
        return self._compact

    def text_fits(self) -> bool:
        """Whether the text fits at the sizes it is painted at."""
        return self.fits(self._label_px, self._desc_px, small_icon=self._compact)

    def set_text_px(self, label_px: int, desc_px: int, *, small_icon: bool = False) -> None:
        self._label_px, self._desc_px = label_px, desc_px
        # Settles the icon beside or above the text.
        self.fits(label_px, desc_px, small_icon=small_icon)
        self.update()

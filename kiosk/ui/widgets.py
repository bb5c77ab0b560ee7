"""Small widgets shared by the screens: QR codes, images, buttons."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from kiosk.ui.qr_view import qr_qimage
from kiosk.ui.theme import Metrics

__all__ = [
    "BigButton",
    "QrCode",
    "ScaledWidget",
    "image_pixmap",
    "metrics_for",
    "mirror_if_rtl",
    "qr_qimage",
]


class QrCode(QWidget):
    """A square QR code drawn crisply at whatever size the layout gives it."""

    def __init__(
        self, data: str = "", parent: QWidget | None = None, *, accessible: str = ""
    ) -> None:
        super().__init__(parent)
        self._data = data
        self._image: QImage | None = None
        self.setAccessibleName(accessible or "QR code")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(120, 120)

    @property
    def data(self) -> str:
        return self._data

    def set_data(self, data: str) -> None:
        if data != self._data:
            self._data = data
            self._image = None
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, 240)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def paintEvent(self, event: object) -> None:
        side = min(self.width(), self.height())
        if not self._data or side <= 0:
            return
        if self._image is None or self._image.width() > side or self._image.width() < side * 0.8:
            self._image = qr_qimage(self._data, side)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.transparent)
        x = (self.width() - self._image.width()) // 2
        y = (self.height() - self._image.height()) // 2
        radius = max(4, side // 24)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor("#FFFFFF"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(
            QRectF(x, y, self._image.width(), self._image.height()), radius, radius
        )
        painter.drawImage(x, y, self._image)


# Small on purpose: logos at a size or two. Slide illustrations are drawn straight
# into the slide's one cached picture (kiosk/ui/slide_frames.py), not kept here.
@lru_cache(maxsize=4)
def _render_image(path: str, width: int, height: int) -> QPixmap:
    if path.lower().endswith(".svg"):
        renderer = QSvgRenderer(path)
        size = renderer.defaultSize().scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio)
        pixmap = QPixmap(max(1, size.width()), max(1, size.height()))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        return pixmap
    return QPixmap(path).scaled(
        width,
        height,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def image_pixmap(path: Path, width: int, height: int) -> QPixmap:
    """An SVG or raster image fitted into width×height, cached per size."""
    return _render_image(str(path), max(1, width), max(1, height))


class BigButton(QPushButton):
    """A touch-sized button; `role` picks its colours from the stylesheet."""

    def __init__(self, text: str, role: str = "primary", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setProperty("role", role)
        self.setAccessibleName(text)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)


class ScaledWidget(QWidget):
    """A screen that sizes itself from its own width and height.

    Subclasses implement `_apply_style(m)`, run only when the size class (scale,
    orientation) changes because stylesheets are costly, and `_relayout()`, run
    on every resize. `self._metrics` is always the current Metrics.
    """

    def __init__(self, parent: QWidget | None = None, *, backdrop: str | None = None) -> None:
        super().__init__(parent)
        self._metrics = Metrics(1920, 1080)
        self._styled_for: tuple[float, bool] | None = None
        self._backdrop = backdrop

    def paintEvent(self, event: QPaintEvent) -> None:
        # The attract loop's flat brand colour, so every screen feels like one place.
        if self._backdrop:
            painter = QPainter(self)
            painter.fillRect(self.rect(), QColor(self._backdrop))
            painter.end()

    def _restyle(self) -> None:
        m = metrics_for(self)
        self._metrics = m
        if self._styled_for != (m.scale, m.portrait):
            self._styled_for = (m.scale, m.portrait)
            self._apply_style(m)

    def _apply_style(self, m: Metrics) -> None:
        raise NotImplementedError

    def _relayout(self) -> None:
        raise NotImplementedError

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._restyle()
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._relayout()  # placed by hand: mirrored, or back


def metrics_for(widget: QWidget) -> Metrics:
    return Metrics(max(1, widget.width()), max(1, widget.height()))


def mirror_if_rtl(widget: QWidget) -> None:
    """In a right-to-left language, flip the children a screen placed by hand (left to
    right) across its width. Call it once at the end of each such layout pass."""
    if widget.layoutDirection() != Qt.LayoutDirection.RightToLeft:
        return
    width = widget.width()
    for child in widget.children():
        if isinstance(child, QWidget) and not child.isWindow():
            g = child.geometry()
            child.move(width - g.x() - g.width(), g.y())


class AfterFirstPaint(QObject):
    """Calls `then` once, on the event loop turn after `widget` first paints (work that
    must not delay the first picture: the rest of the kiosk, the speech engine)."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, then)
            self.deleteLater()
        return False

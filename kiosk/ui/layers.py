"""Pictures of slides at rest, so a frame of the attract loop is a couple of blits.

A slide's illustration, text layout and glyphs are drawn once into an opaque pixmap
sized to the device pixel ratio; animation frames only move those pixmaps (an
opaque blit is a copy, not a blend). A counting number is the one thing drawn live.
At most `keep` pictures are held: the slide leaving and the slide arriving.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap


@dataclass(frozen=True)
class Live:
    """Text drawn every frame over a layer (a count-up): where, in layer coordinates, and how."""

    rect: QRectF
    font: QFont
    colour: QColor
    flags: int


@dataclass(frozen=True)
class Layer:
    pixmap: QPixmap
    live: Live | None
    owner: object  # what the key's id() refers to, kept alive so the id is never reused


class LayerCache:
    """A small most-recently-used set of layers.

    An evicted layer's pixmap is handed to the next build of the same size: the
    loop draws into the same two buffers all day instead of allocating megabytes
    per slide (which glibc would keep on its heap after the first free).
    """

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._layers: OrderedDict[Hashable, Layer] = OrderedDict()
        self._spare: QPixmap | None = None  # a cleared layer's buffer, for the next build

    def __contains__(self, key: Hashable) -> bool:
        return key in self._layers

    def __len__(self) -> int:
        return len(self._layers)

    def peek(self, key: Hashable) -> Layer | None:
        return self._layers.get(key)

    def get(self, key: Hashable, build: Callable[[QPixmap | None], Layer]) -> Layer:
        """The layer for `key`; `build(spare)` draws a missing one, over `spare` if it fits."""
        layer = self._layers.get(key)
        if layer is not None:
            self._layers.move_to_end(key)
            return layer
        spare, self._spare = self._spare, None
        while len(self._layers) >= self.keep:
            spare = self._layers.popitem(last=False)[1].pixmap
        layer = build(spare)
        self._layers[key] = layer
        return layer

    def clear(self) -> None:
        """Forget every picture but keep one buffer: freeing and reallocating megabytes
        each time a visitor comes and goes leaves glibc's heap ragged (RSS creeps)."""
        if self._layers:
            self._spare = self._layers.popitem()[1].pixmap
        self._layers.clear()


def render_layer(
    width: int,
    height: int,
    dpr: float,
    fill: QColor,
    paint: Callable[[QPainter], Live | None],
    owner: object,
    spare: QPixmap | None = None,
) -> Layer:
    """An opaque width×height (logical pixels) picture: `fill`, then whatever `paint` draws.

    `spare`, if it is the right size, is drawn over instead of allocating a new pixmap.
    """
    size = QSize(max(1, round(width * dpr)), max(1, round(height * dpr)))
    if spare is not None and spare.size() == size and not spare.hasAlphaChannel():
        pixmap = spare
    else:
        pixmap = QPixmap(size)
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(fill)  # opaque: no alpha channel, so drawing it later is a plain copy
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    try:
        live = paint(painter)
    finally:
        painter.end()
    return Layer(pixmap, live, owner)


def draw_picture(painter: QPainter, path: Path, box: QRectF) -> None:
    """An SVG or raster image fitted (aspect kept) and centred in `box`, drawn straight in.

    Into a layer, which is the cache: no intermediate pixmap is kept.
    """
    width, height = max(1, int(box.width())), max(1, int(box.height()))
    if path.suffix.lower() == ".svg":
        from PySide6.QtSvg import QSvgRenderer

        renderer = QSvgRenderer(str(path))
        size = renderer.defaultSize().scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio)
        x = box.center().x() - max(1, size.width()) / 2
        y = box.center().y() - max(1, size.height()) / 2
        renderer.render(painter, QRectF(x, y, max(1, size.width()), max(1, size.height())))
        return
    image = QImage(str(path)).scaled(
        width,
        height,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    x = box.center().x() - image.width() / 2
    y = box.center().y() - image.height() / 2
    painter.drawImage(QPointF(x, y), image)

"""The on-screen QR code: qrcode's module matrix filled with QPainter, no Pillow involved."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage, QPainter

from kiosk.qr import dark_runs, module_px, qr_matrix


def qr_qimage(data: str, size_px: int, *, dark: str = "#000000", light: str = "#FFFFFF") -> QImage:
    """A square image of at most `size_px`, whole pixels per module (never blurred)."""
    matrix = qr_matrix(data)
    modules = len(matrix)
    scale = module_px(modules, size_px)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor(light))
    painter = QPainter(image)  # no antialiasing: whole-pixel rectangles stay sharp
    ink = QColor(dark)
    for y, x, length in dark_runs(matrix):
        painter.fillRect(x * scale, y * scale, length * scale, scale, ink)
    painter.end()
    return image

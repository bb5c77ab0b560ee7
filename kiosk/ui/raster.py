"""An SVG (a content pack's logo) as a Pillow image, for the printable poster.

Pillow cannot read SVG; Qt can. Used from the command line, so it starts an
offscreen Qt application when none is running.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image


def svg_to_pil(path: Path, height: int) -> Image.Image:
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        from PySide6.QtWidgets import QApplication

        # A widgets application: a test session's later QApplication reuses it.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _keep.append(QApplication(["kiosk"]))
    from kiosk.ui.theme import load_fonts

    load_fonts()  # the logo's wordmark is set in Inter
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise ValueError(f"{Path(path).name} is not a readable SVG")
    size = renderer.defaultSize()
    width = max(1, round(size.width() * height / max(1, size.height())))
    image = QImage(QSize(width, height), QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = bytes(image.constBits())
    return Image.frombuffer("RGBA", (width, height), data, "raw", "RGBA", image.bytesPerLine(), 1)


_keep: list[object] = []  # the application must outlive the call

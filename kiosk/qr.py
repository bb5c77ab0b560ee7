"""QR codes, made locally: a module matrix and a crisp Pillow image. No Qt here.

Error correction M (15 %) or better, with the standard 4-module quiet zone, so
a phone scans the code from a metre away even under tent lighting.
"""

from __future__ import annotations

from functools import lru_cache

import qrcode
import qrcode.constants
from PIL import Image, ImageOps

QUIET_ZONE = 4
_LEVELS = {
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@lru_cache(maxsize=32)
def qr_matrix(data: str, level: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The QR modules including the quiet zone: True is dark."""
    # A fixed mask: choosing the "best" of eight builds the code eight times (~15 ms),
    # on the tap that shows the thank-you screen. Scanning is checked in tests.
    code = qrcode.QRCode(
        error_correction=_LEVELS[level], border=QUIET_ZONE, box_size=1, mask_pattern=2
    )
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def qr_image(
    data: str, size_px: int, *, level: str = "M", dark: str = "#000000", light: str = "#FFFFFF"
) -> Image.Image:
    """A square RGB image of at most `size_px`, whole pixels per module (never blurred)."""
    matrix = qr_matrix(data, level)
    modules = len(matrix)
    scale = max(1, size_px // modules)
    small = Image.new("L", (modules, modules))
    small.putdata([0 if dark_module else 255 for row in matrix for dark_module in row])
    # Nearest-neighbour keeps module edges sharp at any whole-number scale.
    big = small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    return ImageOps.colorize(big, black=dark, white=light)

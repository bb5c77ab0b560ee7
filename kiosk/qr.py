"""QR codes, made locally: a module matrix, and a crisp Pillow image for print. No Qt here.

Error correction M (15 %) or better, with the standard 4-module quiet zone, so
a phone scans the code from a metre away even under tent lighting. The screen
draws the matrix itself (kiosk/ui/qr_view.py); Pillow is for print-quality files
and is imported only when one is made.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

QUIET_ZONE = 4


class _NoPillow:
    """A meta path finder that refuses PIL while qrcode imports, for drawers we never use.

    `import qrcode` pulls in PIL.Image (~9 MiB resident, ~0.2 s) for backwards-compatible
    re-exports we never use; qrcode guards that import and carries on without them.
    """

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "PIL" or name.startswith("PIL."):
            raise ModuleNotFoundError(f"{name} is not needed for a QR matrix", name=name)
        return None


def _qrcode():  # -> the qrcode module
    if "qrcode" in sys.modules or "PIL" in sys.modules:
        import qrcode

        return qrcode
    guard = _NoPillow()
    sys.meta_path.insert(0, guard)
    try:
        import qrcode
    finally:
        sys.meta_path.remove(guard)
    return qrcode


@lru_cache(maxsize=32)
def qr_matrix(data: str, level: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The QR modules including the quiet zone: True is dark."""
    qrcode = _qrcode()
    levels = {
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    # A fixed mask: choosing the "best" of eight builds the code eight times (~15 ms),
    # on the tap that shows the thank-you screen. Scanning is checked in tests.
    code = qrcode.QRCode(
        error_correction=levels[level], border=QUIET_ZONE, box_size=1, mask_pattern=2
    )
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def dark_runs(matrix: tuple[tuple[bool, ...], ...]) -> list[tuple[int, int, int]]:
    """Each horizontal run of dark modules as (row, first column, length).

    What a painter fills: one rectangle per run instead of one per module.
    """
    runs = []
    for y, row in enumerate(matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def module_px(modules: int, size_px: int) -> int:
    """Whole pixels per module for a code of at most `size_px` (never blurred; at least 1)."""
    return max(1, size_px // modules)


def qr_image(
    data: str, size_px: int, *, level: str = "M", dark: str = "#000000", light: str = "#FFFFFF"
) -> Image.Image:
    """A square RGB image of at most `size_px`, whole pixels per module (never blurred)."""
    from PIL import Image, ImageOps

    matrix = qr_matrix(data, level)
    modules = len(matrix)
    scale = module_px(modules, size_px)
    small = Image.new("L", (modules, modules))
    small.putdata([0 if dark_module else 255 for row in matrix for dark_module in row])
    # Nearest-neighbour keeps module edges sharp at any whole-number scale.
    big = small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
    return ImageOps.colorize(big, black=dark, white=light)

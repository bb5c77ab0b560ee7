"""QR codes decode to exactly the URL they were made from, with a quiet zone."""

from __future__ import annotations

import subprocess
import sys

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.qr import QUIET_ZONE, dark_runs, module_px, qr_image, qr_matrix


@pytest.mark.parametrize("size", [120, 400, 900])
def test_thank_you_qr_decodes_to_the_donate_url_with_ref(size):
    url = load_content(DEFAULT_CONTENT_DIR).links.donate_url_for("NH-7F3KQ2")
    image = qr_image(url, size)
    assert image.width <= size
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [url]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_quiet_zone_and_error_correction_m_or_better():
    url = "https://www.ijm.org.uk/freedom-partner?utm_medium=kiosk"
    matrix = qr_matrix(url)
    for row in matrix[:QUIET_ZONE] + matrix[-QUIET_ZONE:]:
        assert not any(row)
    for row in matrix:
        assert not any(row[:QUIET_ZONE]) and not any(row[-QUIET_ZONE:])
    result = zxingcpp.read_barcodes(qr_image(url, 300))[0]
    assert result.ec_level in ("M", "Q", "H")


def test_modules_are_whole_pixels_so_the_code_stays_crisp():
    image = qr_image("https://example.org", 333)
    modules = len(qr_matrix("https://example.org"))
    assert image.width % modules == 0
    assert {colour for _, colour in image.getcolors()} <= {(0, 0, 0), (255, 255, 255)}


def test_the_fixed_mask_still_scans_for_many_different_references():
    """qr.py skips the eight-way mask search for speed; every code must still decode."""
    from kiosk.records import new_donation_ref

    links = load_content(DEFAULT_CONTENT_DIR).links
    for _ in range(40):
        url = links.donate_url_for(new_donation_ref("NH"))
        # QR only: a random code's modules can also read as a short linear barcode.
        found = zxingcpp.read_barcodes(qr_image(url, 300), formats=zxingcpp.BarcodeFormat.QRCode)
        assert [r.text for r in found] == [url]


def test_dark_runs_rebuild_the_matrix_exactly():
    matrix = qr_matrix("https://www.ijm.org.uk/give?utm_source=kiosk")
    rebuilt = [[False] * len(row) for row in matrix]
    for y, x, length in dark_runs(matrix):
        assert length >= 1 and all(not rebuilt[y][x + i] for i in range(length))
        for i in range(length):
            rebuilt[y][x + i] = True
    assert tuple(tuple(row) for row in rebuilt) == matrix


def test_runs_drawn_as_rectangles_decode_to_the_url():
    url = "https://www.ijm.org.uk/give?utm_source=kiosk&utm_medium=stand"
    matrix = qr_matrix(url)
    scale = module_px(len(matrix), 330)
    assert scale * len(matrix) <= 330
    side = scale * len(matrix)
    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    for y, x, length in dark_runs(matrix):
        draw.rectangle(
            (x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1), fill=0
        )
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [r.text for r in found] == [url]


def test_the_matrix_is_made_without_loading_pillow():
    code = (
        "import sys\n"
        "from kiosk.qr import qr_matrix\n"
        "assert qr_matrix('https://example.org')\n"
        "assert 'PIL' not in sys.modules, 'Pillow was imported for a QR matrix'\n"
        "from kiosk.qr import qr_image\n"
        "assert qr_image('https://example.org', 100).width > 0\n"  # print images still work
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

"""The stand poster: A4/A5 at 300 dpi, a QR code that decodes to the campaign URL, big enough
to scan from 2 m, the pack's words; PNG and PDF."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image

from kiosk.cli import main
from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.poster import PosterError, make_poster, page_px, poster_text, render_poster

CM_PER_INCH = 2.54


@pytest.fixture(scope="module")
def content():
    return load_content(DEFAULT_CONTENT_DIR)


def _qr_width_cm(result) -> float:
    pos = result.position
    width_px = max(pos.top_right.x, pos.bottom_right.x) - min(pos.top_left.x, pos.bottom_left.x)
    return width_px / 300 * CM_PER_INCH


def test_a4_poster_is_300_dpi_and_its_qr_is_the_campaign_url_at_least_12_cm(content):
    page = render_poster(content, "A4")
    assert page.size == (2480, 3508) == page_px("A4")
    results = zxingcpp.read_barcodes(page)
    assert [r.text for r in results] == [content.links.donate_url_for()]
    assert "utm_campaign=freedom-partner-match" in results[0].text
    assert _qr_width_cm(results[0]) >= 12.0


def test_a5_poster_scales_down_and_still_decodes(content):
    page = render_poster(content, "A5")
    assert page.size == (1748, 2480)
    (result,) = zxingcpp.read_barcodes(page)
    assert result.text == content.links.donate_url_for()
    assert _qr_width_cm(result) >= 8.5


def test_the_words_come_from_the_pack(content):
    text = poster_text(content)
    assert text.headline == "Become a Freedom Partner"
    assert "match" in text.line
    assert text.scan == content.screens.scan_to_give
    assert text.url == "www.ijm.org.uk/freedom-partner"


def test_the_brand_colours_are_on_the_page(content):
    page = render_poster(content, "A5").convert("RGB")
    colours = {c for _, c in page.getcolors(maxcolors=1 << 20)}
    primary = tuple(int(content.brand.primary[i : i + 2], 16) for i in (1, 3, 5))
    accent = tuple(int(content.brand.accent[i : i + 2], 16) for i in (1, 3, 5))
    assert primary in colours and accent in colours


def test_cli_writes_png_and_pdf_by_suffix(tmp_path, data_dir, capsys):
    png, pdf = tmp_path / "poster.png", tmp_path / "poster-a5.pdf"
    assert main(["poster", "--out", str(png)]) == 0
    assert main(["poster", "--out", str(pdf), "--size", "a5"]) == 0
    with Image.open(png) as img:
        assert img.size == (2480, 3508)
        assert round(img.info["dpi"][0]) == 300
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "wrote the A5 poster" in capsys.readouterr().out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_a_wrong_suffix_or_folder_is_one_clear_line(tmp_path, data_dir, capsys):
    assert main(["poster", "--out", str(tmp_path / "poster.jpg")]) != 0
    assert main(["poster", "--out", str(tmp_path / "missing" / "p.png")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "png or .pdf" in err[0] and "not a folder" in err[1]
    with pytest.raises(PosterError):
        make_poster(load_content(DEFAULT_CONTENT_DIR), tmp_path / "x.png", size="A3")


LONG = {
    "headline": "Become a Freedom Partner and help end slavery in our lifetime everywhere",
    "line": " ".join(["Every gift this weekend is matched pound for pound by our partners."] * 6),
    "scan": "Scan this code with your phone camera to give securely online today",
    "url": "www.ijm.org.uk/" + "freedom-partner-" * 12,
    "brand": "International Justice Mission United Kingdom and Northern Ireland Office",
    "tagline": "Rescue victims, restore survivors, bring criminals to justice " * 3,
}


@pytest.mark.parametrize("size", ["A4", "A5"])
def test_long_pack_text_is_fitted_inside_the_page_and_the_qr_still_decodes(
    content, monkeypatch, size
):
    from PIL import ImageDraw

    from kiosk import poster

    monkeypatch.setattr(poster, "poster_text", lambda _c: poster.PosterText(**LONG))
    drawn: list[tuple[str, tuple[float, float, float, float]]] = []
    real_text = ImageDraw.ImageDraw.text

    def text(self, xy, words, *args, **kwargs):
        box = self.textbbox(xy, words, font=kwargs.get("font"), anchor=kwargs.get("anchor"))
        drawn.append((words, box))
        return real_text(self, xy, words, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    page = render_poster(content, size)
    width, height = page.size
    for words, (left, top, right, bottom) in drawn:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, words
    ellipsised = [w for w, _ in drawn if w.endswith("…")]
    assert any(w.startswith("www.ijm.org.uk/freedom-partner-") for w in ellipsised)  # the URL
    assert len(ellipsised) >= 3  # the body past its lines, the URL, the taglines
    (result,) = zxingcpp.read_barcodes(page)
    assert result.text == content.links.donate_url_for()
    pos = result.position
    qr_top = min(pos.top_left.y, pos.top_right.y)
    qr_bottom = max(pos.bottom_left.y, pos.bottom_right.y)
    for words, (_l, top, _r, bottom) in drawn:
        assert bottom <= qr_top or top >= qr_bottom, words  # nothing printed over the code
    assert _qr_width_cm(result) >= (12.0 if size == "A4" else 8.5)

"""A printable stand poster: the campaign QR large, the call to action, the matched-giving line.

A4 or A5 at 300 dpi, PNG or PDF by the file's suffix, drawn with Pillow and the
bundled Inter fonts. On A4 the QR code is 14 cm across, so a phone scans it
from about 2 m (a code scans from roughly ten times its width). An SVG logo is
rasterised by a small Qt adapter loaded only then; the rest needs no Qt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from kiosk.errors import KioskError
from kiosk.files import write_atomic
from kiosk.paths import FONTS_DIR
from kiosk.qr import qr_image

log = logging.getLogger(__name__)

DPI = 300
SIZES_MM = {"A4": (210, 297), "A5": (148, 210)}
QR_FRACTION = 0.667
"""Of the page's width: 14 cm on A4, 9.9 cm on A5."""


class PosterError(KioskError):
    """The poster could not be made (unknown size or suffix, unwritable file)."""


@dataclass(frozen=True)
class PosterText:
    headline: str
    line: str
    """The matched-giving line."""
    scan: str
    url: str
    brand: str
    tagline: str


def page_px(size: str) -> tuple[int, int]:
    w_mm, h_mm = SIZES_MM[size]
    return round(w_mm / 25.4 * DPI), round(h_mm / 25.4 * DPI)


def poster_text(content: Any) -> PosterText:
    """The words, from the pack: its call-to-action slide, "Scan to give", the donate URL."""
    cta = next((s for s in content.slides if s.kind == "call-to-action"), None)
    headline = cta.headline if cta else content.brand.name
    line = cta.body if cta else content.brand.tagline
    url = content.links.donate_url.split("://", 1)[-1].rstrip("/")
    return PosterText(
        headline=headline,
        line=line,
        scan=content.screens.scan_to_give,
        url=url,
        brand=content.brand.name,
        tagline=content.brand.tagline,
    )


def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS_DIR / name), px)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int):
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


ELLIPSIS = "…"


def _elide(draw, text: str, font, width: int, *, cut: bool = False) -> str:
    """`text` as it fits in `width`; shortened with "…" when it does not (or `cut`)."""
    if not cut and draw.textlength(text, font=font) <= width:
        return text
    text = text.rstrip()
    while text and draw.textlength(text.rstrip() + ELLIPSIS, font=font) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _fit(draw, text: str, face: str, px: int, width: int, max_lines: int, min_px: int = 0):
    """The largest font (from `px` down to `min_px`, half of `px` by default) that sets
    `text` in at most `max_lines` lines; past that, the last line ends in "…". A word
    wider than the line (a long URL) is shortened with "…" too: nothing leaves `width`."""
    floor = min_px or max(12, px // 2)
    while True:
        font = _font(face, px)
        lines = _wrap(draw, text, font, width)
        fits = len(lines) <= max_lines and all(
            draw.textlength(line, font=font) <= width for line in lines
        )
        if fits or px <= floor:
            break
        px = max(floor, round(px * 0.92))
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        log.info(
            "poster: %d lines of text left out (too long for the page)", len(lines) - max_lines
        )
        kept[-1] = _elide(draw, kept[-1], font, width, cut=True)
    return font, [_elide(draw, line, font, width) for line in kept]


def _logo(path: Path | None, height: int) -> Image.Image | None:
    if path is None or not Path(path).is_file():
        return None
    try:
        if path.suffix.lower() == ".svg":
            from kiosk.ui.raster import svg_to_pil  # Qt, only for an SVG logo

            return svg_to_pil(path, height)
        with Image.open(path) as img:
            img = img.convert("RGBA")
            return img.resize((max(1, round(img.width * height / img.height)), height))
    except (OSError, ValueError) as exc:
        log.warning("poster: logo could not be drawn (%s)", exc)
        return None


def render_poster(content: Any, size: str = "A4") -> Image.Image:
    """The poster as an RGB image at 300 dpi."""
    if size not in SIZES_MM:
        raise PosterError(f"unknown poster size {size!r} — use A4 or A5")
    brand = content.brand
    text = poster_text(content)
    width, height = page_px(size)
    unit = width / 2480  # sizes below are for A4; A5 scales down
    page = Image.new("RGB", (width, height), "#FFFFFF")
    draw = ImageDraw.Draw(page)
    margin = round(150 * unit)
    inner = width - 2 * margin

    # Brand band: logo and name on the charity's colour.
    band_h = round(420 * unit)
    draw.rectangle((0, 0, width, band_h), fill=brand.primary)
    x = margin
    logo = _logo(brand.logo, round(220 * unit))
    if logo is not None:
        page.paste(logo, (x, (band_h - logo.height) // 2), logo)
        x += logo.width + round(60 * unit)
    name_font, name_lines = _fit(
        draw, text.brand, "Inter-Bold.otf", round(84 * unit), width - x - margin, 2
    )
    tag_font, (tagline,) = _fit(
        draw, text.tagline, "Inter-Regular.otf", round(60 * unit), width - x - margin, 1
    )
    block = len(name_lines) * name_font.size * 1.15 + tag_font.size * 1.4
    y = (band_h - block) / 2
    for line in name_lines:
        draw.text((x, y), line, font=name_font, fill=brand.text)
        y += name_font.size * 1.15
    draw.text((x, y + tag_font.size * 0.2), tagline, font=tag_font, fill=brand.accent)

    # Call to action and the matched-giving line.
    y = band_h + round(150 * unit)
    head_font, head_lines = _fit(
        draw, text.headline, "InterDisplay-Black.otf", round(190 * unit), inner, 2
    )
    for line in head_lines:
        draw.text((width / 2, y), line, font=head_font, fill=brand.primary, anchor="ma")
        y += head_font.size * 1.1
    y += round(50 * unit)
    body_font, body_lines = _fit(draw, text.line, "Inter-SemiBold.otf", round(78 * unit), inner, 4)
    for line in body_lines:
        draw.text((width / 2, y), line, font=body_font, fill=brand.ink, anchor="ma")
        y += body_font.size * 1.3

    # The QR code, large, with its own quiet zone, and what it is for. Long words above
    # may leave less room: the code then shrinks a little rather than run into the footer.
    footer_h = round(230 * unit)
    space = height - footer_h - y
    scan_font, (scan,) = _fit(draw, text.scan, "Inter-Bold.otf", round(110 * unit), inner, 1)
    url_font, (url,) = _fit(draw, text.url, "Inter-Regular.otf", round(56 * unit), inner, 1)
    words_h = scan_font.size * 1.3 + url_font.size * 1.6
    gap = round(40 * unit)
    qr_side = min(round(width * QR_FRACTION), round(space - words_h - gap))
    code = qr_image(content.links.donate_url_for(), qr_side, level="Q")
    stack = code.height + words_h
    top = y + max(gap, (space - stack) / 2)
    draw.text((width / 2, top), scan, font=scan_font, fill=brand.primary, anchor="ma")
    top += scan_font.size * 1.3
    page.paste(code, (round((width - code.width) / 2), round(top)))
    top += code.height
    draw.text((width / 2, top), url, font=url_font, fill=brand.ink, anchor="ma")

    # Footer: the accent colour, as on the kiosk's calls to action.
    draw.rectangle((0, height - footer_h, width, height), fill=brand.accent)
    foot_font, (foot,) = _fit(draw, text.tagline, "Inter-SemiBold.otf", round(60 * unit), inner, 1)
    draw.text(
        (width / 2, height - footer_h / 2),
        foot,
        font=foot_font,
        fill=brand.ink,
        anchor="mm",
    )
    return page


def make_poster(content: Any, out: Path, *, size: str = "A4") -> Path:
    """Write the poster to `out` (.png or .pdf), atomically; returns the path written."""
    out = Path(out)
    kind = {".png": "PNG", ".pdf": "PDF"}.get(out.suffix.lower())
    if kind is None:
        raise PosterError(f"{out.name}: the poster is written as .png or .pdf")
    if not out.parent.is_dir():
        raise PosterError(f"{out.parent} is not a folder")
    page = render_poster(content, size)
    import io

    buffer = io.BytesIO()
    page.save(buffer, kind, resolution=float(DPI), dpi=(DPI, DPI))
    try:
        write_atomic(out, buffer.getvalue())
    except OSError as exc:
        raise PosterError(f"{out} could not be written: {exc.strerror}") from None
    return out

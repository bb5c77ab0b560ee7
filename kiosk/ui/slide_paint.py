"""Painting a slide's words: story, statistic and quote, each a block centred in its area.

Plain functions of the painter, the content pack and the slide: the attract loop calls them
for the current slide and, during a transition, the previous one.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from kiosk.content import Content, Slide
from kiosk.ui.layers import Live
from kiosk.ui.reach import reach
from kiosk.ui.theme import Metrics, font


def format_stat(value: float, prefix: str, suffix: str) -> str:
    shown = f"{value:,.0f}" if value >= 1000 or value == int(value) else f"{value:,.1f}"
    return f"{prefix}{shown}{suffix}"


def text_block(
    p: QPainter,
    rect: QRectF,
    items: list[tuple[str, QFont, QColor, int]],
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    *,
    live: int | None = None,
    capture: list[Live] | None = None,
) -> None:
    """Lay out paragraphs top to bottom, the block centred vertically in `rect`.

    With `capture` (a slide's cached picture being drawn), item `live` is left out and
    noted there, so frames can draw it over the picture (a count-up number).
    """
    flags = int(align) | int(Qt.TextFlag.TextWordWrap)
    bounds = QRect(0, 0, int(rect.width()), 100000)

    def measure() -> list[int]:
        return [
            QFontMetrics(f).boundingRect(bounds, flags, text).height() + gap
            for text, f, _, gap in items
        ]

    heights = measure()
    for _ in range(8):  # large text: shrink the block until it fits its area
        if sum(heights) <= rect.height():
            break
        for _, f, _, _ in items:
            f.setPixelSize(max(1, round(f.pixelSize() * 0.92)))
        heights = measure()
    y = rect.top() + max(0.0, (rect.height() - sum(heights)) / 2)
    for i, ((text, f, colour, _), h) in enumerate(zip(items, heights, strict=True)):
        box = QRectF(rect.left(), y, rect.width(), h)
        if i == live and capture is not None:
            capture.append(Live(box, f, colour, flags))
        else:
            p.setFont(f)
            p.setPen(colour)
            p.drawText(box, flags, text)
        y += h


def paint_story(
    p: QPainter,
    content: Content,
    slide: Slide,
    rect: QRectF,
    m: Metrics,
    _: float,
    *,
    capture: list[Live] | None = None,
) -> None:
    brand = content.brand
    cta = slide.kind == "call-to-action"
    items = [
        (
            slide.headline,
            font(m.px(92 if not m.portrait else 96), QFont.Weight.Bold, display=True),
            QColor(brand.accent if cta else brand.text),
            m.px(36),
        )
    ]
    if slide.body:
        items.append((slide.body, font(reach().text(m.px(40))), QColor(brand.text), 0))
    text_block(p, rect, items)


def paint_stat(
    p: QPainter,
    content: Content,
    slide: Slide,
    rect: QRectF,
    m: Metrics,
    progress: float,
    *,
    capture: list[Live] | None = None,
) -> None:
    brand = content.brand
    value = (slide.value or 0) * progress
    number = format_stat(round(value), slide.prefix, slide.suffix)
    big = m.px(300 if not m.portrait else 400)  # shrunk below to fit the final value
    # Shrink the number until the final value fits, so it never jumps size mid-count.
    final = format_stat(slide.value or 0, slide.prefix, slide.suffix)
    while (
        big > m.px(80)
        and QFontMetrics(font(big, QFont.Weight.Black, display=True)).horizontalAdvance(final)
        > rect.width()
    ):
        big = int(big * 0.92)
    items = []
    if slide.headline:
        items.append(
            (
                slide.headline.upper(),
                font(reach().text(m.px(36)), QFont.Weight.DemiBold),
                QColor(brand.text),
                m.px(8),
            )
        )
    live = len(items)
    items.append(
        (number, font(big, QFont.Weight.Black, display=True), QColor(brand.accent), m.px(12))
    )
    items.append(
        (
            slide.caption,
            font(reach().text(m.px(46)), QFont.Weight.Medium),
            QColor(brand.text),
            m.px(28),
        )
    )
    if slide.source:
        muted = QColor(brand.text if reach().contrast else "#8DA2BF")
        source = content.text("attract.source", source=slide.source)
        items.append((source, font(reach().text(m.px(24))), muted, 0))
    text_block(p, rect, items, Qt.AlignmentFlag.AlignHCenter, live=live, capture=capture)


def paint_quote(
    p: QPainter,
    content: Content,
    slide: Slide,
    rect: QRectF,
    m: Metrics,
    _: float,
    *,
    capture: list[Live] | None = None,
) -> None:
    brand = content.brand
    body_rect = rect.adjusted(rect.width() * 0.06, 0, -rect.width() * 0.06, 0)
    # The mark is part of the block, so it sits just above the words at any height.
    text_block(
        p,
        body_rect,
        [
            (
                "“",
                font(m.px(220), QFont.Weight.Black, display=True),
                QColor(brand.accent),
                -m.px(90),
            ),
            (
                slide.body,
                font(m.px(64), QFont.Weight.Medium, display=True),
                QColor(brand.text),
                m.px(40),
            ),
            (
                f"— {slide.headline}",
                font(reach().text(m.px(36)), QFont.Weight.DemiBold),
                QColor(brand.accent),
                0,
            ),
        ],
        Qt.AlignmentFlag.AlignHCenter,
    )

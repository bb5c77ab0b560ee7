"""The thank-you screen: the visitor's first name, a large donation QR with their reference, Done.

It holds the visitor's name only while shown; `clear()` wipes it from every widget.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHideEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.content import Content
from kiosk.records import first_name
from kiosk.ui.involved import SUBTLE_INK, mix, place
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.reach import ReachButton, reach
from kiosk.ui.speaker import SpeakerButton, shown_texts
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, font
from kiosk.ui.touch import install_touch
from kiosk.ui.widgets import BigButton, QrCode, ScaledWidget

MAX_NAME_CHARS = 24  # a longer "first name" is elided so the headline keeps its size


def unbroken(ref: str) -> str:
    """The reference with non-breaking hyphens, so running text never wraps it at "-"."""
    return ref.replace("-", "\u2011")


def first_word(name: str) -> str:
    """The first word of `name`, elided if very long: the screen greets, it does not identify."""
    word = first_name(name.strip())
    return word if len(word) <= MAX_NAME_CHARS else word[: MAX_NAME_CHARS - 1] + "…"


class _Badge(QWidget):
    """A gold disc with a tick: the sign-up is saved."""

    def __init__(self, colours: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._disc, self._ink = colours
        self.setAccessibleName("Signed up")

    def paintEvent(self, event: QPaintEvent) -> None:
        side = min(self.width(), self.height())
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self._disc))
        p.drawEllipse(QRectF(0, 0, side, side))
        pen = QPen(QColor(self._ink), max(3.0, side * 0.09))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        tick = QPainterPath(QPointF(side * 0.29, side * 0.52))
        tick.lineTo(side * 0.44, side * 0.66)
        tick.lineTo(side * 0.72, side * 0.36)
        p.drawPath(tick)
        p.end()


class _QrCard(QWidget):
    """The white card: "Scan to give", the QR, and the reference printed large beneath it."""

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._metrics = Metrics(1920, 1080)
        self._qr_side = 480
        self.scan = QLabel(content.screens.scan_to_give, self)
        self.scan.setObjectName("thanksScan")
        self.scan.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scan.setWordWrap(True)  # translations run longer than "Scan to give"
        self.qr = QrCode("", self, accessible=content.text("thanks.qr_name"))
        self.ref_caption = QLabel(content.text("thanks.reference"), self)
        self.ref_caption.setObjectName("refCaption")
        self.ref_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ref = QLabel("", self)
        self.ref.setObjectName("refCode")
        self.ref.setTextFormat(Qt.TextFormat.PlainText)
        self.ref.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ref.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

    def set_metrics(self, m: Metrics, qr_side: int) -> None:
        self._metrics = m
        self._qr_side = qr_side
        ref_font = font(reach().text(m.px(56)), QFont.Weight.Bold)
        # Reads like a code: even digit widths and air between characters.
        ref_font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, m.px(5))
        ref_font.setFeature(QFont.Tag("tnum"), 1)
        self.ref.setFont(ref_font)
        self._relayout()

    def show_reference(self, shown: bool) -> None:
        self.ref_caption.setVisible(shown)
        self.ref.setVisible(shown)
        self._relayout()

    def _rows(self) -> tuple[int, int, int, int]:
        shown = not self.ref.isHidden()
        return (
            self.scan.heightForWidth(self._qr_side),
            self._qr_side,
            self.ref_caption.sizeHint().height() if shown else 0,
            max(self.ref.sizeHint().height(), self.ref.fontMetrics().height()) if shown else 0,
        )

    def preferred_height(self) -> int:
        m = self._metrics
        scan_h, qr_h, cap_h, ref_h = self._rows()
        return 2 * m.px(40) + scan_h + m.px(20) + qr_h + m.px(24) + cap_h + m.px(2) + ref_h

    def preferred_width(self) -> int:
        return self._qr_side + 2 * self._metrics.px(40)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()

    def _relayout(self) -> None:
        m = self._metrics
        pad = m.px(40)
        w = self.width()
        scan_h, qr_h, cap_h, ref_h = self._rows()
        y = pad
        y = place(self.scan, pad, y, w - 2 * pad, scan_h) + m.px(20)
        self.qr.setGeometry((w - qr_h) // 2, y, qr_h, qr_h)
        y += qr_h + m.px(24)
        y = place(self.ref_caption, pad, y, w - 2 * pad, cap_h) + m.px(2)
        place(self.ref, m.px(12), y, w - 2 * m.px(12), ref_h)

    def paintEvent(self, event: QPaintEvent) -> None:
        radius = self._metrics.px(36)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#FFFFFF"))
        p.drawRoundedRect(QRectF(self.rect()), radius, radius)
        p.end()


class ThanksScreen(ScaledWidget):
    """Screen 4, "Thank you": shown only after the sign-up is saved.

    Signals:
        done(): the visitor pressed Done, or the screen timed out.
    """

    done = Signal()

    def __init__(
        self, content: Content, parent: QWidget | None = None, *, timeout_ms: int | None = None
    ) -> None:
        super().__init__(parent, backdrop=content.brand.primary)
        self.content = content
        self._headline_px = 0
        self.setObjectName("thanksScreen")
        self.setAccessibleName("Thank you")
        brand = content.brand

        self._timer = QTimer(self)
        self._timer.setObjectName("thanks-timeout")
        self._timer.setSingleShot(True)
        self._timer.setInterval(
            timeout_ms if timeout_ms is not None else round(content.timing.thank_you_s * 1000)
        )
        self._timer.timeout.connect(self._finish)

        self._badge = _Badge((brand.accent, brand.ink), self)
        self._headline = self._text_label("thanksHeadline")
        self._body = self._text_label("thanksBody")
        self._next = self._text_label("thanksNext")
        self._card = _QrCard(content, self)
        self._done = BigButton(content.text("button.done"), role="primary", parent=self)
        self._done.setObjectName("doneButton")
        self._done.setAutoDefault(True)
        self._done.clicked.connect(self._finish)
        self._countdown = QLabel("", self)
        self._countdown.setObjectName("thanksCountdown")
        self._aa = ReachButton(content.text("reach.aa"), content.text("reach.aa_name"), self)
        self._tick = QTimer(self)
        self._tick.setObjectName("thanks-countdown")
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_countdown)
        self._left_s = 0
        self._language = LanguageButton(self)
        self.speaker = SpeakerButton(self, self, relayout=self._relayout)
        reach().changed.connect(self._on_reach)
        install_touch(self)

    def _text_label(self, name: str) -> QLabel:
        widget = QLabel("", self)
        widget.setObjectName(name)
        widget.setWordWrap(True)
        # Visitor-typed text must never be read as HTML.
        widget.setTextFormat(Qt.TextFormat.PlainText)
        return widget

    def spoken_parts(self) -> list[str]:
        return shown_texts([self._headline, self._body, self._next], self)

    @property
    def qr_url(self) -> str:
        return self._card.qr.data

    @property
    def done_button(self) -> QPushButton:
        return self._done

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def show_for(self, first_name: str, donation_ref: str, next_steps: str = "") -> None:
        """Fill the screen for one visitor; only the first word of `first_name` is shown.

        `next_steps` (what happens next, chosen by what they gave) comes before the
        pack's own next-steps text.
        """
        first = first_word(first_name)
        ty = self.content.thank_you

        def fill(template: str) -> str:
            return template.format(first_name=first, ref=unbroken(donation_ref))

        headline = fill(ty.headline)
        if not first:
            # "Thank you, {first_name}" with no name would end in a dangling comma.
            headline = re.sub(r"[\s,;:—–-]+$", "", headline)
        self._headline.setText(headline)
        self._body.setText(fill(ty.body))
        self._body.setVisible(bool(ty.body))
        after = " ".join(t for t in (next_steps, fill(ty.next_steps)) if t)
        self._next.setText(after)
        self._next.setVisible(bool(after))
        self._card.qr.set_data(self.content.links.donate_url_for(ref=donation_ref))
        self._card.ref.setText(donation_ref)
        self._card.ref.setAccessibleName(f"Your reference: {' '.join(donation_ref)}")
        self._card.show_reference(True)
        self._relayout()
        if self.isVisible():
            self._start_timers()

    def show_under_age(self) -> None:
        """Thank a visitor under the minimum age kindly; nothing of theirs was stored."""
        c = self.content
        self._headline.setText(c.text("under_age.title"))
        self._body.setText(c.text("under_age.body", age=c.min_age))
        self._body.setVisible(True)
        self._next.setText("")
        self._next.setVisible(False)
        self._card.qr.set_data(c.links.donate_url_for())
        self._card.ref.setText("")
        self._card.show_reference(False)
        self._relayout()
        if self.isVisible():
            self._start_timers()

    def _start_timers(self) -> None:
        self._timer.start()
        self._left_s = math.ceil(self._timer.interval() / 1000)
        self._tick.start()
        self._paint_countdown()

    def _show_countdown(self) -> None:
        self._left_s = max(0, self._left_s - 1)
        self._paint_countdown()

    def _paint_countdown(self) -> None:
        self._countdown.setText(self.content.text("thanks.countdown", seconds=self._left_s))

    @property
    def countdown_text(self) -> str:
        return self._countdown.text()

    def _on_reach(self) -> None:
        self._styled_for = None
        if self.isVisible():  # hidden screens catch up when shown: a toggle stays quick
            self._restyle()
            self._relayout()

    def clear(self) -> None:
        """Forget the visitor: no name, reference or QR data is left in any widget."""
        self._timer.stop()
        self._tick.stop()
        for widget in (self._headline, self._body, self._next, self._card.ref, self._countdown):
            widget.setText("")
        self._card.ref.setAccessibleName("")
        self._card.qr.set_data("")

    def _finish(self) -> None:
        self._timer.stop()
        self._tick.stop()
        self.done.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._styled_for is None:
            self._restyle()
            self._relayout()
        self._start_timers()
        self._done.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        self._tick.stop()
        super().hideEvent(event)

    def _apply_style(self, m: Metrics) -> None:
        brand = self.content.brand
        r = reach()
        t = r.text
        subtle_ink = r.subtle_ink(brand.ink) if r.contrast else SUBTLE_INK
        aa_edge = r.on_brand(mix(brand.text, brand.primary, 0.6), brand.text)
        next_ink = r.on_brand(mix(brand.text, brand.primary, 0.78), brand.text)
        pressed = QColor(brand.accent).darker(115).name()
        align = Qt.AlignmentFlag.AlignHCenter if m.portrait else Qt.AlignmentFlag.AlignLeft
        for widget in (self._headline, self._body, self._next, self._countdown):
            widget.setAlignment(align | Qt.AlignmentFlag.AlignTop)
        self.setStyleSheet(f"""
            QLabel#thanksHeadline {{
                color: {brand.text}; font-family: "{DISPLAY_FAMILY}";
                font-weight: 700;
            }}
            QLabel#thanksBody {{
                color: {brand.text}; font-family: "{FAMILY}"; font-size: {t(m.px(38))}px;
            }}
            QLabel#thanksNext, QLabel#thanksCountdown {{
                color: {next_ink}; font-family: "{FAMILY}";
                font-size: {t(m.px(32))}px;
            }}
            QPushButton#reachButton {{
                font-family: "{FAMILY}"; font-size: {t(m.px(32))}px; font-weight: 700;
                color: {brand.text}; background: transparent;
                border: {max(2, m.px(3))}px solid {aa_edge};
                border-radius: {m.touch // 2}px; min-height: {m.touch}px; max-height: {m.touch}px;
            }}
            QPushButton#reachButton:checked {{ background: {brand.text}; color: {brand.primary}; }}
            QLabel#thanksScan {{
                color: {brand.ink}; font-family: "{DISPLAY_FAMILY}";
                font-size: {t(m.px(40))}px; font-weight: 700;
            }}
            QLabel#refCaption {{
                color: {subtle_ink}; font-family: "{FAMILY}"; font-size: {t(m.px(26))}px;
                font-weight: 600;
            }}
            QLabel#refCode {{ color: {brand.ink}; }}
            QPushButton#doneButton {{
                font-family: "{FAMILY}"; font-size: {t(m.px(38))}px; font-weight: 700;
                color: {brand.ink}; background: {brand.accent}; border: none;
                border-radius: {max(m.touch, m.px(104)) // 2}px; padding: 0px {m.px(72)}px;
                min-height: {max(m.touch, m.px(104))}px; max-height: {max(m.touch, m.px(104))}px;
            }}
            QPushButton#doneButton:pressed {{ background: {pressed}; }}
            QPushButton#doneButton:focus {{
                border: {max(3, m.px(5))}px solid {brand.text};
            }}
        """)
        short = min(self.width(), self.height())
        self._card.set_metrics(m, round(short * (0.5 if not m.portrait else 0.52)))

    def _fit_headline(self, width: int, room: int) -> None:
        """Shrink the headline (a long name) until the whole block fits in `room` pixels
        and its longest word fits on a line: a word is never clipped mid-letter."""
        m = self._metrics
        text = self._headline.text()
        bounds = QRect(0, 0, max(1, width), 100000)
        longest = max(text.split(), key=len, default="")
        px = reach().text(m.px(100))
        floor = reach().text(m.px(38))  # never smaller than the body text
        while px > floor:
            metrics = QFontMetrics(font(px, QFont.Weight.Bold, display=True))
            fits = metrics.boundingRect(bounds, int(Qt.TextFlag.TextWordWrap), text).height()
            if fits <= room and metrics.horizontalAdvance(longest) <= width:
                break
            px = math.floor(px * 0.92)
        if px != self._headline_px:
            self._headline_px = px
            self._headline.setStyleSheet(f"font-size: {px}px;")

    def _relayout(self) -> None:
        m = self._metrics
        w, h = self.width(), self.height()
        card_w, card_h = self._card.preferred_width(), self._card.preferred_height()
        done_h = max(m.touch, m.px(104))
        done_w = max(self._done.sizeHint().width(), m.px(320))
        aa_w = max(m.touch, reach().text(m.px(120)))
        badge = m.px(96)
        portrait = m.portrait
        margin = m.margin if portrait else round(m.margin * 1.5)
        gap = m.px(36) if portrait else m.px(32)
        width = w - 2 * margin - (0 if portrait else card_w + m.px(96))
        body_h = self._body.heightForWidth(width) if self._body.isVisibleTo(self) else 0
        next_h = self._next.heightForWidth(width) if self._next.isVisibleTo(self) else 0
        fixed = badge + m.px(40) + gap + body_h + (gap if body_h else 0) + next_h
        fixed += m.px(64) + done_h
        fixed += m.px(20) + self._countdown.sizeHint().height()
        if portrait:
            fixed += m.px(20) + card_h + m.px(44) - m.px(8)
        self._fit_headline(width, h - 2 * m.px(40) - fixed)
        headline_h = self._headline.heightForWidth(width)
        block = fixed + headline_h

        y = max(m.px(40), (h - block) // 2)
        x = (w - badge) // 2 if portrait else margin
        self._badge.setGeometry(x, y, badge, badge)
        y = place(self._headline, margin, y + badge + m.px(40), width, headline_h) + gap
        if body_h:
            y = place(self._body, margin, y, width, body_h) + gap
        if portrait:
            self._card.setGeometry((w - card_w) // 2, y + m.px(20), card_w, card_h)
            y += m.px(20) + card_h + m.px(36)
        else:
            self._card.setGeometry(w - margin - card_w, (h - card_h) // 2, card_w, card_h)
        if next_h:
            y = place(self._next, margin, y, width, next_h)
        lang_w = max(m.touch, self._language.sizeHint().width() + m.px(24))
        row_w = (
            done_w
            + m.px(24)
            + aa_w
            + (m.px(24) + lang_w if self._language.isVisibleTo(self) else 0)
            + (m.px(24) + m.touch if self.speaker.isVisibleTo(self) else 0)
        )
        x = (w - row_w) // 2 if portrait else margin
        y += m.px(64)
        self._done.setGeometry(x, y, done_w, done_h)
        self._aa.setGeometry(x + done_w + m.px(24), y + (done_h - m.touch) // 2, aa_w, m.touch)
        lang_x = x + done_w + aa_w + m.px(48)
        self._language.setGeometry(lang_x, y + (done_h - m.touch) // 2, lang_w, m.touch)
        lang_x += lang_w + m.px(24) if self._language.isVisibleTo(self) else 0
        self.speaker.setGeometry(lang_x, y + (done_h - m.touch) // 2, m.touch, m.touch)
        count_h = self._countdown.sizeHint().height()
        if portrait:
            place(self._countdown, margin, y + done_h + m.px(20), w - 2 * margin, count_h)
        else:
            place(self._countdown, x, y + done_h + m.px(12), width, count_h)

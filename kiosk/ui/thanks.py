"""The thank-you screen: the visitor's first name, a large donation QR with their reference, Done.

It holds the visitor's name only while shown; `clear()` wipes it from every widget.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHideEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.content import Content
from kiosk.records import first_name
from kiosk.ui.involved import SUBTLE_INK, mix, place
from kiosk.ui.language_picker import LanguageButton
from kiosk.ui.reach import ReachButton, reach
from kiosk.ui.speaker import SpeakerButton, shown_texts
from kiosk.ui.thanks_card import Badge, QrCard
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, font
from kiosk.ui.touch import install_touch
from kiosk.ui.widgets import BigButton, ScaledWidget, mirror_if_rtl

MAX_NAME_CHARS = 24  # a longer "first name" is elided so the headline keeps its size


def unbroken(ref: str) -> str:
    """The reference with non-breaking hyphens, so running text never wraps it at "-"."""
    return ref.replace("-", "\u2011")


def first_word(name: str) -> str:
    """The first word of `name`, elided if very long: the screen greets, it does not identify."""
    word = first_name(name.strip())
    return word if len(word) <= MAX_NAME_CHARS else word[: MAX_NAME_CHARS - 1] + "…"


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
        self.setObjectName("thanksScreen")
        self.setAccessibleName(content.text("thanks.name"))
        brand = content.brand

        self._timer = QTimer(self)
        self._timer.setObjectName("thanks-timeout")
        self._timer.setSingleShot(True)
        self._timer.setInterval(
            timeout_ms if timeout_ms is not None else round(content.timing.thank_you_s * 1000)
        )
        self._timer.timeout.connect(self._finish)

        self._badge = Badge((brand.accent, brand.ink), self)
        self._badge.setAccessibleName(content.text("thanks.badge_name"))
        self._headline = self._text_label("thanksHeadline")
        self._body = self._text_label("thanksBody")
        self._next = self._text_label("thanksNext")
        self._card = QrCard(content, self)
        self._done = BigButton(content.text("button.done"), role="primary", parent=self)
        self._done.setObjectName("doneButton")
        self._done.setAutoDefault(True)
        self._done.clicked.connect(self._finish)
        self._countdown = QLabel("", self)
        self._countdown.setObjectName("thanksCountdown")
        self._countdown.setWordWrap(True)
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
        self._card.set_reference(donation_ref)
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
            QLabel#thanksHeadline, QLabel#thanksBody {{ color: {brand.text}; }}
            QLabel#thanksNext, QLabel#thanksCountdown {{ color: {next_ink}; }}
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

    def _fit_headline(self, width: int, room: int) -> bool:
        """Shrink the headline (a long name) until the whole block fits in `room` pixels
        and its longest word fits on a line: a word is never clipped mid-letter.
        False when even the smallest size does not fit."""
        m = self._metrics
        text = self._headline.text()
        bounds = QRect(0, 0, max(1, width), 100000)
        longest = max(text.split(), key=len, default="")
        px = reach().text(m.px(100))
        floor = reach().text(m.px(38))  # never smaller than the body text
        while True:
            headline = font(px, QFont.Weight.Bold, display=True)
            metrics = QFontMetrics(headline)
            fits = metrics.boundingRect(bounds, int(Qt.TextFlag.TextWordWrap), text).height()
            if fits <= room and metrics.horizontalAdvance(longest) <= width:
                break
            if px <= floor:
                break
            px = max(floor, math.floor(px * 0.92))
        # A font, not a stylesheet: the label's height for width follows it at once.
        self._headline.setFont(headline)
        return fits <= room

    def _set_text_scale(self, scale: float) -> None:
        """Body, next steps and countdown at `scale` of their size (long text shrinks a
        little, never below 28 px at 1080p, or 1.5 times that in large text)."""
        m, t = self._metrics, reach().text
        self._body.setFont(font(max(t(m.px(28)), round(t(m.px(38)) * scale))))
        small = font(max(t(m.px(26)), round(t(m.px(32)) * scale)))
        self._next.setFont(small)
        self._countdown.setFont(small)

    def _relayout(self) -> None:
        m = self._metrics
        w, h = self.width(), self.height()
        short = min(w, h)
        # The QR first, then the text, give way until the column fits the screen.
        for qr, scale in ((1.0, 1.0), (0.86, 1.0), (0.86, 0.9), (0.74, 0.9), (0.74, 0.8)):
            self._card.set_metrics(m, round(short * (0.52 if m.portrait else 0.5) * qr))
            self._set_text_scale(scale)
            if self._measure():
                break
        self._place_all()

    def _column(self) -> tuple[int, int, int, int]:
        """The text column's margin, gap and width, and the height of all but the headline."""
        m = self._metrics
        w = self.width()
        portrait = m.portrait
        margin = m.margin if portrait else round(m.margin * 1.5)
        gap = m.px(36) if portrait else m.px(32)
        width = w - 2 * margin - (0 if portrait else self._card.preferred_width() + m.px(96))
        body_h = self._body.heightForWidth(width) if self._body.isVisibleTo(self) else 0
        next_h = self._next.heightForWidth(width) if self._next.isVisibleTo(self) else 0
        fixed = m.px(96) + m.px(40) + gap + body_h + (gap if body_h else 0) + next_h
        fixed += m.px(64) + max(m.touch, m.px(104))
        fixed += m.px(20) + self._countdown_height(w - 2 * margin if portrait else width)
        if portrait:
            fixed += m.px(20) + self._card.preferred_height() + m.px(44) - m.px(8)
        return margin, gap, width, fixed

    def _countdown_height(self, width: int) -> int:
        """The countdown's height at its longest (it is laid out before it starts)."""
        seconds = math.ceil(self._timer.interval() / 1000)
        text = self.content.text("thanks.countdown", seconds=seconds)
        bounds = QRect(0, 0, max(1, width), 100000)
        flags = int(Qt.TextFlag.TextWordWrap)
        return QFontMetrics(self._countdown.font()).boundingRect(bounds, flags, text).height()

    def _measure(self) -> bool:
        """Size the headline for the current card and text sizes; True if all fits."""
        _, _, width, fixed = self._column()
        return self._fit_headline(width, self.height() - 2 * self._metrics.px(40) - fixed)

    def _place_all(self) -> None:
        m = self._metrics
        w, h = self.width(), self.height()
        card_w, card_h = self._card.preferred_width(), self._card.preferred_height()
        done_h = max(m.touch, m.px(104))
        done_w = max(self._done.sizeHint().width(), m.px(320))
        aa_w = max(m.touch, reach().text(m.px(120)))
        badge = m.px(96)
        portrait = m.portrait
        margin, gap, width, fixed = self._column()
        body_h = self._body.heightForWidth(width) if self._body.isVisibleTo(self) else 0
        next_h = self._next.heightForWidth(width) if self._next.isVisibleTo(self) else 0
        count_w = w - 2 * margin if portrait else width
        count_h = self._countdown_height(count_w)
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
        # A long language name where the row has no room: its first letters.
        self._language.set_compact(False)
        room = w - 2 * margin if portrait else width
        speaker_w = m.touch + m.px(24) if self.speaker.isVisibleTo(self) else 0
        if done_w + aa_w + speaker_w + self._language.sizeHint().width() + m.px(72) > room:
            self._language.set_compact(True)
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
        x = margin if portrait else x
        place(self._countdown, x, y + done_h + m.px(20 if portrait else 12), count_w, count_h)
        mirror_if_rtl(self)

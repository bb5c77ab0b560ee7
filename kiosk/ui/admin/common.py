"""What every Admin card shares: buttons, cards, restyling, times in words, the stylesheet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.records import parse_iso
from kiosk.ui.theme import DISPLAY_FAMILY, FAMILY, Metrics, Palette


class PlainLabel(QLabel):
    """A label that shows its text as typed: names, stick labels and folder names are
    data, and "<font size=7>" in one must never become giant text (AutoText would)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)


SOFT_INK = "#42536A"  # 7:1 on white: captions stay readable
LINE = "#DCE2EA"


def button(text: str, role: str, parent: QWidget, name: str | None = None) -> QPushButton:
    b = QPushButton(text, parent)
    b.setProperty("role", role)
    b.setAccessibleName(name or text.replace("…", ""))
    b.setAutoDefault(True)  # Enter activates the focused button, as Space does
    return b


def restyle(widget: QWidget, prop: str, value: Any) -> None:
    """Set a style property and re-polish, so the stylesheet's [prop=...] rules apply."""
    if widget.property(prop) != value:
        widget.setProperty(prop, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class Card(QFrame):
    """A white rounded card with a title; subclasses add to `self.body`."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.title = PlainLabel(title, self)
        self.title.setObjectName("cardTitle")
        self.body = QVBoxLayout(self)
        self.body.addWidget(self.title)

    def set_metrics(self, m: Metrics) -> None:
        pad = m.px(28)
        self.body.setContentsMargins(pad, m.px(20), pad, pad)
        self.body.setSpacing(m.px(14))


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def when(iso: str | None, now: float) -> str:
    """ "today 14:05 (3 min ago)", "02 Aug 09:10 (40 h ago)" or "never"."""
    if not iso:
        return "never"
    try:
        moment = parse_iso(iso).astimezone()
    except ValueError:
        return iso
    today = datetime.fromtimestamp(now).astimezone().date()
    ago = max(0, int(now - moment.timestamp()))
    if ago < 60:
        rel = "just now"
    elif ago < 3600:
        rel = f"{ago // 60} min ago"
    else:
        rel = f"{ago // 3600} h ago"
    day = "today" if moment.date() == today else moment.strftime("%d %b")
    return f"{day} {moment:%H:%M} ({rel})"


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 sign-up", "2 sign-ups", "1,204 sign-ups"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def style_sheet(p: Palette, m: Metrics) -> str:
    """The Admin panel's stylesheet at the size `m` (one sheet for every card)."""
    border = max(2, m.px(3))
    radius = m.px(20)
    header_down = QColor(p.primary).lighter(160).name()
    return f"""
    QWidget#adminPanel {{ background: {p.surface}; }}
    QLabel {{ font-family: "{FAMILY}"; font-size: {m.body_px}px; color: {p.ink}; }}
    QFrame#adminHeader {{ background: {p.primary}; }}
    QLabel#adminTitle {{ color: {p.text}; font-size: {m.px(48)}px; font-weight: 700; }}
    QLabel#adminSubtitle {{ color: {p.muted}; font-size: {m.small_px}px; }}
    QLabel#notice {{ background: #E7F4EC; color: #1E5E3A; font-weight: 600;
        border-radius: {m.px(14)}px; padding: {m.px(14)}px {m.px(22)}px; }}
    QLabel#notice[kind="error"], QLabel#packProblem {{ background: #FBE9E7; color: #8E2A1F;
        font-weight: 600; border-radius: {m.px(14)}px; padding: {m.px(14)}px {m.px(22)}px; }}
    QFrame#card, QFrame#statCard {{ background: #FFFFFF; border: 1px solid {LINE};
        border-radius: {radius}px; }}
    QFrame#statCard[attention="true"] {{ border: {border}px solid {p.accent}; }}
    QLabel#statValue {{ font-family: "{DISPLAY_FAMILY}"; font-size: {m.px(72)}px;
        font-weight: 700; color: {p.primary}; }}
    QLabel#statCaption {{ font-size: {m.small_px}px; color: {SOFT_INK}; }}
    QLabel#cardTitle {{ font-size: {m.px(34)}px; font-weight: 700; color: {p.primary}; }}
    QLabel#fieldLabel {{ font-weight: 600; color: {SOFT_INK}; }}
    QLabel#muted {{ color: {SOFT_INK}; }}
    QLabel#syncError {{ color: {SOFT_INK}; }}
    QLabel#syncError[error="true"] {{ color: {p.danger}; font-weight: 600; }}
    QLabel#result {{ font-weight: 600; color: #1E5E3A; }}
    QLabel#result[kind="error"] {{ color: {p.danger}; }}
    QLabel#result[kind="busy"] {{ color: {SOFT_INK}; }}
    QLabel#empty {{ color: {SOFT_INK}; font-size: {m.body_px}px; }}
    QLabel#emptyBox {{ color: {p.primary}; font-size: {m.px(34)}px; font-weight: 600;
        border: {border}px dashed #B7C1CF; border-radius: {m.px(14)}px;
        padding: {m.px(24)}px; }}
    QPushButton {{ font-family: "{FAMILY}"; font-size: {m.body_px}px; font-weight: 600;
        border-radius: {m.px(16)}px; padding: 0 {m.px(20)}px; }}
    QPushButton[role="primary"] {{ background: {p.accent}; color: {p.ink}; border: none; }}
    QPushButton[role="primary"]:pressed {{ background: {QColor(p.accent).darker(115).name()}; }}
    QPushButton[role="primary"]:disabled {{ background: #E6E9EE; color: #6B7A8F; }}
    QPushButton[role="secondary"], QPushButton[role="segment"] {{ background: #FFFFFF;
        color: {p.primary}; border: {border}px solid {p.primary}; }}
    QPushButton[role="secondary"]:pressed, QPushButton[role="segment"]:pressed {{
        background: #E4EAF2; }}
    QPushButton[role="segment"] {{ padding: 0 {m.px(12)}px; }}
    QPushButton[role="segment"]:checked {{ background: {p.primary}; color: {p.text}; }}
    QPushButton[role="segment"]:disabled {{ color: #6B7A8F; border-color: #C5CDD8; }}
    QPushButton[role="segment"]:checked:disabled {{ background: #C5CDD8; color: #FFFFFF; }}
    QPushButton[role="secondary"]:disabled {{ color: #6B7A8F; border-color: #C5CDD8; }}
    QPushButton[role="danger"] {{ background: #FFFFFF; color: {p.danger};
        border: {border}px solid {p.danger}; }}
    QPushButton[role="danger"]:pressed {{ background: #FBE9E7; }}
    QPushButton[role="danger"]:disabled {{ color: #8A96A8; border-color: #D5DAE1; }}
    QPushButton[role="header"], QPushButton[role="tab"] {{ background: transparent;
        color: {p.text}; border: {border}px solid {p.text}; }}
    QPushButton[role="tab"] {{ border-color: transparent; }}
    QPushButton[role="tab"]:checked {{ background: {p.text}; color: {p.primary}; }}
    QPushButton[role="header"]:pressed, QPushButton[role="tab"]:pressed {{
        background: {header_down}; }}
    QFrame#footer {{ background: #FFFFFF; border-top: 1px solid {LINE}; }}
    QFrame#confirm {{ background: {p.primary}; border-radius: {radius}px; }}
    QFrame#confirm QLabel {{ color: {p.text}; font-size: {m.px(32)}px; font-weight: 600; }}
    QPushButton[role="secondaryDark"] {{ background: transparent; color: {p.text};
        border: {border}px solid {p.text}; }}
    QPushButton[role="letter"] {{ background: #FFFFFF; color: {p.ink}; border: none;
        font-size: {m.px(36)}px; font-weight: 700; padding: 0; }}
    QPushButton[role="letter"]:pressed {{ background: {p.accent}; }}
    QPushButton[role="dangerSolid"] {{ background: {p.danger}; color: #FFFFFF; border: none; }}
    QPushButton[role="dangerSolid"]:disabled {{ background: #5B6B82; color: #D0D8E4; }}
    QLineEdit {{ font-family: "{FAMILY}"; font-size: {m.px(34)}px; color: {p.ink};
        background: #FFFFFF; border: {border}px solid #C5D0DE; border-radius: {m.px(14)}px;
        padding: 0 {m.px(16)}px; }}
    QLineEdit:focus {{ border-color: {p.primary}; }}
    QLineEdit#wipeInput {{ font-size: {m.px(36)}px; font-weight: 700;
        letter-spacing: {m.px(6)}px; border-color: {p.accent}; }}
    QScrollArea#touchList {{ background: {p.surface}; border: 1px solid {LINE};
        border-radius: {m.px(14)}px; }}
    QWidget#touchRows {{ background: {p.surface}; }}
    QFrame#touchRow {{ background: #FFFFFF; border: 1px solid {LINE};
        border-radius: {m.px(12)}px; }}
    QFrame#touchRow[current="true"] {{ background: {p.primary}; border-color: {p.primary}; }}
    QFrame#touchRow QLabel {{ background: transparent; }}
    QFrame#touchRow QLabel#rowTitle {{ font-weight: 600; }}
    QFrame#touchRow QLabel#rowDetail {{ color: {SOFT_INK}; font-size: {m.small_px}px; }}
    QFrame#touchRow[current="true"] QLabel, QFrame#touchRow[current="true"] QLabel#rowDetail {{
        color: {p.text}; }}
    QProgressBar {{ background: #E4EAF2; border: none; border-radius: {m.px(6)}px;
        min-height: {m.px(12)}px; max-height: {m.px(12)}px; }}
    QProgressBar::chunk {{ background: {p.accent}; border-radius: {m.px(6)}px; }}
    QScrollBar:vertical {{ width: {m.px(14)}px; background: transparent; }}
    QScrollBar::handle:vertical {{ background: #B7C1CF; border-radius: {m.px(7)}px;
        min-height: {m.px(40)}px; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
    """

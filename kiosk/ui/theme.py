"""Look and feel: bundled fonts, brand colours and sizes that scale with the screen.

Every screen sizes itself through `Metrics`, so one layout works at 1920×1080,
1280×800 and 1080×1920. Sizes are given in pixels at 1080p and scaled by the
screen's short side; touch targets never fall below 60 px (about 12 mm).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase

from kiosk.paths import FONTS_DIR

FAMILY = "Inter"
DISPLAY_FAMILY = "Inter Display"
MIN_TOUCH_PX = 60

_fonts_loaded = False


def load_fonts() -> None:
    """Register the bundled fonts once, so text renders with no system fonts."""
    global _fonts_loaded
    if _fonts_loaded:
        return
    for path in sorted(FONTS_DIR.glob("*.otf")):
        QFontDatabase.addApplicationFont(str(path))
    _fonts_loaded = True


@dataclass(frozen=True)
class Palette:
    """Brand colours; the content pack may override each (see content.Brand)."""

    primary: str = "#0B2545"  # deep navy: backgrounds
    accent: str = "#F2B134"  # warm gold: calls to action, big numbers
    surface: str = "#F5F7FA"  # light panels: the form, the keyboard
    text: str = "#FFFFFF"  # text on primary
    ink: str = "#13233A"  # text on surface
    muted: str = "#8DA2BF"  # captions, sources
    danger: str = "#C0392B"  # validation messages
    ok: str = "#2E8B57"


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for a screen of width×height."""

    width: int
    height: int

    @property
    def scale(self) -> float:
        return max(0.7, min(2.0, min(self.width, self.height) / 1080))

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    def px(self, at_1080p: float) -> int:
        return round(at_1080p * self.scale)

    @property
    def touch(self) -> int:
        """Smallest side of anything a finger presses."""
        return max(MIN_TOUCH_PX, self.px(88))

    @property
    def margin(self) -> int:
        return self.px(64)

    @property
    def body_px(self) -> int:
        return self.px(30)

    @property
    def small_px(self) -> int:
        return self.px(26)

    @property
    def title_px(self) -> int:
        return self.px(64)


def font(size_px: int, weight: QFont.Weight = QFont.Weight.Normal, display: bool = False) -> QFont:
    f = QFont(DISPLAY_FAMILY if display else FAMILY)
    f.setPixelSize(max(1, size_px))
    f.setWeight(weight)
    f.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    return f


def stylesheet(palette: Palette, m: Metrics) -> str:
    """The application stylesheet for the form-like screens, sized for `m`."""
    radius = m.px(20)
    return f"""
    QWidget {{ font-family: "{FAMILY}"; }}
    QLabel[role="title"] {{ color: {palette.ink}; font-size: {m.title_px}px; font-weight: 700; }}
    QLabel[role="hint"] {{ color: #4A5B73; font-size: {m.small_px}px; }}
    QLabel[role="error"] {{ color: {palette.danger}; font-size: {m.small_px}px; font-weight: 600; }}
    QLabel[role="consent"] {{ color: {palette.ink}; font-size: {m.px(28)}px; }}
    QLabel[role="fieldlabel"] {{ color: {palette.ink}; font-size: {m.body_px}px;
                                 font-weight: 600; }}
    QLineEdit {{
        font-size: {m.px(34)}px; color: {palette.ink}; background: #FFFFFF;
        border: {max(2, m.px(3))}px solid #C5D0DE; border-radius: {m.px(14)}px;
        padding: {m.px(8)}px {m.px(18)}px; min-height: {m.touch - m.px(20)}px;
        selection-background-color: {palette.accent};
    }}
    QLineEdit:focus {{ border-color: {palette.primary}; }}
    QLineEdit[invalid="true"] {{ border-color: {palette.danger}; }}
    QPushButton {{
        font-size: {m.px(34)}px; font-weight: 700; border-radius: {radius}px;
        padding: {m.px(10)}px {m.px(36)}px; min-height: {m.touch}px; border: none;
    }}
    QPushButton[role="primary"] {{ background: {palette.accent}; color: {palette.ink}; }}
    QPushButton[role="primary"]:disabled {{ background: #E3E8EF; color: #8C9AAE; }}
    QPushButton[role="secondary"] {{
        background: transparent; color: {palette.ink};
        border: {max(2, m.px(3))}px solid #C5D0DE;
    }}
    QPushButton[role="link"] {{
        background: transparent; color: {palette.primary}; text-decoration: underline;
        font-size: {m.small_px}px; font-weight: 600; padding: 0px; min-height: {m.touch}px;
    }}
    QPushButton:focus {{ outline: none; border: {max(3, m.px(4))}px solid {palette.primary}; }}
    QCheckBox {{ font-size: {m.body_px}px; color: {palette.ink}; spacing: {m.px(18)}px;
                 min-height: {m.touch}px; }}
    QCheckBox::indicator {{ width: {m.px(48)}px; height: {m.px(48)}px; border-radius: {m.px(10)}px;
                            border: {max(2, m.px(3))}px solid #8C9AAE; background: #FFFFFF; }}
    QCheckBox::indicator:checked {{ background: {palette.primary}; border-color: {palette.primary};
                                    image: url({(FONTS_DIR.parent / "check.svg").as_posix()}); }}
    QScrollBar:vertical {{ width: {m.px(12)}px; background: transparent; margin: 0px; }}
    QScrollBar::handle:vertical {{ background: #C5D0DE; border-radius: {m.px(6)}px;
                                   min-height: {m.px(60)}px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; }}
    QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: transparent; }}
    QCheckBox:focus {{ color: {palette.primary}; }}
    """

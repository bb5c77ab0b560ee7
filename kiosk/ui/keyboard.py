"""The on-screen keyboard docked under the sign-up form: big keys, accents, email and phone layouts.

It types into whichever text field has focus by posting real key events, and keeps no text itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetrics,
    QHideEvent,
    QKeyEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from kiosk.ui.keyboard_layouts import (
    _SPECIAL,
    ACCENTS,
    BACKSPACE,
    LAYER,
    MODES,
    NEXT,
    SHIFT,
    SPACE,
    Mode,
    _all_ids,
    _layout_for,
)
from kiosk.ui.keyboard_layouts import (
    SPOKEN as _SPOKEN,
)
from kiosk.ui.theme import Metrics, Palette, font

# The words on and behind the special keys; the visitor's form gives them in its language
# (text catalogue keys "keyboard.<name>"), Admin keeps these.
WORDS = {
    "space": "space",
    "space_name": "Space",
    "backspace_name": "Backspace",
    "shift_name": "Shift",
    "numbers_name": "Numbers and symbols",
    "letters_name": "Letters",
}


def _qt_key(ch: str) -> Qt.Key:
    # Qt's key codes for printable Latin-1 characters are their upper-case code points.
    up = ch.upper()
    if len(up) == 1:
        try:
            return Qt.Key(ord(up))
        except ValueError:
            pass
    return Qt.Key.Key_unknown


def _is_text_input(widget: QWidget | None) -> bool:
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
        return widget.isEnabled() and not widget.isReadOnly()
    return False


class _Key(QPushButton):
    """One key. It never takes focus, so the text field keeps it while the visitor types."""

    def __init__(self, kid: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.kid = kid
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAutoDefault(False)
        if kid in _SPECIAL:
            role = "next" if kid == NEXT else "space" if kid == SPACE else "mod"
        elif kid in ACCENTS:
            role = "accent"
        elif len(kid) > 1:
            role = "word"
        elif kid.isalnum():
            role = "char"
        else:
            role = "punct"
        self.setProperty("role", role)
        self.set_case(upper=False)

    @property
    def is_letter(self) -> bool:
        return len(self.kid) == 1 and self.kid.isalpha()

    def output(self) -> str:
        return self.text() if self.is_letter else self.kid

    def set_case(self, upper: bool) -> None:
        if self.kid in _SPECIAL:
            return
        label = self.kid.upper() if upper and self.is_letter else self.kid
        self.setText(label.replace("&", "&&"))  # a lone "&" would be a mnemonic marker
        self.setAccessibleName(_SPOKEN.get(label, label))


class OnScreenKeyboard(QWidget):
    """A touch keyboard that types into the focused text field with real key events.

    Modes: "text" (names, with a row of accented letters), "email" (digits, "@" and
    domain keys) and "phone" (a digit pad). A focused field with the dynamic property
    `kiosk_keyboard` set to a mode switches the keyboard while it is shown.

    Signals: none; key presses reach the form as ordinary key events.
    """

    def __init__(
        self, metrics: Metrics, palette: Palette | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("onScreenKeyboard")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._palette = palette or Palette()
        self._metrics = metrics
        self._mode: str = "text"
        self._language = "en"  # whose letters the text keyboard shows
        self._layer = "letters"
        self._shift = "off"  # "off", "once" (next character only) or "lock"
        self._last_shift_tap = QElapsedTimer()
        self._watching_focus = False
        self._auto_shift = False  # the current "once" shift was set by auto-capitals
        self._edit: QLineEdit | None = None  # the field whose cursor we follow

        self.repeat_delay_ms = 400
        """Hold Backspace this long before it starts repeating."""
        self.repeat_interval_ms = 60
        """Then delete one character this often."""
        self.double_tap_ms = QApplication.styleHints().mouseDoubleClickInterval()
        """Two Shift taps within this time lock capitals on."""

        self._repeat = QTimer(self)
        self._repeat.setObjectName("keyboardBackspaceRepeat")
        self._repeat.timeout.connect(self._on_repeat)

        self._keys: dict[str, _Key] = {}
        for kid in _all_ids():
            key = _Key(kid, self)
            key.hide()
            self._keys[kid] = key
            if kid == BACKSPACE:
                key.pressed.connect(self._on_backspace_pressed)
                key.released.connect(self._repeat.stop)
            elif kid == SHIFT:
                key.setCheckable(True)
                key.clicked.connect(self._on_shift)
            elif kid == LAYER:
                key.clicked.connect(self._on_layer)
            elif kid == SPACE:
                key.clicked.connect(lambda: self._type(" "))
            elif kid == NEXT:
                key.clicked.connect(self._on_next)
            else:
                key.clicked.connect(lambda _=False, k=key: self._on_char(k))
        self._words = dict(WORDS)
        self._keys[BACKSPACE].setText("⌫")
        self.set_words({})
        self.set_enter_label("Next")
        self._update_labels()
        self.set_metrics(metrics)

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def shift_state(self) -> str:
        """Shift is "off", "once" (the next character only) or "lock" (caps lock)."""
        return self._shift

    def set_mode(self, mode: Mode) -> None:
        """Show the layout for a kind of field; any pending shift or symbols layer is dropped."""
        if mode not in MODES:
            raise ValueError(f"keyboard mode must be one of {MODES}, not {mode!r}")
        self._repeat.stop()
        self._mode = mode
        self._layer = "letters"
        self._set_shift("off")
        self._relayout()
        self._autocap()

    def set_language(self, code: str) -> None:
        """The text (name) keyboard's letters for `code` (en, ga, pl, uk)."""
        self._language = code
        self._relayout()

    def reset(self) -> None:
        """Back to lower-case text with nothing held, for the next visitor."""
        self.set_mode("text")
        self._set_shift("off")

    def set_words(self, words: Mapping[str, str]) -> None:
        """The keys' words in the visitor's language (keys of WORDS; the rest stay English)."""
        self._words = {**WORDS, **words}
        self._keys[SPACE].setText(self._words["space"])
        for kid, word in (
            (BACKSPACE, "backspace_name"),
            (SHIFT, "shift_name"),
            (SPACE, "space_name"),
        ):
            self._keys[kid].setAccessibleName(self._words[word])
        self._update_labels()

    def set_enter_label(self, label: str) -> None:
        """Name the Enter key for what it does on this field, e.g. "Next" or "Done"."""
        key = self._keys[NEXT]
        key.setText(f"{label}  ⏎")
        key.setAccessibleName(label)
        self._fit_next()

    def set_metrics(self, metrics: Metrics) -> None:
        """Size keys and fonts for a screen; the height stays under 40% of it."""
        self._metrics = metrics
        m = metrics
        self._pad = m.px(14)
        self._gap = m.px(10)
        rows = 6 if m.portrait else 4
        self._key_h = max(m.touch, m.px(96)) if m.portrait else m.touch
        self.setFixedHeight(2 * self._pad + rows * self._key_h + (rows - 1) * self._gap)
        fonts = {
            "char": font(m.px(40)),
            "accent": font(m.px(40)),
            # Bare punctuation is small ink at letter size; "-" and "_" must read apart.
            "punct": font(m.px(46), QFont.Weight.DemiBold),
            "word": font(m.px(30), QFont.Weight.DemiBold),
            "mod": font(m.px(40)),
            "space": font(m.px(24)),
            "next": font(m.px(30), QFont.Weight.DemiBold),
        }
        for key in self._keys.values():
            key.setFont(fonts[key.property("role")])
        self._keys[LAYER].setFont(font(m.px(28), QFont.Weight.DemiBold))
        self.setStyleSheet(self._style_sheet())
        self._relayout()

    def _style_sheet(self) -> str:
        p, m = self._palette, self._metrics
        surface = QColor(p.surface)
        base = surface.darker(108).name()
        key_edge = surface.darker(130).name()
        mod = surface.darker(115).name()
        mod_down = surface.darker(135).name()
        accent = QColor(p.accent)
        accent_bg = QColor(accent)
        accent_bg.setAlpha(60)
        return f"""
        QWidget#onScreenKeyboard {{ background: {base}; }}
        QPushButton {{
            background: #FFFFFF; color: {p.ink};
            border: none; border-bottom: {m.px(3)}px solid {key_edge};
            border-radius: {m.px(14)}px; padding: 0;
        }}
        QPushButton:pressed {{
            background: {p.primary}; color: {p.text}; border-bottom-color: {p.primary};
        }}
        QPushButton[role="accent"] {{
            background: #FFF6E2; border-bottom-color: {accent.darker(115).name()};
        }}
        QPushButton[role="accent"]:pressed {{ background: {p.primary}; color: {p.text}; }}
        QPushButton[role="space"] {{ color: {p.muted}; }}
        QPushButton[role="mod"] {{ background: {mod}; border-bottom-color: {mod_down}; }}
        QPushButton[role="mod"]:pressed, QPushButton[role="mod"]:checked {{
            background: {p.primary}; color: {p.text}; border-bottom-color: {p.primary};
        }}
        QPushButton[role="next"] {{
            background: {p.accent}; color: {p.ink};
            border-bottom-color: {accent.darker(130).name()};
        }}
        QPushButton[role="next"]:pressed {{
            background: {p.primary}; color: {p.text}; border-bottom-color: {p.primary};
        }}
        """

    def _relayout(self) -> None:
        rows, units = _layout_for(self._mode, self._layer, self._metrics.portrait, self._language)
        pad, gap = self._pad, self._gap
        unit = (self.width() - 2 * pad + gap) / units
        # Fewer rows (the phone pad) get taller keys, within reason, anchored at the bottom.
        pitch = min((self.height() - 2 * pad + gap) / len(rows), 1.3 * (self._key_h + gap))
        top = self.height() - pad - len(rows) * pitch + gap
        shown: set[str] = set()
        for r, row in enumerate(rows):
            x = pad + (units - sum(w for _, w in row)) * unit / 2
            y = round(top + r * pitch)
            h = round(top + (r + 1) * pitch - gap) - y
            for kid, width in row:
                if kid is not None:
                    left, right = round(x), round(x + width * unit - gap)
                    self._keys[kid].setGeometry(left, y, right - left, h)
                    shown.add(kid)
                x += width * unit
        for kid, key in self._keys.items():
            if key.isHidden() == (kid in shown):
                key.setVisible(kid in shown)
        self._fit_next()

    def _fit_next(self) -> None:
        """The Enter key's word ("Next", longer in some languages) smaller until it fits.

        Its own stylesheet: the sign-up's button font size (larger in large text) would
        win over a font set on the key."""
        key, m = self._keys[NEXT], self._metrics
        sibling = self._keys[LAYER]  # sized like every other key by the stylesheets
        sibling.ensurePolished()
        px = QFontInfo(sibling.font()).pixelSize()
        room = key.width() - m.px(16)
        while px > m.px(18):
            if QFontMetrics(font(px, QFont.Weight.DemiBold)).horizontalAdvance(key.text()) <= room:
                break
            px -= 1
        sheet = f"font-size: {px}px; font-weight: 600;"
        if key.styleSheet() != sheet:  # setting it, even unchanged, restyles the key
            key.setStyleSheet(sheet)

    def _update_labels(self) -> None:
        upper = self._shift != "off"
        for key in self._keys.values():
            key.set_case(upper)
        shift = self._keys[SHIFT]
        shift.setText("⇪" if self._shift == "lock" else "⇧")
        shift.setChecked(upper)
        shift.setAccessibleDescription({"off": "", "once": "on", "lock": "caps lock"}[self._shift])
        layer = self._keys[LAYER]
        letters = self._layer == "letters"
        layer.setText("123" if letters else "ABC")
        layer.setAccessibleName(self._words["numbers_name" if letters else "letters_name"])

    def _set_shift(self, state: str) -> None:
        self._shift = state
        self._auto_shift = False
        self._update_labels()

    def _autocap(self) -> None:
        """Capitals at the start of each word of a field marked `kiosk_autocap` (names)."""
        edit = self._edit
        if edit is None or not edit.property("kiosk_autocap") or self._shift == "lock":
            return
        before = edit.text()[: edit.cursorPosition()]
        start = not before or before[-1] == " "
        if start and self._shift == "off" and self._layer == "letters":
            self._set_shift("once")
            self._auto_shift = True
        elif not start and self._shift == "once" and self._auto_shift:
            self._set_shift("off")

    def _on_shift(self) -> None:
        if self._auto_shift:
            # The visitor wants lower case here ("van der Berg"): Shift turns auto-capital off.
            self._auto_shift = False
            self._set_shift("off")
            return
        quick = self._last_shift_tap.isValid() and (
            self._last_shift_tap.elapsed() <= self.double_tap_ms
        )
        self._last_shift_tap.start()
        if self._shift == "off":
            self._set_shift("once")
        elif self._shift == "once" and quick:
            self._set_shift("lock")
        else:
            self._set_shift("off")

    def _on_layer(self) -> None:
        self._layer = "symbols" if self._layer == "letters" else "letters"
        self._update_labels()
        self._relayout()

    def _on_char(self, key: _Key) -> None:
        self._type(key.output())
        if self._shift == "once":
            self._set_shift("off")

    def _on_next(self) -> None:
        self._post(Qt.Key.Key_Return, "\r")

    def _on_backspace_pressed(self) -> None:
        self._post(Qt.Key.Key_Backspace)
        self._repeat.start(self.repeat_delay_ms)

    def _on_repeat(self) -> None:
        if not _is_text_input(QApplication.focusWidget()):
            self._repeat.stop()
            return
        self._post(Qt.Key.Key_Backspace)
        if self._repeat.interval() != self.repeat_interval_ms:
            self._repeat.setInterval(self.repeat_interval_ms)

    def _type(self, text: str) -> None:
        for ch in text:
            self._post(_qt_key(ch), ch)

    def _post(self, key: Qt.Key, text: str = "") -> None:
        # Posted, not called: the field's validator, undo stack and signals run as
        # for a physical keyboard, and after this key's click handler has returned.
        target = QApplication.focusWidget()
        if not _is_text_input(target):
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.postEvent(
                target, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            )

    def _follow_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        mode = new.property("kiosk_keyboard") if new is not None else None
        if mode in MODES and mode != self._mode:
            self.set_mode(mode)
        if self._edit is not None:
            self._edit.cursorPositionChanged.disconnect(self._autocap)
            self._edit = None
        if isinstance(new, QLineEdit) and mode in MODES:
            self._edit = new
            new.cursorPositionChanged.connect(self._autocap)
            if self._auto_shift:
                self._set_shift("off")
            self._autocap()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._watching_focus:
            QApplication.instance().focusChanged.connect(self._follow_focus)
            self._watching_focus = True
        self._follow_focus(None, QApplication.focusWidget())

    def hideEvent(self, event: QHideEvent) -> None:
        self._repeat.stop()
        if self._edit is not None:
            self._edit.cursorPositionChanged.disconnect(self._autocap)
            self._edit = None
        if self._watching_focus:
            QApplication.instance().focusChanged.disconnect(self._follow_focus)
            self._watching_focus = False
        super().hideEvent(event)

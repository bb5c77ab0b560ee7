"""The on-screen keyboard's layouts: letters, accents, email and phone keys, landscape and portrait.

Data and two small functions, no widgets: kiosk.ui.keyboard draws whatever these say.
"""

from __future__ import annotations

from typing import Literal

from kiosk.keyboard_layouts import DEFAULT, LAYOUTS, layout_for

Mode = Literal["text", "email", "phone"]
MODES: tuple[str, ...] = ("text", "email", "phone")

# Special keys have ids that are not text; every other id is exactly what the key types.
SHIFT, BACKSPACE, SPACE, NEXT, LAYER = "shift", "backspace", "space", "next", "layer"
_SPECIAL = (SHIFT, BACKSPACE, SPACE, NEXT, LAYER)

ACCENTS = "áéíóúàèìòùâêôëïüçñ"

SPOKEN = {
    "@": "at sign",
    ".": "full stop",
    ",": "comma",
    "-": "hyphen",
    "_": "underscore",
    "'": "apostrophe",
    "+": "plus",
    "(": "left bracket",
    ")": "right bracket",
    "/": "slash",
    "&": "ampersand",
    "#": "hash",
    "!": "exclamation mark",
    "?": "question mark",
    ":": "colon",
    ";": "semicolon",
    '"': "quotation mark",
    "=": "equals",
    ".com": "dot com",
    ".co.uk": "dot co dot uk",
    ".org": "dot org",
    ".ie": "dot I E",
}

# A layout is rows of (key id, width in key units); a None id is an empty gap.
Row = list[tuple[str | None, float]]


def _row(*items: str | float | tuple[str, float]) -> Row:
    """ "abc" is three one-unit keys, a number is a gap, (id, width) is one key."""
    row: Row = []
    for item in items:
        if isinstance(item, tuple):
            row.append(item)
        elif isinstance(item, str):
            row.extend((ch, 1.0) for ch in item)
        else:
            row.append((None, float(item)))
    return row


def _spread(chars: str, width: float) -> Row:
    return [(ch, width / len(chars)) for ch in chars]


# Landscape has width to spare and little height (40% of 1080 is four rows of
# 88 px), so the accents or the email keys sit in a block beside the letters.
_WIDE_UNITS = 17.0
_WIDE_GAP = 0.5
_WIDE = {
    "text": [
        _row("qwertyuiop", (BACKSPACE, 1.5)),
        _row(0.5, "asdfghjkl", (NEXT, 2)),
        _row((SHIFT, 1.5), "zxcvbnm", "-'."),
        _row((LAYER, 2), (SPACE, 9.5)),
    ],
    "email": [
        _row("qwertyuiop", (BACKSPACE, 1.5)),
        _row(0.5, "asdfghjkl", (NEXT, 2)),
        _row((SHIFT, 1.5), "zxcvbnm", "-_+"),
        _row((LAYER, 2), ("@", 4.75), (".", 4.75)),
    ],
    "symbols": [
        _row("1234567890", (BACKSPACE, 1.5)),
        _row(0.5, "-'.,+()/&", (NEXT, 2)),
        _row(1.25, '@#!?:;"_=', 1.25),
        _row((LAYER, 2), (SPACE, 9.5)),
    ],
}
_WIDE_SIDE = {
    "text": [_row("áéíóú"), _row("àèìòù"), _row("âêôëï"), _spread("üçñ", 5)],
    "email": [
        _row("123", (".com", 2)),
        _row("456", (".ie", 2)),
        _row("789", (".org", 2)),
        _row(("0", 3), (".co.uk", 2)),
    ],
}

# Portrait is narrow and tall: extra rows go on top, like a phone keyboard.
_TALL_UNITS = 10.0
_TALL = {
    "text": [
        _row("qwertyuiop"),
        _row(0.5, "asdfghjkl", 0.5),
        _row((SHIFT, 1.5), "zxcvbnm", (BACKSPACE, 1.5)),
        _row((LAYER, 1.5), "'", (SPACE, 3.5), "-.", (NEXT, 2)),
    ],
    "email": [
        _row("qwertyuiop"),
        _row(0.5, "asdfghjkl", 0.5),
        _row((SHIFT, 1.5), "zxcvbnm", (BACKSPACE, 1.5)),
        _row((LAYER, 1.5), "_-", ("@", 2), (".", 2), "+", (NEXT, 1.5)),
    ],
    "symbols": [
        _row("1234567890"),
        _row(0.5, "-'.,+()/&", 0.5),
        _row('@#!?:;"_', (BACKSPACE, 2)),
        _row((LAYER, 2), (SPACE, 6), (NEXT, 2)),
    ],
}
_TALL_TOP = {
    "text": [_spread("áéíóúàèìò", 10), _spread("ùâêôëïüçñ", 10)],
    "email": [_row("1234567890"), [(w, 2.5) for w in (".com", ".co.uk", ".ie", ".org")]],
}

_PHONE = [
    _row(("1", 2.5), ("2", 2.5), ("3", 2.5), (BACKSPACE, 2.5)),
    _row(("4", 2.5), ("5", 2.5), ("6", 2.5), (SPACE, 2.5)),
    _row(("7", 2.5), ("8", 2.5), ("9", 2.5), ("-", 2.5)),
    _row(("+", 2.5), ("0", 2.5), (NEXT, 5)),
]


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _letters_for(language: str, portrait: bool) -> tuple[list[Row], float]:
    """The name keyboard for a language's letters (kiosk.keyboard_layouts), e.g. Polish
    diacritics beside QWERTY or the Ukrainian ЙЦУКЕН rows with ґ and the apostrophe."""
    letters = layout_for(language)
    r = letters.rows
    accents = "".join(letters.accents)
    punct = letters.punctuation
    if portrait:
        top = [_spread(chunk, 10) for chunk in _chunks(accents, 10)][:2]
        rows = [
            *top,
            _row(r[0]),
            _row(0.5, r[1], 0.5),
            _row((SHIFT, 1.5), r[2], (BACKSPACE, 1.5)),
            _row((LAYER, 1.5), (SPACE, 3.5), punct, (NEXT, 2)),
        ]
        return rows, max(_TALL_UNITS, *(sum(w for _, w in row) for row in rows))
    main = [
        _row(r[0], (BACKSPACE, 1.5)),
        _row(0.5, r[1], (NEXT, 2)),
        _row((SHIFT, 1.5), r[2], punct),
        _row((LAYER, 2), (SPACE, 9.5)),
    ]
    side = [_row(chunk) for chunk in _chunks(accents, 5)][:4]
    side += [[] for _ in range(4 - len(side))]
    width = max(len(row) for row in side)
    rows = [
        [*m, (None, _WIDE_GAP), *s, (None, float(width - len(s)))] if width else m
        for m, s in zip(main, side, strict=True)
    ]
    return rows, max(_WIDE_UNITS, *(sum(w for _, w in row) for row in rows))


def _layout_for(
    mode: str, layer: str, portrait: bool, language: str = DEFAULT
) -> tuple[list[Row], float]:
    """The rows to show and the width, in key units, that the keyboard's width stands for.

    `language` changes only the letters of the text (name) keyboard; English keeps the
    common Western accents, and email and phone keep their own keys in every language.
    """
    if mode == "text" and layer == "letters" and language in LAYOUTS and language != DEFAULT:
        return _letters_for(language, portrait)
    if mode == "phone":
        return _PHONE, _TALL_UNITS if portrait else _WIDE_UNITS
    symbols = layer == "symbols"
    main = "symbols" if symbols else mode
    if portrait:
        top = _TALL_TOP[mode]
        if mode == "email" and symbols:
            top = top[1:]  # the symbols layer has its own row of digits
        return top + _TALL[main], _TALL_UNITS
    if mode == "email" and symbols:
        return _WIDE[main], _WIDE_UNITS
    side = _WIDE_SIDE[mode]
    return [
        [*r, (None, _WIDE_GAP), *s] for r, s in zip(_WIDE[main], side, strict=True)
    ], _WIDE_UNITS


def _all_ids() -> list[str]:
    seen: dict[str, None] = {}
    for rows in [*_WIDE.values(), *_WIDE_SIDE.values(), *_TALL.values(), *_TALL_TOP.values()]:
        for row in rows:
            seen.update((kid, None) for kid, _ in row if kid is not None)
    seen.update((kid, None) for row in _PHONE for kid, _ in row if kid is not None)
    for letters in LAYOUTS.values():
        typed = letters.keys()  # a LetterLayout's keys, not a dict's
        seen.update((ch, None) for ch in typed)
    return list(seen)

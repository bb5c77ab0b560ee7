"""The on-screen keyboard's letters for each visitor language, as plain data. No Qt here.

A layout is rows of lowercase letters (Shift gives `str.upper()` of each), an
accent row or two for the letters the main rows lack, and the punctuation a
name needs. The keyboard widget adds its own Shift, Backspace, Space and Next;
email and phone keep their own layouts whatever the language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterLayout:
    code: str  # the language: en, ga, pl, uk
    rows: tuple[str, ...]  # the main letter rows, top to bottom
    accents: tuple[str, ...]  # extra rows of letters (fadas, Polish diacritics, ...)
    punctuation: str  # what names need besides letters: hyphen, apostrophe, full stop
    alphabet: str  # every letter the language writes names with (for tests and checks)

    def keys(self) -> str:
        """Every letter and mark on the layout, in order."""
        return "".join(self.rows) + "".join(self.accents) + self.punctuation

    def can_type(self, text: str) -> bool:
        """Whether `text` can be typed with these keys, Shift and Space."""
        keys = set(self.keys()) | {" "}
        return all(ch.lower() in keys or ch in keys for ch in text)


_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_LATIN = "abcdefghijklmnopqrstuvwxyz"

LAYOUTS: dict[str, LetterLayout] = {
    # English visitors' names come from everywhere: the common Western accents.
    "en": LetterLayout(
        "en", _QWERTY, ("áéíóúàèìòù", "âêôëïüçñ"), "-'.", _LATIN + "áéíóúàèìòùâêôëïüçñ"
    ),
    # Irish: the fada on each vowel (Seán Ó Briain); the rest is the Latin alphabet.
    "ga": LetterLayout("ga", _QWERTY, ("áéíóú",), "-'’.", _LATIN + "áéíóú"),
    # Polish: the nine letters with diacritics (Łucja Wąsowska, Źrebiec, Żaneta).
    "pl": LetterLayout("pl", _QWERTY, ("ąćęłńóśźż",), "-'.", _LATIN + "ąćęłńóśźż"),
    # Ukrainian ЙЦУКЕН, with ґ and the apostrophe (Мар’яна, В'ячеслав) on the extra row:
    # the modifier letter ʼ is the standard one, ' and ’ are what people type.
    "uk": LetterLayout(
        "uk",
        ("йцукенгшщзхї", "фівапролджє", "ячсмитьбю"),
        ("ґʼ'’",),
        "-.",
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    ),
}
DEFAULT = "en"


def layout_for(language: str | None) -> LetterLayout:
    """The letters for `language` (a code like "pl"); English for any other."""
    return LAYOUTS.get((language or "").split("-")[0], LAYOUTS[DEFAULT])

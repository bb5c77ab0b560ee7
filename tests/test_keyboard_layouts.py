"""Each visitor language's keyboard letters cover its alphabet and its people's names."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from kiosk.keyboard_layouts import LAYOUTS, layout_for

NAMES = {
    "en": ["Aoife O'Neill", "Zoë Brontë", "François Núñez", "Mary-Kate Smith"],
    "ga": ["Seán Ó Briain", "Máire Ní Dhónaill", "Pádraig Ó Súilleabháin", "Éabha Ní Mhurchú"],
    "pl": ["Łucja Wąsowska", "Żaneta Źrebiec", "Grzegorz Brzęczyszczykiewicz", "Józef Ćwikliński"],
    "uk": ["Олександра Ковальчук", "Мар'яна Ґонта", "Вʼячеслав Їжак", "Євгенія Соловйова"],
}


def test_every_visitor_language_has_a_layout():
    assert set(LAYOUTS) == {"en", "ga", "pl", "uk"}
    assert layout_for("pl").code == "pl" and layout_for("uk").code == "uk"
    assert layout_for("fr").code == "en" and layout_for(None).code == "en"


@pytest.mark.parametrize("code", sorted(LAYOUTS))
def test_a_layout_covers_its_alphabet_once_each(code):
    layout = LAYOUTS[code]
    keys = layout.keys()
    assert set(layout.alphabet) <= set(keys), set(layout.alphabet) - set(keys)
    assert len(keys) == len(set(keys)), "a key appears twice"
    for key in keys:
        assert len(key) == 1 and unicodedata.normalize("NFC", key) == key
        # Shift gives one character too, so a capital is one key press.
        assert len(key.upper()) == 1, key


@pytest.mark.parametrize(("code", "name"), [(c, n) for c, names in NAMES.items() for n in names])
def test_names_in_each_language_can_be_typed_on_its_layout(code, name):
    assert layout_for(code).can_type(name)


def test_the_letters_of_each_language_are_where_its_speakers_expect_them():
    assert LAYOUTS["ga"].accents == ("áéíóú",)
    assert set("ąćęłńóśźż") <= set("".join(LAYOUTS["pl"].accents))
    uk = LAYOUTS["uk"]
    assert uk.rows[0].startswith("йцукен") and uk.rows[1].startswith("фіва")
    assert {"і", "ї", "є", "ґ"} <= set(uk.keys())
    assert {"'", "ʼ"} <= set(uk.keys())  # the apostrophe in Мар'яна, both as typed and standard
    assert not layout_for("uk").can_type("Łucja")


def test_layouts_load_without_qt():
    code = "import sys, kiosk.keyboard_layouts; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

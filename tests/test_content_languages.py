"""Translations: the default pack speaks four languages, and check names every gap."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.content import load_content
from kiosk.errors import ContentError
from kiosk.languages import _text_paths, load_content_set, translatable
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.texts import TEXTS

LANGUAGES = {"en": "English", "ga": "Gaeilge", "pl": "Polski", "uk": "Українська"}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _get(tree, path: str):
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        tree = tree[int(step[1:-1])] if step.startswith("[") else tree[step]
    return tree


def test_the_default_pack_speaks_english_irish_polish_and_ukrainian_by_their_own_names():
    pack = load_content_set(DEFAULT_CONTENT_DIR)
    assert {code: c.language_name for code, c in pack.languages.items()} == LANGUAGES
    assert pack.default == "en"
    assert all(not t.reviewed for t in pack.translations)  # until a native speaker checks
    assert pack.warnings() == []  # every text translated: nothing falls back to English


@pytest.mark.parametrize("code", ["ga", "pl", "uk"])
def test_a_translation_keeps_every_figure_key_and_setting_and_changes_the_words(code):
    english = load_content(DEFAULT_CONTENT_DIR)
    other = load_content(DEFAULT_CONTENT_DIR, language=code)
    assert other.language == code and other.language_name == LANGUAGES[code]
    assert [(s.kind, s.value, s.duration_s, s.image) for s in other.slides] == [
        (s.kind, s.value, s.duration_s, s.image) for s in english.slides
    ]
    assert [(i.key, i.needs_email) for i in other.interests] == [
        (i.key, i.needs_email) for i in english.interests
    ]
    assert [c.key for c in other.consents] == [c.key for c in english.consents]
    assert (other.links, other.timing) == (english.links, english.timing)
    # The brand's name, colours and logo stay; its tagline is visitor text.
    assert other.brand.tagline != english.brand.tagline
    assert dataclasses.replace(other.brand, tagline=english.brand.tagline) == english.brand
    assert all(
        o.wording != e.wording for o, e in zip(other.consents, english.consents, strict=True)
    )
    assert other.thank_you.headline != english.thank_you.headline


@pytest.mark.parametrize("code", ["ga", "pl", "uk"])
def test_every_number_and_placeholder_in_the_english_text_is_in_the_translation(code):
    english = tomllib.loads((DEFAULT_CONTENT_DIR / "content.toml").read_text(encoding="utf-8"))
    other = tomllib.loads((DEFAULT_CONTENT_DIR / f"content.{code}.toml").read_text("utf-8"))
    for path in _text_paths(english):
        source, translated = _get(english, path), _get(other, path)
        assert sorted(re.findall(r"\d+", source)) == sorted(re.findall(r"\d+", translated)), path
        assert sorted(re.findall(r"\{\w+\}", source)) == sorted(
            re.findall(r"\{\w+\}", translated)
        ), path
    for name in ("IJM UK", "Freedom Partner"):
        wordings = [c["wording"] for c in other["consents"]]
        assert all("IJM UK" in w for w in wordings)
        assert name in " ".join(wordings)


def test_kiosk_check_lists_the_languages_and_names_a_removed_key_as_a_warning(pack, capsys):
    _edit(
        pack / "content.pl.toml",
        'caption = "dzieci jest sprzedawanych w niewolę co minutę"\n',
        "",
    )
    _edit(pack / "content.ga.toml", 'just_scan = "', 'just_scn = "')
    assert main(["check", "--content", str(pack)]) == 0
    out, err = capsys.readouterr()
    assert (
        "languages: en English (base), ga Gaeilge (not reviewed), pl Polski (not reviewed), "
        "uk Українська (not reviewed)" in out
    )
    assert f"{pack / 'content.pl.toml'}: slides[2].caption: missing (English will be shown)" in err
    assert f"{pack / 'content.ga.toml'}: screens.just_scan: missing" in err
    assert f"{pack / 'content.ga.toml'}: screens.just_scn: not in content.toml" in err
    assert len(err.splitlines()) == 3
    polish = load_content(pack, language="pl")
    assert polish.slides[2].caption == "children are sold into slavery every minute"
    assert polish.slides[3].headline == "Świętujemy"


@pytest.mark.parametrize(
    ("file", "old", "new", "key"),
    [
        ("pl", 'headline = "Dziękujemy, {first_name}"', "headline = 42", "thank_you.headline"),
        (
            "pl",
            'headline = "Dziękujemy, {first_name}"',
            'headline = "Dziękujemy, {first_name:>999999999}"',
            "thank_you.headline",
        ),
        ("uk", 'label = "SMS"', 'label = ""', "consents[1].label"),
        ("uk", 'key = "prayer"', 'key = "talk"', "interests[1].key"),
        ("ga", 'kind = "quote"', 'kind = "story"', "slides[9].kind"),
        ("ga", 'language = "ga"', 'language = "gd"', "language"),
        ("ga", "reviewed = false", 'reviewed = "no"', "reviewed"),
        ("pl", '[privacy]\nnotice = "', '[privacy.notice]\ntext = "', "privacy.notice"),
        ("pl", "[thank_you]", "[[thank_you]]", "thank_you"),
        ("pl", 'notice = "', 'notice = "\\u0007', "privacy.notice"),
    ],
)
def test_a_wrong_type_or_broken_template_in_a_translation_is_an_error(
    pack, capsys, file, old, new, key
):
    _edit(pack / f"content.{file}.toml", old, new)
    assert main(["check", "--content", str(pack)]) == 2
    err = capsys.readouterr().err
    assert f"content.{file}.toml: {key}: " in err, err
    assert "Traceback" not in err
    with pytest.raises(ContentError):
        load_content(pack, language=file)


def test_the_pack_chooses_the_language_new_visitors_start_in(pack):
    _edit(pack / "content.toml", 'default_language = "en"', 'default_language = "uk"')
    pack_set = load_content_set(pack)
    assert pack_set.default == "uk"
    assert pack_set.for_language(None).language == "uk"
    assert pack_set.for_language("xx").language == "uk"
    assert pack_set.for_language("pl").default_language == "uk"
    _edit(pack / "content.toml", 'default_language = "uk"', 'default_language = "fr"')
    with pytest.raises(ContentError, match="default_language: no translation file for 'fr'"):
        load_content_set(pack)


def test_a_pack_with_no_translations_is_english_only(pack):
    for path in pack.glob("content.*.toml"):
        path.unlink()
    pack_set = load_content_set(pack)
    assert list(pack_set.languages) == ["en"] and pack_set.translations == []
    assert load_content(pack, language="pl").language == "en"


def test_new_english_text_translates_without_code_changes():
    assert translatable("slides[2].caption") and translatable("thank_you.body")
    assert translatable("text.next_button") and translatable("screens.anything_new")
    assert translatable("brand.tagline")
    for fixed in (
        "version",
        "default_language",
        "brand.name",
        "links.donate_url",
        "links.campaign.utm_source",
        "slides[1].image",
        "slides[1].kind",
        "interests[0].key",
        "interests[0].needs",
        "consents[2].basis",
        "timing.slide_s",
    ):
        assert not translatable(fixed), fixed


def test_a_translation_may_carry_text_english_takes_from_defaults(pack):
    """A key content.toml leaves to its default still translates."""
    _edit(pack / "content.toml", 'just_scan = "Just scan to give"\n', "")
    pack_set = load_content_set(pack)
    assert pack_set.for_language("en").screens.just_scan == "Just scan to give"
    assert pack_set.for_language("pl").screens.just_scan == "Po prostu zeskanuj, aby wesprzeć"
    assert pack_set.warnings() == []


def test_extra_keys_are_warned_whether_or_not_they_could_be_text(pack, capsys):
    path = pack / "content.uk.toml"
    _edit(path, "[screens]", "[timing]\nfade_s = 3\n\n[screens]")
    _edit(path, 'just_scan = "', 'typo_key = "x"\njust_scan = "')
    assert main(["check", "--content", str(pack)]) == 0
    err = capsys.readouterr().err
    assert f"{path}: timing.fade_s: not in content.toml (ignored)" in err
    assert f"{path}: screens.typo_key: not in content.toml (ignored)" in err
    _edit(path, "fade_s = 3", "slide_s = 3")  # a setting English has can't change
    assert main(["check", "--content", str(pack)]) == 2
    assert f"{path}: timing.slide_s: can't differ" in capsys.readouterr().err


def test_a_backup_copy_is_not_a_language(tmp_path, capsys):
    pack = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, pack)
    shutil.copy(pack / "content.toml", pack / "content.old.toml")
    shutil.copy(pack / "content.toml", pack / "content.English.toml")
    assert main(["check", "--content", str(pack)]) == 0
    captured = capsys.readouterr()
    assert "old" not in captured.out.split("languages:")[1]
    assert "kiosk check: warning: ignored content.old.toml (not a language file" in captured.err
    assert "ignored content.English.toml (not a language file" in captured.err
    assert set(load_content_set(pack).languages) == {"en", "ga", "pl", "uk"}


@pytest.mark.parametrize("code", ["ga", "pl", "uk"])
def test_every_screen_text_is_translated_with_its_placeholders(code):
    raw = tomllib.loads((DEFAULT_CONTENT_DIR / f"content.{code}.toml").read_text("utf-8"))
    assert set(raw["text"]) == set(TEXTS)  # every screen text, no stray key
    for key, english in TEXTS.items():
        translated = raw["text"][key]
        assert sorted(re.findall(r"\{\w+\}", translated)) == sorted(
            re.findall(r"\{\w+\}", english)
        ), key
    content = load_content(DEFAULT_CONTENT_DIR, language=code)
    assert content.text("button.back") == raw["text"]["button.back"] != "Back"


def test_a_screen_text_a_translation_leaves_out_is_named_and_shows_in_english(pack, capsys):
    polish = pack / "content.pl.toml"
    _edit(polish, '"button.back" = "Wstecz"\n', "")
    assert main(["check", "--content", str(pack)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"kiosk check: warning: {polish}: text.button.back: missing (English will be shown)"
    ]
    content = load_content(pack, language="pl")
    assert content.text("button.back") == "Back"
    assert content.text("button.next") == "Dalej"


def test_english_rewording_is_what_a_translation_falls_back_to(pack):
    """Dotted keys in content.toml's own [text] table are not mistaken for nested tables."""
    with (pack / "content.toml").open("a", encoding="utf-8") as file:
        file.write('\n[text]\n"button.back" = "Go back"\n"step.name.title" = "Your name?"\n')
    assert load_content_set(pack).warnings() == []
    _edit(pack / "content.pl.toml", '"button.back" = "Wstecz"\n', "")
    pack_set = load_content_set(pack)
    assert pack_set.for_language("pl").text("button.back") == "Go back"
    assert pack_set.for_language("pl").text("step.name.title") == "Jak masz na imię?"
    assert pack_set.for_language("en").text("step.name.title") == "Your name?"


def test_a_translation_without_screen_texts_is_summed_up_in_one_line(pack, capsys):
    irish = pack / "content.ga.toml"
    text = irish.read_text(encoding="utf-8")
    irish.write_text(text[: text.index("\n[text]")] + "\n", encoding="utf-8")
    assert main(["check", "--content", str(pack)]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{irish}: text: {len(TEXTS)} of {len(TEXTS)} screen texts missing" in line
    assert "text.button.back, text.button.next, text.button.skip, text.button.done, " in line
    assert f"and {len(TEXTS) - 5} more" in line
    assert load_content(pack, language="ga").text("idle.button") == "I'm still here"


def test_a_screen_text_key_the_catalogue_lacks_is_named_and_ignored(pack, capsys):
    ukrainian = pack / "content.uk.toml"
    _edit(ukrainian, '"button.back" = "Назад"', '"button.bakc" = "Назад"')
    assert main(["check", "--content", str(pack)]) == 0
    err = capsys.readouterr().err
    assert f"{ukrainian}: text.button.bakc: not in the text catalogue (kiosk/texts.py)" in err
    assert f"{ukrainian}: text.button.back: missing (English will be shown)" in err
    assert load_content(pack, language="uk").text("button.back") == "Back"


def test_placeholders_that_differ_from_english_are_named(pack, capsys):
    polish = pack / "content.pl.toml"
    _edit(polish, '"Zapisy dzisiaj: {count}"', '"Dzisiejsze zapisy"')
    _edit(polish, "numer referencyjny to {ref}", "numer referencyjny")
    assert main(["check", "--content", str(pack)]) == 0
    err = capsys.readouterr().err
    assert (
        f"{polish}: text.attract.today: placeholders differ from English: leaves out {{count}}"
        in err
    )
    assert f"{polish}: thank_you.body: placeholders differ from English: leaves out {{ref}}" in err
    _edit(polish, '"Dzisiejsze zapisy"', '"Zapisy dzisiaj: {liczba}"')
    assert main(["check", "--content", str(pack)]) == 2  # a name the code never fills in
    err = capsys.readouterr().err
    assert f"{polish}: text.attract.today: unknown placeholder ['liczba']" in err


def test_a_text_table_that_is_not_a_table_is_an_error(pack, capsys):
    polish = pack / "content.pl.toml"
    text = polish.read_text(encoding="utf-8")
    polish.write_text('text = "Wstecz"\n' + text[: text.index("\n[text]")] + "\n", encoding="utf-8")
    assert main(["check", "--content", str(pack)]) == 2
    assert f"{polish}: text: expected a table" in capsys.readouterr().err

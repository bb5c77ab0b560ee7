"""Text a visitor reads hides nothing: no bidi overrides or invisible characters; web
addresses carry no password and a port that exists; a malformed one names its key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.content import load_content
from kiosk.errors import ContentError
from kiosk.languages import load_content_set
from kiosk.pack_checks import invisible_problem
from kiosk.paths import DEFAULT_CONTENT_DIR


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def _edit(pack: Path, old: str, new: str, file: str = "content.toml") -> None:
    path = pack / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _consent_wording(pack: Path) -> str:
    return load_content(pack).consents[0].wording


@pytest.mark.parametrize(
    "hidden",
    [
        "\u202e",
        "\u202a",
        "\u2066",
        "\u2069",
        "\u200b",
        "\u200e",
        "\u200f",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\u2060",
        "\u3164",
    ],
)
def test_consent_wording_with_a_hidden_character_is_refused(pack, hidden):
    wording = _consent_wording(pack)
    sneaky = wording.replace(" ", f" {hidden}", 1)
    _edit(pack, wording, sneaky)
    with pytest.raises(ContentError, match=r"consents\[0\]\.wording: contains an invisible"):
        load_content(pack)


def test_brand_and_any_visitor_text_are_checked_too(pack):
    _edit(pack, 'name = "', 'name = "\u202eevil')
    _edit(pack, 'attract_cta = "', 'attract_cta = "Tap\u200b')
    with pytest.raises(ContentError) as caught:
        load_content(pack)
    text = "\n".join(caught.value.problems)
    assert "brand.name: contains" in text and "screens.attract_cta: contains" in text


def test_a_translation_and_its_language_name_are_checked(pack):
    _edit(pack, 'name = "Polski"', 'name = "Pol\u202eski"', "content.pl.toml")
    with pytest.raises(ContentError, match=r"content\.pl\.toml: name: contains an invisible"):
        load_content_set(pack)


def test_joiners_stay_where_a_script_needs_them():
    assert invisible_problem("क्\u200dष") is None  # Devanagari conjunct
    assert invisible_problem("می\u200cخواهم") is None  # Persian non-joiner
    assert invisible_problem("👨\u200d👩\u200d👧") is None  # a family emoji
    assert invisible_problem("soft\u00adhyphen") is None
    assert invisible_problem("Tap\u200d here") is not None
    assert invisible_problem("a\u200db") is not None


def test_the_shipped_translations_pass(capsys):
    assert main(["check", "--content", str(DEFAULT_CONTENT_DIR)]) == 0


@pytest.mark.parametrize(
    "url, says",
    [
        ("https://a:b@evil.example/give", "user name or password"),
        ("https://user@evil.example/give", "user name or password"),
        ("https://example.org:99999/give", "host or port is malformed"),
        ("https://example.org:0/give", "port must be between"),
        ("https://example.org:http/give", "host or port is malformed"),
        ("https://[::1/x", "host or port is malformed"),
        ("https:///nohost", "expected a web address"),
    ],
)
def test_bad_donate_addresses_name_their_key(pack, capsys, url, says):
    text = (pack / "content.toml").read_text(encoding="utf-8")
    start = text.index("donate_url = ")
    end = text.index("\n", start)
    (pack / "content.toml").write_text(
        text[:start] + f'donate_url = "{url}"' + text[end:], encoding="utf-8"
    )
    assert main(["check", "--content", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "links.donate_url: " in err and says in err
    assert "could not be checked" not in err

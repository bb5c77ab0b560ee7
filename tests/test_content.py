"""The content pack: the default pack is valid and a broken one names file and key path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.content import load_content
from kiosk.errors import ContentError
from kiosk.paths import DEFAULT_CONTENT_DIR
from tests.factories import edit_pack as _edit


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def test_default_pack_tells_every_figure_from_the_brief():
    content = load_content(DEFAULT_CONTENT_DIR)
    values = {s.value for s in content.slides if s.kind == "stat"}
    assert {2, 25, 76000, 86, 9967, 75, 24} <= values
    kinds = {s.kind for s in content.slides}
    assert kinds == {"story", "stat", "quote", "call-to-action"}
    text = " ".join(f"{s.headline} {s.body} {s.caption}" for s in content.slides)
    for phrase in (
        "Until All Are Free",
        "Desmond Tutu",
        "12 months",
        "Freedom Partner",
        "Hannah",
        "Manila",
        "Ukraine",
    ):
        assert phrase in text
    assert [i.key for i in content.interests] == [
        "freedom_partner",
        "prayer",
        "email_updates",
        "talk",
    ]
    assert [i.needs_email for i in content.interests] == [True, True, True, False]
    assert {c.key for c in content.consents} == {"email", "sms", "phone"}


def test_stat_value_that_is_not_a_number_is_reported_with_its_key_path(pack):
    _edit(pack, "value = 76000", 'value = "76k"')
    with pytest.raises(ContentError) as err:
        load_content(pack)
    assert err.value.problems == [
        f'{pack / "content.toml"}: slides[4].value: expected a number, got "76k"'
    ]


def test_every_problem_is_reported_at_once(pack):
    _edit(pack, 'kind = "quote"', 'kind = "poem"')
    _edit(pack, 'primary = "#0B2545"', 'primary = "navy"')
    _edit(pack, 'donate_url = "https://', 'donate_url = "ftp://')
    _edit(pack, 'key = "prayer"', 'key = "freedom_partner"')
    _edit(pack, 'image = "slide-tent.svg"', 'image = "missing.png"')
    with pytest.raises(ContentError) as err:
        load_content(pack)
    joined = "\n".join(err.value.problems)
    assert "slides[9].kind: expected one of story, stat, quote, call-to-action" in joined
    assert 'brand.primary: expected a colour like "#0B2545", got "navy"' in joined
    assert "links.donate_url: expected a web address" in joined
    assert 'interests[1].key: duplicate key "freedom_partner"' in joined
    assert 'slides[11].image: image "missing.png" not found' in joined
    assert len(err.value.problems) == 5


def test_not_toml_and_missing_file_are_clear(tmp_path, pack):
    with pytest.raises(ContentError, match="not found"):
        load_content(tmp_path / "nowhere")
    (pack / "content.toml").write_text("version = \n", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid TOML"):
        load_content(pack)


def test_thank_you_template_may_use_only_known_placeholders(pack):
    _edit(pack, 'headline = "Thank you, {first_name}"', 'headline = "Thanks {email}"')
    with pytest.raises(ContentError, match=r"thank_you.headline: only \{first_name\}"):
        load_content(pack)


def test_donate_url_carries_campaign_parameters_and_ref():
    links = load_content(DEFAULT_CONTENT_DIR).links
    url = links.donate_url_for("NH-7F3KQ2")
    assert url.startswith("https://www.ijm.org.uk/")
    assert "utm_medium=kiosk" in url and "utm_source=new-horizon-2022" in url
    assert url.endswith("&ref=NH-7F3KQ2")
    assert "ref=" not in links.donate_url_for()


def test_kiosk_check_passes_default_pack_and_fails_a_broken_one(pack, capsys, data_dir):
    assert main(["check"]) == 0
    assert "ok" in capsys.readouterr().out
    _edit(pack, "value = 86", "value = true")
    assert main(["check", "--content", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "slides[5].value: expected a number, got True" in err
    assert "Traceback" not in err

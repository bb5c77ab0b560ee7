"""`kiosk check` passing means the kiosk runs: each pack that crashed or hung it is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk import pack_checks, records
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


CRASHING = [
    # (old, new, the key path check must name)
    ("transition_ms = 700", "transition_ms = nan", "timing.transition_ms"),
    ("transition_ms = 700", "transition_ms = 700.5", "timing.transition_ms"),
    ("idle_timeout_s = 45", "idle_timeout_s = nan", "timing.idle_timeout_s"),
    ("idle_timeout_s = 45", "idle_timeout_s = inf", "timing.idle_timeout_s"),
    ("idle_countdown_s = 20", "idle_countdown_s = -inf", "timing.idle_countdown_s"),
    ("slide_s = 8", "slide_s = " + "9" * 400, "timing.slide_s"),
    ("value = 76000", "value = nan", "slides[4].value"),
    ("value = 86", "value = 1e400", "slides[5].value"),
    ("duration_s = 7", "duration_s = -1", "slides[2].duration_s"),
    (
        'headline = "Thank you, {first_name}"',
        'headline = "Thank you, {first_name:>999999999}"',
        "thank_you.headline",
    ),
    (
        'headline = "Thank you, {first_name}"',
        'headline = "Thank you, {first_name.__class__.__mro__}"',
        "thank_you.headline",
    ),
    (
        'headline = "Thank you, {first_name}"',
        'headline = "Hi {first_name!r}"',
        "thank_you.headline",
    ),
    ('headline = "Thank you, {first_name}"', 'headline = "Hi {ref[0]}"', "thank_you.headline"),
    ('headline = "Thank you, {first_name}"', 'headline = "Hi {0}"', "thank_you.headline"),
    ('headline = "Thank you, {first_name}"', 'headline = "Hi {first_name"', "thank_you.headline"),
    ('next_steps = "', 'next_steps = "' + "{first_name}" * 100 + '"  # "', "thank_you.next_steps"),
    ('utm_medium = "kiosk"', 'utm_medium = "' + "x" * 4000 + '"', "links.campaign.utm_medium"),
    ('utm_medium = "kiosk"', 'utm_medium = "' + "x" * 95 + '"', "links.campaign"),
    ('utm_medium = "kiosk"', "utm_medium = 3", "links.campaign.utm_medium"),
    ('utm_medium = "kiosk"', '"utm medium" = "kiosk"', "links.campaign.utm medium"),
    (
        'privacy_url = "https://www.ijm.org.uk/privacy-policy"',
        'privacy_url = "https://www.ijm.org.uk/' + "p" * 300 + '"',
        "links.privacy_url",
    ),
    ('notice = "', 'notice = 42  # "', "privacy.notice"),
    ('label = "Email"', "label = ['Email']", "consents[0].label"),
    ('label = "Email"', 'label = "E\\u0000mail"', "consents[0].label"),
    ("needs_email = true", 'needs_email = "yes"', "interests[0].needs_email"),
    ("slide_s = 8", "slid_s = 8", "timing.slid_s"),
    ("[screens]", "[screen]", "screen"),
    ('just_scan = "Just scan to give"', "just_scan = 7", "screens.just_scan"),
    (
        'tagline = "Until All Are Free"',
        'tagline = "Until All Are Free"\nlogo_size = 3',
        "brand.logo_size",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key"), CRASHING, ids=[c[2] + " " + c[1][:30] for c in CRASHING]
)
def test_kiosk_check_refuses_every_pack_that_crashed_the_kiosk_naming_the_key(
    pack, capsys, old, new, key
):
    _edit(pack, old, new)
    assert main(["check", "--content", str(pack)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines and all(line.startswith("kiosk check: ") for line in lines), lines
    assert any(f"content.toml: {key}: " in line for line in lines), lines
    assert "Traceback" not in captured.err and captured.out == ""
    assert all(len(line) < 400 for line in lines)


def test_a_file_that_is_not_a_regular_file_or_too_big_or_too_deep_is_one_line(pack, capsys):
    path = pack / "content.toml"
    path.write_text("value = " + "9" * 5000, encoding="utf-8")
    with pytest.raises(ContentError, match="not valid TOML"):
        load_content(pack)
    path.write_text("a = " + "[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(ContentError, match="not valid TOML"):
        load_content(pack)
    path.write_text("# " + "x" * 2_000_000, encoding="utf-8")
    with pytest.raises(ContentError, match="too big"):
        load_content(pack)
    path.unlink()
    path.mkdir()
    with pytest.raises(ContentError, match="not a file"):
        load_content(pack)


def test_the_check_time_bounds_agree_with_the_record():
    assert pack_checks.REF_LENGTH == records.REF_LENGTH
    assert len(pack_checks.LONGEST_NAME) == records.NAME_MAX
    assert len(records.new_donation_ref("ABCDEF")) == len(pack_checks.LONGEST_REF)


def test_every_qr_code_of_the_default_pack_fits_and_start_up_skips_building_them():
    content = load_content(DEFAULT_CONTENT_DIR)
    url = content.links.donate_url_for(pack_checks.LONGEST_REF)
    assert pack_checks.qr_problem(url) is None
    assert pack_checks.qr_problem(url + "x" * 200, build=False) is not None
    # The size bound alone (start-up) guarantees the code fits: the worst case builds.
    from kiosk.qr import QUIET_ZONE, qr_matrix

    worst = "https://x.org/" + "é" * 99  # 212 bytes, none of them alphanumeric
    assert pack_checks.qr_problem(worst) is None
    assert len(qr_matrix(worst)) - 2 * QUIET_ZONE <= 17 + 4 * pack_checks.MAX_QR_VERSION


def test_a_template_may_name_its_fields_plainly_and_its_rendered_size_is_bounded():
    fields = {"first_name": pack_checks.LONGEST_NAME, "ref": pack_checks.LONGEST_REF}
    assert pack_checks.template_problem("Thank you, {first_name} ({ref}) {{ok}}", fields) is None
    for bad in ("{first_name:>9}", "{first_name!s}", "{first_name.x}", "{email}", "{", "}"):
        assert pack_checks.template_problem(bad, fields), bad
    assert "too long" in pack_checks.template_problem("{first_name}" * 3, fields, max_rendered=250)


def test_the_default_pack_reads_every_key_it_holds():
    load_content(DEFAULT_CONTENT_DIR)  # an unread key would be a problem


def test_an_image_too_big_to_load_quickly_is_refused(pack):
    with (pack / "huge.png").open("wb") as fh:
        fh.truncate(25_000_000)  # sparse: no real disk used
    _edit(pack, 'image = "slide-tent.svg"', 'image = "huge.png"')
    with pytest.raises(
        ContentError, match=r"slides\[11\]\.image: image \"huge.png\" is over 20 MB"
    ):
        load_content(pack)

"""A pack's images are checked before Qt sees them: no SVG bomb, no lying suffix, none outside."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kiosk import image_checks
from kiosk.cli import main
from kiosk.content import load_content
from kiosk.errors import ContentError
from kiosk.last_good import load_or_last_good, remember
from kiosk.paths import ASSETS_DIR, DEFAULT_CONTENT_DIR


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def _use_image(pack: Path, name: str, slide_image: str = "slide-tent.svg") -> None:
    path = pack / "content.toml"
    text = path.read_text(encoding="utf-8")
    old = f'image = "{slide_image}"'
    assert old in text
    path.write_text(text.replace(old, f'image = "{name}"', 1), encoding="utf-8")


def _use_bomb(levels: int = 29, per_level: int = 10) -> str:
    """The reviewer's SVG: each level draws the one below ten times."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">']
    parts.append('<defs><rect id="l0" width="1" height="1"/>')
    for level in range(1, levels + 1):
        uses = "".join(f'<use xlink:href="#l{level - 1}"/>' for _ in range(per_level))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use xlink:href="#l{levels}"/></svg>')
    return "".join(parts)


def test_a_use_bomb_svg_is_refused_naming_the_key(pack, capsys):
    bomb = _use_bomb()
    assert len(bomb) < 9000
    (pack / "bomb.svg").write_text(bomb, encoding="utf-8")
    _use_image(pack, "bomb.svg")
    started = time.perf_counter()
    assert main(["check", "--content", str(pack)]) == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert 'slides[11].image: image "bomb.svg": the SVG would draw 10^29 shapes' in err


def test_use_cycles_dtds_and_entities_are_refused():
    cycle = (
        '<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#b"/></g>'
        '<g id="b"><use href="#a"/></g></svg>'
    )
    assert "loop" in image_checks.svg_problem(cycle.encode())
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg>&b;</svg>'
    )
    assert "DOCTYPE" in image_checks.svg_problem(laughs.encode())
    external = '<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd"><svg/>'
    assert "DOCTYPE" in image_checks.svg_problem(external.encode())
    assert "not an SVG" in image_checks.svg_problem(b"<html/>")
    assert "not a valid SVG" in image_checks.svg_problem(b"hello")
    deep = "<svg>" + "<g>" * 300 + "</g>" * 300 + "</svg>"
    assert "deep" in image_checks.svg_problem(deep.encode())


def test_a_modest_use_tree_and_every_bundled_svg_pass():
    assert image_checks.svg_problem(_use_bomb(levels=3).encode()) is None  # 1,000 shapes
    for svg in ASSETS_DIR.glob("*.svg"):
        assert image_checks.svg_problem(svg.read_bytes()) is None, svg


def test_an_image_whose_contents_do_not_match_its_suffix_is_refused(pack):
    (pack / "photo.png").write_text("not a picture at all", encoding="utf-8")
    _use_image(pack, "photo.png")
    with pytest.raises(ContentError, match=r'slides\[11\]\.image: image "photo.png": is not a PNG'):
        load_content(pack)
    (pack / "photo.jpg").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    _use_image(pack, "photo.jpg", slide_image="photo.png")
    with pytest.raises(ContentError, match=r"is not a JPEG"):
        load_content(pack)


def test_a_png_declaring_a_giant_size_is_refused(pack):
    header = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\x0dIHDR" + (100_000).to_bytes(4, "big") * 2
    (pack / "giant.png").write_bytes(header + b"\0" * 20)
    _use_image(pack, "giant.png")
    with pytest.raises(ContentError, match=r"100000x100000 picture is too big"):
        load_content(pack)


def test_start_up_falls_back_to_the_last_good_pack_when_an_svg_is_a_bomb(pack, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    remember(load_content(pack), data)
    (pack / "bomb.svg").write_text(_use_bomb(), encoding="utf-8")
    _use_image(pack, "bomb.svg")
    loaded = load_or_last_good(pack, data, build_codes=False)
    assert loaded.from_last_good
    assert any("10^29 shapes" in line for line in loaded.problems)


def test_an_image_outside_the_pack_folder_is_refused(pack, tmp_path):
    shared = tmp_path / "shared-img"
    shared.mkdir()
    shutil.copy(ASSETS_DIR / "slide-tent.svg", shared / "pic.svg")
    _use_image(pack, "../shared-img/pic.svg")
    with pytest.raises(ContentError, match=r"slides\[11\]\.image: .*outside the pack folder"):
        load_content(pack)
    # A link inside the pack pointing outside is outside too.
    (pack / "pic.svg").symlink_to(shared / "pic.svg")
    _use_image(pack, "pic.svg", slide_image="../shared-img/pic.svg")
    with pytest.raises(ContentError, match=r"outside the pack folder"):
        load_content(pack)


def test_the_last_good_copy_holds_every_image_a_passing_pack_names(pack, tmp_path):
    (pack / "images").mkdir()
    shutil.copy(ASSETS_DIR / "slide-tent.svg", pack / "images" / "own.svg")
    _use_image(pack, "own.svg")
    data = tmp_path / "data"
    data.mkdir()
    assert remember(load_content(pack), data)
    shutil.rmtree(pack / "images")  # the pack breaks: its image is gone
    loaded = load_or_last_good(pack, data, build_codes=False)
    assert loaded.from_last_good
    kept = loaded.content.slides[11].image
    assert kept is not None and kept.is_file() and (data / "last-good-pack") in kept.parents


def test_a_pattern_bomb_through_fill_references_is_refused():
    parts = ['<svg xmlns="http://www.w3.org/2000/svg"><defs><pattern id="p0"><rect/></pattern>']
    for level in range(1, 12):
        rects = f'<rect fill="url(#p{level - 1})"/>' * 10
        parts.append(f'<pattern id="p{level}">{rects}</pattern>')
    parts.append("</defs><rect style=\"fill: url('#p11')\"/></svg>")
    assert "10^11 shapes" in image_checks.svg_problem("".join(parts).encode())

"""A layout file is read safely: a regular file of bounded size, dates from a safe set."""

from __future__ import annotations

import json
import os

import pytest

from kiosk.cli import main
from kiosk.layouts import LayoutError, date_format_problem, load_layout

HEAD = 'title = "Mine"\n[[columns]]\nheader = "Joined"\nfield = "created_at"\n'


def _export_with(layout, tmp_path):
    return main(
        ["export", "--format", "csv", "--layout", str(layout), "--out", str(tmp_path / "x.csv")]
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_or_a_link_to_dev_zero_is_refused_at_once(tmp_path, data_dir, capsys):
    fifo = tmp_path / "mine.toml"
    os.mkfifo(fifo)
    assert _export_with(fifo, tmp_path) == 2
    err = capsys.readouterr().err
    assert "is not a regular file" in err and len(err.strip().splitlines()) == 1
    zero = tmp_path / "zero.toml"
    zero.symlink_to("/dev/zero")
    assert _export_with(zero, tmp_path) == 2
    assert "is not a regular file" in capsys.readouterr().err


def test_a_huge_layout_file_is_refused(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text(HEAD + "# " + "x" * 300_000 + "\n")
    with pytest.raises(LayoutError, match="too big"):
        load_layout(big)


@pytest.mark.parametrize("fmt", ["%s", "%c", "%d/%m/%Y%n", "%Y\x00", "%Y\t%m", "%f", "%", "%%"])
def test_unsafe_date_formats_are_refused(tmp_path, fmt):
    mine = tmp_path / "mine.toml"
    mine.write_text(HEAD + f"format = {json.dumps(fmt)}\n", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"columns\[0\]\.format: a date format uses only"):
        load_layout(mine)


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d %b %y", "%B %Y", "%Y%m%d"])
def test_the_safe_date_formats_pass(fmt):
    assert date_format_problem(fmt) is None

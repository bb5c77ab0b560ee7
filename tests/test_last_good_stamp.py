"""The last good pack is re-read and hashed only when its files changed (names, sizes, times)."""

from __future__ import annotations

import os
import shutil

import pytest

from kiosk import last_good
from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR


@pytest.fixture
def pack(tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def test_an_unchanged_pack_is_neither_read_nor_hashed_again(pack, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    assert last_good.remember(load_content(pack), data)

    def no_hashing(*args):
        raise AssertionError("an unchanged pack was hashed")

    monkeypatch.setattr(last_good, "_digest", no_hashing)
    assert not last_good.remember(load_content(pack), data)


def test_a_touched_file_is_hashed_once_and_an_edited_one_is_kept_again(pack, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    assert last_good.remember(load_content(pack), data)
    toml = pack / "content.toml"
    info = toml.stat()
    os.utime(toml, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    assert not last_good.remember(load_content(pack), data)  # same bytes: not copied
    toml.write_text(toml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert last_good.remember(load_content(pack), data)
    kept = data / last_good.FOLDER / "content.toml"
    assert kept.read_text(encoding="utf-8").endswith("# edited\n")

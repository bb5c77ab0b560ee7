"""A killed export's staging folder goes at the next export to any place; finished files are
private (0600)."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk.exporting import export_signups
from kiosk.exporting.staging import RECORD, Staging, clean_recorded
from kiosk.store import Store
from tests import factories


@pytest.fixture
def store(data_dir):
    with Store(data_dir / "kiosk.db") as s:
        s.save_signup(factories.make_record(0))
        yield s


def _killed(folder, data_dir) -> Staging:
    folder.mkdir(parents=True, exist_ok=True)
    staging = Staging(folder, data_dir)
    (staging.path / "signups.csv").write_text("Visitor 0,visitor0@example.org\n")
    if staging._lock is not None:
        os.close(staging._lock)  # kill -9: the OS drops the lock
    return staging


def test_the_next_export_to_another_stick_removes_a_killed_exports_folder(
    store, data_dir, tmp_path
):
    killed = _killed(tmp_path / "stick-a", data_dir)
    assert (data_dir / RECORD).exists()
    other = tmp_path / "stick-b"
    other.mkdir()
    export_signups(store, "csv", other)
    assert not killed.path.exists()
    assert not (data_dir / RECORD).exists()  # nothing left to clean


def test_a_running_export_elsewhere_is_left_alone(data_dir, tmp_path):
    (tmp_path / "stick-a").mkdir()
    running = Staging(tmp_path / "stick-a", data_dir)
    try:
        if os.name == "posix":
            assert clean_recorded(data_dir) == 0
            assert running.path.exists()
    finally:
        running.discard()
    assert not (data_dir / RECORD).exists()


def test_an_edited_record_never_removes_other_folders(data_dir, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (data_dir / RECORD).write_text(f"{precious}\n{tmp_path}\n")
    assert clean_recorded(data_dir) == 0
    assert precious.exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes")
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_finished_export_files_are_private(store, tmp_path, fmt):
    out = tmp_path / "stick"
    out.mkdir()
    result = export_signups(store, fmt, out)
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600

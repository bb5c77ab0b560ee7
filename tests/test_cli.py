"""`kiosk export / import / stats / check` run in-process: exit codes, output, the data."""

from __future__ import annotations

import csv
import errno
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.content import load_content
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.records import SignupForm, SignupRecord, build_record
from kiosk.store import Store
from tests import factories

VISITORS = [
    SignupForm("Seán Ó Briain", "sean@example.ie", "087 123 4567", ("freedom_partner",)),
    SignupForm('=HYPERLINK("http://x")', "x@example.com", "", ("prayer",), {"email": True}),
    SignupForm("Zoë", "", "028 9012 3456", ("talk",), {"sms": True, "phone": True}),
]


@pytest.fixture(scope="module")
def content():
    return load_content(DEFAULT_CONTENT_DIR)


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def save(data: Path, content, forms=VISITORS) -> list[SignupRecord]:
    with Store(data / "kiosk.db") as store:
        return [store.save_signup(build_record(f, content, "tent-3f9a")) for f in forms]


def stats(capsys, data: Path) -> dict:
    code, out, err = run(capsys, "stats", "--json", "--data-dir", data)
    assert (code, err) == (0, "")
    return json.loads(out)


@pytest.fixture
def usb(tmp_path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


# -- export ----------------------------------------------------------------


def test_export_csv_writes_every_sign_up_and_marks_them_exported(data_dir, content, usb, capsys):
    saved = save(data_dir, content)
    code, out, err = run(capsys, "export", "--format", "csv", "--out", usb, "--data-dir", data_dir)

    assert (code, err) == (0, "")
    [path] = usb.iterdir()
    assert out == f"wrote 3 sign-ups to {path}\n"
    assert path.name.startswith("signups-tent-3f9a-") and path.suffix == ".csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [r.id for r in saved]
    assert [r["name"] for r in rows] == ["Seán Ó Briain", '\'=HYPERLINK("http://x")', "Zoë"]
    assert rows[0]["phone"] == "'+353871234567"
    assert rows[2]["consent_sms"] == "yes" and rows[2]["consent_email"] == "no"
    assert stats(capsys, data_dir)["unexported"] == 0
    assert stats(capsys, data_dir)["total"] == 3


@pytest.mark.parametrize("fmt", ["xlsx", "jsonl"])
def test_export_other_formats_to_a_named_file(data_dir, content, usb, capsys, fmt):
    save(data_dir, content)
    target = usb / f"tonight.{fmt}"
    code, out, _ = run(capsys, "export", "--format", fmt, "--out", target, "--data-dir", data_dir)
    assert code == 0
    assert out == f"wrote 3 sign-ups to {target}\n"
    assert target.stat().st_size > 0


def test_sign_ups_saved_in_the_same_millisecond_export_in_the_order_they_were_saved(
    data_dir, usb, capsys
):
    """A busy tent: five sign-ups share a created_at; ids (random UUIDs) must not reorder them."""
    same_moment = [factories.make_record(i, step=timedelta(0)) for i in range(5)]
    saved = list(reversed(same_moment))  # ids descending, so id order is the wrong order
    with Store(data_dir / "kiosk.db") as store:
        for record in saved:
            store.save_signup(record)

    code, _out, _err = run(
        capsys, "export", "--format", "jsonl", "--out", usb, "--data-dir", data_dir
    )

    [path] = usb.iterdir()
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert code == 0
    assert ids == [r.id for r in saved]


def test_export_unexported_twice_writes_nothing_new_the_second_time(data_dir, content, usb, capsys):
    save(data_dir, content)
    args = ("export", "--format", "jsonl", "--out", usb, "--unexported", "--data-dir", data_dir)
    assert run(capsys, *args)[1].startswith("wrote 3 sign-ups")
    save(data_dir, content, VISITORS[:1])
    assert run(capsys, *args)[1].startswith("wrote 1 sign-up to ")
    assert run(capsys, *args)[1].startswith("wrote 0 sign-ups")
    assert stats(capsys, data_dir)["total"] == 4


def test_export_since_in_the_future_writes_none(data_dir, content, usb, capsys):
    save(data_dir, content)
    code, out, _ = run(
        capsys, "export", "--format", "csv", "--out", usb, "--since", "2999-01-01T00:00:00Z",
        "--data-dir", data_dir,
    )  # fmt: skip
    assert code == 0 and out.startswith("wrote 0 sign-ups")
    assert stats(capsys, data_dir)["unexported"] == 3


def test_export_with_a_bad_since_is_one_line_on_stderr(data_dir, content, usb, capsys):
    save(data_dir, content)
    code, out, err = run(
        capsys, "export", "--format", "csv", "--out", usb, "--since", "last night",
        "--data-dir", data_dir,
    )  # fmt: skip
    assert code == 1 and out == ""
    assert err.startswith("kiosk export: --since: 'last night' is not a date and time")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(usb.iterdir()) == []


def test_export_to_an_unplugged_stick_says_so(data_dir, content, tmp_path, capsys):
    save(data_dir, content)
    gone = tmp_path / "media" / "USB" / "signups.csv"
    code, out, err = run(capsys, "export", "--format", "csv", "--out", gone, "--data-dir", data_dir)
    assert (code, out) == (1, "")
    assert "is the USB stick plugged in?" in err and err.count("\n") == 1
    assert stats(capsys, data_dir)["unexported"] == 3


# -- import ----------------------------------------------------------------


def test_import_from_another_kiosk_then_again_adds_nothing(tmp_path, content, usb, capsys):
    other, here = tmp_path / "other", tmp_path / "here"
    saved = save(other, content)
    assert run(capsys, "export", "--format", "jsonl", "--out", usb, "--data-dir", other)[0] == 0
    [path] = usb.iterdir()

    code, out, err = run(capsys, "import", path, "--data-dir", here)
    assert (code, out, err) == (0, "imported 3 new sign-ups (0 already here)\n", "")
    code, out, _ = run(capsys, "import", path, "--data-dir", here)
    assert (code, out) == (0, "imported 0 new sign-ups (3 already here)\n")
    with Store(here / "kiosk.db") as store:
        assert list(store.iter_records()) == saved
    # Queued here: a kiosk that was never online reaches the office through this one.
    assert stats(capsys, here)["pending_sync"] == 3


def test_import_of_a_file_with_a_bad_line_imports_nothing(data_dir, content, tmp_path, capsys):
    good = [json.dumps(build_record(f, content, "stand-1").to_json()) for f in VISITORS]
    path = tmp_path / "other.jsonl"
    path.write_text("\n".join([good[0], "{broken", *good[1:]]) + "\n", encoding="utf-8")

    code, out, err = run(capsys, "import", path, "--data-dir", data_dir)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "kiosk import: nothing was imported: 1 line is not valid sign-ups in other.jsonl",
        "kiosk import: line 2: not JSON (Expecting property name enclosed in double quotes "
        "at column 2)",
    ]
    assert stats(capsys, data_dir)["total"] == 0


def test_import_of_a_missing_file_is_one_clear_line(data_dir, tmp_path, capsys):
    code, out, err = run(capsys, "import", tmp_path / "nope.jsonl", "--data-dir", data_dir)
    assert (code, out) == (1, "")
    assert err.startswith("kiosk import: ") and "not found" in err and err.count("\n") == 1


# -- stats -----------------------------------------------------------------


def test_stats_json_counts_total_today_pending_and_unexported(data_dir, content, usb, capsys):
    save(data_dir, content, VISITORS[:2])
    run(capsys, "export", "--format", "csv", "--out", usb, "--data-dir", data_dir)
    save(data_dir, content, VISITORS[2:])
    counts = stats(capsys, data_dir)
    counts.pop("funnel")  # today's funnel, checked in tests/test_find_cli.py
    assert counts == {
        "total": 3,
        "today": 3,
        "pending_sync": 3,
        "unexported": 1,
        "last_sync_at": None,
    }


def test_stats_plain_is_one_aligned_line_per_count(data_dir, content, capsys):
    save(data_dir, content, VISITORS[:1])
    code, out, err = run(capsys, "stats", "--data-dir", data_dir)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "        total: 1",
        "        today: 1",
        " pending_sync: 1",
        "   unexported: 1",
        " last_sync_at: —",
    ]


def test_stats_of_a_new_data_folder_is_all_zero(data_dir, capsys):
    assert stats(capsys, data_dir)["total"] == 0


# -- check -----------------------------------------------------------------


def test_check_passes_the_bundled_pack(capsys):
    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "")
    assert out.startswith(f"{DEFAULT_CONTENT_DIR}: ok — ")
    assert "4 interests, 3 consent channels" in out


def test_check_names_the_file_and_key_of_each_problem(tmp_path, capsys):
    pack = tmp_path / "pack"
    pack.mkdir()
    text = (DEFAULT_CONTENT_DIR / "content.toml").read_text(encoding="utf-8")
    assert "value = 76000" in text and 'donate_url = "https://' in text
    text = text.replace("value = 76000", 'value = "76k"')
    text = text.replace('donate_url = "https://', 'donate_url = "ftp://', 1)
    (pack / "content.toml").write_text(text, encoding="utf-8")

    code, out, err = run(capsys, "check", "--content", pack)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert all(line.startswith(f"kiosk check: {pack / 'content.toml'}: ") for line in lines)
    assert any('.value: expected a number, got "76k"' in line for line in lines)
    assert any("links.donate_url" in line for line in lines)


def test_check_of_a_folder_without_a_pack_fails_cleanly(tmp_path, capsys):
    code, out, err = run(capsys, "check", "--content", tmp_path)
    assert (code, out) == (2, "")
    assert err.startswith("kiosk check: ") and "Traceback" not in err


def test_a_storage_failure_in_a_command_is_one_stderr_line(capsys, tmp_path):
    """The store logs the failure too, but only to the log file, never a second stderr line."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "kiosk.db").write_bytes(b"this is not a database" * 100)
    code, _out, err = run(capsys, "stats", "--data-dir", data)
    assert code == 1
    assert err.count("\n") == 1, err
    assert err.startswith("kiosk stats: ") and "damaged" in err
    assert "damaged" in (data / "logs" / "kiosk.log").read_text()


# -- every expected failure is one line -------------------------------------------


class _Stdin:
    def __init__(self, text: str) -> None:
        self._text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self._text


def assert_one_line(code: int, out: str, err: str, command: str) -> None:
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"kiosk {command}: "), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("code", "says"),
    [(errno.EROFS, "the disk is read-only"), (errno.ENOSPC, "the disk is full")],
)
def test_set_pin_on_a_read_only_or_full_disk_is_one_line(data_dir, capsys, monkeypatch, code, says):
    def refused(path, data, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr("kiosk.settings.write_atomic", refused)
    monkeypatch.setattr("sys.stdin", _Stdin("2468\n"))
    result = run(capsys, "set-pin", "--data-dir", data_dir)
    assert_one_line(*result, "set-pin")
    assert "couldn't save the PIN" in result[2] and says in result[2]
    assert "the PIN is unchanged" in result[2]


@pytest.mark.parametrize("command", [["stats"], ["export", "--format", "csv", "--out", "."]])
def test_a_mistyped_or_invalid_data_folder_is_one_line_and_creates_nothing(
    tmp_path, capsys, command
):
    not_a_folder = tmp_path / "kiosk-data"
    not_a_folder.write_text("oops")
    result = run(capsys, *command, "--data-dir", not_a_folder)
    assert_one_line(*result, command[0])
    assert result[2] == (
        f"kiosk {command[0]}: data folder {not_a_folder} is not a folder — check --data-dir\n"
    )
    typo = tmp_path / "kiosk-dta"
    result = run(capsys, *command, "--data-dir", typo)
    assert_one_line(*result, command[0])
    assert "does not exist" in result[2]
    assert not typo.exists()


def test_set_pin_with_a_data_folder_that_is_a_file_is_one_line(tmp_path, capsys):
    not_a_folder = tmp_path / "kiosk-data"
    not_a_folder.write_text("oops")
    result = run(capsys, "set-pin", "--data-dir", not_a_folder)
    assert_one_line(*result, "set-pin")
    assert "cannot be created" in result[2]


def test_a_data_folder_that_cannot_be_created_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(capsys, "set-pin", "--data-dir", blocker / "data")
    assert_one_line(*result, "set-pin")


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(
    data_dir, capsys, monkeypatch
):
    from kiosk import cli

    def broken(args):
        cli._settings(args)
        raise RuntimeError("a bug, with someone's email in it: ann@example.org")

    monkeypatch.setitem(cli._COMMANDS, "stats", broken)
    code, out, err = run(capsys, "stats", "--data-dir", data_dir)
    log_file = data_dir / "logs" / "kiosk.log"
    assert (code, out) == (cli.EXIT_UNEXPECTED, "")
    assert (
        err == f"kiosk stats: something went wrong (RuntimeError) — the details are in {log_file}\n"
    )
    assert "Traceback" in log_file.read_text(encoding="utf-8")


_BUG_BEFORE_LOGGING = """
import sys
from kiosk import cli

def broken(args):
    raise ValueError("cannot convert float NaN to integer")

cli._COMMANDS["check"] = broken
sys.exit(cli.main(sys.argv[1:]))
"""


def test_an_unexpected_error_before_logging_prints_no_traceback(tmp_path):
    """In a process of its own: pytest's log capture would hide Python's stderr fallback."""
    import subprocess
    import sys

    from kiosk import cli

    nowhere = tmp_path / "nowhere"
    result = subprocess.run(
        [sys.executable, "-c", _BUG_BEFORE_LOGGING, "check", "--data-dir", nowhere],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (cli.EXIT_UNEXPECTED, "")
    assert result.stderr == "kiosk check: something went wrong (ValueError)\n"
    assert not nowhere.exists()


def test_check_of_a_pack_with_nan_is_one_line(tmp_path, capsys):
    pack = tmp_path / "pack"
    pack.mkdir()
    text = (DEFAULT_CONTENT_DIR / "content.toml").read_text(encoding="utf-8")
    assert "transition_ms = 700" in text
    (pack / "content.toml").write_text(
        text.replace("transition_ms = 700", "transition_ms = nan"), encoding="utf-8"
    )
    assert_one_line(*run(capsys, "check", "--content", pack), "check")


_DISK_ERROR_BEFORE_LOGGING = """
import errno, sys
from kiosk import cli

def unreadable(args):
    raise PermissionError(errno.EACCES, "Permission denied", "/pack/content.toml")

cli._COMMANDS["check"] = unreadable
sys.exit(cli.main(sys.argv[1:]))
"""


def test_a_disk_error_before_logging_is_still_one_line(tmp_path):
    """In a process of its own: pytest's log capture would hide Python's stderr fallback."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _DISK_ERROR_BEFORE_LOGGING, "check", "--data-dir", tmp_path / "no"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "kiosk check: /pack/content.toml: permission denied — check who owns the "
        "folder and its permissions\n"
    )

"""The read-only commands on a mistyped folder, long queries, sealed find, plurals, and
`kiosk withdraw` beside another kiosk command."""

from __future__ import annotations

import pytest

from kiosk.cli import main
from kiosk.command_lock import command_lock
from kiosk.exporting import ExportResult
from kiosk.settings import load_settings
from kiosk.store import Store
from kiosk.sync import SyncReport
from tests.factories import make_record


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", [["find", "aoife"], ["withdraw", "NH-AAAAAA"]])
def test_find_and_withdraw_on_a_mistyped_data_folder_create_nothing(tmp_path, capsys, command):
    typo = tmp_path / "typo"
    code, out, err = run(capsys, *command, "--data-dir", typo)
    assert code == 2 and out == ""
    assert (
        err == f"kiosk {command[0]}: no kiosk data in {typo} (the folder does not exist) — "
        "check --data-dir\n"
    )
    assert not typo.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(capsys, *command, "--data-dir", empty)
    assert (code, err) == (2, f"kiosk {command[0]}: no kiosk data in {empty} — check --data-dir\n")
    assert list(empty.iterdir()) == []


def test_stats_on_a_mistyped_data_folder_says_no_kiosk_data(tmp_path, capsys):
    typo = tmp_path / "typo"
    code, _, err = run(capsys, "stats", "--data-dir", typo)
    assert code == 2 and err.startswith(f"kiosk stats: no kiosk data in {typo}")
    assert not typo.exists()


def test_a_huge_find_query_is_one_line(data_dir, capsys):
    with Store(data_dir / "kiosk.db") as store:
        store.save_signup(make_record(1))
    code, out, err = run(capsys, "find", "a" * 100_000)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "100,000 characters" in err and len(err) < 200


def test_find_by_name_on_a_sealed_kiosk_says_to_search_by_reference(data_dir, capsys):
    from kiosk.sealing import generate_keypair
    from kiosk.settings import write_values

    pair = generate_keypair()
    write_values(data_dir, {"privacy.seal_to": pair.public_b64})
    with Store(data_dir / "kiosk.db", seal_to=pair.public_b64) as store:
        rec = store.save_signup(make_record(1, name="Aoife Murphy"))
    code, _, err = run(capsys, "find", "aoife")
    assert code == 1
    assert "sealing is on: search by reference (NH-...)" in err
    code, out, _ = run(capsys, "find", rec.donation_ref)
    assert code == 0 and rec.donation_ref in out


def test_keygen_takes_data_dir_like_every_command(tmp_path, capsys):
    key = tmp_path / "office.key"
    code, _out, _ = run(capsys, "keygen", "--out", key, "--data-dir", tmp_path / "d")
    assert code == 0 and key.exists()


def test_one_sign_up_is_singular_everywhere(data_dir, tmp_path, capsys):
    result = ExportResult(tmp_path / "x.csv", 1, "csv", False, 0, None)
    assert result.summary().startswith("wrote 1 sign-up to ")
    assert SyncReport(1, 0, 0, 0, None, None).summary().startswith("sent 1 sign-up,")
    assert SyncReport(2, 0, 0, 0, None, None).summary().startswith("sent 2 sign-ups,")
    path = tmp_path / "one.jsonl"
    import json

    path.write_text(json.dumps(make_record(7).to_json()) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", path)
    assert (code, out) == (0, "imported 1 new sign-up (0 already here)\n")


def test_withdraw_while_another_command_holds_the_data_says_try_again(data_dir, capsys):
    with Store(data_dir / "kiosk.db") as store:
        rec = store.save_signup(make_record(1))
    settings = load_settings(data_dir)
    # `kiosk sync` is running: it holds the command lock and the writer lock.
    with command_lock(settings), Store(data_dir / "kiosk.db") as busy:
        busy.stats()
        code, _, err = run(capsys, "withdraw", rec.donation_ref)
    assert code != 0
    assert (
        err == "kiosk withdraw: another kiosk command is using the data — try again in a moment\n"
    )
    # Beside the kiosk itself (no command lock) it still says so.
    with Store(data_dir / "kiosk.db") as kiosk:
        kiosk.stats()
        code, _, err = run(capsys, "withdraw", rec.donation_ref)
    assert "the kiosk is running" in err
    assert run(capsys, "withdraw", rec.donation_ref)[0] == 0


def test_set_pin_with_the_environment_hash_set_says_it_is_ignored(data_dir, capsys, monkeypatch):
    import io

    from kiosk.security import PinGuard, hash_pin

    monkeypatch.setenv("KIOSK_ADMIN_PIN_HASH", hash_pin("9753"))
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    code, out, err = run(capsys, "set-pin")
    assert (code, out) == (0, "admin PIN set\n")
    assert (
        err == "kiosk set-pin: KIOSK_ADMIN_PIN_HASH is ignored — the PIN comes from settings.toml\n"
    )
    assert PinGuard(data_dir).attempt("2468").ok

"""The office's keys can't be mixed up: a private key is refused where the public one goes,
and unseal reads only a regular key file that keygen wrote."""

from __future__ import annotations

import base64
import os

import pytest

from kiosk import cli
from kiosk.sealing import (
    PRIVATE_PREFIX,
    Opener,
    Sealer,
    generate_keypair,
    read_private_key,
    write_private_key,
)
from kiosk.settings import load_settings


@pytest.fixture
def key_file(tmp_path):
    pair = generate_keypair()
    path = tmp_path / "office.key"
    write_private_key(path, pair)
    return pair, path


def test_the_private_key_line_is_refused_as_seal_to_without_echoing_it(
    key_file, data_dir, monkeypatch, capsys
):
    pair, path = key_file
    lines = [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]
    assert lines == [PRIVATE_PREFIX + base64.b64encode(pair.private).decode()]
    monkeypatch.setenv("KIOSK_PRIVACY_SEAL_TO", lines[0])
    assert cli.main(["stats"]) == 2
    err = capsys.readouterr().err
    assert "privacy.seal_to holds a PRIVATE key" in err
    assert "remove the private key file from this kiosk" in err
    assert base64.b64encode(pair.private).decode() not in err
    assert len(err.strip().splitlines()) == 1
    # The whole file pasted in is refused the same way.
    monkeypatch.setenv("KIOSK_PRIVACY_SEAL_TO", path.read_text())
    assert cli.main(["stats"]) == 2
    assert "PRIVATE key" in capsys.readouterr().err


def test_the_printed_public_key_and_older_bare_keys_are_accepted(key_file, data_dir, monkeypatch):
    pair, path = key_file
    for value in (pair.public_text, pair.public_b64, pair.public_hex):
        monkeypatch.setenv("KIOSK_PRIVACY_SEAL_TO", value)
        assert load_settings(data_dir).privacy_seal_to == value
        assert Opener(read_private_key(path)).open(Sealer(value).seal("Aoife")) == "Aoife"
    # The file carries its public key as a comment, ready to copy.
    assert pair.public_text in path.read_text()


def test_an_older_key_file_still_opens(tmp_path):
    pair = generate_keypair()
    old = tmp_path / "old.key"
    old.write_text(
        "# Freedom Kiosk office private key: keep it at the office, never on a kiosk.\n"
        + base64.b64encode(pair.private).decode()
        + "\n"
    )
    assert read_private_key(old) == pair.private


@pytest.mark.parametrize(
    "content, says",
    [
        (b"\x89PNG\r\n\x1a\n\xff\xfe binary", "is not a private key made by `kiosk keygen`"),
        (b"hello\nworld\n", "is not a private key made by `kiosk keygen`"),
        (b"x" * 100_000, "too big"),
    ],
)
def test_unseal_with_a_file_that_is_not_a_key_is_one_clear_line(tmp_path, capsys, content, says):
    bad = tmp_path / "bad.key"
    bad.write_bytes(content)
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n")
    code = cli.main(["unseal", "--key", str(bad), str(src), str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and says in err and "codec" not in err
    assert len(err.strip().splitlines()) == 1


def test_unseal_with_the_public_key_says_so(key_file, tmp_path, capsys):
    pair, _ = key_file
    public = tmp_path / "public.txt"
    public.write_text(pair.public_text + "\n")
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n")
    assert cli.main(["unseal", "--key", str(public), str(src), str(tmp_path / "o.jsonl")]) == 2
    assert "holds a public key" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_unseal_refuses_a_fifo_or_dev_zero_as_key_or_input(key_file, tmp_path, capsys):
    _, path = key_file
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.key"
    zero.symlink_to("/dev/zero")
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n")
    out = str(tmp_path / "out.jsonl")
    assert cli.main(["unseal", "--key", str(fifo), str(src), out]) == 2
    assert "is not a regular file" in capsys.readouterr().err
    assert cli.main(["unseal", "--key", str(zero), str(src), out]) == 2
    assert "is not a regular file" in capsys.readouterr().err
    assert cli.main(["unseal", "--key", str(path), str(fifo), out]) == 2
    assert "is not a regular file" in capsys.readouterr().err


def _sealed_export(tmp_path, pair, fmt: str = "jsonl"):
    from kiosk.exporting import export_signups
    from kiosk.store import Store
    from tests.factories import make_record

    with Store(tmp_path / "kiosk.db", seal_to=pair.public_text) as store:
        for i in range(3):
            store.save_signup(make_record(i))
        return export_signups(store, fmt, tmp_path / f"sealed.{fmt}").path


def _damage(sealed: str) -> str:
    body = bytearray(base64.b64decode(sealed.removeprefix("sealed:v1:")))
    body[-5] ^= 0xFF
    return "sealed:v1:" + base64.b64encode(bytes(body)).decode()


def test_one_damaged_field_leaves_every_other_row_opened(key_file, tmp_path, capsys):
    import json

    pair, path = key_file
    src = _sealed_export(tmp_path, pair)
    lines = src.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["email"] = _damage(record["email"])
    lines[1] = json.dumps(record, ensure_ascii=False)
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "open.jsonl"
    assert cli.main(["unseal", "--key", str(path), str(src), str(out)]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "1 sealed fields could not be opened (damaged" in err[0]
    assert "rows 2; fields email" in err[0]
    opened = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert not any(r["first_name"].startswith("sealed:") for r in opened)
    assert opened[0]["email"] == "visitor0@example.org"
    assert opened[1]["email"].startswith("sealed:v1:")  # kept, not lost
    assert opened[2]["email"] == "visitor2@example.org"


def test_a_damaged_csv_cell_is_named_by_its_column(key_file, tmp_path, capsys):
    pair, path = key_file
    src = _sealed_export(tmp_path, pair, "csv")
    text = src.read_text(encoding="utf-8")
    first = text[text.index("sealed:v1:") :].split(",", 1)[0]
    src.write_text(text.replace(first, _damage(first), 1), encoding="utf-8")
    out = tmp_path / "open.csv"
    assert cli.main(["unseal", "--key", str(path), str(src), str(out)]) == 1
    err = capsys.readouterr().err
    assert "rows 2" in err and "damaged" in err
    assert out.exists()


def test_the_wrong_key_opens_nothing_and_says_so(key_file, tmp_path, capsys):
    pair, _ = key_file
    src = _sealed_export(tmp_path, pair)
    other = tmp_path / "other.key"
    write_private_key(other, generate_keypair())
    out = tmp_path / "open.jsonl"
    assert cli.main(["unseal", "--key", str(other), str(src), str(out)]) == 2
    assert "sealed to another key" in capsys.readouterr().err
    assert not out.exists()


def test_unseal_refuses_an_output_named_for_another_format(key_file, tmp_path, capsys):
    pair, path = key_file
    src = _sealed_export(tmp_path, pair)
    out = tmp_path / "open.csv"
    assert cli.main(["unseal", "--key", str(path), str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert "give OUT the .jsonl suffix" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()

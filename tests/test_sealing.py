"""Sealing at rest: with privacy.seal_to set, nothing personal is readable on the kiosk.

The data folder (database and WAL), every export and every sync body carry only
sealed text; the office's private key opens an export back to every record, exactly.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import sys
import zipfile

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import cli
from kiosk.errors import SettingsError
from kiosk.exporting import export_signups
from kiosk.records import SignupRecord
from kiosk.sealing import (
    PREFIX,
    Opener,
    Sealer,
    SealingError,
    generate_keypair,
    is_sealed,
    read_private_key,
    unseal_file,
    write_private_key,
)
from kiosk.settings import load_settings
from kiosk.store import Store
from kiosk.sync import HttpTarget
from tests.factories import make_record

NAME, SURNAME, EMAIL, PHONE = (
    "Siobhán",
    "Ó Briain-Zéphyrine",
    "siobhan.obriain@example.ie",
    "+353871234567",
)


def _people(n: int = 5) -> list[SignupRecord]:
    people = [
        make_record(
            0,
            first_name=NAME,
            last_name=SURNAME,
            name=f"{NAME} {SURNAME}",
            email=EMAIL,
            phone=PHONE,
        )
    ]
    people += [make_record(i) for i in range(1, n)]
    people.append(make_record(n, first_name="Cher", last_name=None, name="Cher", phone=None))
    return people


@pytest.fixture
def keys(tmp_path):
    pair = generate_keypair()
    key_file = tmp_path / "office.key"
    write_private_key(key_file, pair)
    return pair, key_file


def _needles() -> list[bytes]:
    words = [NAME, SURNAME, EMAIL, PHONE, "Visitor 1", "visitor1@example.org", "Cher"]
    found = []
    for word in words:
        found += [word.encode("utf-8"), word.encode("utf-16-le")]
    return found


def _assert_nothing_readable(blob: bytes, where: str) -> None:
    for needle in _needles():
        assert needle not in blob, f"{needle!r} readable in {where}"


def test_keygen_writes_a_private_file_and_refuses_to_overwrite(tmp_path, capsys):
    key_file = tmp_path / "office.key"
    assert cli.main(["keygen", "--out", str(key_file)]) == 0
    printed = capsys.readouterr().out
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    public_b64 = printed.strip().splitlines()[3]
    assert public_b64.startswith("fk-public:")
    assert len(base64.b64decode(public_b64.removeprefix("fk-public:"))) == 32
    before = key_file.read_bytes()
    assert cli.main(["keygen", "--out", str(key_file)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert key_file.read_bytes() == before
    # The printed public key seals what the written private key opens.
    sealed = Sealer(public_b64).seal("Aoife")
    assert Opener(read_private_key(key_file)).open(sealed) == "Aoife"


def test_seal_to_setting_is_checked(data_dir, monkeypatch):
    monkeypatch.setenv("KIOSK_PRIVACY_SEAL_TO", "not a key")
    with pytest.raises(SettingsError, match=r"privacy\.seal_to"):
        load_settings(data_dir)
    pair = generate_keypair()
    monkeypatch.setenv("KIOSK_PRIVACY_SEAL_TO", pair.public_hex)
    assert load_settings(data_dir).privacy_seal_to == pair.public_hex


def test_sealed_text_hides_length_and_differs_each_time(keys):
    pair, _ = keys
    sealer = Sealer(pair.public)
    short, longer = sealer.seal("Al"), sealer.seal("Alexandra-Louise")
    assert len(short) == len(longer)  # padded to the same block
    assert sealer.seal("Al") != short  # a fresh ephemeral key every time
    assert is_sealed(short) and short.startswith(PREFIX)


def test_a_wrong_key_is_one_clear_error(keys, tmp_path):
    pair, _ = keys
    sealed = Sealer(pair.public).seal("Aoife")
    other = generate_keypair()
    with pytest.raises(SealingError, match="does not open"):
        Opener(other.private).open(sealed)


def test_nothing_readable_in_the_data_folder_export_or_sync_body(keys, tmp_path):
    pair, key_file = keys
    data = tmp_path / "data"
    data.mkdir()
    people = _people()
    with Store(data / "kiosk.db", seal_to=pair.public_b64) as store:
        saved = [store.save_signup(p) for p in people]
        # The caller keeps the plain record (the thank-you screen's name).
        assert saved[0].first_name == NAME
        stored = store.get(people[0].id)
        assert is_sealed(stored.name) and is_sealed(stored.email) and is_sealed(stored.phone)
        assert stored.consent_text == people[0].consent_text  # not personal: readable
        out = tmp_path / "stick"
        out.mkdir()
        jsonl = export_signups(store, "jsonl", out / "s.jsonl").path
        csv_path = export_signups(store, "csv", out / "s.csv").path
        captured: list[bytes] = []

        def receiver(request: httpx.Request) -> httpx.Response:
            captured.append(request.content)
            return httpx.Response(
                200, json={"accepted": len(json.loads(request.content)["signups"])}
            )

        client = httpx.Client(transport=httpx.MockTransport(receiver))
        target = HttpTarget("https://office.example/hook", "s3cret", 5, client, device_id="t")
        target.send(store.pending_batch(100))
        client.close()
        body = b"".join(captured)
        # While the kiosk runs, the sign-ups sit in the WAL, not yet in the database.
        assert (data / "kiosk.db-wal").stat().st_size > 0
        running = b"".join(p.read_bytes() for p in sorted(data.iterdir()) if p.is_file())
    _assert_nothing_readable(running, "the data folder while open (db, WAL)")
    closed = b"".join(p.read_bytes() for p in sorted(data.iterdir()) if p.is_file())
    _assert_nothing_readable(closed, "the data folder after closing")
    _assert_nothing_readable(jsonl.read_bytes(), "the JSONL export")
    _assert_nothing_readable(csv_path.read_bytes(), "the CSV export")
    _assert_nothing_readable(body, "the sync body")
    assert body.count(PREFIX.encode()) >= 3 * len(people)

    # At the office: unseal gives back every record exactly.
    opened = tmp_path / "open.jsonl"
    result = unseal_file(key_file, jsonl, opened)
    assert result.rows == len(people)
    back = [SignupRecord.from_json(json.loads(line)) for line in opened.read_text().splitlines()]
    assert back == people


def test_unsealed_exports_match_an_unsealed_kiosk_byte_for_byte(keys, tmp_path):
    pair, key_file = keys
    people = _people()
    exports = {}
    for label, seal_to in (("sealed", pair.public_b64), ("plain", "")):
        folder = tmp_path / label
        folder.mkdir()
        with Store(folder / "kiosk.db", seal_to=seal_to) as store:
            for person in people:
                store.save_signup(person)
            exports[label] = {
                fmt: export_signups(store, fmt, folder / f"s.{fmt}").path
                for fmt in ("jsonl", "csv")
            }
    for fmt in ("jsonl", "csv"):
        opened = tmp_path / f"opened.{fmt}"
        unseal_file(key_file, exports["sealed"][fmt], opened)
        assert opened.read_bytes() == exports["plain"][fmt].read_bytes(), fmt
        if os.name == "posix":
            assert stat.S_IMODE(opened.stat().st_mode) == 0o600


def test_unseal_command_refuses_to_overwrite_and_names_a_bad_key(keys, tmp_path, capsys):
    pair, key_file = keys
    with Store(tmp_path / "kiosk.db", seal_to=pair.public_b64) as store:
        store.save_signup(_people(1)[0])
        src = export_signups(store, "jsonl", tmp_path / "s.jsonl").path
    dst = tmp_path / "open.jsonl"
    assert cli.main(["unseal", "--key", str(key_file), str(src), str(dst)]) == 0
    assert NAME in dst.read_text(encoding="utf-8")
    assert cli.main(["unseal", "--key", str(key_file), str(src), str(dst)]) == 2
    assert "already exists" in capsys.readouterr().err
    bad = tmp_path / "bad.key"
    bad.write_text("hello\n")
    assert cli.main(["unseal", "--key", str(bad), str(src), str(tmp_path / "x.jsonl")]) == 2
    assert "not a private key" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()


def test_a_sealed_export_imports_on_another_kiosk_and_stays_sealed(keys, tmp_path):
    """A kiosk that was never online reaches the office through one that is."""
    from kiosk.importing import import_jsonl

    pair, key_file = keys
    with Store(tmp_path / "a.db", seal_to=pair.public_b64) as store:
        for person in _people():
            store.save_signup(person)
        src = export_signups(store, "jsonl", tmp_path / "a.jsonl").path
    with Store(tmp_path / "b.db") as relay:
        assert import_jsonl(relay, src).added == len(_people())
        out = export_signups(relay, "jsonl", tmp_path / "b.jsonl").path
    _assert_nothing_readable(out.read_bytes(), "the relayed export")
    opened = tmp_path / "open.jsonl"
    unseal_file(key_file, out, opened)
    back = [SignupRecord.from_json(json.loads(line)) for line in opened.read_text().splitlines()]
    assert back == _people()


def test_a_record_mixing_plain_and_sealed_fields_is_refused(keys):
    pair, _ = keys
    data = _people(1)[0].to_json()
    data["name"] = Sealer(pair.public).seal(data["name"])
    with pytest.raises(ValueError, match="plain text beside sealed"):
        SignupRecord.from_json(data)


def test_pynacl_loads_only_when_sealing_is_used(tmp_path):
    code = (
        "import sys; from kiosk.store import Store; from kiosk import cli, exporting, records; "
        "s = Store(sys.argv[1]); s.close(); print('nacl' in sys.modules)"
    )
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "k.db")], capture_output=True, text=True
    )
    assert out.stdout.strip() == "False", out.stderr


def test_turning_sealing_on_seals_and_scrubs_earlier_sign_ups(keys, tmp_path):
    pair, key_file = keys
    data = tmp_path / "data"
    data.mkdir()
    with Store(data / "kiosk.db") as store:
        for person in _people():
            store.save_signup(person)
    assert NAME.encode() in b"".join(p.read_bytes() for p in data.iterdir() if p.is_file())
    with Store(data / "kiosk.db", seal_to=pair.public_b64) as store:
        assert store.check() == "ok"
        jsonl = export_signups(store, "jsonl", tmp_path / "s.jsonl").path
        _assert_nothing_readable(
            b"".join(p.read_bytes() for p in data.iterdir() if p.is_file()), "the data folder"
        )
    opened = tmp_path / "open.jsonl"
    unseal_file(key_file, jsonl, opened)
    back = [SignupRecord.from_json(json.loads(line)) for line in opened.read_text().splitlines()]
    assert back == _people()


def test_a_sealing_kiosk_by_its_commands_leaves_nothing_readable(
    keys, tmp_path, data_dir, monkeypatch
):
    """Import, export with a CRM layout and sync to a folder, as volunteers would."""
    pair, key_file = keys
    monkeypatch.setenv("KIOSK_PRIVACY_SEAL_TO", pair.public_b64)
    sync_folder = tmp_path / "onedrive"
    sync_folder.mkdir()
    monkeypatch.setenv("KIOSK_SYNC_FOLDER", str(sync_folder))
    plain = tmp_path / "from-another-kiosk.jsonl"
    plain.write_text(
        "".join(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in _people()[1:]),
        encoding="utf-8",
    )
    stick = tmp_path / "stick"
    stick.mkdir()
    # The kiosk's own sign-up (the form saves through the same store), then an import.
    with Store(data_dir / "kiosk.db", seal_to=pair.public_b64) as store:
        store.save_signup(_people()[0])
    assert cli.main(["import", str(plain)]) == 0
    assert (
        cli.main(["export", "--format", "csv", "--layout", "raisers-edge", "--out", str(stick)])
        == 0
    )
    assert cli.main(["export", "--format", "jsonl", "--out", str(stick)]) == 0
    assert cli.main(["sync", "--once"]) in (0, 1)
    (batch,) = sync_folder.glob("*.jsonl")
    assert json.loads(batch.read_text().splitlines()[0])["id"] == _people()[0].id
    for folder in (data_dir, stick, sync_folder):
        for path in folder.rglob("*"):
            if path.is_file():
                _assert_nothing_readable(path.read_bytes(), str(path))
    (jsonl,) = stick.glob("*.jsonl")
    opened = tmp_path / "open.jsonl"
    assert cli.main(["unseal", "--key", str(key_file), str(jsonl), str(opened)]) == 0
    back = [SignupRecord.from_json(json.loads(line)) for line in opened.read_text().splitlines()]
    assert back == _people()


def test_an_unusable_key_fails_the_save_as_a_storage_error_and_writes_nothing(tmp_path):
    """The form then says "We couldn't save that" and keeps the typed data."""
    from kiosk.errors import StorageError

    store = Store(tmp_path / "kiosk.db", seal_to="AAAA")
    with store, pytest.raises(StorageError, match=r"privacy\.seal_to"):
        store.save_signup(_people(1)[0])
    with Store(tmp_path / "kiosk.db") as store:
        assert store.stats().total == 0


_PAIR = generate_keypair()


@given(st.text(max_size=300))
def test_seal_then_open_returns_any_text_exactly(text):
    assert Opener(_PAIR.private).open(Sealer(_PAIR.public).seal(text)) == text


def test_a_sealed_xlsx_export_opens_to_the_same_cells_as_an_unsealed_one(keys, tmp_path):
    import openpyxl

    from kiosk.layouts.rows import export_tables
    from kiosk.paths import DEFAULT_CONTENT_DIR

    pair, key_file = keys
    books = {}
    for label, seal_to in (("sealed", pair.public_b64), ("plain", "")):
        folder = tmp_path / label
        folder.mkdir()
        with Store(folder / "kiosk.db", seal_to=seal_to) as store:
            for person in _people():
                store.save_signup(person)
            books[label] = export_signups(store, "xlsx", folder / "s.xlsx").path
            export_signups(
                store,
                "xlsx",
                folder / "d.xlsx",
                layout=export_tables("donorfy", DEFAULT_CONTENT_DIR),
            )
    with zipfile.ZipFile(books["sealed"]) as book:
        inside = b"".join(book.read(n) for n in book.namelist() if n.startswith("xl/work"))
    _assert_nothing_readable(inside, "the XLSX export")

    def cells(path):
        book = openpyxl.load_workbook(path)
        return {
            s.title: [[c.value or "" for c in row] for row in s.iter_rows()]
            for s in book.worksheets
        }

    opened = tmp_path / "open.xlsx"
    result = unseal_file(key_file, books["sealed"], opened)
    assert result.rows == len(_people())
    assert cells(opened) == cells(books["plain"])
    sealed_cells = cells(books["sealed"])["Sign-ups"]
    assert sum(is_sealed(c) for row in sealed_cells for c in row) >= 3 * len(_people())
    # A CRM layout's sheet name survives (Donorfy reads it as the constituent type).
    unseal_file(key_file, tmp_path / "sealed" / "d.xlsx", tmp_path / "d-open.xlsx")
    assert list(cells(tmp_path / "d-open.xlsx")) == ["Individual"]

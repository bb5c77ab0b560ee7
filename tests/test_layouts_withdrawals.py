"""A withdrawn sign-up is never a blank contact in a CRM layout: it goes to `-withdrawals`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.exporting import export_signups
from kiosk.layouts import available_layouts, load_layout, output_names
from kiosk.layouts.rows import bind_for_pack
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.records import withdrawal_marker
from kiosk.store import Store
from tests.factories import make_record

WITHDRAWN_AT = "2026-07-31T18:00:00.000Z"


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "kiosk.db") as s:
        s.save_signup(make_record(0))
        s.save_signup(withdrawal_marker(make_record(1), WITHDRAWN_AT))
        s.save_signup(make_record(2))
        yield s


CRM = [name for name in available_layouts() if name != "generic"]


@pytest.mark.parametrize("name", CRM)
def test_withdrawals_leave_the_contact_rows_and_fill_their_own_file(store, tmp_path, name):
    tables = bind_for_pack(load_layout(name), DEFAULT_CONTENT_DIR)
    result = export_signups(store, "csv", tmp_path / "out.csv", layout=tables)
    marker = make_record(1)
    main = _read_csv(result.path)
    assert len(main) == 1 + 2  # header and the two people; no blank contact
    assert not any(marker.id in row for row in main)
    assert result.count == 2
    withdrawals = tmp_path / "out-withdrawals.csv"
    assert result.withdrawals == withdrawals and result.withdrawn == 1
    assert output_names(load_layout(name), result.path)[-1] == withdrawals
    rows = _read_csv(withdrawals)
    id_header = {"raisers-edge": "ImportID", "donorfy": "External Key"}.get(name, rows[0][0])
    assert rows[0] == [id_header, "donation_ref", "withdrawn_at", "device_id"]
    assert rows[1:] == [[marker.id, marker.donation_ref, WITHDRAWN_AT, marker.device_id]]
    if name == "raisers-edge":  # the consent import has no rows for the withdrawn person
        consents = _read_csv(tmp_path / "out-consents.csv")
        assert not any(marker.id in row for row in consents)
    assert store.stats().unexported == 0


def test_no_withdrawals_no_withdrawals_file(tmp_path):
    with Store(tmp_path / "kiosk.db") as s:
        s.save_signup(make_record(0))
        tables = bind_for_pack(load_layout("beacon"), DEFAULT_CONTENT_DIR)
        result = export_signups(s, "xlsx", tmp_path / "b.xlsx", layout=tables)
    assert result.withdrawals is None
    assert sorted(p.name for p in tmp_path.glob("b*")) == ["b.xlsx"]


def test_generic_csv_and_jsonl_keep_the_marker_rows(store, tmp_path):
    generic = export_signups(store, "csv", tmp_path / "g.csv")
    assert len(_read_csv(generic.path)) == 1 + 3
    assert generic.withdrawals is None
    jsonl = export_signups(store, "jsonl", tmp_path / "g.jsonl")
    records = [json.loads(line) for line in jsonl.path.read_text().splitlines()]
    assert [r["withdrawn_at"] for r in records] == [None, WITHDRAWN_AT, None]


def test_the_withdrawals_file_is_all_or_nothing_with_the_main_file(store, tmp_path, monkeypatch):
    from kiosk import exporting
    from kiosk.errors import ExportError

    real = exporting.os.replace
    calls = []

    def failing_last(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # consents and withdrawals in place, then the main file fails
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(exporting.os, "replace", failing_last)
    out = tmp_path / "stick"
    out.mkdir()
    tables = bind_for_pack(load_layout("raisers-edge"), DEFAULT_CONTENT_DIR)
    with pytest.raises(ExportError):
        export_signups(store, "csv", out / "re.csv", layout=tables)
    assert list(out.iterdir()) == []


def test_the_export_command_names_the_withdrawals_file(store, tmp_path, data_dir, capsys):
    with Store(data_dir / "kiosk.db") as s:
        s.save_signup(withdrawal_marker(make_record(5), WITHDRAWN_AT))
    out = tmp_path / "d.csv"
    code = cli.main(["export", "--format", "csv", "--out", str(out), "--layout", "donorfy"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "wrote 1 withdrawals to" in printed and "d-withdrawals.csv" in printed


def test_xlsx_withdrawals_are_a_workbook_of_their_own(store, tmp_path):
    import zipfile

    tables = bind_for_pack(load_layout("raisers-edge"), DEFAULT_CONTENT_DIR)
    result = export_signups(store, "xlsx", tmp_path / "re.xlsx", layout=tables)
    assert result.withdrawals == tmp_path / "re-withdrawals.xlsx"
    with zipfile.ZipFile(result.withdrawals) as book:
        assert 'name="Withdrawals"' in book.read("xl/workbook.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert make_record(1).id in sheet and WITHDRAWN_AT in sheet
    with zipfile.ZipFile(result.path) as book:
        assert make_record(1).id not in book.read("xl/worksheets/sheet1.xml").decode()

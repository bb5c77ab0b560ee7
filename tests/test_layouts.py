"""CRM export layouts: each shipped layout's file read back against its documented columns.

Read with the csv module and openpyxl, as the office's CRM import would: the
headers in order, the date, yes/no and channel words each CRM documents, one
consent row per channel for Raiser's Edge, and the same formula safety, BOM
and all-or-nothing writing as every export.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pytest

from kiosk.cli import main
from kiosk.errors import ExportError
from kiosk.exporting import export_signups
from kiosk.layouts import LayoutError, available_layouts, layout_titles, load_layout, output_names
from kiosk.layouts.rows import bind, bind_for_pack, uk_phone
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.store import Store
from tests.factories import make_record

EXPECTED = {
    "salesforce-npsp": [
        "Contact1_Firstname__c",
        "Contact1_Lastname__c",
        "Contact1_Personal_Email__c",
        "Contact1_Mobile_Phone__c",
        "Contact1_Consent_Opt_In__c",
        "Contact1_Consent_Message__c",
        "Donation_Campaign_Name__c",
        "Campaign_Member_Status__c",
        "Donation_Date__c",
    ],
    "raisers-edge": [
        "ImportID",
        "KeyInd",
        "FirstName",
        "LastName",
        "PhoneType_1_01",
        "PhoneNum_1_01",
        "PhoneType_1_02",
        "PhoneNum_1_02",
        "DateAdded",
    ],
    "donorfy": [
        "External Key",
        "First Name",
        "Last Name",
        "Email Address",
        "Mobile Phone",
        "Block_Email",
        "Block_SMS",
        "Block_Phone",
        "Campaign",
        "Notes",
    ],
    "beacon": [
        "First name",
        "Last name",
        "Email",
        "Phone",
        "Email opt-in",
        "SMS opt-in",
        "Phone opt-in",
        "Email opt-in basis",
        "Email opt-in statement",
        "Opt-in date",
        "Source",
        "Campaign",
        "Kiosk reference",
    ],
}
RE_CONSENT = [
    "ImportID",
    "ConsentChannel",
    "ConsentResponse",
    "ConsentDate",
    "ConsentStatement",
    "ConsentPrivacyPolicy",
    "ConsentSource",
    "ConsentCategory",
]
UK_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EVIL = '=HYPERLINK("http://x","click")'


def _records():
    return [
        make_record(0, first_name="Seán", last_name="Ó Sé", name="Seán Ó Sé"),
        make_record(1, first_name=EVIL, last_name="@SUM(1)", name=f"{EVIL} @SUM(1)"),
        make_record(2, first_name="Cher", last_name=None, name="Cher", phone=None),
        make_record(3, consents={"email": False, "sms": True, "phone": True}),
    ]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "kiosk.db") as s:
        for record in _records():
            s.save_signup(record)
        yield s


def _export(store, fmt, out: Path, name: str):
    tables = bind_for_pack(load_layout(name), DEFAULT_CONTENT_DIR)
    return export_signups(store, fmt, out, layout=tables)


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV needs a BOM for Excel"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_every_shipped_layout_loads_and_generic_comes_first():
    names = available_layouts()
    assert names[0] == "generic"
    assert set(names) == {"generic", *EXPECTED}
    titles = layout_titles()
    assert all(titles[n] for n in names)
    assert load_layout("generic").is_generic
    for name in EXPECTED:
        assert load_layout(name).source, f"{name} must say which documentation it follows"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_csv_has_the_documented_columns_and_formats(store, tmp_path, name):
    result = _export(store, "csv", tmp_path / f"{name}.csv", name)
    rows = _read_csv(result.path)
    assert rows[0] == EXPECTED[name]
    assert len(rows) == 1 + len(_records())
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    seán, evil, cher, texts = table
    first = {"salesforce-npsp": "Contact1_Firstname__c", "raisers-edge": "FirstName"}.get(
        name, "First Name" if name == "donorfy" else "First name"
    )
    assert seán[first] == "Seán"
    assert evil[first] == "'" + EVIL  # formula-safe
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    if name == "salesforce-npsp":
        assert all(ISO_DATE.fullmatch(r["Donation_Date__c"]) for r in table)
        assert seán["Contact1_Consent_Opt_In__c"] == "true"
        assert texts["Contact1_Consent_Opt_In__c"] == "false"
        assert cher["Contact1_Lastname__c"] == "Cher"  # a Contact needs a last name
        assert seán["Donation_Campaign_Name__c"] == "freedom-partner-match"
        assert seán["Contact1_Mobile_Phone__c"] == "028 9012 3456"
    elif name == "raisers-edge":
        assert all(r["KeyInd"] == "I" for r in table)
        assert all(UK_DATE.fullmatch(r["DateAdded"]) for r in table)
        assert seán["ImportID"] == _records()[0].id
        assert seán["PhoneNum_1_02"] == "028 9012 3456" and cher["PhoneNum_1_02"] == ""
    elif name == "donorfy":
        # Channels are blocks: Yes blocks, No allows; a channel not offered is blocked.
        assert (seán["Block_Email"], seán["Block_SMS"], seán["Block_Phone"]) == ("No", "Yes", "Yes")
        assert (texts["Block_Email"], texts["Block_SMS"], texts["Block_Phone"]) == (
            "Yes",
            "No",
            "No",
        )
    elif name == "beacon":
        assert all(UK_DATE.fullmatch(r["Opt-in date"]) for r in table)
        assert (seán["Email opt-in"], seán["SMS opt-in"], seán["Phone opt-in"]) == ("Yes", "No", "")
        assert seán["Email opt-in basis"] == "Consent"
        assert seán["Kiosk reference"] == _records()[0].donation_ref


def test_raisers_edge_writes_the_consent_import_one_row_per_channel(store, tmp_path):
    result = _export(store, "csv", tmp_path / "re.csv", "raisers-edge")
    companion = tmp_path / "re-consents.csv"
    withdrawals = tmp_path / "re-withdrawals.csv"  # written only when there are withdrawals
    assert output_names(load_layout("raisers-edge"), result.path) == [
        result.path,
        companion,
        withdrawals,
    ]
    assert not withdrawals.exists()
    rows = _read_csv(companion)
    assert rows[0] == RE_CONSENT
    body = [dict(zip(RE_CONSENT, r, strict=True)) for r in rows[1:]]
    expected = sum(len(r.consents) for r in _records())
    assert len(body) == expected
    first = [r for r in body if r["ImportID"] == _records()[0].id]
    assert [r["ConsentChannel"] for r in first] == ["Email", "SMS"]
    assert [r["ConsentResponse"] for r in first] == ["Opt-in", "Opt-out"]
    assert all(UK_DATE.fullmatch(r["ConsentDate"]) for r in body)
    assert first[0]["ConsentStatement"] == _records()[0].consent_text["email"]
    assert first[0]["ConsentPrivacyPolicy"] == "https://www.ijm.org.uk/privacy-policy"
    assert {r["ConsentSource"] for r in body} == {"Kiosk"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_xlsx_is_text_only_with_the_documented_sheet(store, tmp_path, name):
    result = _export(store, "xlsx", tmp_path / f"{name}.xlsx", name)
    book = openpyxl.load_workbook(result.path)
    sheet = book.worksheets[0]
    assert sheet.title == ("Individual" if name == "donorfy" else "Sign-ups")
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == EXPECTED[name]
    assert len(rows) == 1 + len(_records())
    for row in rows:
        for cell in row:
            assert cell.value is None or cell.data_type == "s", (cell.coordinate, cell.value)
    if name == "raisers-edge":
        consents = openpyxl.load_workbook(tmp_path / "raisers-edge-consents.xlsx").worksheets[0]
        assert consents.title == "Consents"
        assert [c.value for c in next(consents.iter_rows())] == RE_CONSENT


def test_cli_layout_by_name_and_by_file(store, tmp_path, data_dir, capsys):
    store.close()
    db = data_dir / "kiosk.db"
    (tmp_path / "kiosk.db").rename(db)
    for suffix in ("-wal", "-shm"):
        side = tmp_path / f"kiosk.db{suffix}"
        if side.exists():
            side.rename(data_dir / f"kiosk.db{suffix}")
    out = tmp_path / "stick"
    out.mkdir()
    assert main(["export", "--format", "csv", "--layout", "raisers-edge", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "consent import" in printed
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2 and files[0].endswith("-consents.csv")

    mine = tmp_path / "mine.toml"
    mine.write_text(
        'title = "Our CRM"\ntimezone = "UTC"\n'
        '[[columns]]\nheader = "Ref"\nfield = "donation_ref"\n'
        '[[columns]]\nheader = "Joined"\nfield = "created_at"\nformat = "%Y%m%d %H:%M"\n'
        '[[columns]]\nheader = "Interests"\nfield = "interests"\nseparator = "|"\n'
        '[[columns]]\nheader = "Prayer"\nfield = "interest.prayer"\nyes = "Y"\nno = "N"\n'
        '[[columns]]\nheader = "Fixed"\nvalue = "-kiosk"\n',
        encoding="utf-8",
    )
    assert (
        main(["export", "--format", "csv", "--layout", str(mine), "--out", str(tmp_path / "m.csv")])
        == 0
    )
    rows = _read_csv(tmp_path / "m.csv")
    assert rows[0] == ["Ref", "Joined", "Interests", "Prayer", "Fixed"]
    assert rows[1] == [
        _records()[0].donation_ref,
        "20220730 12:00",
        "freedom_partner|prayer",
        "Y",
        "'-kiosk",
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            'title = "X"\n[[columns]]\nheader = "A"\nfield = "emial"\n',
            "columns[0].field: unknown field",
        ),
        ('title = "X"\n[[columns]]\nheader = "A"\n', "columns[0]: give exactly one of field"),
        (
            'title = "X"\n[[columns]]\nheader = "A"\nfield = "id"\nvalue = "1"\n',
            "columns[0]: give exactly one",
        ),
        ('title = "X"\n[[columns]]\nheader = "A"\nfield = "email"\nyes = "Y"\n', "columns[0].yes:"),
        (
            'title = "X"\n[[columns]]\nheader = "A"\nfield = "email"\nformat = "%d"\n',
            "columns[0].format:",
        ),
        (
            'title = "X"\n[[columns]]\nheader = "A"\nfield = "phone"\nformat = "intl"\n',
            "columns[0].format:",
        ),
        (
            'title = "X"\ncolour = "red"\n[[columns]]\nheader = "A"\nfield = "id"\n',
            "colour: unknown key",
        ),
        (
            'title = "X"\n[[columns]]\nheader = "A"\nfield = "channel"\n',
            "columns[0].field: unknown field",
        ),
        ('[[columns]]\nheader = "A"\nfield = "id"\n', "title: missing"),
        ('title = "X"\n', "columns: expected one or more"),
        (
            'title = "X"\nsheet = "a/b"\n[[columns]]\nheader = "A"\nfield = "id"\n',
            "sheet: a sheet name",
        ),
        (
            'title = "X"\n[[columns]]\nheader = "A"\nfield = "id"\n'
            '[[columns]]\nheader = "A"\nvalue = ""\n',
            "columns[1].header: duplicate",
        ),
        ("title = \n", "not valid TOML"),
    ],
)
def test_a_bad_layout_file_is_one_clear_error_naming_the_key(
    tmp_path, capsys, data_dir, text, where
):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(LayoutError, match=re.escape(where)):
        load_layout(bad)
    out = tmp_path / "x.csv"
    assert main(["export", "--format", "csv", "--layout", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert where in err and "Traceback" not in err
    assert not out.exists()


def test_unknown_layout_name_lists_the_shipped_ones(data_dir, capsys, tmp_path):
    assert (
        main(["export", "--format", "csv", "--layout", "civicrm", "--out", str(tmp_path / "x.csv")])
        == 2
    )
    err = capsys.readouterr().err
    assert "unknown layout 'civicrm'" in err and "raisers-edge" in err


def test_jsonl_takes_no_crm_layout(data_dir, capsys, tmp_path):
    args = ["export", "--format", "jsonl", "--layout", "beacon", "--out", str(tmp_path / "x.jsonl")]
    assert main(args) == 2
    assert "csv and xlsx" in capsys.readouterr().err


def test_a_companion_name_taken_leaves_nothing_behind_and_marks_nothing(store, tmp_path):
    out = tmp_path / "stick"
    out.mkdir()
    (out / "re-consents.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists"):
        _export(store, "csv", out / "re.csv", "raisers-edge")
    assert sorted(p.name for p in out.iterdir()) == ["re-consents.csv"]
    assert (out / "re-consents.csv").read_text(encoding="utf-8") == "mine"
    assert store.stats().unexported == len(_records())


def test_uk_phone_format_never_starts_a_formula():
    assert uk_phone("+442890123456") == "028 9012 3456"
    assert uk_phone("+353871234567") == "00353871234567"
    assert uk_phone(None) == ""


def test_a_layout_without_a_pack_still_exports(store, tmp_path):
    export_signups(store, "csv", tmp_path / "b.csv", layout=bind(load_layout("beacon")))
    rows = _read_csv(tmp_path / "b.csv")
    assert rows[1][rows[0].index("Campaign")] == ""


def test_a_stick_pulled_between_the_two_files_leaves_neither(store, tmp_path, monkeypatch):
    """Raiser's Edge's two files appear together or not at all."""
    import errno
    import os as real_os

    import kiosk.exporting as exporting

    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "Input/output error")
        real_os.replace(src, dst)

    monkeypatch.setattr(exporting.os, "replace", flaky_replace)
    out = tmp_path / "stick"
    out.mkdir()
    with pytest.raises(ExportError, match="USB stick"):
        _export(store, "csv", out / "re.csv", "raisers-edge")
    assert list(out.iterdir()) == []
    assert store.stats().unexported == len(_records())


def test_export_tables_is_what_admin_passes_to_the_exporter(store, tmp_path):
    from kiosk.layouts.rows import export_tables

    assert export_tables("generic", DEFAULT_CONTENT_DIR) is None
    main_table, companion, withdrawals = export_tables("raisers-edge", DEFAULT_CONTENT_DIR)
    assert withdrawals.suffix == "-withdrawals"
    assert main_table.sheet == "Sign-ups" and companion.suffix == "-consents"
    result = export_signups(
        store, "csv", tmp_path / "g.csv", layout=export_tables("generic", DEFAULT_CONTENT_DIR)
    )
    assert _read_csv(result.path)[0][:3] == ["id", "created_at", "device_id"]

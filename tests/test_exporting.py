"""Export: formula-safe CSV/XLSX, canonical JSONL, temp+rename, filters and file names."""

from __future__ import annotations

import csv
import errno
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import exporting
from kiosk.errors import ExportError
from kiosk.exporting import ExportResult, export_signups, neutralise, sinks
from kiosk.records import SignupRecord, iso_ms
from kiosk.store import Store
from tests import factories

NOW = datetime(2022, 7, 30, 21, 45, 7, tzinfo=UTC)
WORDING = {
    "email": "Yes, IJM UK may email me about its work. I can unsubscribe at any time.",
    "sms": "Yes, IJM UK may send me text messages.",
}


def make_record(i: int = 0, **changes: object) -> SignupRecord:
    return factories.make_record(i, **{"consent_text": dict(WORDING), **changes})


TRIGGERS = set("=+-@\t\r\n＝＋－＠")

OWASP = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "\t=1",
    "\r=1",
    "\n=1",
    "＝1",
    "＋1",
    "－1",
    "＠SUM(1)",
    " =1",
    '=HYPERLINK("http://x")',
    "=cmd|' /C calc'!A0",
]
BENIGN = ["Seán Ó Briain", "Zoë", "محمد علي", "Joy 🙂🎉", "O'Neill", "1+1", "a=b", "Ann-Marie"]


@pytest.fixture
def store(data_dir):
    with Store(data_dir / "kiosk.db") as s:
        yield s


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_rows(path: Path) -> list[dict[str, str]]:
    """CSV or XLSX rows as dicts, blank cells as ""."""
    if path.suffix == ".csv":
        return read_csv(path)
    sheet = openpyxl.load_workbook(path).active
    header, *rows = ([excel_text(c.value) or "" for c in row] for row in sheet.iter_rows())
    return [dict(zip(header, row, strict=True)) for row in rows]


def excel_text(value: str | None) -> str | None:
    """A cell as Excel shows it: OOXML escapes control characters as _xHHHH_."""
    if value is None:
        return None
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def dangerous(cell: str) -> bool:
    return bool(cell) and (cell[0] in TRIGGERS or cell.lstrip()[:1] in TRIGGERS)


# -- neutralise ------------------------------------------------------------


@pytest.mark.parametrize("payload", OWASP)
def test_neutralise_prefixes_an_apostrophe_to_every_formula_payload(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("text", [*BENIGN, "", "   ", "NH-7F3KQ2", "2022-07-30T12:00:00.000Z"])
def test_neutralise_leaves_harmless_text_alone(text):
    assert neutralise(text) == text


def test_neutralise_guards_e164_phone_numbers():
    assert neutralise("+442890123456") == "'+442890123456"


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_is_stable(text):
    safe = neutralise(text)
    assert safe in (text, "'" + text)
    assert not dangerous(safe)
    assert neutralise(safe) == safe


# -- CSV -------------------------------------------------------------------


def test_csv_neutralises_owasp_payloads_and_keeps_real_names_exact(store, out):
    names = OWASP + BENIGN
    for i, name in enumerate(names):
        store.save_signup(make_record(i, name=name))
    result = export_signups(store, "csv", out / "signups.csv")

    rows = read_csv(result.path)
    assert [row["name"] for row in rows] == [
        "'" + name if name in OWASP else name for name in names
    ]
    assert {row["phone"] for row in rows} == {"'+442890123456"}
    for row in rows:
        for cell in row.values():
            assert not dangerous(cell)


def test_csv_starts_with_a_bom_and_uses_crlf_rows(store, out):
    store.save_signup(make_record(0, name="Seán Ó Briain"))
    result = export_signups(store, "csv", out / "signups.csv")

    raw = result.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,created_at,")
    assert raw.endswith(b"\r\n")
    assert raw.count(b"\r\n") == 2
    assert "Seán Ó Briain".encode() in raw


def test_csv_has_stable_readable_columns(store, out):
    store.save_signup(make_record(0, interests=("talk",)))
    store.save_signup(make_record(1, interests=("prayer", "freedom_partner")))
    result = export_signups(store, "csv", out / "a.csv")
    rows = read_csv(result.path)

    assert list(rows[0]) == [
        "id",
        "created_at",
        "device_id",
        "first_name",
        "last_name",
        "name",
        "email",
        "phone",
        "interest_freedom_partner",
        "interest_prayer",
        "interest_talk",
        "consent_email",
        "consent_email_basis",
        "consent_email_wording",
        "consent_sms",
        "consent_sms_basis",
        "consent_sms_wording",
        "language",
        "donation_ref",
        "content_version",
        "withdrawn_at",
    ]
    first, second = rows
    assert (first["interest_talk"], first["interest_prayer"]) == ("yes", "")
    assert (second["interest_talk"], second["interest_freedom_partner"]) == ("", "yes")
    assert (first["consent_email"], first["consent_sms"]) == ("yes", "no")
    assert first["consent_email_wording"] == WORDING["email"]
    assert first["email"] == "visitor0@example.org"
    assert (first["first_name"], first["last_name"], first["name"]) == (
        "Visitor",
        "0",
        "Visitor 0",
    )
    assert (first["consent_email_basis"], first["language"], first["withdrawn_at"]) == (
        "consent",
        "en",
        "",
    )


def test_exporting_the_same_data_twice_gives_identical_files(store, out):
    for i in range(5):
        store.save_signup(make_record(i, interests=("talk",) if i % 2 else ("prayer",)))
    a = export_signups(store, "csv", out / "a.csv")
    b = export_signups(store, "csv", out / "b.csv")
    assert a.path.read_bytes() == b.path.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_key_first_seen_after_the_lookahead_still_gets_its_column(store, out, monkeypatch, fmt):
    monkeypatch.setattr(exporting, "LOOKAHEAD", 2)
    for i in range(6):
        store.save_signup(make_record(i))
    late = make_record(6, interests=("talk",), consents={"email": True, "phone": True})
    store.save_signup(late)
    result = export_signups(store, fmt, out / f"late.{fmt}")

    rows = read_rows(result.path)
    assert result.count == len(rows) == 7
    assert [row["interest_talk"] for row in rows] == [""] * 6 + ["yes"]
    assert [row["consent_phone"] for row in rows] == [""] * 6 + ["yes"]
    assert store.stats().unexported == 0


# -- XLSX ------------------------------------------------------------------


def test_xlsx_cells_are_neutralised_text_never_formulas(store, out):
    names = OWASP + BENIGN
    for i, name in enumerate(names):
        store.save_signup(make_record(i, name=name))
    result = export_signups(store, "xlsx", out / "signups.xlsx")

    sheet = openpyxl.load_workbook(result.path).active
    header = [cell.value for cell in sheet[1]]
    name_col = header.index("name")
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(names)
    for row, name in zip(rows, names, strict=True):
        cell = row[name_col]
        assert cell.data_type == "s"
        assert excel_text(cell.value) == ("'" + name if name in OWASP else name)
        assert row[header.index("phone")].value == "'+442890123456"
        for other in row:
            assert other.value is None or other.data_type == "s"
            assert other.value is None or not dangerous(excel_text(other.value))
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"


# -- JSONL -----------------------------------------------------------------


def test_jsonl_is_one_canonical_record_per_line_in_plain_utf8(store, out):
    records = [make_record(i, name=name) for i, name in enumerate(["Zoë", "=1+1", "محمد"])]
    for record in records:
        store.save_signup(record)
    result = export_signups(store, "jsonl", out / "signups.jsonl")

    raw = result.path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "Zoë".encode() in raw  # not \u00eb
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == [r.to_json() for r in records]


record_strategy = st.builds(
    SignupRecord,
    id=st.uuids().map(str),
    created_at=st.datetimes(timezones=st.just(UTC)).map(iso_ms),
    device_id=st.text(),
    name=st.text(),
    email=st.none() | st.text(),
    phone=st.none() | st.text(),
    interests=st.lists(st.text()).map(tuple),
    consents=st.dictionaries(st.text(), st.booleans()),
    consent_text=st.dictionaries(st.text(), st.text()),
    donation_ref=st.text(),
    content_version=st.text(),
)


@given(record_strategy)
def test_hand_built_to_json_matches_every_dataclass_field(record):
    """to_json is written out by hand for speed; it must never drift from the dataclass.

    (Its key order is the canonical shape, checked in test_records.)
    """
    import dataclasses

    reference = {**dataclasses.asdict(record), "interests": list(record.interests)}
    assert record.to_json() == reference


# -- files, folders, failures ------------------------------------------------


def test_export_into_a_folder_picks_a_new_name_and_never_overwrites(store, out):
    store.save_signup(make_record(0))
    first = export_signups(store, "csv", out, now=NOW)
    before = first.path.read_bytes()
    second = export_signups(store, "csv", out, now=NOW)

    assert first.path == out / "signups-tent-3f9a-20220730-214507.csv"
    assert second.path == out / "signups-tent-3f9a-20220730-214507-2.csv"
    assert first.path.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == sorted([first.path.name, second.path.name])


def test_folder_export_of_several_kiosks_is_named_all(store, out):
    store.save_signup(make_record(0))
    store.save_signup(make_record(1, device_id="stand-0b1c"))
    result = export_signups(store, "jsonl", out, now=NOW)
    assert result == ExportResult(out / "signups-all-20220730-214507.jsonl", 2, "jsonl")


def test_export_refuses_to_overwrite_an_existing_file(store, out):
    store.save_signup(make_record(0))
    existing = out / "signups.csv"
    existing.write_text("yesterday's export")
    with pytest.raises(ExportError, match="already exists"):
        export_signups(store, "csv", existing)
    assert existing.read_text() == "yesterday's export"
    assert store.stats().unexported == 1


def test_export_to_a_missing_folder_asks_about_the_usb_stick(store, tmp_path):
    with pytest.raises(ExportError, match="USB stick plugged in"):
        export_signups(store, "csv", tmp_path / "gone" / "signups.csv")


def test_export_rejects_an_unknown_format(store, out):
    with pytest.raises(ExportError, match="csv, xlsx or jsonl"):
        export_signups(store, "pdf", out)


class _FullDisk:
    """A csv writer whose disk fills up after a few rows."""

    def __init__(self, real_writer, fh, **kwargs):
        self._writer = real_writer(fh, **kwargs)
        self._rows = 0

    def writerow(self, row):
        self._rows += 1
        if self._rows > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._writer.writerow(row)


def assert_nothing_left(out: Path, store: Store, count: int) -> None:
    assert list(out.iterdir()) == []  # no final file, no .part
    assert store.stats().unexported == count
    assert store.stats().total == count


def test_disk_full_mid_csv_leaves_no_file_and_marks_nothing(store, out, monkeypatch):
    for i in range(10):
        store.save_signup(make_record(i))
    real = csv.writer
    monkeypatch.setattr(sinks.csv, "writer", lambda fh, **kw: _FullDisk(real, fh, **kw))
    with pytest.raises(ExportError, match="the USB stick is full") as caught:
        export_signups(store, "csv", out)
    assert "Nothing was marked exported" in str(caught.value)
    assert_nothing_left(out, store, 10)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_a_failed_flush_leaves_no_file_and_marks_nothing(store, out, monkeypatch, fmt):
    for i in range(5):
        store.save_signup(make_record(i))

    def full(fh):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sinks, "flush", full)
    with pytest.raises(ExportError, match="space"):
        export_signups(store, fmt, out / f"signups.{fmt}")
    assert_nothing_left(out, store, 5)


def test_xlsx_that_cannot_be_saved_leaves_no_file(store, out, monkeypatch):
    store.save_signup(make_record(0))

    def close(self):
        raise sinks.FileCreateError(OSError(errno.EROFS, "Read-only file system"))

    monkeypatch.setattr(sinks.xlsxwriter.Workbook, "close", close)
    with pytest.raises(ExportError, match="write-protected"):
        export_signups(store, "xlsx", out)
    assert_nothing_left(out, store, 1)


def test_stick_pulled_at_the_rename_leaves_no_file(store, out, monkeypatch):
    store.save_signup(make_record(0))

    def pulled(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(exporting.staging.os, "replace", pulled)
    with pytest.raises(ExportError, match="USB stick removed"):
        export_signups(store, "jsonl", out)
    assert_nothing_left(out, store, 1)


# -- what is exported ------------------------------------------------------


def test_unexported_exports_only_sign_ups_saved_since_the_last_export(store, out):
    for i in range(3):
        store.save_signup(make_record(i))
    assert export_signups(store, "csv", out / "night1.csv", unexported=True).count == 3
    new = [make_record(i) for i in (3, 4)]
    for record in new:
        store.save_signup(record)

    second = export_signups(store, "csv", out / "night2.csv", unexported=True)
    assert [row["id"] for row in read_csv(second.path)] == [r.id for r in new]
    third = export_signups(store, "csv", out / "night3.csv", unexported=True)
    assert third.count == 0
    assert read_csv(third.path) == []
    assert store.stats().total == 5  # exporting never deletes


def test_since_keeps_sign_ups_created_at_or_after_the_moment(store, out):
    for i in range(5):  # 12:00, 12:01, ... 12:04 UTC
        store.save_signup(make_record(i))
    result = export_signups(store, "jsonl", out / "s.jsonl", since="2022-07-30T13:02:00+01:00")
    lines = result.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [make_record(i).id for i in (2, 3, 4)]
    assert store.stats().unexported == 2  # only what was written is marked


def test_since_excludes_a_record_a_fraction_of_a_millisecond_earlier(store, out):
    store.save_signup(make_record(0, created_at="2022-07-30T12:00:00.345Z"))
    result = export_signups(store, "csv", out / "s.csv", since="2022-07-30T12:00:00.345500Z")
    assert result.count == 0


def test_since_accepts_a_plain_date_as_local_time(store, out):
    store.save_signup(make_record(0))
    result = export_signups(store, "csv", out / "s.csv", since="2022-07-29")
    assert result.count == 1


@pytest.mark.parametrize("bad", ["yesterday", "2022-13-01", "30/07/2022", "  "])
def test_a_bad_since_is_refused_with_an_example(store, out, bad):
    with pytest.raises(ExportError, match="ISO 8601"):
        export_signups(store, "csv", out, since=bad)
    assert list(out.iterdir()) == []


def test_progress_reports_counts_up_to_the_total(store, out, monkeypatch):
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 2)
    for i in range(5):
        store.save_signup(make_record(i))
    calls: list[tuple[int, int]] = []
    export_signups(store, "csv", out, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_exporting_marks_records_exported_but_deletes_nothing(store, out):
    records = [make_record(i) for i in range(4)]
    for record in records:
        store.save_signup(record)
    export_signups(store, "xlsx", out)
    assert store.stats().unexported == 0
    assert list(store.iter_records()) == records


def test_export_and_import_work_without_qt():
    code = "import sys, kiosk.exporting, kiosk.importing; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_csv_columns_come_from_the_content_pack_so_they_never_shift(store, tmp_path):
    """Night one nobody picked "talk"; night two someone did: the columns must match."""
    import csv

    pack = (("freedom_partner", "prayer", "email_updates", "talk"), ("email", "sms", "phone"))
    store.save_signup(make_record(0, interests=("prayer",)))
    first = export_signups(store, "csv", tmp_path / "night1.csv", columns=pack)
    store.save_signup(make_record(1, interests=("talk",)))
    second = export_signups(store, "csv", tmp_path / "night2.csv", unexported=True, columns=pack)
    headers = [
        next(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        for path in (first.path, second.path)
    ]
    assert headers[0] == headers[1]
    assert [h for h in headers[0] if h.startswith("interest_")] == [
        "interest_freedom_partner",
        "interest_prayer",
        "interest_email_updates",
        "interest_talk",
    ]
    assert [h for h in headers[0] if h.startswith("consent_") and h.count("_") == 1] == [
        "consent_email",
        "consent_sms",
        "consent_phone",
    ]


def test_a_signup_saved_during_an_export_waits_for_the_next_one(store, tmp_path, monkeypatch):
    """The export marks what it wrote, not whatever is in the table when it finishes."""
    store.save_signup(make_record(0))
    original = store.reader

    def read_while_a_visitor_signs_up(**kwargs):
        store.save_signup(make_record(1))
        return original(**kwargs)

    monkeypatch.setattr(store, "reader", read_while_a_visitor_signs_up)
    first = export_signups(store, "jsonl", tmp_path / "a.jsonl")
    monkeypatch.undo()
    assert first.count == 1
    assert store.stats().unexported == 1
    second = export_signups(store, "jsonl", tmp_path / "b.jsonl", unexported=True)
    assert second.count == 1
    assert make_record(1).id in second.path.read_text()

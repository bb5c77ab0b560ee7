"""Names in Polish, Irish and Ukrainian validate, store, export, import and sync exactly.

Each visitor signs up in their own language: the record keeps their name letter
for letter, the language, and the consent wording exactly as shown to them.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.content import load_content
from kiosk.exporting import export_signups
from kiosk.importing import import_jsonl
from kiosk.keyboard_layouts import LAYOUTS
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.records import SignupForm, SignupRecord, build_record
from kiosk.store import Store

VISITORS = [
    ("pl", "Łucja", "Wąsowska"),
    ("ga", "Seán", "Ó Briain"),
    ("uk", "Олександра", "Ковальчук"),
    ("uk", "Мар'яна", "Ґонта-Їжакевич"),
    ("ga", "Máire", "Ní Dhónaill"),
]


def _sign_up(code: str, first: str, last: str, i: int = 0) -> SignupRecord:
    content = load_content(DEFAULT_CONTENT_DIR, language=code)
    form = SignupForm(
        first_name=first,
        last_name=last,
        email=f"visitor{i}@example.org",
        interests=("prayer",),
        consents={"email": True},
        language=code,
    )
    return build_record(form, content, "kiosk-test")


def _round_trip(tmp_path: Path, records: list[SignupRecord]) -> tuple[Store, Path]:
    """Save on one kiosk, export JSONL, import on another; the other kiosk's store."""
    with Store(tmp_path / "a.db") as here:
        for record in records:
            here.save_signup(record)
        out = export_signups(here, "jsonl", tmp_path / "out.jsonl").path
    there = Store(tmp_path / "b.db")
    import_jsonl(there, out)
    return there, out


@pytest.mark.parametrize(("code", "first", "last"), VISITORS)
def test_a_visitor_signs_up_in_their_language_and_every_copy_keeps_them_exactly(
    tmp_path, code, first, last
):
    record = _sign_up(code, first, last)
    content = load_content(DEFAULT_CONTENT_DIR, language=code)
    assert (record.first_name, record.last_name, record.name) == (first, last, f"{first} {last}")
    assert record.language == code
    assert record.consent_text["email"] == content.consent("email").wording
    assert (
        record.consent_text["email"] != load_content(DEFAULT_CONTENT_DIR).consent("email").wording
    )

    there, out = _round_trip(tmp_path, [record])
    with there:
        imported = there.get(record.id)
    assert imported == record
    line = out.read_text(encoding="utf-8").splitlines()[0]
    assert first in line and last in line  # UTF-8, not \u escapes: readable by the office
    # Sync sends the same canonical JSON: it survives the wire unchanged.
    wire = json.dumps(record.to_json(), ensure_ascii=False).encode("utf-8")
    assert SignupRecord.from_json(json.loads(wire.decode("utf-8"))) == record


def test_csv_and_xlsx_exports_show_each_name_language_and_wording_exactly(tmp_path, data_dir):
    records = [_sign_up(code, first, last, i) for i, (code, first, last) in enumerate(VISITORS)]
    with Store(data_dir / "kiosk.db") as store:
        for record in records:
            store.save_signup(record)
        csv_path = export_signups(store, "csv", tmp_path / "out.csv").path
        xlsx_path = export_signups(store, "xlsx", tmp_path / "out.xlsx").path
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sheet = openpyxl.load_workbook(xlsx_path, read_only=True).worksheets[0]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = values[0]
    for record, row, cells in zip(records, rows, values[1:], strict=True):
        cell = dict(zip(header, cells, strict=False))
        for table in (row, cell):
            assert table["first_name"] == record.first_name
            assert table["last_name"] == record.last_name
            assert table["language"] == record.language
            wording = [v for k, v in table.items() if k and "email" in k and v and "IJM" in v]
            assert wording == [record.consent_text["email"]], table


# Names typed on each language's keyboard: its letters, capitals, hyphen and apostrophes.
def _typed_name(code: str) -> st.SearchStrategy[str]:
    layout = LAYOUTS[code]
    letters = "".join(layout.rows) + "".join(layout.accents)
    letter = st.sampled_from(letters + letters.upper())
    word = st.text(letter, min_size=1, max_size=12).map(lambda w: w[0].upper() + w[1:])
    sep = st.sampled_from([" ", "-"])
    return st.builds(lambda a, s, b: f"{a}{s}{b}", word, sep, word)


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(["ga", "pl", "uk"]).flatmap(
        lambda code: st.tuples(st.just(code), _typed_name(code), _typed_name(code))
    ),
    st.booleans(),
)
def test_any_name_typed_on_a_language_keyboard_comes_back_from_another_kiosk_unchanged(
    tmp_path_factory, visitor, decomposed
):
    code, first, last = visitor
    typed = (unicodedata.normalize("NFD", first) if decomposed else first, last)
    record = _sign_up(code, *typed)
    assert record.first_name == unicodedata.normalize("NFC", first)  # stored composed
    there, _ = _round_trip(tmp_path_factory.mktemp("trip"), [record])
    with there:
        assert there.get(record.id) == record

"""Open a sealed XLSX export (the kiosk's own, text-only workbooks) at the office.

Reads each sheet's cells straight from the workbook's XML (inline or shared
strings), opens every sealed cell and writes a new workbook with the same
sheets, cells as text, a bold frozen header. No Qt here.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from kiosk.errors import KioskError

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(r"([A-Z]+)(\d+)")


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _text(node: ET.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{_NS}t"))


def _sheets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order."""
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = []
    for sheet in workbook.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(_REL), "").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        out.append((sheet.get("name", "Sheet"), part))
    return out


def _rows(book: zipfile.ZipFile, part: str, shared: list[str]) -> Iterator[tuple[int, list[str]]]:
    with book.open(part) as fh:
        for _, node in ET.iterparse(fh):
            if node.tag != f"{_NS}row":
                continue
            cells: dict[int, str] = {}
            for c in node.iter(f"{_NS}c"):
                match = _CELL.fullmatch(c.get("r", ""))
                if match is None:
                    continue
                kind = c.get("t")
                if kind == "inlineStr":
                    value = _text(c)
                elif kind == "s":
                    v = c.find(f"{_NS}v")
                    value = shared[int(v.text)] if v is not None and v.text else ""
                else:
                    v = c.find(f"{_NS}v")
                    value = v.text if v is not None and v.text else ""
                cells[_column(match.group(1))] = value
            width = max(cells) + 1 if cells else 0
            yield int(node.get("r", "0")) - 1, [cells.get(i, "") for i in range(width)]
            node.clear()


def unseal_xlsx(src: Path, tmp: Path, open_cell: Callable[[str, int, int], str]) -> int:
    """Write `tmp` from the workbook `src` with every cell passed through
    `open_cell(text, row index, column index)`."""
    import xlsxwriter

    try:
        book = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as exc:
        raise KioskError(f"{src} is not an XLSX workbook ({exc})") from None
    rows_written = 0
    with book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ET.fromstring(book.read("xl/sharedStrings.xml"))
            shared = [_text(si) for si in root.iter(f"{_NS}si")]
        out = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                # Its spool holds the opened names: beside the output, never the system temp.
                "tmpdir": str(tmp.parent),
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        bold: Any = out.add_format({"bold": True})
        try:
            for name, part in _sheets(book):
                sheet = out.add_worksheet(name)
                sheet.freeze_panes(1, 0)
                last, width = 0, 0
                for index, cells in _rows(book, part, shared):
                    for col, cell in enumerate(cells):
                        sheet.write_string(
                            index, col, open_cell(cell, index, col), bold if index == 0 else None
                        )
                    last, width = max(last, index), max(width, len(cells))
                    rows_written += index > 0
                if width:
                    sheet.autofilter(0, 0, last, width - 1)
        finally:
            out.close()
    return rows_written

"""The file formats: CSV and XLSX rows from a layout, JSONL canonical records.

Every sink writes only where it is told: the export's staging folder beside the
target (XlsxWriter's own temporary files included). No Qt here.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from kiosk.errors import ExportError
from kiosk.exporting.columns import Layout
from kiosk.records import SignupRecord

XLSX_MAX_ROWS = 1_048_576


def flush(fh: TextIO | Any) -> None:
    """Flush and fsync: the rename that publishes the file comes only after this."""
    fh.flush()
    os.fsync(fh.fileno())


def write_jsonl(
    path: Path, records: Iterable[SignupRecord], added: Callable[[SignupRecord], None]
) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(dumps(record.to_json()))
            fh.write("\n")
            added(record)
        flush(fh)


class CsvSink:
    """UTF-8 with a BOM (Excel then shows "Seán", not "SeÃ¡n"), CRLF rows."""

    def __init__(self, path: Path, staging: Path) -> None:
        # "utf-8" plus a BOM by hand: the utf-8-sig codec costs a Python call per row.
        self._fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.row = csv.writer(self._fh, lineterminator="\r\n").writerow

    def start(self, layout: Layout) -> None:
        self._fh.write("\ufeff")
        self.row(layout.header())

    def finish(self, count: int) -> None:
        flush(self._fh)

    def close(self) -> None:
        self._fh.close()


class _QuietWhenBroken:
    """The file XlsxWriter zips into, gone quiet once a write failed or the export gave up.

    XlsxWriter leaves its ZipFile unclosed when a write fails (a full or pulled
    stick); ZipFile.__del__ later tries to finish the archive and prints a
    traceback nobody can act on. Past a failure every call here only counts
    bytes (the archive's arithmetic must still add up): the file is being
    thrown away anyway.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._pos = 0
        self.broken = False

    def _live(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (OSError, ValueError):
            self.broken = True
            raise

    def write(self, data: bytes) -> int:
        if not self.broken:
            self._live(lambda: self._fh.write(data))
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        if not self.broken:
            self._pos = self._live(self._fh.tell)
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self.broken:
            self._pos = self._live(lambda: self._fh.seek(offset, whence))
        elif whence == os.SEEK_SET:
            self._pos = offset
        elif whence == os.SEEK_CUR:
            self._pos += offset
        return self._pos

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        if not self.broken:
            self._live(self._fh.flush)


class XlsxSink:
    """Every cell a string (never a formula), bold frozen header, streamed rows.

    constant_memory keeps memory flat for 100,000 rows by spooling rows to a
    temporary file; `staging` is where that file and the packaging files go
    (XlsxWriter would otherwise use the system temp folder, out of Wipe's reach).
    """

    def __init__(self, path: Path, staging: Path) -> None:
        self._fh = open(path, "wb")  # noqa: SIM115
        self._out = _QuietWhenBroken(self._fh)
        self._book = xlsxwriter.Workbook(
            self._out,
            {
                "constant_memory": True,
                "tmpdir": str(staging),
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._saved = False
        self._next = 1
        self._width = 0

    def start(self, layout: Layout) -> None:
        self._sheet = self._book.add_worksheet(getattr(layout, "sheet", "Sign-ups"))
        header = layout.header()
        self._width = len(header)
        for col, width in enumerate(layout.widths()):
            self._sheet.set_column(col, col, width)
        self._sheet.freeze_panes(1, 0)
        self._write(0, header, self._book.add_format({"bold": True}))

    def _write(self, row: int, cells: list[str], fmt: Any = None) -> None:
        write = self._sheet.write_string
        for col, cell in enumerate(cells):
            if write(row, col, cell, fmt) != 0:
                if row >= XLSX_MAX_ROWS:
                    raise ExportError(
                        f"more than {XLSX_MAX_ROWS - 1:,} sign-ups don't fit in one XLSX sheet "
                        "— export as CSV or JSONL, or use --since"
                    )
                raise ExportError(
                    f"a cell in row {row + 1} is longer than a spreadsheet allows "
                    "— export as CSV or JSONL instead"
                )

    def row(self, cells: list[str]) -> None:
        self._write(self._next, cells)
        self._next += 1

    def finish(self, count: int) -> None:
        self._sheet.autofilter(0, 0, self._next - 1, self._width - 1)
        try:
            self._book.close()
        except FileCreateError as exc:
            self._out.broken = True
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise OSError(errno.EIO, str(exc)) from None
        self._saved = True
        flush(self._fh)

    def close(self) -> None:
        if not self._saved:
            self._out.broken = True
            # xlsxwriter closes its constant_memory row files only after a
            # successful save; an abandoned or failed book would leak them.
            for sheet in self._book.worksheets():
                with contextlib.suppress(Exception):
                    sheet._opt_close()
        self._fh.close()

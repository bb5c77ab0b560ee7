"""Sign-ups to CSV, XLSX or JSONL on a USB stick: streamed, formula-safe, all or nothing.

Files are written under a temporary name and renamed only when complete. No Qt here.
CSV/XLSX columns: id, created_at, device_id, name, email, phone, interest_<key>
(yes/blank), consent_<key> (yes/no/blank) with consent_<key>_wording, donation_ref,
content_version; the keys come from the exported records themselves, sorted, so
the same data always gives the same columns and an old pack's keys are not lost.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import itertools
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from kiosk.errors import ExportError, StorageError
from kiosk.files import fsync_dir
from kiosk.records import SignupRecord, iso_ms, utc_now
from kiosk.store import Store

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "jsonl")
PROGRESS_EVERY = 1000
# Records held back to discover the interest and consent columns before the
# header is written; a key first seen later costs one extra pass (see _tabular).
LOOKAHEAD = 2000
XLSX_MAX_ROWS = 1_048_576

# OWASP CSV injection: a spreadsheet treats a cell starting with one of these as
# a formula; Excel reads the full-width forms as ASCII; the small forms for safety.
_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠﹦﹢﹣﹫")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    format: str


def neutralise(cell: str) -> str:
    """`cell`, with a leading apostrophe if a spreadsheet could read it as a formula.

    A cell is dangerous when it starts, or starts after whitespace, with = + - @,
    tab, CR, LF or their full-width forms. E.164 phone numbers ("+447…") are
    dangerous by this rule and come out as "'+447…": the apostrophe keeps Excel
    from evaluating them and is easy to strip in the office's CRM import.
    """
    if cell and (cell[0] in _TRIGGERS or (cell[0].isspace() and cell.lstrip()[:1] in _TRIGGERS)):
        return "'" + cell
    return cell


def export_signups(
    store: Store,
    fmt: str,
    out: Path,
    *,
    unexported: bool = False,
    since: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
    columns: tuple[Sequence[str], Sequence[str]] = ((), ()),
) -> ExportResult:
    """Write sign-ups (oldest first) to `out` and mark them exported.

    `out` is a file to create, or an existing folder to put a new uniquely named
    file in (`signups-<device>-<YYYYMMDD-HHMMSS>.<fmt>`, UTC). An existing file
    is never overwritten and nothing is ever deleted from the store. `since`
    (ISO 8601; without a zone it is this computer's local time) keeps only
    sign-ups created at or after it. `progress(done, total)` is called every
    thousand records and once at the end; `total` is -1 when unknown (with `since`).
    `columns` is the content pack's (interest keys, consent keys): they always get
    a column, in the pack's order, so the office's import mapping never shifts.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} — use csv, xlsx or jsonl")
    since_key = _since_key(since) if since else None
    out = Path(out)
    folder, target = _destination(out)
    total = -1
    if since_key is None and progress is not None:
        stats = store.stats()
        total = stats.unexported if unexported else stats.total

    upto = store.last_seq()  # a snapshot: sign-ups saved meanwhile wait for the next export

    def records() -> Iterator[SignupRecord]:
        return store.iter_records(unexported=unexported, since=since_key, upto=upto)

    fd, tmp_name = _make_temp(folder, fmt)
    tmp = Path(tmp_name)
    try:
        if fmt == "jsonl":
            with contextlib.closing(records()) as stream:
                written = _write_jsonl(fd, stream, _Progress(progress, total))
        else:
            os.close(fd)
            base = _Columns(*columns)
            written = _tabular(fmt, tmp, records, _Progress(progress, total), base)
        final = target or _unique_name(folder, written.device_label(), fmt, now or utc_now())
        if target is not None and target.exists():
            raise ExportError(f"{target} already exists — choose another name or a folder")
        os.replace(tmp, final)
    except OSError as exc:
        _remove(tmp)
        log.info("export to %s failed: %s (errno %s)", folder, type(exc).__name__, exc.errno)
        raise ExportError(_friendly(exc, folder)) from None
    except BaseException:
        _remove(tmp)
        raise
    fsync_dir(folder)
    log.info("exported %d sign-ups as %s to %s", written.count, fmt, final)
    try:
        store.mark_exported_upto(upto, since=since_key)
    except StorageError as exc:
        raise ExportError(
            f"{final} is complete, but the kiosk couldn't note the sign-ups as exported "
            f"({exc}); the next export will include them again"
        ) from exc
    if progress is not None:
        progress(written.count, written.count)
    return ExportResult(path=final, count=written.count, format=fmt)


def _since_key(since: str) -> str:
    """`since` as a stored created_at string, rounded up to the next millisecond."""
    try:
        moment = datetime.fromisoformat(since.strip())
        if moment.tzinfo is None:
            moment = moment.astimezone()  # what a volunteer typing a date means: local time
        if moment.microsecond % 1000:
            # created_at has milliseconds; a record at .345 is before .3456, so it is out.
            moment += timedelta(microseconds=1000 - moment.microsecond % 1000)
        return iso_ms(moment.astimezone(UTC))
    except (ValueError, OverflowError):
        raise ExportError(
            f"--since: {since!r} is not a date and time — use ISO 8601, "
            "like 2022-07-30 or 2022-07-30T18:00:00+01:00"
        ) from None


def _destination(out: Path) -> tuple[Path, Path | None]:
    """(folder to write in, final file or None to pick a unique name in the folder)."""
    if out.is_dir():
        return out, None
    if out.exists():
        raise ExportError(f"{out} already exists — choose another name or a folder")
    if not out.parent.is_dir():
        raise ExportError(f"folder {out.parent} does not exist — is the USB stick plugged in?")
    return out.parent, out


def _make_temp(folder: Path, fmt: str) -> tuple[int, str]:
    # Hidden and ending in .part: a stick pulled mid-write leaves nothing that looks done.
    try:
        return tempfile.mkstemp(prefix=".signups-", suffix=f".{fmt}.part", dir=folder)
    except OSError as exc:
        raise ExportError(_friendly(exc, folder)) from None


def _unique_name(folder: Path, device: str, fmt: str, now: datetime) -> Path:
    stem = f"signups-{device}-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
    for n in itertools.count(1):
        candidate = folder / (f"{stem}.{fmt}" if n == 1 else f"{stem}-{n}.{fmt}")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def _friendly(exc: OSError, folder: Path) -> str:
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        reason = "there is no space left — free some space or use another USB stick"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "it can't be written — the USB stick may be write-protected or read-only"
    elif code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO):
        reason = "the folder went away — was the USB stick removed? Plug it in and try again"
    else:
        reason = (
            f"{exc.strerror or type(exc).__name__} — check the USB stick has space "
            "and is not write-protected"
        )
    return f"couldn't write the export to {folder}: {reason}. Nothing was marked exported."


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


class _Progress:
    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self.callback = callback
        self.total = total

    def __call__(self, done: int) -> None:
        if self.callback is not None and done % PROGRESS_EVERY == 0:
            total = self.total if self.total < 0 else max(self.total, done)
            self.callback(done, total)


class _Written:
    """What went into the file: how many, and whose they were (for the file name)."""

    def __init__(self) -> None:
        self.count = 0
        self.devices: set[str] = set()

    def add(self, record: SignupRecord) -> None:
        self.count += 1
        if len(self.devices) < 2:
            self.devices.add(record.device_id)

    def device_label(self) -> str:
        if len(self.devices) == 1:
            label = _UNSAFE_FILENAME.sub("-", next(iter(self.devices))).strip("-")[:40]
            if label:
                return label
        return "all"


def _write_jsonl(fd: int, records: Iterable[SignupRecord], progress: _Progress) -> _Written:
    written = _Written()
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with open(fd, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(dumps(record.to_json()))
            fh.write("\n")
            written.add(record)
            progress(written.count)
        _flush(fh)
    return written


def _flush(fh: TextIO | Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())


class _Columns:
    """Interest and consent keys: the pack's in its order, then any others sorted.

    The same pack and data always give the same columns.
    """

    def __init__(self, interests: Iterable[str], consents: Iterable[str]) -> None:
        self.interests = tuple(dict.fromkeys(interests))
        self.consents = tuple(dict.fromkeys(consents))
        self._interest_set = frozenset(self.interests)
        self._consent_set = frozenset(self.consents)
        self._wording: dict[str, str] = {}

    @classmethod
    def of(cls, records: Iterable[SignupRecord], base: _Columns | None = None) -> _Columns:
        interests: set[str] = set()
        consents: set[str] = set()
        for record in records:
            interests.update(record.interests)
            consents.update(record.consents, record.consent_text)
        known_i = base.interests if base else ()
        known_c = base.consents if base else ()
        return cls(
            [*known_i, *sorted(interests - set(known_i))],
            [*known_c, *sorted(consents - set(known_c))],
        )

    def cover(self, record: SignupRecord) -> bool:
        return (
            self._interest_set.issuperset(record.interests)
            and self._consent_set.issuperset(record.consents)
            and self._consent_set.issuperset(record.consent_text)
        )

    def header(self) -> list[str]:
        names = ["id", "created_at", "device_id", "first_name", "last_name", "name", "email"]
        names.append("phone")
        names.extend(f"interest_{key}" for key in self.interests)
        for key in self.consents:
            names.extend((f"consent_{key}", f"consent_{key}_basis", f"consent_{key}_wording"))
        names.extend(("language", "donation_ref", "content_version", "withdrawn_at"))
        return [neutralise(name) for name in names]

    def cells(self, r: SignupRecord) -> list[str]:
        """One row, neutralised: the only place CSV and XLSX cells come from.

        yes/no/blank flags are ours and safe, and so are id, created_at and
        withdrawn_at (a UUID and canonical UTC times, checked where every record
        enters: the form and import). Every other cell goes through neutralise; the
        values that repeat on most rows (device, wording, version) through a cache.
        """
        n = neutralise
        cache = self._wording
        if len(cache) > 1000:
            cache.clear()

        def repeated(text: str) -> str:
            safe = cache.get(text)
            if safe is None:
                safe = cache[text] = n(text)
            return safe

        row = [r.id, r.created_at, repeated(r.device_id)]
        row.extend(n(value) if value else "" for value in (r.first_name, r.last_name, r.name))
        row.append(n(r.email) if r.email else "")
        row.append(n(r.phone) if r.phone else "")
        chosen = r.interests
        row.extend(["yes" if key in chosen else "" for key in self.interests])
        consents, basis, wording = r.consents, r.consent_basis, r.consent_text
        for key in self.consents:
            granted = consents.get(key)
            row.append("" if granted is None else "yes" if granted else "no")
            row.append(repeated(basis.get(key, "")))
            row.append(repeated(wording.get(key, "")))
        row.append(repeated(r.language))
        row.append(n(r.donation_ref))
        row.append(repeated(r.content_version))
        row.append(r.withdrawn_at or "")
        return row

    def widths(self) -> list[int]:
        return [
            *(38, 26, 14, 18, 18, 28, 32, 18),
            *([14] * len(self.interests)),
            *([12, 12, 60] * len(self.consents)),
            *(10, 14, 16, 26),
        ]


def _tabular(
    fmt: str,
    tmp: Path,
    records: Callable[[], Iterator[SignupRecord]],
    progress: _Progress,
    base: _Columns,
) -> _Written:
    """CSV or XLSX in one pass over the store when the columns are known early.

    The header needs every interest and consent key before the first row, and
    records carry only the keys they use. The first LOOKAHEAD records decide
    the columns (a pack's interests all turn up within the first few
    sign-ups); a key first seen later (a new content pack mid-festival, an
    import) means scanning on for keys and writing the file again, once.
    """
    stream = records()
    try:
        head = list(itertools.islice(stream, LOOKAHEAD))
        columns = _Columns.of(head, base=base)
        written, late = _write_rows(fmt, tmp, columns, itertools.chain(head, stream), progress)
        if late is None:
            return written
        columns = _Columns.of(itertools.chain([late], stream), base=columns)
    finally:
        stream.close()
    log.info("export found a late interest or consent key; writing the file again")
    stream = records()
    try:
        written, late = _write_rows(fmt, tmp, columns, stream, progress, skip_uncovered=True)
    finally:
        stream.close()
    return written


def _write_rows(
    fmt: str,
    tmp: Path,
    columns: _Columns,
    records: Iterator[SignupRecord],
    progress: _Progress,
    *,
    skip_uncovered: bool = False,
) -> tuple[_Written, SignupRecord | None]:
    """Rows until a record needs a column we lack: (written, that record or None).

    With `skip_uncovered` such a record (saved while this export ran) is left
    out, unmarked, for the next export.
    """
    sink = _CsvSink(tmp) if fmt == "csv" else _XlsxSink(tmp)
    written = _Written()
    skipped = 0
    try:
        sink.start(columns)
        for record in records:
            if not columns.cover(record):
                if not skip_uncovered:
                    return written, record
                skipped += 1
                continue
            sink.row(columns.cells(record))
            written.add(record)
            progress(written.count)
        sink.finish(written.count)
    finally:
        sink.close()
    if skipped:
        log.warning("export left out %d sign-ups saved while it ran", skipped)
    return written, None


class _CsvSink:
    """UTF-8 with a BOM (Excel then shows "Seán", not "SeÃ¡n"), CRLF rows."""

    def __init__(self, tmp: Path) -> None:
        # "utf-8" plus a BOM by hand: the utf-8-sig codec costs a Python call per row.
        self._fh = open(tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.row = csv.writer(self._fh, lineterminator="\r\n").writerow

    def start(self, columns: _Columns) -> None:
        self._fh.write("\ufeff")
        self.row(columns.header())

    def finish(self, count: int) -> None:
        _flush(self._fh)

    def close(self) -> None:
        self._fh.close()


class _XlsxSink:
    """Every cell a string (never a formula), bold frozen header, streamed rows."""

    def __init__(self, tmp: Path) -> None:
        self._fh = open(tmp, "wb")  # noqa: SIM115
        self._book = xlsxwriter.Workbook(
            self._fh,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._saved = False
        self._next = 1
        self._width = 0

    def start(self, columns: _Columns) -> None:
        self._sheet = self._book.add_worksheet("Sign-ups")
        header = columns.header()
        self._width = len(header)
        for col, width in enumerate(columns.widths()):
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
        self._sheet.autofilter(0, 0, count, self._width - 1)
        try:
            self._book.close()
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise OSError(errno.EIO, str(exc)) from None
        self._saved = True
        _flush(self._fh)

    def close(self) -> None:
        if not self._saved:
            # xlsxwriter closes its constant_memory row files only after a
            # successful save; an abandoned or failed book would leak them.
            for sheet in self._book.worksheets():
                with contextlib.suppress(Exception):
                    sheet._opt_close()
        self._fh.close()

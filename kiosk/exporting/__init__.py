"""Sign-ups to CSV, XLSX or JSONL on a USB stick: streamed, formula-safe, all or nothing.

Files are written in a staging folder beside the target and renamed only when
complete; nothing is written anywhere else (see staging). A layout decides the
columns of CSV and XLSX (see columns); the sinks write the formats. A damaged
database gives up every row it can and says how many it could not. No Qt here.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.errors import ExportError, StorageError
from kiosk.exporting.columns import GenericColumns, Layout, neutralise
from kiosk.exporting.sinks import CsvSink, XlsxSink, write_jsonl
from kiosk.exporting.staging import Staging, destination, friendly, unique_name
from kiosk.files import PRIVATE_FILE, fsync_dir
from kiosk.reading import SignupReader, is_damage
from kiosk.records import SignupRecord, iso_ms, utc_now
from kiosk.store import Store
from kiosk.store import friendly as storage_reason

__all__ = ["FORMATS", "ExportNotMarkedError", "ExportResult", "export_signups", "neutralise"]

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "jsonl")
PROGRESS_EVERY = 1000
# Records held back to discover the interest and consent columns before the
# header is written; a key first seen later costs one extra pass (see _tabular).
LOOKAHEAD = 2000
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    format: str
    # A damaged database: the file holds every readable sign-up, `unreadable`
    # were lost to the damage, and nothing was marked exported.
    damaged: bool = False
    unreadable: int = 0
    # A layout's second table (Raiser's Edge's consent import), beside `path`.
    companion: Path | None = None
    # A CRM layout's `-withdrawals` file (only when the export holds withdrawals):
    # the people to erase or suppress in the CRM; they are not rows of `path`.
    withdrawals: Path | None = None
    withdrawn: int = 0

    def summary(self) -> str:
        """One line for a volunteer."""
        if not self.damaged:
            return f"wrote {self.count} sign-up{'' if self.count == 1 else 's'} to {self.path}"
        lost = f"{self.unreadable} could not be read" if self.unreadable else "all could be read"
        return (
            f"exported {self.count} sign-up{'' if self.count == 1 else 's'} to {self.path}; "
            f"{lost} (the database is damaged — keep the file, ask the admin); "
            "none were marked exported"
        )


class ExportNotMarkedError(ExportError):
    """The file is complete, but the sign-ups could not be marked exported."""

    def __init__(self, message: str, result: ExportResult) -> None:
        super().__init__(message)
        self.result = result


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
    layout: tuple[Any, Any] | None = None,
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
    `layout` is a CRM layout's bound (main, companion) tables (kiosk.layouts.rows.bind);
    a companion table (Raiser's Edge's consent import) goes to a second file
    beside the first, named with the table's suffix.

    A store that cannot be written (a read-only data folder) still exports; the
    marking then fails with ExportNotMarkedError, which carries the result.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} — use csv, xlsx or jsonl")
    since_key = _since_key(since) if since else None
    folder, target = destination(Path(out))
    total = _total(store, unexported) if since_key is None and progress is not None else -1
    upto = _snapshot(store)  # sign-ups saved meanwhile wait for the next export
    # Withdrawn before reading: markers in the file. One withdrawn while writing may be
    # in it with its name, so it stays unexported (its marker goes in the next export).
    withdrawn_ids = _withdrawn(store, upto)
    readers: list[SignupReader] = []

    def records() -> Iterator[SignupRecord]:
        reader = store.reader(unexported=unexported, since=since_key, upto=upto)
        readers.append(reader)
        return iter(reader)

    main, *extras = layout or (None,)
    staging = Staging(folder, store.path.parent)
    withdrawn = 0
    try:
        written = _Written(_Progress(progress, total))
        part = staging.file(f"signups.{fmt}")
        if fmt == "jsonl":
            with contextlib.closing(records()) as stream:
                write_jsonl(part, stream, written.add)
        else:
            base = main or GenericColumns(*columns)
            written = _tabular(fmt, part, staging.path, records, written, base)
        parts: list[tuple[Path, str, str]] = [(part, "", "main")]
        for index, table in enumerate(t for t in extras if t is not None and fmt != "jsonl"):
            extra = staging.file(f"table{index}.{fmt}")
            rows = _tabular(fmt, extra, staging.path, records, _Written(_Progress(None, -1)), table)
            kind = getattr(table, "rows_for", "signups")
            if kind == "withdrawals":
                withdrawn = rows.count
                if not withdrawn:
                    continue  # no withdrawal in this export: no file to act on
            parts.insert(0, (extra, table.suffix, kind))
        final = target or unique_name(folder, written.device_label(), fmt, now or utc_now())
        finals = dict(zip([kind for *_, kind in parts], _publish(parts, final), strict=True))
        fsync_dir(folder)
    except OSError as exc:
        log.info("export to %s failed: %s (errno %s)", folder, type(exc).__name__, exc.errno)
        raise ExportError(friendly(exc, folder)) from None
    finally:
        staging.discard()
    damaged = upto is None or any(r.damaged for r in readers)
    unreadable = max(r.unreadable for r in readers)
    result = ExportResult(
        final,
        written.count,
        fmt,
        damaged,
        unreadable,
        finals.get("signups"),
        finals.get("withdrawals"),
        withdrawn,
    )
    log.info("exported %d sign-ups as %s to %s", written.count, fmt, final)
    if progress is not None:
        progress(written.count, written.count)
    if damaged:
        # Writing to a damaged file can make it worse: it is left exactly as it is.
        return result
    try:
        store.mark_exported_upto(upto, since=since_key, withdrawn=withdrawn_ids)
    except StorageError as exc:
        raise ExportNotMarkedError(
            f"{final} is complete, but the sign-ups could not be marked exported "
            f"({_reason(exc)}); the next export will include them again",
            result,
        ) from exc
    return result


def _publish(parts: list[tuple[Path, str, str]], final: Path) -> list[Path]:
    """Rename each finished part to `final` (with its table's suffix), all or none.

    A companion table (Raiser's Edge's consent import) goes first, beside the main
    file, and is taken back if the main file cannot be put in place.
    """
    named = [
        (part, final.with_name(f"{final.stem}{suffix}{final.suffix}")) for part, suffix, _ in parts
    ]
    for _part, path in named:
        if path.exists():
            raise ExportError(f"{path} already exists — choose another name or a folder")
    done: list[Path] = []
    try:
        for part, path in named:
            with contextlib.suppress(OSError):  # FAT sticks have no modes
                os.chmod(part, PRIVATE_FILE)  # personal data: the office copies it anyway
            os.replace(part, path)
            done.append(path)
    except BaseException:
        for path in done:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return done


def _reason(exc: StorageError) -> str:
    cause = exc.__cause__
    return storage_reason(cause) if isinstance(cause, sqlite3.Error | OSError) else str(exc)


def _total(store: Store, unexported: bool) -> int:
    try:
        stats = store.stats()
    except StorageError:
        return -1  # a damaged file may not count; the export still reads what it can
    return stats.unexported if unexported else stats.total


def _snapshot(store: Store) -> int | None:
    """The newest sign-up's number, or None when the damage hides it (then nothing is marked)."""
    try:
        return store.last_seq()
    except StorageError as exc:
        if is_damage(exc.__cause__):
            return None
        raise


def _withdrawn(store: Store, upto: int | None) -> list[str] | None:
    if upto is None:
        return None
    try:
        return store.withdrawn_upto(upto)
    except StorageError as exc:
        if is_damage(exc.__cause__):
            return None  # then nothing is marked (the damaged path)
        raise


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

    def __init__(self, progress: _Progress) -> None:
        self.count = 0
        self.devices: set[str] = set()
        self._progress = progress

    def fresh(self) -> _Written:
        return _Written(self._progress)

    def add(self, record: SignupRecord) -> None:
        self.count += 1
        if len(self.devices) < 2:
            self.devices.add(record.device_id)
        self._progress(self.count)

    def device_label(self) -> str:
        if len(self.devices) == 1:
            label = _UNSAFE_FILENAME.sub("-", next(iter(self.devices))).strip("-")[:40]
            if label:
                return label
        return "all"


def _tabular(
    fmt: str,
    part: Path,
    staging: Path,
    records: Callable[[], Iterator[SignupRecord]],
    written: _Written,
    base: Layout,
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
        layout = base.widen(head)
        late = _write_rows(fmt, part, staging, layout, itertools.chain(head, stream), written)
        if late is None:
            return written
        layout = layout.widen(itertools.chain([late], stream))
    finally:
        stream.close()
    log.info("export found a late interest or consent key; writing the file again")
    written = written.fresh()
    stream = records()
    try:
        _write_rows(fmt, part, staging, layout, stream, written, skip_uncovered=True)
    finally:
        stream.close()
    return written


def _write_rows(
    fmt: str,
    part: Path,
    staging: Path,
    layout: Layout,
    records: Iterable[SignupRecord],
    written: _Written,
    *,
    skip_uncovered: bool = False,
) -> SignupRecord | None:
    """Rows until a record needs a column we lack: that record, or None when all are in.

    With `skip_uncovered` such a record (saved while this export ran) is left
    out, unmarked, for the next export.
    """
    sink = CsvSink(part, staging) if fmt == "csv" else XlsxSink(part, staging)
    skipped = 0
    try:
        sink.start(layout)
        for record in records:
            if not layout.cover(record):
                if not skip_uncovered:
                    return record
                skipped += 1
                continue
            rows = layout.rows(record)
            for cells in rows:
                sink.row(cells)
            if rows:  # a CRM layout's withdrawal marker is no contact row
                written.add(record)
        sink.finish(written.count)
    finally:
        sink.close()
    if skipped:
        log.warning("export left out %d sign-ups saved while it ran", skipped)
    return None

"""Another kiosk's JSONL export into this one: checked and inserted in one streamed pass.

All or nothing (one transaction; any bad line rolls it back and is reported by its
number), idempotent by record id (a second import adds nothing), and bounded in
memory: the file is read line by line and inserted in chunks, holding no list of
records or ids. Imported records are queued for sync. No Qt here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from kiosk.errors import ImportRefusedError
from kiosk.records import SignupRecord, utc_now
from kiosk.store import Store

log = logging.getLogger(__name__)

MAX_REPORTED = 20
# A record within its bounds is a few kilobytes; a longer line is not a sign-up.
MAX_LINE_BYTES = 256 * 1024
_BOM = b"\xef\xbb\xbf"
# A JSON escape for half a UTF-16 pair: only then is the slower surrogate check needed.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int


def import_jsonl(store: Store, path: Path) -> ImportResult:
    """Add every record in `path` that this kiosk lacks, in one streamed transaction.

    Raises ImportRefusedError, with nothing imported, if the file can't be read or
    any line is not a valid sign-up (each named by its line number). `skipped`
    counts records already here and repeats within the file.
    """
    path = Path(path)
    with _open_regular(path) as fh:
        _refuse_spreadsheets(path, fh)
        scan = _Scan(path, fh)
        count = store.import_stream(
            scan.records(), on_repeat=scan.repeat, before_commit=scan.finish
        )
    # A withdrawal for a sign-up we hold erases our copy too (SPEC 9). Markers are few
    # and each erase is idempotent, so importing the file again is harmless.
    for marker in scan.withdrawals:
        store.apply_withdrawal(marker)
    skipped = count.already_here + count.repeats
    log.info("imported %d sign-ups (%d already here)", count.added, skipped)
    return ImportResult(added=count.added, skipped=skipped)


class _Scan:
    """One pass over the file: yields (line number, record); `finish` refuses the whole
    file (inside the store's transaction, so nothing is kept) if any line was bad."""

    def __init__(self, path: Path, fh: BinaryIO) -> None:
        self.path = path
        self._fh = fh
        self._problems: list[str] = []
        self._bad = 0
        self._lock = threading.Lock()
        self._now = utc_now()
        self.withdrawals: list[SignupRecord] = []

    def problem(self, text: str) -> None:
        with self._lock:  # a caller may consume records() on another thread
            self._bad += 1
            if len(self._problems) < MAX_REPORTED:
                self._problems.append(text)

    def records(self) -> Iterator[tuple[int, SignupRecord]]:
        try:
            yield from self._records()
        except OSError as exc:
            raise ImportRefusedError(
                f"nothing was imported: {self.path} could not be read to the end "
                f"({exc.strerror or type(exc).__name__}) — is the USB stick still plugged in?"
            ) from None

    def _records(self) -> Iterator[tuple[int, SignupRecord]]:
        for number, raw in _lines(self._fh):
            if raw is None:
                self.problem(f"line {number}: longer than any sign-up ({MAX_LINE_BYTES:,} bytes)")
                continue
            try:
                record = _parse_line(raw, self._now)
            except ValueError as exc:
                self.problem(f"line {number}: {exc}")
                continue
            if record is not None and not self._bad:
                if record.withdrawn:
                    self.withdrawals.append(record)
                yield number, record  # after a bad line only checking goes on

    def finish(self) -> None:
        """Called before the commit: any bad line refuses the whole file (a rollback)."""
        if self._bad:
            _refuse(self.path, self._bad, self._problems)

    def repeat(self, number: int, record: SignupRecord, earlier: SignupRecord) -> None:
        """The same id twice in the file: fine when identical, refused when not."""
        if record == earlier:
            return
        where = self._line_of(record.id, before=number) if self._bad < MAX_REPORTED else None
        self.problem(
            f"line {number}: id {record.id} is also on line {where or 'an earlier line'} "
            "with different details"
        )

    def _line_of(self, record_id: str, *, before: int) -> int | None:
        """The first line holding `record_id` (rare: only for a conflicting repeat)."""
        needle = record_id.encode("ascii")
        with _open_regular(self.path) as again:  # its own handle: the reader goes on
            for number, raw in _lines(again):
                if number >= before:
                    break
                if raw is not None and needle in raw:
                    return number
        return None


def _open_regular(path: Path) -> BinaryIO:
    """Open `path` for reading only if it is a regular file (a FIFO would block for ever)."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ImportRefusedError(
            f"{path} not found — check the name, and that the USB stick is plugged in"
        ) from None
    except IsADirectoryError:
        raise ImportRefusedError(f"{path} is a folder — give the .jsonl file inside it") from None
    except OSError as exc:
        raise ImportRefusedError(
            f"{path} can't be read ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ImportRefusedError(f"{path} is a folder — give the .jsonl file inside it")
        if not stat.S_ISREG(mode):
            raise ImportRefusedError(
                f"{path} is not a regular file (a pipe or a device) — give a .jsonl file"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=1024 * 1024)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def _refuse_spreadsheets(path: Path, fh: BinaryIO) -> None:
    head = fh.read(64)
    fh.seek(0)
    if head.startswith(b"PK\x03\x04"):
        raise ImportRefusedError(
            f"nothing was imported: {path.name} is a spreadsheet (XLSX) — import needs the "
            "JSONL export (kiosk export --format jsonl)"
        )
    if head.removeprefix(_BOM).lstrip().startswith(b"id,created_at,"):
        raise ImportRefusedError(
            f"nothing was imported: {path.name} is a CSV export — import needs the JSONL "
            "export (kiosk export --format jsonl)"
        )


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(number, bytes) for each line, split at \\n only (JSON written with ensure_ascii=False
    may hold U+2028 inside strings); None for a line too long to be a sign-up, which
    is skipped without ever being held whole."""
    number = 0
    while raw := fh.readline(MAX_LINE_BYTES + 1):
        number += 1
        if number == 1:
            raw = raw.removeprefix(_BOM)  # a file saved by Notepad may have gained one
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(MAX_LINE_BYTES)
            yield number, None
            continue
        yield number, raw


def _parse_line(raw: bytes, now) -> SignupRecord | None:
    """The record on one line, None for a blank line; ValueError says what is wrong.

    orjson reads the bytes as they are and is strict (UTF-8 only, no lone surrogates,
    no NaN, bounded nesting): whatever it refuses goes the slow way, which names the
    fault exactly as before.
    """
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if _parse_line_slowly(raw, now) is None:
            return None  # a blank line
        raise ValueError(f"not JSON ({str(exc).partition(':')[0]})") from None
    if type(data) is not dict:
        raise ValueError("expected a sign-up object {…}")
    return _record(data, now)


def _parse_line_slowly(raw: bytes, now) -> SignupRecord | None:
    """_parse_line with the standard library, for a line orjson refused: says why."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(
            "not UTF-8 text — import needs a kiosk JSONL export "
            "(CSV and XLSX exports can't be imported)"
        ) from None
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not a sign-up (nested too deeply)") from None
    except ValueError:
        # Python refuses to read integers of thousands of digits (a denial of service).
        raise ValueError("not a sign-up (a number far too long)") from None
    if not isinstance(data, dict):
        raise ValueError("expected a sign-up object {…}")
    record = _record(data, now)
    if _SURROGATE_ESCAPE.search(raw):
        try:
            # JSON may carry lone surrogates ("\ud800") that SQLite can't store as text.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("contains a broken character (a lone UTF-16 surrogate)") from None
    return record


def _record(data: dict, now) -> SignupRecord:
    try:
        return SignupRecord.from_json(data, now=now)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:
        raise ValueError("not a sign-up (nested too deeply)") from None


def _refuse(path: Path, bad: int, shown: list[str]) -> None:
    lines = list(shown)
    if bad > len(shown):
        lines.append(f"and {bad - len(shown)} more")
    noun = "line is" if bad == 1 else "lines are"
    first = f"nothing was imported: {bad} {noun} not valid sign-ups in {path.name}"
    raise ImportRefusedError("\n".join([first, *lines]))

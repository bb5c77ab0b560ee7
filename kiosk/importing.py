"""Another kiosk's JSONL export into this one: every line checked first, then all or nothing.

Idempotent by record id, so importing the same file twice adds nothing. No Qt here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import ImportRefusedError
from kiosk.records import SignupRecord
from kiosk.store import Store

log = logging.getLogger(__name__)

MAX_REPORTED = 20


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int


def import_jsonl(store: Store, path: Path) -> ImportResult:
    """Add every record in `path` that this kiosk lacks, in one transaction.

    Raises ImportRefusedError, with nothing imported, if the file can't be
    read or any line is not a valid sign-up (each named by its line number).
    `skipped` counts records already here and repeats within the file.
    """
    path = Path(path)
    text = _read_text(path)
    if text.lstrip().startswith("id,created_at,"):
        raise ImportRefusedError(
            f"nothing was imported: {path.name} is a CSV export — import needs the JSONL "
            "export (kiosk export --format jsonl)"
        )
    records: list[SignupRecord] = []
    seen: dict[str, tuple[int, SignupRecord]] = {}
    problems: list[str] = []
    repeats = 0
    # split("\n"), not splitlines(): JSON written with ensure_ascii=False may hold
    # U+2028 and friends inside strings, and splitlines() would cut there.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            record = _parse_line(line)
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        earlier = seen.get(record.id)
        if earlier is not None:
            if earlier[1] == record:
                repeats += 1
            else:
                problems.append(
                    f"line {number}: id {record.id} is also on line {earlier[0]} "
                    "with different details"
                )
            continue
        seen[record.id] = (number, record)
        records.append(record)
    if problems:
        _refuse(path, problems)
    added = store.import_records(records)
    for marker in (r for r in records if r.withdrawn):
        store.apply_withdrawal(marker)  # a withdrawal erases our copy too (SPEC 9)
    skipped = len(records) - added + repeats
    log.info("imported %d sign-ups (%d already here)", added, skipped)
    return ImportResult(added=added, skipped=skipped)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
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
        # utf-8-sig: a file opened and saved in Notepad may have gained a BOM.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRefusedError(
            f"nothing was imported: {path.name} is not UTF-8 text (line {line}) "
            "— import needs a kiosk JSONL export (CSV and XLSX exports can't be imported)"
        ) from None


def _parse_line(line: str) -> SignupRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not a sign-up (nested too deeply)") from None
    if not isinstance(data, dict):
        raise ValueError("expected a sign-up object {…}")
    try:
        record = SignupRecord.from_json(data)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(exc)) from None
    try:
        # JSON may carry lone surrogates ("\ud800") that SQLite can't store as text.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains a broken character (a lone UTF-16 surrogate)") from None
    return record


def _refuse(path: Path, problems: list[str]) -> None:
    shown = problems[:MAX_REPORTED]
    if len(problems) > MAX_REPORTED:
        shown.append(f"and {len(problems) - MAX_REPORTED} more")
    noun = "line is" if len(problems) == 1 else "lines are"
    first = f"nothing was imported: {len(problems)} {noun} not valid sign-ups in {path.name}"
    raise ImportRefusedError("\n".join([first, *shown]))

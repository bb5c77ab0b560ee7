"""CRM export layouts: which columns a charity CRM's import expects, as TOML data files.

Each layout (one `*.toml` beside this file, or a charity's own file) maps column
headers to a small fixed vocabulary over the sign-up record (`first_name`,
`created_at` with a date format, `consent.email` with yes/no words, ...). A
layout may add a companion table with one row per consent channel (Raiser's
Edge's consent import). Loading validates every key and reports the first
problems by key path. No Qt here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError

LAYOUTS_DIR = Path(__file__).parent
GENERIC = "generic"
LAYOUT_MAX_BYTES = 256 * 1024
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_KEY = r"[a-z][a-z0-9_]{0,39}"

# Plain record fields, copied as they are (formula-safe).
TEXT_FIELDS = (
    "id",
    "device_id",
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "donation_ref",
    "content_version",
    "language",
)
DATE_FIELDS = ("created_at", "withdrawn_at")
# Only in a per-channel table: the channel of the row and its choice, basis and wording.
CHANNEL_FIELDS = ("channel", "consent", "consent_basis", "consent_text")
CONTEXT_FIELDS = ("privacy_url",)  # from the content pack, bound at export
BASES = ("consent", "soft_opt_in")
# e164: "+447700900123" (made formula-safe as "'+447700900123"); uk: a UK number as
# dialled at home ("07700 900123"), any other as "00" + country code, never a "+".
PHONE_FORMATS = ("e164", "uk")


class LayoutError(KioskError):
    """A layout file is missing or invalid; the message names the file and key."""

    exit_code = 2


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None = None  # None: the constant `value`
    value: str = ""
    date_format: str = ""
    yes: str = "yes"
    no: str = "no"
    blank: str = ""
    words: dict[str, str] = dc_field(default_factory=dict)
    separator: str = "; "
    fallback: str | None = None
    width: int = 18


@dataclass(frozen=True)
class Table:
    """One file (CSV) or sheet (XLSX): its columns and how many rows a record makes."""

    columns: tuple[Column, ...]
    sheet: str = "Sign-ups"
    per_channel: bool = False
    suffix: str = ""  # the companion file's name ends with this (before the extension)
    # "signups": a row per sign-up, withdrawal markers left out (they would be blank
    # contacts); "withdrawals": a row per withdrawal marker only (the -withdrawals file).
    rows_for: str = "signups"


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    description: str
    source: str
    main: Table | None  # None: the generic, record-driven columns
    companion: Table | None = None
    timezone: str = "local"
    withdrawals: Table | None = None

    @property
    def is_generic(self) -> bool:
        return self.main is None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + (value if len(value) <= 40 else value[:37] + "...") + '"'
    if isinstance(value, dict | list):
        return "a table" if isinstance(value, dict) else "a list"
    return repr(value)


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.file}: {path}: {message}")

    def text(self, data: dict[str, Any], key: str, path: str, default: str | None = None) -> str:
        if key not in data:
            if default is None:
                self.problem(path, "missing (required text)")
            return default or ""
        value = data[key]
        if not isinstance(value, str):
            self.problem(path, f"expected text, got {_show(value)}")
            return default or ""
        if len(value) > 2000:
            self.problem(path, "too long (at most 2000 characters)")
        return value


def _field_ok(name: str, per_channel: bool) -> str | None:
    """None if `name` is in the vocabulary, else why not."""
    if name in TEXT_FIELDS or name in DATE_FIELDS or name in CONTEXT_FIELDS or name == "interests":
        return None
    if per_channel and name in CHANNEL_FIELDS:
        return None
    if re.fullmatch(rf"(interest|consent|consent_basis|consent_text)\.{_KEY}", name):
        return None
    if re.fullmatch(r"campaign\.[A-Za-z0-9_.-]{1,60}", name):
        return None
    known = [*TEXT_FIELDS, *DATE_FIELDS, "interests", "interest.<key>", "consent.<channel>"]
    known += ["consent_basis.<channel>", "consent_text.<channel>", "campaign.<name>"]
    known += [*CONTEXT_FIELDS, *(CHANNEL_FIELDS if per_channel else ())]
    return f"unknown field {_show(name)} (use one of {', '.join(known)})"


# Directives every platform's strftime handles the same way; `%s` (seconds since
# 1970, glibc only), `%c` and friends (locale-dependent) are refused.
DATE_DIRECTIVES = "YmdHMSybB"
_DATE_FORMAT = re.compile(rf"(?:%[{DATE_DIRECTIVES}]|[^%\x00-\x1f\x7f-\x9f])+")


def date_format_problem(fmt: str) -> str | None:
    """Why `fmt` is not a safe date format, or None."""
    if len(fmt) > 40:
        return "too long for a date format (at most 40 characters)"
    if not _DATE_FORMAT.fullmatch(fmt):
        shown = ", ".join(f"%{d}" for d in DATE_DIRECTIVES)
        return (
            f"a date format uses only {shown} and separators like / - : . or a space "
            f"(no control characters), got {_show(fmt)}"
        )
    return None


def _is_bool(name: str, per_channel: bool) -> bool:
    return name.startswith(("interest.", "consent.")) or (per_channel and name == "consent")


def _columns(c: _Checker, raw: Any, path: str, per_channel: bool) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, dict) for x in raw):
        c.problem(path, "expected one or more [[columns]] tables")
        return ()
    allowed = {"header", "field", "value", "format", "yes", "no", "blank", "words"}
    allowed |= {"separator", "fallback", "width"}
    out, seen = [], set()
    for i, col in enumerate(raw):
        p = f"{path}[{i}]"
        for key in sorted(set(col) - allowed):
            c.problem(f"{p}.{key}", f"unknown key (use {', '.join(sorted(allowed))})")
        header = c.text(col, "header", f"{p}.header")
        if header in seen:
            c.problem(f"{p}.header", f"duplicate header {_show(header)}")
        seen.add(header)
        name = col.get("field")
        if ("field" in col) == ("value" in col):
            c.problem(p, "give exactly one of field (from the record) or value (a constant)")
        elif name is not None:
            if not isinstance(name, str):
                c.problem(f"{p}.field", f"expected text, got {_show(name)}")
                name = None
            elif (why := _field_ok(name, per_channel)) is not None:
                c.problem(f"{p}.field", why)
        fallback = col.get("fallback")
        if fallback is not None and (not isinstance(fallback, str) or fallback not in TEXT_FIELDS):
            c.problem(f"{p}.fallback", f"expected one of {', '.join(TEXT_FIELDS)}")
            fallback = None
        fmt = c.text(col, "format", f"{p}.format", default="")
        if fmt and name == "phone":
            if fmt not in PHONE_FORMATS:
                c.problem(f"{p}.format", f"a phone format is one of {', '.join(PHONE_FORMATS)}")
        elif fmt:
            if name not in DATE_FIELDS:
                c.problem(f"{p}.format", "only created_at, withdrawn_at and phone take a format")
            elif (why := date_format_problem(fmt)) is not None:
                c.problem(f"{p}.format", why)
        words = col.get("words", {})
        if not isinstance(words, dict) or not all(isinstance(v, str) for v in words.values()):
            c.problem(f"{p}.words", 'expected a table of text, like { email = "Email" }')
            words = {}
        width = col.get("width", 18)
        if isinstance(width, bool) or not isinstance(width, int) or not 4 <= width <= 120:
            c.problem(f"{p}.width", f"expected a whole number from 4 to 120, got {_show(width)}")
            width = 18
        is_bool = isinstance(name, str) and _is_bool(name, per_channel)
        for key in ("yes", "no", "blank"):
            if key in col and not is_bool:
                c.problem(f"{p}.{key}", "only interest.<key>, consent.<channel> take yes/no words")
        out.append(
            Column(
                header=header,
                field=name if isinstance(name, str) else None,
                value=c.text(col, "value", f"{p}.value", default=""),
                date_format=fmt,
                yes=c.text(col, "yes", f"{p}.yes", default="yes"),
                no=c.text(col, "no", f"{p}.no", default="no"),
                blank=c.text(col, "blank", f"{p}.blank", default=""),
                words=dict(words),
                separator=c.text(col, "separator", f"{p}.separator", default="; "),
                fallback=fallback,
                width=width,
            )
        )
    return tuple(out)


def _sheet(c: _Checker, data: dict[str, Any], path: str, default: str) -> str:
    sheet = c.text(data, "sheet", path, default=default)
    if not sheet or len(sheet) > 31 or any(ch in sheet for ch in "[]:*?/\\"):
        c.problem(path, "a sheet name has 1-31 characters and none of [ ] : * ? / \\")
        return default
    return sheet


def parse_layout(raw: dict[str, Any], name: str, file: str) -> Layout:
    """A validated Layout from a parsed TOML table; LayoutError lists every problem."""
    c = _Checker(file)
    allowed = {"title", "description", "source", "kind", "sheet", "columns", "consents", "timezone"}
    for key in sorted(set(raw) - allowed):
        c.problem(key, f"unknown key (use {', '.join(sorted(allowed))})")
    title = c.text(raw, "title", "title")
    description = c.text(raw, "description", "description", default="")
    source = c.text(raw, "source", "source", default="")
    timezone = c.text(raw, "timezone", "timezone", default="local")
    if timezone not in ("local", "UTC"):
        c.problem("timezone", f'expected "local" (this computer) or "UTC", got {_show(timezone)}')
    kind = c.text(raw, "kind", "kind", default="")
    if kind and kind != GENERIC:
        c.problem("kind", f'the only kind is "{GENERIC}"; leave it out for a CRM layout')
    main = companion = None
    if kind != GENERIC:
        main = Table(
            columns=_columns(c, raw.get("columns"), "columns", per_channel=False),
            sheet=_sheet(c, raw, "sheet", "Sign-ups"),
        )
        extra = raw.get("consents")
        if extra is not None:
            if not isinstance(extra, dict):
                c.problem("consents", f"expected a [consents] table, got {_show(extra)}")
            else:
                for key in sorted(set(extra) - {"sheet", "suffix", "columns"}):
                    c.problem(f"consents.{key}", "unknown key (use columns, sheet, suffix)")
                suffix = c.text(extra, "suffix", "consents.suffix", default="-consents")
                if not re.fullmatch(r"-[a-z0-9-]{1,30}", suffix):
                    c.problem("consents.suffix", f'expected like "-consents", got {_show(suffix)}')
                companion = Table(
                    columns=_columns(c, extra.get("columns"), "consents.columns", per_channel=True),
                    sheet=_sheet(c, extra, "consents.sheet", "Consents"),
                    per_channel=True,
                    suffix=suffix,
                )
    elif "columns" in raw or "consents" in raw:
        c.problem("columns", "the generic layout takes its columns from the records; remove them")
    if c.problems:
        raise LayoutError("\n".join(c.problems[:20]))
    withdrawals = withdrawals_table(main) if main is not None else None
    return Layout(name, title, description, source, main, companion, timezone, withdrawals)


WITHDRAWALS_SUFFIX = "-withdrawals"


def withdrawals_table(main: Table) -> Table:
    """The `-withdrawals` file every CRM layout writes beside its main file.

    A withdrawal marker has no name, email or phone: as a contact row it would be a
    blank contact. Here it is a row the office can act on: the id under the header
    the main file gives it (Raiser's Edge's ImportID, Donorfy's External Key), the
    donation reference, when the person withdrew (UTC, ISO 8601) and the kiosk.
    """
    id_header = next((col.header for col in main.columns if col.field == "id"), "id")
    columns = (
        Column(header=id_header, field="id", width=38),
        Column(header="donation_ref", field="donation_ref", width=14),
        Column(header="withdrawn_at", field="withdrawn_at", width=26),
        Column(header="device_id", field="device_id", width=18),
    )
    return Table(columns, sheet="Withdrawals", suffix=WITHDRAWALS_SUFFIX, rows_for="withdrawals")


def load_layout(name_or_path: str | Path) -> Layout:
    """A shipped layout by name (`beacon`) or a charity's own file (`path/to/mine.toml`)."""
    text = str(name_or_path)
    if _NAME.match(text) and not text.endswith(".toml"):
        path = LAYOUTS_DIR / f"{text}.toml"
        if not path.is_file():
            raise LayoutError(
                f"unknown layout {text!r}: use one of {', '.join(available_layouts())} "
                "or a .toml file"
            )
    else:
        path = Path(text)
    from kiosk.regular import read_regular

    # A FIFO or a link to /dev/zero would hang or fill memory: a regular file, capped.
    data = read_regular(path, LAYOUT_MAX_BYTES, what="layout file", error=LayoutError)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise LayoutError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: not valid TOML: {exc}") from None
    except (ValueError, RecursionError):
        raise LayoutError(
            f"{path}: not valid TOML: a value is too long or nested too deep"
        ) from None
    return parse_layout(raw, path.stem, str(path))


def available_layouts() -> list[str]:
    """The shipped layouts' names, generic first (for `--layout` and Admin's export card)."""
    names = sorted(p.stem for p in LAYOUTS_DIR.glob("*.toml"))
    return [GENERIC, *(n for n in names if n != GENERIC)] if GENERIC in names else names


def layout_titles() -> dict[str, str]:
    """name -> human title, for a picker ("Raiser's Edge (constituents + consent)")."""
    return {name: load_layout(name).title for name in available_layouts()}


def output_names(layout: Layout, path: Path) -> list[Path]:
    """Every file an export with `layout` may write for `path` (companions beside it;
    the -withdrawals file only when the export holds a withdrawal)."""
    extra = [t for t in (layout.companion, layout.withdrawals) if t is not None]
    return [path, *(path.with_name(f"{path.stem}{t.suffix}{path.suffix}") for t in extra)]


def utc_created(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)

"""The checks that make "kiosk check passed" mean "the kiosk runs". No Qt here.

A key nothing reads is reported as a typo; a template may only name its fields
plainly, so its rendered size is bounded; every QR code the kiosk will draw is
built here, so an address too long for a code that scans is refused with its key.
"""

from __future__ import annotations

import string
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from kiosk.errors import ContentError

# The longest reference a sign-up can carry: a 6-character prefix, a dash and
# records.REF_LENGTH characters (tests check the two agree; records is heavy to import).
REF_LENGTH = 6
LONGEST_REF = "W" * 6 + "-" + "W" * REF_LENGTH
LONGEST_NAME = "W" * 100  # records.NAME_MAX

# A version-10 code (57 modules) still scans from a metre on the attract loop's
# small code; at error correction M it holds 213 bytes.
MAX_QR_VERSION = 10
_QR_BYTES_AT_M = {10: 213}


MAX_FILE_BYTES = 1_000_000


def read_toml(file: Path, *, missing: str = "not found") -> dict[str, Any]:
    """The TOML tree in `file`, or ContentError with one line saying why not."""
    try:
        if not file.is_file():
            raise ContentError(
                [f"{file}: {missing}" if not file.exists() else f"{file}: not a file"]
            )
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ContentError([f"{file}: too big (more than {MAX_FILE_BYTES:,} bytes)"])
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContentError([f"{file}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError([f"{file}: not valid TOML: {exc}"]) from None
    except (ValueError, RecursionError):  # a 5,000-digit number, tables nested too deep
        raise ContentError(
            [f"{file}: not valid TOML: a value is too long or nested too deep"]
        ) from None
    except OSError as exc:
        raise ContentError(
            [f"{file}: can't be read ({exc.strerror or type(exc).__name__})"]
        ) from None


class Tracked(dict):
    """A TOML table that remembers which keys were read, to report the ones nobody reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def items(self):  # reading every item reads every key
        self.read.update(self.keys())
        return super().items()

    def values(self):
        self.read.update(self.keys())
        return super().values()


def tracked(value: Any) -> Any:
    """`value` (a parsed TOML tree) with every table a Tracked dict."""
    if isinstance(value, Tracked):
        return value
    if isinstance(value, dict):
        return Tracked({k: tracked(v) for k, v in value.items()})
    if isinstance(value, list):
        return [tracked(v) for v in value]
    return value


def within(path: str, prefix: str) -> bool:
    """Whether key path `path` is `prefix` or inside it."""
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def unread_keys(tree: Any, path: str = "") -> list[str]:
    """Key paths of every key in `tree` that parsing never read (typos, misplaced keys)."""
    found: list[str] = []
    if isinstance(tree, Tracked):
        for key in dict.keys(tree):
            sub = f"{path}.{key}" if path else key
            if key not in tree.read:
                found.append(sub)
            else:
                found.extend(unread_keys(dict.__getitem__(tree, key), sub))
    elif isinstance(tree, list):
        for i, item in enumerate(tree):
            found.extend(unread_keys(item, f"{path}[{i}]"))
    return found


def template_problem(
    template: str, fields: dict[str, str], *, max_rendered: int | None = None
) -> str | None:
    """Why `template` can't be shown safely, or None.

    Only `{name}` for the given field names, with no format spec, conversion,
    attribute or index: `{first_name:>999999999}` would build a gigabyte.
    `fields` holds the longest value each field can have, to bound the result.
    """
    allowed = " and ".join("{" + name + "}" for name in fields)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return f"a brace is not closed; write {{{{ or }}}} for a brace itself (only {allowed})"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in fields or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            if len(shown) > 30:
                shown = shown[:27] + "..."
            return f"only {allowed} may appear in braces, plainly; got {{{shown}}}"
    if max_rendered is not None:
        rendered = template.format(**fields)
        if len(rendered) > max_rendered:
            return (
                f"too long once filled in ({len(rendered)} characters with a "
                f"{len(LONGEST_NAME)}-character name, at most {max_rendered})"
            )
    return None


def qr_problem(data: str, *, build: bool = True) -> str | None:
    """Why `data` can't be drawn as a QR code that scans from a metre, or None.

    Without `build` only the size is checked (no qrcode import, for start-up):
    whatever fits a version-10 code in byte mode can never overflow on screen.
    """
    size = len(data.encode("utf-8"))
    if size > _QR_BYTES_AT_M[MAX_QR_VERSION]:
        return (
            f"too long for a QR code that scans from a metre ({size} bytes with the "
            f"longest reference; at most {_QR_BYTES_AT_M[MAX_QR_VERSION]}): "
            "shorten the address or the campaign values"
        )
    if not build:
        return None
    from kiosk.qr import QUIET_ZONE, qr_matrix

    try:
        modules = len(qr_matrix(data, "M")) - 2 * QUIET_ZONE
    except Exception as exc:  # qrcode's DataOverflowError and anything else it raises
        return f"can't be made into a QR code ({type(exc).__name__})"
    version = (modules - 17) // 4
    if version > MAX_QR_VERSION:
        return f"needs a version-{version} QR code, too dense to scan from a metre"
    return None


# Joiners some scripts and emoji need between two characters (Devanagari, Persian,
# family emoji); anywhere else they are invisible noise or a spoofing trick.
_JOINERS = {"\u200c", "\u200d"}
_ALLOWED_FORMAT = {"\u00ad"}  # a soft hyphen only shows where a line breaks
_INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}  # Hangul fillers


def invisible_problem(text: str) -> str | None:
    """Why `text` hides something from a reader (bidi overrides, zero-width and
    other format characters, line/paragraph separators), or None."""
    for i, ch in enumerate(text):
        if ch in _ALLOWED_FORMAT:
            continue
        category = unicodedata.category(ch)
        if ch in _JOINERS:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if before.isspace() or after.isspace() or before.isascii() or after.isascii():
                return (
                    f"contains an invisible joiner U+{ord(ch):04X} that no script here needs "
                    f"(at character {i + 1})"
                )
            continue
        if category in ("Cf", "Zl", "Zp") or ch in _INVISIBLE_LETTERS:
            return (
                f"contains an invisible or text-direction character U+{ord(ch):04X} "
                f"({unicodedata.name(ch, 'unnamed')}, at character {i + 1}): remove it"
            )
    return None

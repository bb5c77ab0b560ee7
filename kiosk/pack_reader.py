"""Reading typed values out of a content pack's TOML tree, one problem per bad key.

Every text is checked for control and invisible characters, every address for
what a phone should open, every image by kiosk.image_checks. No Qt here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk.image_checks import image_problem
from kiosk.pack_checks import invisible_problem
from kiosk.paths import ASSETS_DIR

_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}
# Control characters garble a screen and are refused by import; a line break may stay.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_MAX = 400
_IMAGE_MAX_BYTES = 20_000_000  # a photo for a 4K screen fits; a raw camera file would stall


class Reader:
    """Reads typed values out of the TOML tree, recording a problem per bad key."""

    def __init__(self, file: Path, folder: Path) -> None:
        self.file = file
        self.folder = folder
        self.problems: list[str] = []
        self.build_codes = True
        self.may_ignore: frozenset[str] = frozenset()

    def problem(self, path: str, message: str) -> None:
        path = path if len(path) <= 80 else path[:77] + "..."  # a typo'd key can be huge
        line = f"{self.file}: {path}: {message}"  # one line: control characters escaped
        self.problems.append(_ANY_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", line))

    def table(self, data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problem(path, f"expected a table, got {show(value)}")
            return {}
        return value

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: str | None = None,
        max_len: int = 2000,
    ) -> str:
        if key not in data:
            if default is None:
                self.problem(path, "missing (required text)")
            return default or ""
        value = data[key]
        if not isinstance(value, str):
            self.problem(path, f"expected text, got {show(value)}")
            return ""
        if default is None and not value.strip():
            self.problem(path, "must not be empty")
        if len(value) > max_len:
            self.problem(path, f"too long ({len(value)} characters, at most {max_len})")
        elif _CONTROL.search(value):
            self.problem(path, "contains a control character (only line breaks may appear)")
        elif not value.isascii() and (why := invisible_problem(value)) is not None:
            self.problem(path, why)
        return value

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: float | None = None,
        low: float,
        high: float,
        whole: bool = False,
    ) -> float:
        """A finite number in [low, high]; on a problem, the default (or `low`), to go on."""
        fallback = default if default is not None else low
        if key not in data:
            if default is None:
                self.problem(path, "missing (required number)")
            return fallback
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"expected a number, got {show(value)}")
            return fallback
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(path, f"expected a finite number, got {value!r}")
            return fallback
        if value < low or value > high:
            shown = f"{value:g}" if abs(value) < 1e15 else "a huge number"
            self.problem(path, f"must be between {low:g} and {high:g}, got {shown}")
            return fallback
        if whole and value != int(value):
            self.problem(path, f"expected a whole number, got {value:g}")
            return fallback
        return float(value)

    def flag(self, data: dict[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {show(value)}")
            return False
        return value

    def colour(self, data: dict[str, Any], key: str, path: str, default: str) -> str:
        value = self.text(data, key, path, default=default)
        if key in data and isinstance(data[key], str) and not _COLOUR.match(value):
            self.problem(path, f'expected a colour like "#0B2545", got {show(value)}')
            return default
        return value

    def url(self, data: dict[str, Any], key: str, path: str) -> str:
        value = self.text(data, key, path, max_len=_URL_MAX)
        if not value:
            return value
        why = url_problem(value)
        if why is not None:
            self.problem(path, why)
            return ""
        return value

    def key(self, data: dict[str, Any], path: str, seen: set[str]) -> str:
        value = self.text(data, "key", f"{path}.key")
        if value and not _KEY.match(value):
            self.problem(
                f"{path}.key",
                f"use a-z, 0-9 and _, starting with a letter; got {show(value)}",
            )
        elif value in seen:
            self.problem(f"{path}.key", f"duplicate key {show(value)}")
        seen.add(value)
        return value

    def image(self, data: dict[str, Any], key: str, path: str) -> Path | None:
        if key not in data:
            return None
        name = self.text(data, key, path)
        if not name:
            return None
        candidates = [self.folder / name, self.folder / "images" / name, ASSETS_DIR / name]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            self.problem(
                path, f"image {show(name)} not found in {self.folder} or the assets folder"
            )
        elif not _inside(found, (self.folder, ASSETS_DIR)):
            # The last good copy keeps the pack folder only: an image elsewhere would
            # be missing exactly when the fallback is needed.
            self.problem(
                path, f"image {show(name)} is outside the pack folder: copy it into {self.folder}"
            )
            return None
        elif found.suffix.lower() not in _IMAGE_SUFFIXES:
            self.problem(path, f"unsupported image type {found.suffix!r} (use SVG, PNG or JPEG)")
        elif found.stat().st_size > _IMAGE_MAX_BYTES:
            self.problem(path, f"image {show(name)} is over {_IMAGE_MAX_BYTES // 10**6} MB")
        elif (why := image_problem(found)) is not None:
            self.problem(path, f"image {show(name)}: {why}")
            return None
        return found

    def items(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.problem(key, f"expected a list of [[{key}]] tables, got {show(value)}")
            return []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.problem(f"{key}[{i}]", f"expected a [[{key}]] table, got {show(item)}")
        return [item for item in value if isinstance(item, dict)]


def url_problem(value: str) -> str | None:
    """Why `value` is not a plain web address a visitor's phone should open, or None."""
    expected = f"expected a web address starting https://, got {show(value)}"
    try:
        parts = urlsplit(value)
        port = parts.port  # ValueError for a port that is not 0-65535
    except ValueError:
        return f"{expected} (its host or port is malformed)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return expected
    if "@" in parts.netloc:
        return "a web address must not carry a user name or password (before an @)"
    if port == 0:
        return "the address's port must be between 1 and 65535"
    if any(ch.isspace() for ch in value):
        return f"{expected} (no spaces)"
    return None


def _inside(path: Path, folders: tuple[Path, ...]) -> bool:
    """Whether `path`, links followed, is in one of `folders`."""
    try:
        real = path.resolve()
        return any(real.is_relative_to(folder.resolve()) for folder in folders)
    except (OSError, RuntimeError):
        return False


def show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return "a huge number"
    if isinstance(value, str):
        return '"' + (value if len(value) <= 40 else value[:37] + "...") + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)

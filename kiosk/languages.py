"""Translations of a content pack: `content.<code>.toml` files beside `content.toml`.

A translation holds `language`, `name` (the language's own name), `reviewed`,
and the same tables as content.toml with only the text. Its string leaves are
laid over the English tree by key path (arrays of tables by index) and the
result is validated like any pack, so text added to English later translates
with no code change, and any text a translation lacks shows in English.
No Qt here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import translate
from functools import lru_cache
from pathlib import Path
from typing import Any

from kiosk.content import BASE_LANGUAGE, CONTENT_FILE, Content, parse_content
from kiosk.errors import ContentError
from kiosk.pack_checks import invisible_problem, read_toml, tracked, unread_keys
from kiosk.pack_checks import within as _within
from kiosk.texts import TEXTS

BASE_NAME = "English"
_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
_FILE = re.compile(r"^content\.([^.]+)\.toml$")
_META = ("language", "name", "reviewed")
TEXT_TABLE = "text"  # the screens' texts by catalogue key (kiosk/texts.py), dots and all
SHOW_MISSING = 5  # check names this many missing catalogue texts per file, then counts
_BRACES = re.compile(r"\{(\w+)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Text that is not for visitors to read in their language: codes, keys, files,
# colours, addresses, numbers' settings. Every other string in content.toml is
# translatable (indices written as [*]).
NOT_TRANSLATED = (
    "version",
    "default_language",
    "brand.*",
    "timing.*",
    "links.*",
    "*.kind",
    "*.image",
    "*.key",
    "*.needs",
    "*.needs_*",
    "*.basis",
    "*.min_age",
)
# Visitor text inside a table NOT_TRANSLATED otherwise keeps (the brand's name stays).
TRANSLATED_ANYWAY = ("brand.tagline",)


_FIXED = re.compile("|".join(translate(rule.replace("[", "[[]")) for rule in NOT_TRANSLATED))


@lru_cache(maxsize=4096)
def translatable(path: str) -> bool:
    """Whether the string at `path` (e.g. `slides[2].caption`) is visitor text."""
    return path in TRANSLATED_ANYWAY or not _FIXED.match(re.sub(r"\[\d+\]", "[*]", path))


@dataclass
class Translation:
    """One translation file, as check reports it."""

    code: str
    name: str
    reviewed: bool
    file: Path
    missing: list[str] = field(default_factory=list)  # key paths shown in English
    extra: list[str] = field(default_factory=list)  # key paths English doesn't have
    missing_texts: list[str] = field(default_factory=list)  # catalogue keys shown in English
    placeholders: list[str] = field(default_factory=list)  # "path: how its {names} differ"


@dataclass
class ContentSet:
    """Every language of a pack; `for_language(code)` is what a visitor sees."""

    base: Content
    languages: dict[str, Content]
    translations: list[Translation]
    ignored: list[Path] = field(default_factory=list)  # content.old.toml and the like

    @property
    def default(self) -> str:
        return self.base.default_language

    def for_language(self, code: str | None) -> Content:
        """The pack in `code`, or in the pack's default language if there is no such file."""
        return self.languages.get(code or "") or self.languages[self.default]

    def warnings(self) -> list[str]:
        """One line per missing or extra key, naming the file and key path."""
        lines = [
            f"ignored {path.name} (not a language file: a translation is "
            "content.<code>.toml with a code like pl, ga or uk)"
            for path in self.ignored
        ]
        for t in self.translations:
            lines += [f"{t.file}: {path}: missing (English will be shown)" for path in t.missing]
            lines += _missing_text_lines(t)
            lines += [f"{t.file}: {_clip(p)}: {_extra_reason(p)} (ignored)" for p in t.extra]
            lines += [f"{t.file}: {line}" for line in t.placeholders]
        return lines


def _missing_text_lines(t: Translation) -> list[str]:
    """One line per missing catalogue text, or one line counting them when there are many
    (a translation with no [text] table at all would otherwise print ~100 lines)."""
    keys = t.missing_texts
    if len(keys) <= SHOW_MISSING:
        return [f"{t.file}: {TEXT_TABLE}.{key}: missing (English will be shown)" for key in keys]
    shown = ", ".join(f"{TEXT_TABLE}.{key}" for key in keys[:SHOW_MISSING])
    return [
        f"{t.file}: {TEXT_TABLE}: {len(keys)} of {len(TEXTS)} screen texts missing "
        f"(English will be shown): {shown} and {len(keys) - SHOW_MISSING} more"
    ]


def _extra_reason(path: str) -> str:
    if path.startswith(TEXT_TABLE + "."):
        return "not in the text catalogue (kiosk/texts.py)"
    return f"not in {CONTENT_FILE}"


# Three letters a backup copy is named with, never a translation.
_NOT_LANGUAGES = frozenset({"old", "new", "bak", "tmp", "bkp", "cpy", "sav", "dup", "orig"})


def translation_files(folder: Path) -> list[tuple[str, Path]]:
    """(code, file) for every content.<code>.toml in `folder` whose code is a language
    code (pl, ga, uk, pt-BR), sorted by code. `content.old.toml` is not one."""
    found = []
    for path in sorted(Path(folder).glob("content.*.toml")):
        match = _FILE.match(path.name)
        if match and _is_language(match.group(1)):
            found.append((match.group(1), path))
    return found


def ignored_files(folder: Path) -> list[Path]:
    """content.*.toml files that are not translations (a backup like content.old.toml)."""
    return sorted(
        path
        for path in Path(folder).glob("content.*.toml")
        if path.is_file() and not ((m := _FILE.match(path.name)) and _is_language(m.group(1)))
    )


def _is_language(code: str) -> bool:
    return bool(_CODE.match(code)) and code.split("-")[0] not in _NOT_LANGUAGES


def load_content_set(
    folder: Path, *, build_codes: bool = True, default_only: bool = False
) -> ContentSet:
    """English and every translation; ContentError lists every problem in any file.

    `default_only`: English and the pack's default language alone, what a new visitor
    sees first (start-up paints the first slide from it, then reads every language).
    """
    folder = Path(folder)
    file = folder / CONTENT_FILE
    english = read_toml(file, missing=f"not found (a pack is a folder with {CONTENT_FILE})")
    base = parse_content(english, file, folder, build_codes=build_codes)
    base = dataclasses.replace(base, language=BASE_LANGUAGE, language_name=BASE_NAME)
    languages = {BASE_LANGUAGE: base}
    translations: list[Translation] = []
    problems: list[str] = []
    text_paths = list(_text_paths(english))
    for code, path in translation_files(folder):
        if default_only and code != base.default_language:
            continue
        try:
            content, translation = _load_translation(
                english, text_paths, code, path, folder, build_codes
            )
        except ContentError as exc:
            problems += exc.problems
            continue
        languages[code] = dataclasses.replace(content, default_language=base.default_language)
        translations.append(translation)
    if base.default_language not in languages and not problems:
        problems.append(
            f"{file}: default_language: no translation file for {base.default_language!r} "
            f"(found {', '.join(languages)})"
        )
    if problems:
        raise ContentError(problems)
    return ContentSet(base, languages, translations, ignored_files(folder))


def _load_translation(
    english: dict[str, Any],
    text_paths: list[str],
    code: str,
    path: Path,
    folder: Path,
    build_codes: bool,
) -> tuple[Content, Translation]:
    raw = read_toml(path)
    problems: list[str] = []

    def problem(key: str, message: str) -> None:
        problems.append(f"{path}: {_clip(key)}: {message}")

    if not _CODE.match(code) or code == BASE_LANGUAGE:
        problem("language", f"{_brief(code)} is not a language code like pl, ga or uk")
    elif raw.get("language") != code:
        problem(
            "language",
            f'expected "{code}" (as in the file name), got {_brief(raw.get("language"))}',
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 40 or _CONTROL.search(name):
        problem("name", "expected the language's own name, like Polski (at most 40 characters)")
    elif (why := invisible_problem(name)) is not None:
        problem("name", why)
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, bool):
        problem("reviewed", f"expected true or false, got {_brief(reviewed)}")
    text = {k: v for k, v in raw.items() if k not in _META and k != TEXT_TABLE}
    inserted: list[str] = []
    merged, extra = _overlay(english, text, "", problem, inserted)
    texts = raw.get(TEXT_TABLE, {})
    if not isinstance(texts, dict):
        problem(TEXT_TABLE, 'expected a table of texts by key, like "button.back" = "..."')
        texts = {}
    known = {key: value for key, value in texts.items() if key in TEXTS}
    extra += [f"{TEXT_TABLE}.{key}" for key in texts if key not in TEXTS]
    english_texts = english.get(TEXT_TABLE, {})
    if known:
        merged[TEXT_TABLE] = {**english_texts, **known}
    translation = Translation(
        code, name if isinstance(name, str) else code, reviewed is True, path, extra=extra
    )
    translation.missing = [p for p in text_paths if not _has(text, p)]
    translation.missing_texts = [key for key in TEXTS if key not in known]
    translation.placeholders = [
        f"{_clip(where)}: {differs}"
        for where, source, translated in _pairs(english, text, text_paths, english_texts, known)
        if (differs := _placeholders_differ(source, translated))
    ]
    if problems:
        raise ContentError(problems)
    tree = tracked(merged)
    content = parse_content(
        tree, path, folder, build_codes=build_codes, may_ignore=frozenset(extra)
    )
    unread = unread_keys(tree)
    translation.extra = [
        p for p in extra if p not in inserted or any(_within(u, p) for u in unread)
    ]
    return (
        dataclasses.replace(
            content, language=code, language_name=translation.name, reviewed=translation.reviewed
        ),
        translation,
    )


def _overlay(
    english: Any, text: Any, path: str, problem, inserted: list[str]
) -> tuple[Any, list[str]]:
    """`english` with `text`'s strings laid over it; also the paths English lacks.

    `inserted` receives the paths English lacks that were kept (translatable text).
    """
    extra: list[str] = []
    if isinstance(english, dict):
        if not isinstance(text, dict):
            problem(path, f"expected a table, as in {CONTENT_FILE}")
            return english, extra
        merged = dict(english)
        for key, value in text.items():
            sub = f"{path}.{key}" if path else key
            if key not in english:
                # Kept if translatable: text English takes from the code's defaults
                # (a [text] key content.toml leaves out) still translates.
                extra.append(sub)
                if translatable(sub) and isinstance(value, str | dict):
                    merged[key] = value
                    inserted.append(sub)
                continue
            merged[key], more = _overlay(english[key], value, sub, problem, inserted)
            extra += more
        return merged, extra
    if isinstance(english, list):
        if not isinstance(text, list):
            problem(path, f"expected a list, as in {CONTENT_FILE}")
            return english, extra
        merged_list = list(english)
        for i, value in enumerate(text):
            if i >= len(english):
                extra.append(f"{path}[{i}]")
                continue
            merged_list[i], more = _overlay(english[i], value, f"{path}[{i}]", problem, inserted)
            extra += more
        return merged_list, extra
    if isinstance(english, str) and translatable(path):
        if not isinstance(text, str):
            problem(path, f"expected text, got {_brief(text)}")
            return english, extra
        return text, extra
    if text != english:
        problem(path, f"can't differ from {CONTENT_FILE} in a translation (it is not text)")
    return english, extra


def _text_paths(tree: Any, path: str = "") -> Iterator[str]:
    """Key paths of every translatable string in `tree` but its [text] table, whose keys
    (dotted, like "button.back") are the catalogue's and are checked against it."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            if not path and key == TEXT_TABLE:
                continue
            yield from _text_paths(value, f"{path}.{key}" if path else key)
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from _text_paths(value, f"{path}[{i}]")
    elif isinstance(tree, str) and translatable(path):
        yield path


_ABSENT = object()


def _has(tree: Any, path: str) -> bool:
    return _get(tree, path) is not _ABSENT


def _get(tree: Any, path: str) -> Any:
    """The value at key path `path` (no dotted keys: see _text_paths), or _ABSENT."""
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if step.startswith("["):
            index = int(step[1:-1])
            if not isinstance(tree, list) or index >= len(tree):
                return _ABSENT
            tree = tree[index]
        else:
            if not isinstance(tree, dict) or step not in tree:
                return _ABSENT
            tree = tree[step]
    return tree


def _pairs(
    english: dict[str, Any],
    text: dict[str, Any],
    text_paths: list[str],
    english_texts: dict[str, Any],
    known: dict[str, Any],
) -> Iterator[tuple[str, Any, Any]]:
    """(key path, English, translation) for every text the translation gives."""
    for path in text_paths:
        if (translated := _get(text, path)) is not _ABSENT:
            yield path, _get(english, path), translated
    for key, translated in known.items():
        yield f"{TEXT_TABLE}.{key}", english_texts.get(key, TEXTS[key]), translated


def _placeholders_differ(source: Any, translated: Any) -> str | None:
    """How `translated`'s {names} differ from the English `source`'s, or None: a name
    left out shows the visitor less (a count, their reference) than English does."""
    if not isinstance(source, str) or not isinstance(translated, str):
        return None
    before, after = set(_BRACES.findall(source)), set(_BRACES.findall(translated))
    if before == after:
        return None
    parts = []
    if lost := sorted(before - after):
        parts.append("leaves out " + ", ".join("{" + n + "}" for n in lost))
    if added := sorted(after - before):
        parts.append("adds " + ", ".join("{" + n + "}" for n in added))
    return f"placeholders differ from English: {'; '.join(parts)}"


def _brief(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _clip(path: str) -> str:
    """A key path short enough for one line (a typo'd key can be any length)."""
    return path if len(path) <= 80 else path[:77] + "..."

"""Mutants of the default pack: each fails check naming a key path, or every screen renders.

A pack that passes `kiosk check` must run. Hypothesis changes the default pack's
values (wrong types, NaN, infinities, huge and negative numbers, huge and empty
strings, format-string payloads, missing keys); every mutant is either refused
with one problem per line naming file and key path, or its visitor screens
(each attract slide, get involved, the form, thank you) render offscreen.
"""

from __future__ import annotations

import contextlib
import copy
import math
import re
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QWidget

from kiosk.content import Content, load_content
from kiosk.errors import ContentError
from kiosk.paths import DEFAULT_CONTENT_DIR

DEFAULT = tomllib.loads((DEFAULT_CONTENT_DIR / "content.toml").read_text(encoding="utf-8"))


def _leaves(tree: Any, path: tuple = ()) -> list[tuple]:
    """Every key path in the tree (tables and array items included)."""
    found = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.append((*path, key))
            found.extend(_leaves(value, (*path, key)))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            found.append((*path, i))
            found.extend(_leaves(value, (*path, i)))
    return found


PATHS = _leaves(DEFAULT)
DELETE = object()

payloads = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            10**30,
            -(10**30),
            -1,
            0,
            0.5,
            1e12,
            True,
            "",
            " ",
            "x" * 5000,
            "{first_name:>999999999}",
            "{first_name!r}",
            "{ref.__class__}",
            "{0}",
            "{",
            "Thank you, {first_name} — {ref}",
            "https://example.org/" + "é" * 300,
            "https://example.org/give",
            "\x00",
            "Łucja Wąsowska, Seán Ó Briain, Олександра Ковальчук, עברית",
            "#0B2545",
            "stat",
            "quote",
            "logo.svg",
            [],
            ["a"],
            {},
            {"x": 1},
            DELETE,
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.text(alphabet="{}:>!.[]0first_nameref", max_size=30),
)


def _set(tree: Any, path: tuple, value: Any) -> None:
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _get(tree: Any, path: tuple) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def _same_kind(original: Any) -> st.SearchStrategy:
    """A value of the original's type, often one a volunteer might really write."""
    if isinstance(original, bool):
        return st.booleans()
    if isinstance(original, int | float):
        return st.one_of(st.integers(0, 100_000), st.floats(0, 10_000, allow_nan=False))
    if isinstance(original, str):
        printable = st.characters(blacklist_categories=("Cc", "Cs"))
        return st.one_of(
            st.text(printable, max_size=120),
            st.text(printable, min_size=1, max_size=12),
            st.text(alphabet="{}first_name ref:!>", max_size=40),
            st.just(original + " " + original),
            st.just(original.upper() * 2),
        )
    return payloads


@st.composite
def _change(draw) -> tuple[tuple, Any]:
    path = draw(st.sampled_from(PATHS))
    kind = _same_kind(_get(DEFAULT, path))
    return path, draw(st.one_of(payloads, kind, kind, kind))


mutations = st.lists(_change(), min_size=1, max_size=3)


def _mutant(changes: list[tuple[tuple, Any]]) -> dict:
    tree = copy.deepcopy(DEFAULT)
    for path, value in changes:
        # An earlier change may have removed or replaced this path.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(tree, path, value)
    return tree


def _render_every_screen(content: Content) -> None:
    from kiosk.ui.attract import AttractScreen
    from kiosk.ui.involved import InvolvedScreen
    from kiosk.ui.signup import SignupScreen
    from kiosk.ui.thanks import ThanksScreen

    host = QWidget()
    try:
        attract = AttractScreen(content, parent=host)
        attract.resize(1280, 800)
        for i in range(len(content.slides)):
            attract.go_to(i)
            attract._timer.stop()  # rendering only: no slideshow running
            assert not attract.grab().isNull()
        for screen in (InvolvedScreen(content), SignupScreen(content), ThanksScreen(content)):
            screen.setParent(host)
            screen.resize(1280, 800)
            if isinstance(screen, SignupScreen):
                screen.begin(content.interests[0].key)
                for index in range(len(screen.steps)):
                    screen.go(index)
                    assert not screen.grab().isNull()
            if isinstance(screen, ThanksScreen):
                screen.show_for("W" * 100, "ABCDEF-WWWWWW")
            assert not screen.grab().isNull()
    finally:
        for timer in host.findChildren(type(attract._timer)):
            timer.stop()
        host.deleteLater()


PROBLEM = re.compile(r"^.+content\.toml: [A-Za-z_][\w.\- ]*(\[\d+\])?([.\w\- \[\]]*)?: \S.*$")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutations)
def test_every_mutant_is_refused_with_a_key_path_or_renders_every_screen(qtbot, changes):
    tree = _mutant(changes)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-mutant-"))
    try:
        try:
            text = tomli_w.dumps(tree)
        except (TypeError, ValueError):
            return  # not expressible in TOML (e.g. a list mixing tables and values)
        (folder / "content.toml").write_text(text, encoding="utf-8")
        try:
            content = load_content(folder)
        except ContentError as exc:
            assert exc.problems
            for line in exc.problems:
                assert PROBLEM.match(line), line
                assert len(line) < 600 and "\n" not in line
            return
        _render_every_screen(content)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_default_pack_renders_every_screen(qtbot):
    _render_every_screen(load_content(DEFAULT_CONTENT_DIR))


TRANSLATIONS = {
    code: tomllib.loads((DEFAULT_CONTENT_DIR / f"content.{code}.toml").read_text("utf-8"))
    for code in ("ga", "pl", "uk")
}


@st.composite
def _translation_change(draw) -> tuple[str, list[tuple[tuple, Any]]]:
    code = draw(st.sampled_from(sorted(TRANSLATIONS)))
    paths = _leaves(TRANSLATIONS[code])
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        kind = _same_kind(_get(TRANSLATIONS[code], path))
        changes.append((path, draw(st.one_of(payloads, kind, kind, kind))))
    return code, changes


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_translation_change())
def test_every_translation_mutant_is_refused_with_a_key_path_or_renders(qtbot, change):
    code, changes = change
    tree = copy.deepcopy(TRANSLATIONS[code])
    for path, value in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(tree, path, value)
    folder = Path(tempfile.mkdtemp(prefix="kiosk-mutant-"))
    try:
        shutil.copy(DEFAULT_CONTENT_DIR / "content.toml", folder)
        try:
            text = tomli_w.dumps(tree)
        except (TypeError, ValueError):
            return
        (folder / f"content.{code}.toml").write_text(text, encoding="utf-8")
        try:
            content = load_content(folder, language=code)
        except ContentError as exc:
            for line in exc.problems:
                assert TRANSLATION_PROBLEM.match(line), line
                assert "\n" not in line
            return
        _render_every_screen(content)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


TRANSLATION_PROBLEM = re.compile(r"^.+content\.(ga|pl|uk)\.toml: [A-Za-z_][^:]*: \S.*$")

"""Is an image file safe to draw? Checked before Qt ever sees it. No Qt here.

A 7.5 KB SVG of nested `<use>` elements (ten per level, 29 levels) asks the
renderer for 10^29 shapes and freezes the UI thread for ever. So every SVG is
parsed here with the standard library's expat, refusing any DOCTYPE (no
entities, internal or external, can exist then: no defusedxml needed), and its
cost is counted as the renderer would expand it: every element, plus for each
`<use href="#id">` the whole of what it points at (memoised, cycles refused).
A PNG, JPEG or WebP must start with its format's signature (a text file named
`.png` is refused), and a PNG's declared size must fit in memory.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from xml.parsers import expat

# Far above any illustration (the bundled slides have under 200 elements) and
# far below what stalls a frame.
MAX_SVG_ELEMENTS = 50_000
MAX_SVG_DEPTH = 200  # nesting, counting the elements <use> pulls in
MAX_SVG_BYTES = 5_000_000
MAX_PIXELS = 50_000_000  # 8K x 6K; QImage would need 200 MB
_SATURATE = 10**100
_URL_REF = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)")

_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
_KIND = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP"}

_cache: dict[tuple[str, int, int], str | None] = {}


class _Refused(Exception):
    pass


def image_problem(path: Path) -> str | None:
    """Why the image at `path` must not be drawn, or None. Cached by file identity."""
    try:
        st = path.stat()
    except OSError as exc:
        return f"can't be read ({exc.strerror or type(exc).__name__})"
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _cache:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = _problem(path, path.suffix.lower())
    return _cache[key]


def _problem(path: Path, suffix: str) -> str | None:
    try:
        if suffix == ".svg":
            if path.stat().st_size > MAX_SVG_BYTES:
                return f"an SVG over {MAX_SVG_BYTES // 10**6} MB"
            return svg_problem(path.read_bytes())
        with open(path, "rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        return f"can't be read ({exc.strerror or type(exc).__name__})"
    kind = _KIND.get(suffix, suffix)
    if suffix == ".webp":
        ok = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    else:
        ok = head.startswith(_SIGNATURES.get(suffix, (b"",)))
    if not ok:
        return f"is not a {kind} file (its contents don't match its name)"
    if suffix == ".png" and len(head) >= 24 and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        if width * height > MAX_PIXELS:
            return f"a {width}x{height} picture is too big to draw (at most {MAX_PIXELS:,} pixels)"
    return None


def svg_problem(data: bytes) -> str | None:
    """Why this SVG must not be drawn (a DTD, a <use> bomb, not SVG at all), or None."""
    ids: dict[str, int] = {}
    children: list[list[int]] = []
    refs: list[list[str]] = []
    stack: list[int] = []
    root_name: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if not root_name:
            root_name.append(local)
        index = len(children)
        if index >= MAX_SVG_ELEMENTS:
            raise _Refused(f"has more than {MAX_SVG_ELEMENTS:,} elements")
        if len(stack) >= MAX_SVG_DEPTH:
            raise _Refused(f"nests elements more than {MAX_SVG_DEPTH} deep")
        children.append([])
        ref: list[str] = []
        for attr, value in attrs.items():
            attr_local = attr.rsplit(" ", 1)[-1]
            if attr_local == "id":
                ids.setdefault(value, index)
            elif attr_local == "href" and value.startswith("#"):
                ref.append(value[1:])  # <use>, and gradients or patterns built on others
            elif "url(" in value:  # fill="url(#p)": a pattern, mask, marker drawn here
                ref += _URL_REF.findall(value)
        refs.append(ref)
        if stack:
            children[stack[-1]].append(index)
        stack.append(index)

    def end(name: str) -> None:
        stack.pop()

    def refuse_dtd(*_args: object) -> None:
        raise _Refused("has a DOCTYPE or entity declarations (not allowed in a pack's SVG)")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        return f"an SVG that {exc}"
    except expat.ExpatError as exc:
        return f"is not a valid SVG file (XML error: {expat.ErrorString(exc.code)})"
    if root_name != ["svg"]:
        return "is not an SVG file (its root element is not <svg>)"
    try:
        targets = [[ids[r] for r in node_refs if r in ids] for node_refs in refs]
        cost, depth = _expanded(children, targets)
    except _Refused as exc:
        return f"an SVG whose {exc}"
    if cost > MAX_SVG_ELEMENTS:
        shown = f"10^{len(str(cost)) - 1}" if cost >= 10**7 else f"{cost:,}"
        if cost >= _SATURATE:
            shown = "more than 10^100"
        return (
            f"the SVG would draw {shown} shapes (its <use> or url(#...) references repeat "
            f"each other; at most {MAX_SVG_ELEMENTS:,})"
        )
    if depth > MAX_SVG_DEPTH:
        return f"the SVG's <use> elements nest {depth} deep (at most {MAX_SVG_DEPTH})"
    return None


def _expanded(children: list[list[int]], targets: list[list[int]]) -> tuple[int, int]:
    """(shapes drawn, deepest nesting) from the root, following every reference.

    Iterative (a chain of 10,000 <use> must not hit Python's recursion limit),
    memoised per element, saturating at 10^100 so a bomb never builds a huge integer.
    """
    n = len(children)
    cost: list[int | None] = [None] * n
    depth = [0] * n
    visiting = [False] * n
    for root in range(n):
        if cost[root] is not None:
            continue
        todo: list[tuple[int, bool]] = [(root, False)]
        while todo:
            node, done = todo.pop()
            nexts = children[node] + targets[node]
            if done:
                total, deepest = 1, 0
                for child in nexts:
                    total += cost[child]  # type: ignore[operator]
                    deepest = max(deepest, depth[child] + 1)
                cost[node] = min(total, _SATURATE)
                depth[node] = deepest
                visiting[node] = False
                continue
            if cost[node] is not None:
                continue
            visiting[node] = True
            todo.append((node, True))
            for child in nexts:
                if visiting[child]:
                    raise _Refused("<use> or url(#...) references go round in a loop")
                if cost[child] is None:
                    todo.append((child, False))
    return (cost[0] or 0, depth[0]) if n else (0, 0)

"""Where the project's bundled files live, in a source checkout and in a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # A wheel carries them inside the package (see pyproject's force-include);
    # a checkout or editable install has them at the repository root.
    inside = _PACKAGE / f"_{name}"
    return inside if inside.is_dir() else _PACKAGE.parent / name


ASSETS_DIR = _bundled("assets")
DEFAULT_CONTENT_DIR = _bundled("data")
FONTS_DIR = ASSETS_DIR / "fonts"

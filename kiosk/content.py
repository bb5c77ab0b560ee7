"""The content pack: `content.toml` plus its images, loaded into typed objects.

Validation collects every problem at once, each naming the file and key path
(`slides[3].value: expected a number, got "76k"`), so a volunteer can fix a pack
in one pass. No Qt here.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kiosk.errors import ContentError
from kiosk.paths import ASSETS_DIR
from kiosk.texts import TEXTS, check_overrides, render

CONTENT_FILE = "content.toml"
SLIDE_KINDS = ("story", "stat", "quote", "call-to-action")
NEEDS = ("email", "phone", "either", "none")
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}


@dataclass(frozen=True)
class Brand:
    name: str
    short_name: str
    tagline: str
    logo: Path | None
    primary: str
    accent: str
    surface: str
    text: str
    ink: str


@dataclass(frozen=True)
class Timing:
    slide_s: float
    transition_ms: int
    idle_timeout_s: float
    idle_countdown_s: float
    thank_you_s: float


@dataclass(frozen=True)
class Slide:
    kind: str
    headline: str
    body: str
    image: Path | None
    duration_s: float
    value: float | None = None
    prefix: str = ""
    suffix: str = ""
    caption: str = ""
    source: str = ""


@dataclass(frozen=True)
class Interest:
    key: str
    label: str
    description: str
    needs_email: bool
    needs: str = ""  # "email" | "phone" | "either" | "none"; "" means from needs_email

    @property
    def contact_needed(self) -> str:
        """Which contact this interest needs: "email", "phone", "either" or "none"."""
        return self.needs or ("email" if self.needs_email else "none")


@dataclass(frozen=True)
class Consent:
    key: str
    label: str
    wording: str
    needs_email: bool
    needs_phone: bool


@dataclass(frozen=True)
class Links:
    donate_url: str
    privacy_url: str
    campaign: dict[str, str]
    donation_ref_prefix: str

    def donate_url_for(self, ref: str | None = None) -> str:
        """The donation URL with the campaign parameters and, if given, `ref`."""
        params = dict(self.campaign)
        if ref:
            params["ref"] = ref
        return add_query(self.donate_url, params)


@dataclass(frozen=True)
class ThankYou:
    headline: str
    body: str
    next_steps: str


@dataclass(frozen=True)
class ScreenText:
    attract_cta: str
    scan_to_give: str
    involved_title: str
    just_scan: str


@dataclass(frozen=True)
class Content:
    folder: Path
    version: str
    brand: Brand
    timing: Timing
    links: Links
    slides: tuple[Slide, ...]
    interests: tuple[Interest, ...]
    consents: tuple[Consent, ...]
    privacy_notice: str
    thank_you: ThankYou
    screens: ScreenText = field(
        default_factory=lambda: ScreenText(
            "Tap to get involved",
            "Scan to give",
            "How would you like to get involved?",
            "Just scan to give",
        )
    )

    min_age: int = 16
    show_today: bool = False  # "N people signed up today" on the loop
    texts: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, **values: object) -> str:
        """The visitor-facing text for `key` (the pack's [text] override, else the default)."""
        return render(self.texts.get(key, TEXTS[key]), **values)

    def interest(self, key: str) -> Interest:
        return next(i for i in self.interests if i.key == key)

    def consent(self, key: str) -> Consent:
        return next(c for c in self.consents if c.key == key)


def add_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` merged into its query string (existing keys replaced)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


class _Reader:
    """Reads typed values out of the TOML tree, recording a problem per bad key."""

    def __init__(self, file: Path, folder: Path) -> None:
        self.file = file
        self.folder = folder
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.file}: {path}: {message}")

    def table(self, data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problem(path, f"expected a table, got {_show(value)}")
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
            self.problem(path, f"expected text, got {_show(value)}")
            return ""
        if default is None and not value.strip():
            self.problem(path, "must not be empty")
        if len(value) > max_len:
            self.problem(path, f"too long ({len(value)} characters, at most {max_len})")
        return value

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        default: float | None = None,
        low: float | None = None,
        high: float | None = None,
    ) -> float:
        if key not in data:
            if default is None:
                self.problem(path, "missing (required number)")
                return 0.0
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"expected a number, got {_show(value)}")
            return default if default is not None else 0.0
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(path, f"must be between {low:g} and {high:g}, got {value:g}")
        return float(value)

    def flag(self, data: dict[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {_show(value)}")
            return False
        return value

    def colour(self, data: dict[str, Any], key: str, path: str, default: str) -> str:
        value = self.text(data, key, path, default=default)
        if value and not _COLOUR.match(value):
            self.problem(path, f'expected a colour like "#0B2545", got {_show(value)}')
            return default
        return value

    def url(self, data: dict[str, Any], key: str, path: str) -> str:
        value = self.text(data, key, path)
        parts = urlsplit(value)
        if value and (parts.scheme not in ("http", "https") or not parts.netloc):
            self.problem(path, f"expected a web address starting https://, got {_show(value)}")
        return value

    def key(self, data: dict[str, Any], path: str, seen: set[str]) -> str:
        value = self.text(data, "key", f"{path}.key")
        if value and not _KEY.match(value):
            self.problem(
                f"{path}.key",
                f"use a-z, 0-9 and _, starting with a letter; got {_show(value)}",
            )
        elif value in seen:
            self.problem(f"{path}.key", f"duplicate key {_show(value)}")
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
                path, f"image {_show(name)} not found in {self.folder} or the assets folder"
            )
        elif found.suffix.lower() not in _IMAGE_SUFFIXES:
            self.problem(path, f"unsupported image type {found.suffix!r} (use SVG, PNG or JPEG)")
        return found

    def items(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, f"expected a list of [[{key}]] tables, got {_show(value)}")
            return []
        return value


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + (value if len(value) <= 40 else value[:37] + "...") + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def load_content(folder: Path) -> Content:
    """Load and validate the pack in `folder`; raise ContentError listing every problem."""
    folder = Path(folder)
    file = folder / CONTENT_FILE
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(
            [f"{file}: not found (a pack is a folder with {CONTENT_FILE})"]
        ) from None
    except UnicodeDecodeError:
        raise ContentError([f"{file}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError([f"{file}: not valid TOML: {exc}"]) from None
    return _parse(raw, _Reader(file, folder))


def export_columns(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The pack's (interest keys, consent keys), for export columns that never shift.

    A broken pack gives none: the export then takes its columns from the records.
    """
    try:
        content = load_content(folder)
    except ContentError:
        return (), ()
    return tuple(i.key for i in content.interests), tuple(c.key for c in content.consents)


def _parse(raw: dict[str, Any], r: _Reader) -> Content:
    version = r.text(raw, "version", "version", max_len=40)

    b = r.table(raw, "brand", "brand")
    defaults = {
        "primary": "#0B2545",
        "accent": "#F2B134",
        "surface": "#F5F7FA",
        "text": "#FFFFFF",
        "ink": "#13233A",
    }
    brand = Brand(
        name=r.text(b, "name", "brand.name", max_len=120),
        short_name=r.text(b, "short_name", "brand.short_name", default="", max_len=20),
        tagline=r.text(b, "tagline", "brand.tagline", default="", max_len=120),
        logo=r.image(b, "logo", "brand.logo"),
        **{k: r.colour(b, k, f"brand.{k}", v) for k, v in defaults.items()},
    )

    t = r.table(raw, "timing", "timing")
    timing = Timing(
        slide_s=r.number(t, "slide_s", "timing.slide_s", default=8, low=2, high=120),
        transition_ms=int(
            r.number(t, "transition_ms", "timing.transition_ms", default=700, low=0, high=5000)
        ),
        idle_timeout_s=r.number(
            t, "idle_timeout_s", "timing.idle_timeout_s", default=45, low=10, high=3600
        ),
        idle_countdown_s=r.number(
            t, "idle_countdown_s", "timing.idle_countdown_s", default=20, low=20, high=120
        ),
        thank_you_s=r.number(t, "thank_you_s", "timing.thank_you_s", default=30, low=5, high=600),
    )

    lk = r.table(raw, "links", "links")
    campaign_raw = r.table(lk, "campaign", "links.campaign")
    campaign: dict[str, str] = {}
    for name, value in campaign_raw.items():
        if not isinstance(value, str):
            r.problem(f"links.campaign.{name}", f"expected text, got {_show(value)}")
        else:
            campaign[name] = value
    prefix = r.text(lk, "donation_ref_prefix", "links.donation_ref_prefix", default="", max_len=6)
    if prefix and not re.fullmatch(r"[A-Z0-9]{1,6}", prefix):
        r.problem(
            "links.donation_ref_prefix", f"use 1–6 capital letters or digits, got {_show(prefix)}"
        )
    links = Links(
        donate_url=r.url(lk, "donate_url", "links.donate_url"),
        privacy_url=r.url(lk, "privacy_url", "links.privacy_url"),
        campaign=campaign,
        donation_ref_prefix=prefix,
    )

    slides = []
    for i, s in enumerate(r.items(raw, "slides")):
        p = f"slides[{i}]"
        kind = r.text(s, "kind", f"{p}.kind")
        if kind and kind not in SLIDE_KINDS:
            r.problem(f"{p}.kind", f"expected one of {', '.join(SLIDE_KINDS)}, got {_show(kind)}")
        is_stat = kind == "stat"
        slides.append(
            Slide(
                kind=kind,
                headline=r.text(
                    s, "headline", f"{p}.headline", default="" if is_stat else None, max_len=120
                ),
                body=r.text(
                    s, "body", f"{p}.body", default="" if kind != "quote" else None, max_len=400
                ),
                image=r.image(s, "image", f"{p}.image"),
                duration_s=r.number(
                    s, "duration_s", f"{p}.duration_s", default=timing.slide_s, low=2, high=120
                ),
                value=r.number(s, "value", f"{p}.value", low=0, high=1e12) if is_stat else None,
                prefix=r.text(s, "prefix", f"{p}.prefix", default="", max_len=8),
                suffix=r.text(s, "suffix", f"{p}.suffix", default="", max_len=12),
                caption=r.text(
                    s, "caption", f"{p}.caption", default=None if is_stat else "", max_len=240
                ),
                source=r.text(s, "source", f"{p}.source", default="", max_len=120),
            )
        )
    if not slides and "slides" not in [q.split(": ")[1] for q in r.problems]:
        r.problem("slides", "at least one [[slides]] entry is needed")

    interests, seen = [], set()
    for i, s in enumerate(r.items(raw, "interests")):
        p = f"interests[{i}]"
        needs_email = r.flag(s, "needs_email", f"{p}.needs_email")
        needs = r.text(s, "needs", f"{p}.needs", default="email" if needs_email else "none")
        if needs not in NEEDS:
            r.problem(f"{p}.needs", f"expected one of {', '.join(NEEDS)}, got {_show(needs)}")
            needs = "none"
        interests.append(
            Interest(
                key=r.key(s, p, seen),
                label=r.text(s, "label", f"{p}.label", max_len=60),
                description=r.text(s, "description", f"{p}.description", default="", max_len=160),
                needs_email=needs == "email",
                needs=needs,
            )
        )
    if not interests:
        r.problem("interests", "at least one [[interests]] entry is needed")

    consents, seen = [], set()
    for i, s in enumerate(r.items(raw, "consents")):
        p = f"consents[{i}]"
        consents.append(
            Consent(
                key=r.key(s, p, seen),
                label=r.text(s, "label", f"{p}.label", max_len=40),
                wording=r.text(s, "wording", f"{p}.wording", max_len=600),
                needs_email=r.flag(s, "needs_email", f"{p}.needs_email"),
                needs_phone=r.flag(s, "needs_phone", f"{p}.needs_phone"),
            )
        )

    pv = r.table(raw, "privacy", "privacy")
    ty = r.table(raw, "thank_you", "thank_you")
    thank_you = ThankYou(
        headline=r.text(ty, "headline", "thank_you.headline", default="Thank you, {first_name}"),
        body=r.text(ty, "body", "thank_you.body", default=""),
        next_steps=r.text(ty, "next_steps", "thank_you.next_steps", default=""),
    )
    for name, template in (
        ("headline", thank_you.headline),
        ("body", thank_you.body),
        ("next_steps", thank_you.next_steps),
    ):
        try:
            template.format(first_name="", ref="")
        except (KeyError, IndexError, ValueError) as exc:
            r.problem(
                f"thank_you.{name}", f"only {{first_name}} and {{ref}} may appear in braces ({exc})"
            )

    sc = r.table(raw, "screens", "screens")
    screens = ScreenText(
        attract_cta=r.text(sc, "attract_cta", "screens.attract_cta", default="Tap to get involved"),
        scan_to_give=r.text(sc, "scan_to_give", "screens.scan_to_give", default="Scan to give"),
        involved_title=r.text(
            sc,
            "involved_title",
            "screens.involved_title",
            default="How would you like to get involved?",
        ),
        just_scan=r.text(sc, "just_scan", "screens.just_scan", default="Just scan to give"),
    )

    su = r.table(raw, "signup", "signup")
    min_age = r.number(su, "min_age", "signup.min_age", default=16, low=0, high=120)
    if not math.isfinite(min_age) or min_age != int(min_age):
        r.problem("signup.min_age", f"expected a whole number of years, got {min_age:g}")
        min_age = 16
    texts = r.table(raw, "text", "text")
    for key, problem in check_overrides(texts):
        r.problem(f"text.{key}", problem)

    if r.problems:
        raise ContentError(r.problems)
    return Content(
        folder=r.folder,
        version=version,
        brand=brand,
        timing=timing,
        links=links,
        slides=tuple(slides),
        interests=tuple(interests),
        consents=tuple(consents),
        privacy_notice=r.text(pv, "notice", "privacy.notice", default=""),
        thank_you=thank_you,
        screens=screens,
        min_age=int(min_age),
        show_today=r.flag(su, "show_today", "signup.show_today"),
        texts={k: v for k, v in texts.items() if isinstance(v, str)},
    )

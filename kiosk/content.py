"""The content pack: `content.toml` plus its images, loaded into typed objects.

Validation collects every problem at once, each naming the file and key path
(`slides[3].value: expected a number, got "76k"`), so a volunteer can fix a pack
in one pass. No Qt here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kiosk.errors import ContentError
from kiosk.pack_checks import (
    LONGEST_NAME,
    LONGEST_REF,
    qr_problem,
    read_toml,
    template_problem,
    tracked,
    unread_keys,
    within,
)
from kiosk.pack_reader import Reader as _Reader
from kiosk.pack_reader import show
from kiosk.texts import TEXTS, check_overrides, render

CONTENT_FILE = "content.toml"
BASE_LANGUAGE = "en"  # content.toml's language; translations are content.<code>.toml
SLIDE_KINDS = ("story", "stat", "quote", "call-to-action")
NEEDS = ("email", "phone", "either", "none")
_CAMPAIGN_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")


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


CONSENT_BASES = ("consent", "soft_opt_in")
# PECR reg. 22(3A), the charity soft opt-in: electronic mail only (email and SMS).
SOFT_OPT_IN_CHANNELS = ("email", "sms")
DEFAULT_OPT_OUT = "Tick if you'd rather not hear from us"


@dataclass(frozen=True)
class Consent:
    """A contact channel and its legal basis.

    `consent`: an unticked opt-in box labelled `wording`; ticking it says yes.
    `soft_opt_in` (email and SMS only): `wording` tells the visitor the charity
    will keep in touch about its work, and a box labelled `opt_out` lets them
    say no; not ticking it says yes (for a contact they gave).
    """

    key: str
    label: str
    wording: str
    needs_email: bool
    needs_phone: bool
    basis: str = "consent"
    opt_out: str = ""

    @property
    def is_soft_opt_in(self) -> bool:
        return self.basis == "soft_opt_in"

    def choice(self, ticked: bool) -> bool:
        """The stored choice for this channel when its box is `ticked` (or not)."""
        return not ticked if self.is_soft_opt_in else ticked

    @property
    def shown_text(self) -> str:
        """The exact words the visitor saw, as recorded: the wording, and the opt-out box."""
        return f"{self.wording}\n{self.opt_out}" if self.is_soft_opt_in else self.wording


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
    # Languages (SPEC 11): this Content's language, by its code and its own name;
    # `reviewed` is False until a native speaker has checked the translation.
    language: str = "en"
    language_name: str = "English"
    reviewed: bool = True
    default_language: str = "en"

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


def load_content(folder: Path, *, language: str | None = None, build_codes: bool = True) -> Content:
    """Load and validate the pack in `folder`; raise ContentError listing every problem.

    `language` picks a translation (`content.<language>.toml`, English where it has
    no text); None or "en" reads English alone. `build_codes` builds every QR code
    now; start-up skips it (qrcode loads after the first paint) and checks only
    their size, which can never overflow.
    """
    folder = Path(folder)
    if language not in (None, BASE_LANGUAGE):
        from kiosk.languages import load_content_set

        return load_content_set(folder, build_codes=build_codes).for_language(language)
    file = folder / CONTENT_FILE
    raw = read_toml(file, missing=f"not found (a pack is a folder with {CONTENT_FILE})")
    return parse_content(raw, file, folder, build_codes=build_codes)


def parse_content(
    raw: dict[str, Any],
    file: Path,
    folder: Path,
    *,
    build_codes: bool = True,
    may_ignore: frozenset[str] = frozenset(),
) -> Content:
    """Validate a parsed TOML tree; problems name `file`. Keys in `may_ignore` may
    go unread (a translation's extra keys, reported as warnings by its caller)."""
    reader = _Reader(file, folder)
    reader.build_codes = build_codes
    reader.may_ignore = may_ignore
    return _parse(tracked(raw), reader)


def export_columns(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The pack's (interest keys, consent keys), for export columns that never shift.

    A broken pack gives none: the export then takes its columns from the records.
    """
    try:
        content = load_content(folder)
    except ContentError:
        return (), ()
    return tuple(i.key for i in content.interests), tuple(c.key for c in content.consents)


def _check_basis(r: _Reader, data: dict[str, Any], p: str, consent: Consent) -> Consent:
    """The legal basis is one PECR allows for the channel; the opt-out box label if soft."""
    if consent.basis not in CONSENT_BASES:
        r.problem(f"{p}.basis", f"expected consent or soft_opt_in, got {show(consent.basis)}")
        return consent
    if not consent.is_soft_opt_in:
        if "opt_out" in data:
            r.problem(f"{p}.opt_out", "only a soft_opt_in channel has an opt-out box")
        return consent
    if consent.key not in SOFT_OPT_IN_CHANNELS:
        r.problem(
            f"{p}.basis",
            "soft_opt_in is only for email and SMS (channel key email or sms): phone "
            "calls, post and other channels need consent",
        )
    elif consent.key == "email" and not consent.needs_email:
        r.problem(f"{p}.needs_email", "a soft opt-in email channel needs the email address")
    elif consent.key == "sms" and not consent.needs_phone:
        r.problem(f"{p}.needs_phone", "a soft opt-in SMS channel needs the phone number")
    opt_out = r.text(data, "opt_out", f"{p}.opt_out", default=DEFAULT_OPT_OUT, max_len=120)
    if not opt_out.strip():
        r.problem(f"{p}.opt_out", "a soft opt-in needs a simple opt-out box label")
    return replace(consent, opt_out=opt_out)


def _parse(raw: dict[str, Any], r: _Reader) -> Content:
    version = r.text(raw, "version", "version", max_len=40)
    default_language = r.text(
        raw, "default_language", "default_language", default=BASE_LANGUAGE, max_len=12
    )

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
            r.number(
                t,
                "transition_ms",
                "timing.transition_ms",
                default=700,
                low=0,
                high=5000,
                whole=True,
            )
        ),
        idle_timeout_s=r.number(
            t, "idle_timeout_s", "timing.idle_timeout_s", default=45, low=10, high=3600
        ),
        idle_countdown_s=r.number(
            t, "idle_countdown_s", "timing.idle_countdown_s", default=20, low=3, high=120
        ),
        thank_you_s=r.number(t, "thank_you_s", "timing.thank_you_s", default=30, low=5, high=600),
    )

    lk = r.table(raw, "links", "links")
    campaign_raw = r.table(lk, "campaign", "links.campaign")
    campaign: dict[str, str] = {}
    for name, _ in campaign_raw.items():
        if not _CAMPAIGN_KEY.match(name):
            r.problem(
                f"links.campaign.{name[:40]}",
                "a parameter name is 1-40 letters, digits, _ . or -, starting with a letter",
            )
        else:
            campaign[name] = r.text(
                campaign_raw, name, f"links.campaign.{name}", default="", max_len=100
            )
    prefix = r.text(lk, "donation_ref_prefix", "links.donation_ref_prefix", default="", max_len=6)
    if prefix and not re.fullmatch(r"[A-Z0-9]{1,6}", prefix):
        r.problem(
            "links.donation_ref_prefix", f"use 1–6 capital letters or digits, got {show(prefix)}"
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
            r.problem(f"{p}.kind", f"expected one of {', '.join(SLIDE_KINDS)}, got {show(kind)}")
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
            r.problem(f"{p}.needs", f"expected one of {', '.join(NEEDS)}, got {show(needs)}")
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
        consent = Consent(
            key=r.key(s, p, seen),
            label=r.text(s, "label", f"{p}.label", max_len=40),
            wording=r.text(s, "wording", f"{p}.wording", max_len=600),
            needs_email=r.flag(s, "needs_email", f"{p}.needs_email"),
            needs_phone=r.flag(s, "needs_phone", f"{p}.needs_phone"),
            basis=r.text(s, "basis", f"{p}.basis", default="consent", max_len=20),
        )
        consents.append(_check_basis(r, s, p, consent))

    pv = r.table(raw, "privacy", "privacy")
    ty = r.table(raw, "thank_you", "thank_you")
    thank_you = ThankYou(
        headline=r.text(ty, "headline", "thank_you.headline", default="Thank you, {first_name}"),
        body=r.text(ty, "body", "thank_you.body", default=""),
        next_steps=r.text(ty, "next_steps", "thank_you.next_steps", default=""),
    )
    for name, template, max_rendered in (
        ("headline", thank_you.headline, 240),
        ("body", thank_you.body, 1200),
        ("next_steps", thank_you.next_steps, 1200),
    ):
        fields = {"first_name": LONGEST_NAME, "ref": LONGEST_REF}
        problem = template_problem(template, fields, max_rendered=max_rendered)
        if problem:
            r.problem(f"thank_you.{name}", problem)

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
    show_today = r.flag(su, "show_today", "signup.show_today")
    texts = r.table(raw, "text", "text")
    for key, problem in check_overrides(texts):
        r.problem(f"text.{key}", problem)
    # Every text key is known to check_overrides; it reported any others.
    for key in list(texts):
        texts.get(key)

    privacy_notice = r.text(pv, "notice", "privacy.notice", default="")
    _check_codes(links, r)
    for path in unread_keys(raw):
        if not any(within(path, ignored) for ignored in r.may_ignore):
            r.problem(path, "unknown key (a typo, or in the wrong table?)")
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
        privacy_notice=privacy_notice,
        thank_you=thank_you,
        screens=screens,
        min_age=int(min_age),
        show_today=show_today,
        texts={k: v for k, v in texts.items() if isinstance(v, str)},
        default_language=default_language,
    )


def _check_codes(links: Links, r: _Reader) -> None:
    """Build every QR code the kiosk draws now, so none fails on screen."""
    if any(q.startswith(f"{r.file}: links.") for q in r.problems):
        return  # a bad address or campaign value is already named
    if links.donate_url:
        problem = qr_problem(links.donate_url_for(LONGEST_REF), build=r.build_codes)
        if problem:
            r.problem("links.campaign" if links.campaign else "links.donate_url", problem)
    if links.privacy_url:
        problem = qr_problem(links.privacy_url, build=r.build_codes)
        if problem:
            r.problem("links.privacy_url", problem)

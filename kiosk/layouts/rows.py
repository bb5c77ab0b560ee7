"""A layout's table bound to the content pack: header and formula-safe rows for a record.

`BoundTable` has the shape the exporter writes from (header, rows, widths,
sheet, and widen/cover, which for fixed columns do nothing). No Qt here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from kiosk.layouts import DATE_FIELDS, Column, Layout, Table

Getter = Callable[[Any, str | None], str]


def _neutralise() -> Callable[[str], str]:
    from kiosk.exporting import neutralise  # the one formula-safety rule every export shares

    return neutralise


class BoundTable:
    """One table of a layout with the pack's campaign values and privacy URL."""

    def __init__(
        self,
        table: Table,
        *,
        campaign: Mapping[str, str] | None = None,
        privacy_url: str = "",
        timezone: str = "local",
    ) -> None:
        self.table = table
        self.sheet = table.sheet
        self.suffix = table.suffix
        self.rows_for = table.rows_for
        self._n = _neutralise()
        self._context = {"privacy_url": privacy_url}
        self._context.update({f"campaign.{k}": v for k, v in (campaign or {}).items()})
        self._utc = timezone == "UTC"
        self._cache: dict[str, str] = {}
        self._dates: dict[tuple[str, str], str] = {}
        self._getters = [self._getter(col) for col in table.columns]

    # -- the exporter's interface ------------------------------------------

    def header(self) -> list[str]:
        return [self._n(col.header) for col in self.table.columns]

    def widths(self) -> list[int]:
        return [col.width for col in self.table.columns]

    def widen(self, records: Iterable[Any]) -> BoundTable:
        """Fixed columns: nothing a record carries adds one."""
        return self

    def cover(self, record: Any) -> bool:
        return True

    def rows(self, record: Any) -> list[list[str]]:
        withdrawn = getattr(record, "withdrawn_at", None) is not None
        if withdrawn != (self.table.rows_for == "withdrawals"):
            return []  # a marker is no contact; a sign-up is no withdrawal
        if not self.table.per_channel:
            return [[get(record, None) for get in self._getters]]
        consents = getattr(record, "consents", None) or {}
        return [[get(record, channel) for get in self._getters] for channel in consents]

    def cells(self, record: Any) -> list[str]:
        rows = self.rows(record)
        return rows[0] if rows else []

    # -- cells -------------------------------------------------------------

    def _safe(self, text: str) -> str:
        cache = self._cache
        if len(cache) > 2000:
            cache.clear()
        safe = cache.get(text)
        if safe is None:
            safe = cache[text] = self._n(text)
        return safe

    def _date(self, text: str | None, fmt: str) -> str:
        if not text:
            return ""
        if not fmt:
            return text
        # Sign-ups come minutes apart: a format without seconds is cached by the minute.
        key = None if "%S" in fmt or "%f" in fmt or "%s" in fmt else (fmt, text[:16])
        if key is not None and (hit := self._dates.get(key)) is not None:
            return hit
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = moment.astimezone(UTC) if self._utc else moment.astimezone()
        value = self._safe(moment.strftime(fmt))
        if key is not None:
            if len(self._dates) > 5000:
                self._dates.clear()
            self._dates[key] = value
        return value

    def _getter(self, col: Column) -> Getter:
        name = col.field
        n, safe, words = self._n, self._safe, col.words

        def word(value: str) -> str:
            return safe(words.get(value, value))

        if name is None:
            constant = n(col.value)
            return lambda record, channel: constant
        if name in self._context or name.startswith("campaign."):
            fixed = n(self._context.get(name, ""))
            return lambda record, channel: fixed
        if name in DATE_FIELDS:
            fmt = col.date_format
            return lambda record, channel: self._date(getattr(record, name, None), fmt)
        if name == "interests":
            sep = col.separator
            return lambda record, channel: n(sep.join(words.get(k, k) for k in record.interests))
        head, _, key = name.partition(".")
        if head == "interest":
            yes, no = n(col.yes), n(col.no)
            return lambda record, channel: yes if key in record.interests else no
        if head in ("consent", "consent_basis", "consent_text"):
            yes, no, blank = n(col.yes), n(col.no), n(col.blank)

            def channel_value(record: Any, channel: str | None) -> str:
                wanted = key or channel
                if head == "consent":
                    granted = record.consents.get(wanted)
                    return blank if granted is None else yes if granted else no
                if head == "consent_basis":
                    bases = getattr(record, "consent_basis", None) or {}
                    if wanted not in record.consents:
                        return ""
                    return word(bases.get(wanted, "consent"))
                return safe(record.consent_text.get(wanted, ""))

            return channel_value
        if name == "phone" and col.date_format == "uk":
            return lambda record, channel: uk_phone(getattr(record, "phone", None))
        if name == "channel":
            return lambda record, channel: word(channel or "")
        fallback = col.fallback

        def text(record: Any, channel: str | None) -> str:
            value = getattr(record, name, None)
            if not value and fallback:
                value = getattr(record, fallback, None)
            return word(value) if words and value else n(value) if value else ""

        return text


def uk_phone(e164: str | None) -> str:
    """A stored E.164 number as a UK office dials it; sealed or odd values unchanged."""
    if not e164:
        return ""
    if not e164.startswith("+"):
        return _neutralise()(e164)
    if e164.startswith("+447") and len(e164) == 13:
        return f"0{e164[3:7]} {e164[7:]}"  # a UK mobile, as the numbering plan groups it
    return _uk_landline(e164)


@functools.lru_cache(maxsize=4096)
def _uk_landline(e164: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return _neutralise()(e164)
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "00" + e164[1:]


def bind(
    layout: Layout,
    *,
    campaign: Mapping[str, str] | None = None,
    privacy_url: str = "",
) -> tuple[BoundTable | None, ...]:
    """(main table, companion table or None, withdrawals table); main is None for the
    generic layout (which keeps withdrawal markers as rows of its own)."""
    if layout.main is None:
        return None, None, None
    tables = [
        BoundTable(t, campaign=campaign, privacy_url=privacy_url, timezone=layout.timezone)
        if t is not None
        else None
        for t in (layout.main, layout.companion, layout.withdrawals)
    ]
    return tuple(tables)


def bind_for_pack(layout: Layout, folder: Any) -> tuple[BoundTable | None, ...]:
    """`bind` with the campaign values and privacy URL of the content pack in `folder`.

    A broken pack gives none (those columns come out empty) rather than no export.
    """
    from kiosk.content import load_content
    from kiosk.errors import ContentError

    try:
        links = load_content(folder).links
    except ContentError:
        return bind(layout)
    return bind(layout, campaign=links.campaign, privacy_url=links.privacy_url)


def export_tables(name_or_path: Any, content_dir: Any) -> tuple[Any, ...] | None:
    """What `export_signups(..., layout=)` takes for a layout chosen by name or file.

    None for the generic layout (the exporter's own columns). Raises LayoutError.
    Admin's export card: `layout=export_tables(choice, content_dir)`.
    """
    from kiosk.layouts import load_layout

    layout = load_layout(name_or_path)
    return None if layout.is_generic else bind_for_pack(layout, content_dir)

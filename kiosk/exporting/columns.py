"""What a CSV or XLSX row holds: the column layout, and the formula guard every cell passes.

A layout is anything with the `Layout` methods: `header()` once, `rows(record)`
for each sign-up (usually one row; a consent import may want one per channel),
`cover(record)` to say whether a record fits the columns chosen so far,
`widen(records)` for a layout that grows columns for keys it meets, and
`widths()` for XLSX. `GenericColumns` is today's layout: id, created_at,
device_id, first_name, last_name, name, email, phone, interest_<key> (yes/blank),
consent_<key> (yes/no/blank) with consent_<key>_basis and consent_<key>_wording,
language, donation_ref, content_version, withdrawn_at; the
keys are the content pack's in its order, then any others the records carry,
sorted, so the same data always gives the same columns. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from kiosk.records import SignupRecord

# OWASP CSV injection: a spreadsheet treats a cell starting with one of these as
# a formula; Excel reads the full-width forms as ASCII; the small forms for safety.
_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠﹦﹢﹣﹫")


def neutralise(cell: str) -> str:
    """`cell`, with a leading apostrophe if a spreadsheet could read it as a formula.

    A cell is dangerous when it starts, or starts after whitespace, with = + - @,
    tab, CR, LF or their full-width forms. E.164 phone numbers ("+447…") are
    dangerous by this rule and come out as "'+447…": the apostrophe keeps Excel
    from evaluating them and is easy to strip in the office's CRM import.
    """
    if cell and (cell[0] in _TRIGGERS or (cell[0].isspace() and cell.lstrip()[:1] in _TRIGGERS)):
        return "'" + cell
    return cell


class Layout(Protocol):
    """The columns of a tabular export. Every cell it returns must be neutralised."""

    def header(self) -> list[str]: ...

    def rows(self, record: SignupRecord) -> Iterable[list[str]]: ...

    def cover(self, record: SignupRecord) -> bool: ...

    def widen(self, records: Iterable[SignupRecord]) -> Layout: ...

    def widths(self) -> list[int]: ...


class GenericColumns:
    """Interest and consent keys: the pack's in its order, then any others sorted.

    The same pack and data always give the same columns.
    """

    def __init__(self, interests: Iterable[str], consents: Iterable[str]) -> None:
        self.interests = tuple(dict.fromkeys(interests))
        self.consents = tuple(dict.fromkeys(consents))
        self._interest_set = frozenset(self.interests)
        self._consent_set = frozenset(self.consents)
        self._wording: dict[str, str] = {}

    @classmethod
    def of(
        cls, records: Iterable[SignupRecord], base: GenericColumns | None = None
    ) -> GenericColumns:
        """Columns for `records`: `base`'s keys first, then any new ones sorted."""
        interests: set[str] = set()
        consents: set[str] = set()
        for record in records:
            interests.update(record.interests)
            consents.update(record.consents, record.consent_text)
        known_i = base.interests if base else ()
        known_c = base.consents if base else ()
        return cls(
            [*known_i, *sorted(interests - set(known_i))],
            [*known_c, *sorted(consents - set(known_c))],
        )

    def widen(self, records: Iterable[SignupRecord]) -> GenericColumns:
        return GenericColumns.of(records, base=self)

    def cover(self, record: SignupRecord) -> bool:
        return (
            self._interest_set.issuperset(record.interests)
            and self._consent_set.issuperset(record.consents)
            and self._consent_set.issuperset(record.consent_text)
        )

    def header(self) -> list[str]:
        names = ["id", "created_at", "device_id", "first_name", "last_name", "name", "email"]
        names.append("phone")
        names.extend(f"interest_{key}" for key in self.interests)
        for key in self.consents:
            names.extend((f"consent_{key}", f"consent_{key}_basis", f"consent_{key}_wording"))
        names.extend(("language", "donation_ref", "content_version", "withdrawn_at"))
        return [neutralise(name) for name in names]

    def rows(self, record: SignupRecord) -> tuple[list[str]]:
        return (self.cells(record),)

    def cells(self, r: SignupRecord) -> list[str]:
        """One row, neutralised: the only place generic CSV and XLSX cells come from.

        yes/no/blank flags are ours and safe, and so are id, created_at and
        withdrawn_at (a UUID and canonical UTC times, checked where every record
        enters: the form and import). Every other cell goes through neutralise; the
        values that repeat on most rows (device, wording, version) through a cache.
        """
        n = neutralise
        cache = self._wording
        if len(cache) > 1000:
            cache.clear()

        def repeated(text: str) -> str:
            safe = cache.get(text)
            if safe is None:
                safe = cache[text] = n(text)
            return safe

        row = [r.id, r.created_at, repeated(r.device_id)]
        row.extend(n(value) if value else "" for value in (r.first_name, r.last_name, r.name))
        row.append(n(r.email) if r.email else "")
        row.append(n(r.phone) if r.phone else "")
        chosen = r.interests
        row.extend(["yes" if key in chosen else "" for key in self.interests])
        consents, basis, wording = r.consents, r.consent_basis, r.consent_text
        for key in self.consents:
            granted = consents.get(key)
            row.append("" if granted is None else "yes" if granted else "no")
            row.append(repeated(basis.get(key, "")))
            row.append(repeated(wording.get(key, "")))
        row.append(repeated(r.language))
        row.append(n(r.donation_ref))
        row.append(repeated(r.content_version))
        row.append(r.withdrawn_at or "")
        return row

    def widths(self) -> list[int]:
        return [
            *(38, 26, 14, 18, 18, 28, 32, 18),
            *([14] * len(self.interests)),
            *([12, 12, 60] * len(self.consents)),
            *(10, 14, 16, 26),
        ]

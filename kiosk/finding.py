"""Find a sign-up ("did my sign-up go through?") and withdraw one, for Admin and the CLI.

What a volunteer sees of a person is masked: the first name, the last name's
initial, the email's first letter and domain, the phone's last three digits.
No Qt here.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from kiosk.records import parse_iso

MIN_QUERY = 2
MAX_QUERY = 200
"""Longer than any reference or name: a longer query is refused (CLI) or cut (Admin)."""
SEALED_PREFIX = "sealed:v1:"  # kiosk.sealing.PREFIX, without loading PyNaCl


def _sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def fold(text: str | None) -> str:
    """Lower case without accents, for matching: "Seán Ó Briain" → "sean o briain"."""
    if not text:
        return ""
    if text.isascii():  # most names: no accents to strip (and ten times faster)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def ref_key(text: str | None) -> str:
    """A reference as typed or printed, compared without case, dashes or spaces."""
    if not text:
        return ""
    return "".join(c for c in text.upper() if c.isalnum())


def ref_forms(text: str) -> list[str]:
    """How a typed reference may be stored: as typed, and with the dash at each place
    ("nh7f3kq2" → "NH7F3KQ2", "N-H7F3KQ2", "NH-7F3KQ2", …), for an indexed lookup."""
    key = ref_key(text)
    if not key:
        return []
    return [text.strip().upper(), key, *(f"{key[:i]}-{key[i:]}" for i in range(1, len(key)))]


def mask_name(first: str | None, last: str | None) -> str:
    """ "Aoife M…" (one-name people stay as they are)."""
    if not first:
        return "(withdrawn)"
    if not last and " " in first.strip():
        first, _, last = first.strip().rpartition(" ")  # typed as one name
    return f"{first} {last[0]}…" if last else first


def mask_email(email: str | None) -> str:
    """ "a…@gmail.com"."""
    if not email:
        return ""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}…@{domain}" if local else "…"


def mask_phone(phone: str | None) -> str:
    """ "+353 … 567"."""
    if not phone:
        return ""
    country = phone[:4] if phone.startswith("+353") else phone[:3]
    return f"{country} … {phone[-3:]}"


@dataclass(frozen=True)
class FoundSignup:
    id: str
    donation_ref: str
    name: str
    """Masked: "Aoife M…"."""
    email: str
    phone: str
    saved_at: str | None
    synced_at: str | None
    exported_at: str | None
    withdrawn_at: str | None
    status_known: bool = True
    """False when found by salvaging a damaged database: sync and export times unknown."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FoundSignup:
        sealed = any(_sealed(row[k]) for k in ("first_name", "name", "email", "phone"))
        name = "(sealed)" if sealed else mask_name(row["first_name"], row["last_name"])
        if row["withdrawn_at"]:
            name = "(withdrawn)"
        return cls(
            id=row["id"],
            donation_ref=row["donation_ref"],
            name=name,
            email="" if sealed else mask_email(row["email"]),
            phone="" if sealed else mask_phone(row["phone"]),
            saved_at=row["saved_at"] or row["created_at"],
            synced_at=row["synced_at"],
            exported_at=row["exported_at"],
            withdrawn_at=row["withdrawn_at"],
        )

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def times(self, tz: tzinfo | None = None, today: datetime | None = None) -> str:
        """ "saved 14:02, synced 14:05" (a date before the time when it was not today)."""
        parts = [f"saved {_clock(self.saved_at, tz, today)}"]
        if self.withdrawn_at:
            parts.append(f"withdrawn {_clock(self.withdrawn_at, tz, today)}")
        if not self.status_known:
            parts.append("sync and export unknown (the database is damaged)")
            return ", ".join(parts)
        parts.append(
            f"synced {_clock(self.synced_at, tz, today)}" if self.synced_at else "not synced"
        )
        if self.exported_at:
            parts.append(f"exported {_clock(self.exported_at, tz, today)}")
        else:
            parts.append("not exported")
        return ", ".join(parts)

    def line(self, tz: tzinfo | None = None, today: datetime | None = None) -> str:
        """ "NH-7F3KQ2, Aoife M…, saved 14:02, synced 14:05"."""
        return f"{self.donation_ref}, {self.name}, {self.times(tz, today)}"

    def contact(self) -> str:
        return " · ".join(p for p in (self.email, self.phone) if p)


def _clock(iso: str | None, tz: tzinfo | None, today: datetime | None) -> str:
    if not iso:
        return "—"
    try:
        moment = parse_iso(iso).astimezone(tz)
    except ValueError:
        return iso
    now = (today or datetime.now(moment.tzinfo)).astimezone(moment.tzinfo)
    if moment.date() == now.date():
        return f"{moment:%H:%M}"
    return f"{moment:%d %b} {moment:%H:%M}"


def find_signups(store: Any, text: str, *, limit: int = 50) -> list[FoundSignup]:
    """Sign-ups matching a reference or part of a name, newest first (none under 2 characters)."""
    text = text.strip()[:MAX_QUERY]
    if len(text) < MIN_QUERY:
        return []
    from kiosk.errors import StorageError
    from kiosk.reading import is_damage

    try:
        return [FoundSignup.from_row(r) for r in store.find_rows(text, limit=limit)]
    except StorageError as exc:
        if not is_damage(exc.__cause__):
            raise
    return _salvage(store, text, limit)


def _salvage(store: Any, text: str, limit: int) -> list[FoundSignup]:
    """Find in a damaged database the way export salvages it: every readable row, matched
    here (by reference, and by name unless sealed), newest first."""
    name = fold(text)
    ref = ref_key(text)
    sealing = bool(getattr(store, "sealing", False))
    found: list[dict[str, Any]] = []
    reader = store.reader()
    for rec in reader:
        full = " ".join(p for p in (rec.first_name, rec.last_name) if p) or rec.name or ""
        by_name = not sealing and not _sealed(full) and name in fold(full)
        by_ref = bool(ref) and ref in ref_key(rec.donation_ref)
        if by_name or by_ref:
            found.append(
                {
                    "id": rec.id,
                    "donation_ref": rec.donation_ref,
                    "first_name": rec.first_name,
                    "last_name": rec.last_name,
                    "name": rec.name,
                    "email": rec.email,
                    "phone": rec.phone,
                    "created_at": rec.created_at,
                    "saved_at": None,
                    "synced_at": None,
                    "exported_at": None,
                    "withdrawn_at": rec.withdrawn_at,
                }
            )
    found.sort(key=lambda r: r["created_at"], reverse=True)
    return [dataclasses.replace(FoundSignup.from_row(r), status_known=False) for r in found[:limit]]

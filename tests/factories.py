"""Deterministic sign-up records for tests: record i always has the same id and reference."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.records import REF_ALPHABET, SignupRecord, iso_ms

T0 = datetime(2022, 7, 30, 12, 0, tzinfo=UTC)
WORDING = {"email": "Yes, IJM UK may email me.", "sms": "Yes, IJM UK may text me."}


def ref(i: int) -> str:
    """The i-th donation reference, distinct for every i."""
    code = ""
    for _ in range(6):
        i, digit = divmod(i, len(REF_ALPHABET))
        code += REF_ALPHABET[digit]
    return f"NH-{code}"


def make_record(
    i: int = 0, *, step: timedelta = timedelta(minutes=1), **changes: object
) -> SignupRecord:
    """A valid, normalised record number i, created `i * step` after T0."""
    fields: dict[str, object] = {
        "id": str(uuid.UUID(int=i + 1, version=4)),
        "created_at": iso_ms(T0 + step * i),
        "device_id": "tent-3f9a",
        "name": f"Visitor {i}",
        "email": f"visitor{i}@example.org",
        "phone": "+442890123456",
        "interests": ("freedom_partner", "prayer"),
        "consents": {"email": True, "sms": False},
        "consent_text": dict(WORDING),
        "donation_ref": ref(i),
        "content_version": "nh2022-1",
    }
    fields.update(changes)
    return SignupRecord(**fields)  # type: ignore[arg-type]


def edit_pack(pack: Path, old: str, new: str) -> None:
    """Replace the first `old` in a copied pack's content.toml (which must hold it)."""
    path = pack / "content.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

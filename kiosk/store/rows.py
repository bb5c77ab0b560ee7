"""Rows <-> records: the stored columns and their JSON encoding."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from typing import Any

from kiosk.records import SignupRecord


# The same few consent wordings and interest lists repeat on every row: decode each once.
@functools.lru_cache(maxsize=256)
def _json_tuple(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


@functools.lru_cache(maxsize=256)
def _json_dict(text: str) -> tuple[tuple[str, Any], ...]:
    return tuple(json.loads(text).items())


def _row_to_record(row: sqlite3.Row | tuple[Any, ...]) -> SignupRecord:
    """A record from a row of _RECORD_COLUMNS, by position (tuples are fastest to read)."""
    (
        id_,
        created_at,
        device_id,
        first_name,
        last_name,
        name,
        email,
        phone,
        interests,
        consents,
        consent_basis,
        consent_text,
        language,
        donation_ref,
        content_version,
        withdrawn_at,
    ) = row
    return SignupRecord.from_store(
        id=id_,
        created_at=created_at,
        device_id=device_id,
        first_name=first_name,
        last_name=last_name,
        name=name,
        email=email,
        phone=phone,
        interests=_json_tuple(interests),
        consents=dict(_json_dict(consents)),
        consent_basis=dict(_json_dict(consent_basis)),
        consent_text=dict(_json_dict(consent_text)),
        language=language,
        donation_ref=donation_ref,
        content_version=content_version,
        withdrawn_at=withdrawn_at,
    )


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_RECORD_COLUMNS = (
    "id, created_at, device_id, first_name, last_name, name, email, phone, interests, "
    "consents, consent_basis, consent_text, language, donation_ref, content_version, "
    "withdrawn_at"
)


def signup_row(
    rec: SignupRecord,
    saved_at: str,
    dump: Callable[[Any], str] = _dump,
    shared_json: tuple[str, str, str, str] | None = None,
) -> tuple[Any, ...]:
    """One sign-up's values in _RECORD_COLUMNS order, then saved_at: save and import both.

    `shared_json`: the JSON of interests, consents, consent_basis and consent_text,
    already made (an import's records share them), instead of dumping them again.
    """
    interests, consents, basis, text = shared_json or (
        dump(rec.interests),
        dump(rec.consents),
        dump(rec.consent_basis),
        dump(rec.consent_text),
    )
    return (
        rec.id,
        rec.created_at,
        rec.device_id,
        rec.first_name,
        rec.last_name,
        rec.name,
        rec.email,
        rec.phone,
        interests,
        consents,
        basis,
        text,
        rec.language,
        rec.donation_ref,
        rec.content_version,
        rec.withdrawn_at,
        saved_at,
    )

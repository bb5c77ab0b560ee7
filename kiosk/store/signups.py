"""Saving and reading sign-ups: one save with its consent log and outbox row."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from typing import Any

from kiosk.reading import SignupReader
from kiosk.records import CONSENT, SignupRecord
from kiosk.store.core import _Core
from kiosk.store.locking import friendly
from kiosk.store.rows import _RECORD_COLUMNS, _row_to_record, signup_row


def _new_ref(prefix: str) -> str:
    """A fresh donation reference, looked up on kiosk.store (tests replace it there)."""
    from kiosk import store

    return store.new_donation_ref(prefix)


class _SignupsMixin(_Core):
    """Store.save_signup, get, all_ids and the export reader."""

    def save_signup(self, record: SignupRecord) -> SignupRecord:
        """Store the sign-up, its consent log and its outbox row in one transaction.

        Returns once the transaction has committed (durably). The donation
        reference is re-drawn in the rare case it collides with a stored one.
        """

        def body(conn: sqlite3.Connection) -> SignupRecord:
            rec = record
            for _ in range(20):
                taken = conn.execute(
                    "SELECT 1 FROM signups WHERE donation_ref = ?", (rec.donation_ref,)
                ).fetchone()
                if not taken:
                    break
                prefix = rec.donation_ref.rpartition("-")[0]
                rec = dataclasses.replace(rec, donation_ref=_new_ref(prefix))
            self._insert(conn, rec, queue=True)
            return rec

        return self._run(lambda db: self._tx(db, body))

    def _insert(self, conn: sqlite3.Connection, rec: SignupRecord, *, queue: bool) -> None:
        rec = self._sealed(rec)  # the one place sign-ups are written
        now = self._now()
        seq = conn.execute(
            f"INSERT INTO signups ({_RECORD_COLUMNS}, saved_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            signup_row(rec, now),
        ).lastrowid
        conn.executemany(
            "INSERT INTO consent_log (seq, signup_id, channel, granted, wording, recorded_at, "
            "device_id, content_version, basis, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    seq,
                    rec.id,
                    channel,
                    int(granted),
                    rec.consent_text.get(channel, ""),
                    rec.created_at,
                    rec.device_id,
                    rec.content_version,
                    rec.consent_basis.get(channel, CONSENT),
                    rec.language,
                )
                for channel, granted in rec.consents.items()
            ],
        )
        if queue:
            conn.execute("INSERT INTO outbox (seq, queued_at) VALUES (?, ?)", (seq, now))

    def get(self, signup_id: str) -> SignupRecord | None:
        def read(db: sqlite3.Connection) -> SignupRecord | None:
            row = db.execute(
                f"SELECT {_RECORD_COLUMNS} FROM signups WHERE id = ?", [signup_id]
            ).fetchone()
            return _row_to_record(row) if row else None

        return self._read(read)

    def all_ids(self) -> set[str]:
        return self._read(lambda db: {r[0] for r in db.execute("SELECT id FROM signups")})

    def last_seq(self) -> int:
        """The newest sign-up's insertion number (0 when empty): an export's snapshot."""
        return self._read(
            lambda db: db.execute("SELECT COALESCE(MAX(seq), 0) FROM signups").fetchone()[0]
        )

    def reader(
        self,
        *,
        unexported: bool = False,
        since: str | None = None,
        upto: int | None = None,
        batch: int = 2000,
    ) -> SignupReader:
        """The sign-ups for export, oldest first, on a read-only connection.

        `upto` (a last_seq()) leaves out anything saved or imported after it.
        Iterating a damaged database yields every readable row; the reader then
        tells how many could not be read (see kiosk.reading).
        """
        self._run(lambda db: None)  # make sure the file exists and is migrated
        return SignupReader(
            self.path,
            _RECORD_COLUMNS,
            _row_to_record,
            unexported=unexported,
            since=since,
            upto=upto,
            batch=batch,
            describe=friendly,
        )

    def iter_records(self, **filters: Any) -> Iterator[SignupRecord]:
        """Stream records oldest first (the filters of reader())."""
        yield from self.reader(**filters)

"""Find, withdraw (erase one person, keep a marker) and wipe everything."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from kiosk.errors import StorageError
from kiosk.records import SignupRecord
from kiosk.store.core import _Core
from kiosk.store.rows import _RECORD_COLUMNS, _row_to_record

log = logging.getLogger(__name__)


class _ErasureMixin(_Core):
    """Store.find_rows, withdraw, apply_withdrawal and wipe."""

    def find_rows(self, text: str, *, limit: int = 50) -> list[dict[str, Any]]:
        """Sign-ups whose reference or name contains `text`, newest first (for kiosk/finding.py).

        Case and accents are ignored ("sean" finds Seán), and so are the reference's
        dash and spaces ("nh7f3" finds NH-7F3KQ2). With sealing on, by reference only.
        """
        from kiosk.finding import fold, ref_key

        name_like = f"%{_like_escape(fold(text))}%"
        ref = ref_key(text)
        ref_like = f"%{_like_escape(ref)}%" if ref else None

        def read(db: sqlite3.Connection) -> list[dict[str, Any]]:
            conn = db.conn
            conn.create_function("kiosk_fold", 1, fold, deterministic=True)
            rows = conn.execute(
                "SELECT s.id, s.donation_ref, s.first_name, s.last_name, s.name, s.email, "
                "s.phone, s.created_at, s.saved_at, s.withdrawn_at, o.synced_at, e.exported_at "
                "FROM signups s LEFT JOIN outbox o ON o.seq = s.seq "
                "LEFT JOIN exported e ON e.seq = s.seq "
                # Plain-ASCII names by SQLite's own LIKE (case-blind for ASCII); only names
                # with accents or other scripts go through Python to be folded.
                "WHERE (:names AND s.name NOT LIKE 'sealed:v1:%' AND (s.name LIKE :name "
                "ESCAPE '\\' OR (s.name GLOB '*[^ -~]*' AND kiosk_fold(s.name) LIKE :name "
                "ESCAPE '\\'))) OR (:ref IS NOT NULL AND "
                "replace(s.donation_ref, '-', '') LIKE :ref ESCAPE '\\') "
                "ORDER BY s.created_at DESC, s.seq DESC LIMIT :limit",
                {
                    # Sealed names can't be searched (only the office can read them).
                    "names": not self.sealing,
                    "name": name_like,
                    "ref": ref_like,
                    "limit": limit,
                },
            ).fetchall()
            return [dict(r) for r in rows]

        return self._read(read)

    def withdraw(self, ref_or_id: str) -> SignupRecord | None:
        """Erase one person's data on this kiosk, keeping a withdrawal marker to export and sync.

        `ref_or_id` is the sign-up's id or its donation reference (as printed, any
        case). Returns the marker (None when nothing matches). Personal fields are
        overwritten in the database files themselves (secure_delete, then the WAL
        emptied), not just unlinked.
        """
        from kiosk.finding import ref_forms

        key = ref_or_id.strip()
        forms = ref_forms(key) or [key]

        def find(conn: sqlite3.Connection) -> list[Any]:
            # Both indexed: the id, and the reference in each way it may be stored.
            return conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM signups WHERE id = ? OR donation_ref IN "
                f"({','.join('?' * len(forms))})",
                [key.lower(), *forms],
            ).fetchall()

        rows = self._read(lambda db: find(db.conn))
        if not rows:
            return None
        if len(rows) > 1:
            raise StorageError(
                f"{len(rows)} sign-ups have the reference {key} (from different kiosks) — "
                "withdraw by id instead (kiosk find shows it)"
            )
        return self._erase(_row_to_record(rows[0]), queue=True)

    def apply_withdrawal(self, marker: SignupRecord) -> bool:
        """Erase our copy of a sign-up that was withdrawn elsewhere (an imported marker).

        True when a copy was erased now; False when we hold none or it was already erased.
        """
        if not marker.withdrawn:
            raise ValueError("not a withdrawal marker")
        held = self.get(marker.id)
        if held is None or held.withdrawn:
            return False
        self._erase(held, queue=True, withdrawn_at=marker.withdrawn_at)
        return True

    def _erase(
        self, record: SignupRecord, *, queue: bool, withdrawn_at: str | None = None
    ) -> SignupRecord:
        from kiosk.records import withdrawal_marker

        if record.withdrawn:
            return record
        marker = withdrawal_marker(record, withdrawn_at or self._now())
        now = self._now()

        def body(conn: sqlite3.Connection) -> None:
            seq = conn.execute("SELECT seq FROM signups WHERE id = ?", [record.id]).fetchone()[0]
            conn.execute(
                "UPDATE signups SET first_name = NULL, last_name = NULL, name = NULL, "
                "email = NULL, phone = NULL, interests = '[]', consents = '{}', "
                "consent_basis = '{}', consent_text = '{}', withdrawn_at = ? WHERE id = ?",
                [marker.withdrawn_at, record.id],
            )
            # The marker must reach the office: in the next export and the next sync.
            conn.execute("DELETE FROM exported WHERE seq = ?", [seq])
            if queue:
                conn.execute(
                    "INSERT INTO outbox (seq, queued_at) VALUES (?, ?) "
                    "ON CONFLICT(seq) DO UPDATE SET queued_at = excluded.queued_at, "
                    "attempts = 0, next_attempt_at = NULL, last_error = NULL, parked = 0, "
                    "synced_at = NULL",
                    [seq, now],
                )
            # A receiver's refusal may have quoted the record back at us.
            conn.execute("DELETE FROM meta WHERE key = 'last_sync_error'")

        self._run(lambda db: self._tx(db, body))
        self._run(self._scrub, doing="erase that")
        log.info("sign-up %s withdrawn", record.id)
        return marker

    @staticmethod
    def _scrub(db: sqlite3.Connection) -> None:
        # secure_delete (on for this connection) zeroed the old row where it lay; the
        # WAL still holds earlier copies of the page until it is checkpointed and
        # truncated. A reader can hold the checkpoint back for a moment: try again.
        for _ in range(50):
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return
            time.sleep(0.1)
        log.warning("the database log could not be emptied yet; it will be at the next write")

    def wipe(self) -> None:
        """Delete every sign-up, consent log, outbox row and event (end of festival)."""

        def body(conn: sqlite3.Connection) -> None:
            for table in ("outbox", "consent_log", "exported", "signups", "events"):
                conn.execute(f"DELETE FROM {table}")
            # A receiver's refusal may have quoted a record back at us.
            conn.execute("DELETE FROM meta WHERE key LIKE 'last_sync_%'")

        def scrub(db: sqlite3.Connection) -> None:
            # Deleted rows linger in free pages and in the WAL until overwritten:
            # rebuild the file, then empty the WAL, so no visitor survives on disk.
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        self._run(lambda db: self._tx(db, body))
        self._run(scrub)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

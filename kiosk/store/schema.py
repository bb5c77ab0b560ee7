"""The database schema: its version, its migrations and the event kinds."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

log = logging.getLogger(__name__)


SCHEMA_VERSION = 3
EVENT_KINDS = (
    "slide_shown",
    "engage",
    "form_started",
    "form_abandoned",
    "signup_saved",
    "qr_shown",
    "save_failed",
    "idle_reset",
)

_MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    1: """
    CREATE TABLE signups (
        -- seq: insertion order, stable across VACUUM (an INTEGER PRIMARY KEY is).
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT,
        phone TEXT,
        interests TEXT NOT NULL,
        consents TEXT NOT NULL,
        consent_text TEXT NOT NULL,
        donation_ref TEXT NOT NULL,
        content_version TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    -- (created_at, id): the export's order, read straight off the index.
    CREATE INDEX signups_created ON signups(created_at, id);
    -- Not unique: kiosks draw references independently, and an import must not fail
    -- on another kiosk's clash. A kiosk still never reuses one it holds (save_signup).
    CREATE INDEX signups_ref ON signups(donation_ref);
    -- Narrow and keyed by seq, so marking 100,000 exported appends in order and
    -- rewrites no sign-up rows.
    CREATE TABLE exported (
        seq INTEGER PRIMARY KEY REFERENCES signups(seq),
        exported_at TEXT NOT NULL
    );
    -- The office's proof of consent: one row per channel, wording as shown.
    CREATE TABLE consent_log (
        signup_id TEXT NOT NULL REFERENCES signups(id),
        channel TEXT NOT NULL,
        granted INTEGER NOT NULL,
        wording TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        content_version TEXT NOT NULL,
        PRIMARY KEY (signup_id, channel)
    );
    CREATE TABLE outbox (
        signup_id TEXT PRIMARY KEY REFERENCES signups(id),
        queued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        parked INTEGER NOT NULL DEFAULT 0,
        synced_at TEXT
    );
    CREATE INDEX outbox_pending ON outbox(synced_at, parked, queued_at);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX events_at ON events(at);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
}


_SIGNUP_COLUMNS_V2 = (
    "seq", "id", "created_at", "device_id", "first_name", "last_name", "name", "email",
    "phone", "interests", "consents", "consent_basis", "consent_text", "language",
    "donation_ref", "content_version", "withdrawn_at", "saved_at",
)  # fmt: skip


def _to_v2(conn: sqlite3.Connection) -> None:
    """First and last name, language, consent basis and withdrawal (SPEC 5).

    A withdrawn sign-up's name becomes NULL, which SQLite's ALTER TABLE cannot allow:
    sqlite-utils' transform() rebuilds the table (copy, drop, rename, indexes), the job
    it is made for. Loaded only here, when a database needs upgrading, never at start.
    """
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    signups = db["signups"]
    signups.add_column("first_name", str)
    signups.add_column("last_name", str)
    signups.add_column("consent_basis", str, not_null_default="{}")
    signups.add_column("language", str, not_null_default="en")
    signups.add_column("withdrawn_at", str)
    # Older names split at the last space: rtrim by the name's own non-space characters
    # leaves "first ". Every channel of an older record was opt-in consent.
    conn.execute(
        """
        UPDATE signups SET
            first_name = CASE WHEN instr(name, ' ') > 0
                THEN rtrim(rtrim(name, replace(name, ' ', '')), ' ') ELSE name END,
            last_name = CASE WHEN instr(name, ' ') > 0
                THEN substr(name, length(rtrim(name, replace(name, ' ', ''))) + 1) END,
            consent_basis = COALESCE(
                (SELECT json_group_object(key, 'consent') FROM json_each(consents)), '{}')
        """
    )
    signups.transform(not_null={"name": False}, column_order=_SIGNUP_COLUMNS_V2)
    db["consent_log"].add_column("basis", str, not_null_default="consent")
    db["consent_log"].add_column("language", str, not_null_default="en")


_MIGRATIONS[2] = _to_v2

# Schema 3: the consent log and the outbox are keyed by the sign-up's seq, not its text
# id. Rows then append in insertion order instead of landing at random places in a
# text index: an import of 100,000 sign-ups spent ~40% of its database time there.
# The consent log keeps the id, so each proof of consent still names its sign-up.
_MIGRATIONS[3] = """
CREATE TABLE consent_log_v3 (
    seq INTEGER NOT NULL REFERENCES signups(seq),
    signup_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    granted INTEGER NOT NULL,
    wording TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    device_id TEXT NOT NULL,
    content_version TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT 'consent',
    language TEXT NOT NULL DEFAULT 'en',
    PRIMARY KEY (seq, channel)
);
INSERT INTO consent_log_v3 (seq, signup_id, channel, granted, wording, recorded_at,
    device_id, content_version, basis, language)
SELECT s.seq, c.signup_id, c.channel, c.granted, c.wording, c.recorded_at, c.device_id,
    c.content_version, c.basis, c.language
FROM consent_log c JOIN signups s ON s.id = c.signup_id ORDER BY s.seq, c.rowid;
DROP TABLE consent_log;
ALTER TABLE consent_log_v3 RENAME TO consent_log;
CREATE TABLE outbox_v3 (
    seq INTEGER PRIMARY KEY REFERENCES signups(seq),
    queued_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    parked INTEGER NOT NULL DEFAULT 0,
    synced_at TEXT
);
INSERT INTO outbox_v3 (seq, queued_at, attempts, next_attempt_at, last_error, parked,
    synced_at)
SELECT s.seq, o.queued_at, o.attempts, o.next_attempt_at, o.last_error, o.parked, o.synced_at
FROM outbox o JOIN signups s ON s.id = o.signup_id ORDER BY s.seq;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox(synced_at, parked, queued_at);
"""


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the database up to SCHEMA_VERSION, one transaction per step."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"database schema {version} is newer than this kiosk ({SCHEMA_VERSION})"
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = _MIGRATIONS[target]
            if callable(step):
                step(conn)
            else:
                for statement in step.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        log.info("database migrated to schema %d", target)

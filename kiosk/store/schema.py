"""The database schema: its version, its migrations and the event kinds."""

from __future__ import annotations

import logging
import sqlite3

log = logging.getLogger(__name__)


SCHEMA_VERSION = 2
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

_MIGRATIONS: dict[int, str] = {
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
    # First and last name, language, consent basis, withdrawal (SPEC 5). The table is
    # rebuilt because a withdrawn sign-up's name becomes NULL; old names split at the
    # last space (rtrim by the name's own non-space characters leaves "first ").
    2: """
    CREATE TABLE signups_v2 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        device_id TEXT NOT NULL,
        first_name TEXT,
        last_name TEXT,
        name TEXT,
        email TEXT,
        phone TEXT,
        interests TEXT NOT NULL,
        consents TEXT NOT NULL,
        consent_basis TEXT NOT NULL,
        consent_text TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT 'en',
        donation_ref TEXT NOT NULL,
        content_version TEXT NOT NULL,
        withdrawn_at TEXT,
        saved_at TEXT NOT NULL
    );
    INSERT INTO signups_v2 (
        seq, id, created_at, device_id, first_name, last_name, name, email, phone,
        interests, consents, consent_basis, consent_text, language, donation_ref,
        content_version, withdrawn_at, saved_at)
    SELECT seq, id, created_at, device_id,
        CASE WHEN instr(name, ' ') > 0
             THEN rtrim(rtrim(name, replace(name, ' ', '')), ' ') ELSE name END,
        CASE WHEN instr(name, ' ') > 0
             THEN substr(name, length(rtrim(name, replace(name, ' ', ''))) + 1) END,
        name, email, phone, interests, consents,
        COALESCE((SELECT json_group_object(key, 'consent') FROM json_each(consents)), '{}'),
        consent_text, 'en', donation_ref, content_version, NULL, saved_at
    FROM signups;
    DROP INDEX signups_created;
    DROP INDEX signups_ref;
    DROP TABLE signups;
    ALTER TABLE signups_v2 RENAME TO signups;
    CREATE INDEX signups_created ON signups(created_at, id);
    CREATE INDEX signups_ref ON signups(donation_ref);
    ALTER TABLE consent_log ADD COLUMN basis TEXT NOT NULL DEFAULT 'consent';
    ALTER TABLE consent_log ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
    """,
}


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
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        log.info("database migrated to schema %d", target)

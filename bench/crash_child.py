"""The victim of the crash test: saves sign-ups through the real Store until it is killed.

Each line on stdout is one acknowledgement — the canonical JSON of a sign-up whose
save_signup() has returned — written and flushed only after the commit.
Usage: python bench/crash_child.py DATA_DIR [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.records import (
    SignupRecord,
    iso_ms,
    normalise_name,
    utc_now,
)
from kiosk.store import Store

# Hostile but valid names: a crash must not lose or mangle any of them.
NAMES = [
    "Seán Ó Briain",
    "Aoife Nic Giolla Phádraig",
    "Robert'); DROP TABLE signups;--",
    '=HYPERLINK("http://x")',
    "مريم الحسن",
    "李小龍",
    "Zoë 🎉 Smith",
    "x" * 100,
    "Tab\there\nnewline",
]
CONSENT_TEXT = {
    "email": "Yes, IJM UK may email me about its work and how I can help.",
    "sms": "Yes, IJM UK may text me.",
    "phone": "Yes, IJM UK may phone me.",
}
INTERESTS = ("freedom_partner", "pray", "informed", "talk")


def make_record(rng: random.Random) -> SignupRecord:
    """A valid, already-normalised sign-up with a fresh UUID."""
    signup_id = str(uuid.uuid4())
    chosen = tuple(k for k in INTERESTS if rng.random() < 0.5) or ("informed",)
    return SignupRecord(
        id=signup_id,
        created_at=iso_ms(utc_now()),
        device_id="tent-crash",
        name=normalise_name(rng.choice(NAMES)),
        email=f"visitor.{signup_id[:8]}@example.org",
        phone=rng.choice([None, "+442890123456", "+353871234567"]),
        interests=chosen,
        consents={k: rng.random() < 0.5 for k in CONSENT_TEXT},
        consent_text=dict(CONSENT_TEXT),
        # A tiny code space, so donation-ref collisions (and their redraw) happen often.
        donation_ref="NH-AAAA" + rng.choice("AB") + rng.choice("AB"),
        content_version="nh2022-crash",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    store = Store(args.data_dir / "kiosk.db")
    out = sys.stdout
    recent: list[str] = []
    n = 0
    while True:
        n += 1
        saved = store.save_signup(make_record(rng))
        out.write(json.dumps(saved.to_json()) + "\n")
        out.flush()
        recent.append(saved.id)
        # Other writes too, so kills also land inside those transactions.
        if n % 7 == 0:
            store.record_event("signup_saved")
        if n % 11 == 0:
            store.mark_synced(recent[-3:])
        if n % 13 == 0:
            store.mark_exported(recent[-5:])
            recent.clear()


if __name__ == "__main__":
    sys.exit(main())

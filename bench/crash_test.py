"""Crash durability: SIGKILL a child saving sign-ups at random moments, then prove nothing was lost.

Every sign-up the child acknowledged must be stored exactly, with its consent log
and outbox row, and PRAGMA integrity_check must say "ok". Exit 0 only if so.
Usage: python bench/crash_test.py --kills 200 [--seed N] [--data-dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.records import SignupRecord
from kiosk.store import Store

CHILD = Path(__file__).with_name("crash_child.py")
STARTUP_TIMEOUT_S = 60.0


class ChildFailed(RuntimeError):
    """The child stopped or hung on its own before it was killed: itself a durability bug."""


@dataclass(frozen=True)
class KillRun:
    kills: int
    kills_before_first_ack: int
    acknowledged: tuple[SignupRecord, ...]
    seconds: float


@dataclass(frozen=True)
class Verdict:
    acknowledged: int
    present: int
    rows: int
    integrity: str
    missing: tuple[str, ...] = ()
    mismatched: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()
    foreign_key_problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return (
            self.integrity == "ok"
            and self.present == self.acknowledged
            and not (self.missing or self.mismatched or self.incomplete)
            and not self.foreign_key_problems
        )


def kill_once(
    data_dir: Path, *, delay_s: float, child_seed: int, from_spawn: bool = False
) -> list[SignupRecord]:
    """Start the child, SIGKILL it `delay_s` after its first acknowledgement, return its acks.

    With `from_spawn`, the delay counts from the start instead, so the kill can land
    while the child opens the database, recovers its WAL or migrates the schema.
    """
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), "--seed", str(child_seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines: list[bytes] = []
    first = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(raw)
            first.set()
        first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    problem = None
    try:
        if not from_spawn and not first.wait(STARTUP_TIMEOUT_S):
            problem = f"no acknowledgement within {STARTUP_TIMEOUT_S:.0f} s"
        else:
            time.sleep(delay_s)
            if proc.poll() is not None:
                problem = f"child exited by itself with code {proc.returncode}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        assert proc.stdout is not None and proc.stderr is not None
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stdout.close()
        proc.stderr.close()
    if problem or proc.returncode != -signal.SIGKILL:
        raise ChildFailed(f"{problem or f'child ended with {proc.returncode}'}:\n{stderr[-2000:]}")
    # Only whole lines are acknowledgements; a torn last line was never acknowledged.
    return [SignupRecord.from_json(json.loads(raw)) for raw in lines if raw.endswith(b"\n")]


def run_kills(
    data_dir: Path,
    kills: int,
    *,
    seed: int = 0,
    max_delay_s: float = 0.3,
    early_every: int = 10,
    progress: bool = False,
) -> KillRun:
    """Kill the child `kills` times on the same data folder; every `early_every`-th kill
    counts its delay from spawn (start-up, recovery, migration)."""
    rng = random.Random(seed)
    acked: list[SignupRecord] = []
    before_first_ack = 0
    started = time.perf_counter()
    for n in range(kills):
        from_spawn = early_every > 0 and n % early_every == early_every - 1
        delay = rng.uniform(0, max_delay_s + (0.6 if from_spawn else 0.0))
        got = kill_once(
            data_dir, delay_s=delay, child_seed=rng.randrange(2**31), from_spawn=from_spawn
        )
        before_first_ack += not got
        acked += got
        if progress and (n + 1) % 20 == 0:
            print(f"  {n + 1}/{kills} kills, {len(acked)} acknowledged", flush=True)
    return KillRun(
        kills=kills,
        kills_before_first_ack=before_first_ack,
        acknowledged=tuple(acked),
        seconds=time.perf_counter() - started,
    )


_INCOMPLETE_SQL = """
SELECT s.id FROM signups s
WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.seq = s.seq)
   OR (SELECT COUNT(*) FROM consent_log c WHERE c.seq = s.seq AND c.signup_id = s.id)
      != (SELECT COUNT(*) FROM json_each(s.consents))
   OR '' IN (s.id, s.created_at, s.device_id, s.name, s.donation_ref, s.content_version,
             s.saved_at)
   OR s.interests IN ('', '[]') OR s.consents = '' OR s.consent_text = ''
"""


def verify(db_path: Path, acknowledged: tuple[SignupRecord, ...] | list[SignupRecord]) -> Verdict:
    """Reopen the database through the real Store and check every acknowledged sign-up."""
    with Store(db_path) as store:
        integrity = store.check()
        # The harness reads through the store's own connection, like the kiosk would.
        incomplete = store._run(lambda db: [r[0] for r in db.execute(_INCOMPLETE_SQL)])
        fk = store._run(lambda db: [str(tuple(r)) for r in db.execute("PRAGMA foreign_key_check")])
        consent_rows: dict[str, set[tuple[str, int, str]]] = {}
        for sid, channel, granted, wording in store._run(
            lambda db: db.execute(
                "SELECT signup_id, channel, granted, wording FROM consent_log"
            ).fetchall()
        ):
            consent_rows.setdefault(sid, set()).add((channel, granted, wording))
        rows = len(store.all_ids())
        missing: list[str] = []
        mismatched: list[str] = []
        present = 0
        for rec in acknowledged:
            got = store.get(rec.id)
            if got is None:
                missing.append(rec.id)
                continue
            present += 1
            expected_consents = {
                (ch, int(ok), rec.consent_text[ch]) for ch, ok in rec.consents.items()
            }
            if got != rec or consent_rows.get(rec.id, set()) != expected_consents:
                mismatched.append(rec.id)
    return Verdict(
        acknowledged=len(acknowledged),
        present=present,
        rows=rows,
        integrity=integrity,
        missing=tuple(missing),
        mismatched=tuple(mismatched),
        incomplete=tuple(incomplete),
        foreign_key_problems=tuple(fk),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-delay-ms", type=float, default=300.0)
    parser.add_argument("--data-dir", type=Path, help="default: a fresh temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the data folder afterwards")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kiosk-crash-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"crash test: {args.kills} kills, seed {seed}, data folder {data_dir}", flush=True)
    try:
        run = run_kills(
            data_dir,
            args.kills,
            seed=seed,
            max_delay_s=args.max_delay_ms / 1000,
            progress=True,
        )
    except ChildFailed as exc:
        print(f"FAIL: the child failed on its own: {exc}", file=sys.stderr)
        print(f"data folder kept: {data_dir}", file=sys.stderr)
        return 1
    verdict = verify(data_dir / "kiosk.db", run.acknowledged)
    print(
        f"kills: {run.kills} ({run.kills_before_first_ack} before the first acknowledgement)\n"
        f"acknowledged: {verdict.acknowledged}\n"
        f"present: {verdict.present} (rows in database: {verdict.rows})\n"
        f"missing: {len(verdict.missing)}, mismatched: {len(verdict.mismatched)}, "
        f"half-written: {len(verdict.incomplete)}, "
        f"foreign-key problems: {len(verdict.foreign_key_problems)}\n"
        f"integrity: {verdict.integrity}\n"
        f"duration: {run.seconds:.1f} s (seed {seed})"
    )
    if not verdict.ok:
        for label, ids in (
            ("missing", verdict.missing),
            ("mismatched", verdict.mismatched),
            ("half-written", verdict.incomplete),
            ("foreign key", verdict.foreign_key_problems),
        ):
            for item in ids[:10]:
                print(f"  {label}: {item}", file=sys.stderr)
        print(f"FAIL — data folder kept: {data_dir}", file=sys.stderr)
        return 1
    if not args.keep and args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

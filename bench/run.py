"""The project's own benchmark: every quality bar of SPEC section 10, beside its reference.

    uv run python bench/run.py [--quick] [--runs N]   # the bars (default 5 runs each)
    uv run python bench/run.py --soak MINUTES         # no growth in memory/timers/threads/widgets

Qt parts run in fresh child processes (bench/_kiosk_probe.py, bench/_empty_window.py) with
QT_QPA_PLATFORM=offscreen. Writes bench/results/latest.json (or soak.json); exits 0 when
every bar is met, 1 when one is missed, 2 when the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.records import REF_ALPHABET, REF_LENGTH, SignupRecord, iso_ms  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PROBE = BENCH / "_kiosk_probe.py"
EMPTY = BENCH / "_empty_window.py"
RECEIVER = BENCH / "_receiver.py"
# `kiosk export` and `kiosk import` as child processes, each timed from inside, from
# opening the store to the operation's return (no interpreter start-up; both pay for
# opening the store and loading what their path needs, as the office's commands do).
# The import's own peak RSS is the bar's: VmHWM on Linux (ru_maxrss survives exec, so
# a child of this big bench process would report the parent's peak), ru_maxrss (KiB)
# elsewhere. CPU time (user + system, all threads) beside the wall time: on a shared
# machine it is the steadier comparison.
EXPORT_CHILD = """
import json, sys, time
from pathlib import Path
from kiosk.exporting import export_signups
from kiosk.store import Store
t0, c0 = time.perf_counter(), time.process_time()
with Store(Path(sys.argv[2]) / "kiosk.db") as store:
    result = export_signups(store, "jsonl", Path(sys.argv[1]))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print("BENCH " + json.dumps({"seconds": seconds, "cpu_seconds": cpu, "count": result.count}))
"""
IMPORT_CHILD = """
import json, resource, sys, time
from pathlib import Path
from kiosk.importing import import_jsonl
from kiosk.store import Store
t0, c0 = time.perf_counter(), time.process_time()
with Store(Path(sys.argv[2]) / "kiosk.db") as store:
    result = import_jsonl(store, Path(sys.argv[1]))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    pending = store.stats().pending_sync
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status = Path("/proc/self/status")
for text in (status.read_text().splitlines() if status.exists() else []):
    if text.startswith("VmHWM:"):
        rss = int(text.split()[1]) / 1024
print("BENCH " + json.dumps({"seconds": seconds, "cpu_seconds": cpu, "added": result.added,
                             "pending_sync": pending, "peak_rss_mib": rss}))
"""
SECRET = "bench-secret-0123456789"
MIB = 1024 * 1024

# Hostile but valid names and the default pack's wording: exports must escape them all.
NAMES = (
    "Seán Ó Briain",
    "Aoife Nic Giolla Phádraig",
    "Hannah Smith",
    "مريم الحسن",
    "李小龍",
    "Zoë 🎉 Smith",
    '=HYPERLINK("http://x")',
    "Robert'); DROP TABLE signups;--",
    "-1+1",
    "@SUM(A1:A9)",
)
CONSENT_TEXT = {
    "email": "Yes, IJM UK may email me about its work and how I can help.",
    "sms": "Yes, IJM UK may text me about its work and how I can help.",
    "phone": "Yes, IJM UK may phone me about its work and how I can help.",
}
INTERESTS = ("freedom_partner", "prayer", "email_updates", "talk")


class BenchError(RuntimeError):
    """The benchmark itself could not measure something (a child failed or hung)."""


@dataclass(frozen=True)
class Row:
    """One line of the table: a bar, what was measured, and its same-run reference."""

    key: str
    what: str
    measured: str
    reference: str
    bar: str
    ok: bool | None  # None: not measured on this machine
    values: dict = field(default_factory=dict)


# -- plumbing ------------------------------------------------------------------------


def child_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    # Like an installed kiosk after its first start: bytecode cached (kept out of the tree).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    return env


def run_child(cmd: list[str], env: dict[str, str], timeout_s: float) -> tuple[dict, float]:
    """Run a probe; returns its BENCH payload and the wall time just before it was spawned."""
    spawned = time.time()
    try:
        proc = subprocess.run(
            [sys.executable, *cmd],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(
            f"{Path(cmd[0]).name} {cmd[1]} did not finish in {timeout_s:.0f} s"
        ) from exc
    payload = None
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            payload = json.loads(line[6:])
    if proc.returncode != 0 or payload is None:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise BenchError(f"{Path(cmd[0]).name} {cmd[1]} failed (exit {proc.returncode}):\n{tail}")
    return payload, spawned


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def make_records(n: int, *, device: str = "tent-bench", seed: int = 7) -> Iterator[SignupRecord]:
    """`n` valid, already-normalised sign-ups with unique ids and donation refs."""
    rng = random.Random(seed)
    start = dt.datetime(2022, 7, 25, 10, tzinfo=dt.UTC)
    base = len(REF_ALPHABET)
    for i in range(n):
        ref, k = [], i + seed * 1_000_000
        for _ in range(REF_LENGTH):
            k, digit = divmod(k, base)
            ref.append(REF_ALPHABET[digit])
        consents = {key: rng.random() < 0.5 for key in CONSENT_TEXT}
        yield SignupRecord(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            created_at=iso_ms(start + dt.timedelta(seconds=i * 3)),
            device_id=device,
            name=NAMES[i % len(NAMES)],
            email=f"visitor.{i}@example.org",
            phone=("+442890123456", "+353871234567", None)[i % 3],
            interests=tuple(k for j, k in enumerate(INTERESTS) if (i >> j) & 1) or ("prayer",),
            consents=consents,
            consent_text=dict(CONSENT_TEXT),
            donation_ref="NH-" + "".join(ref),
            content_version="nh2022-1",
        )


def fill_store(path: Path, n: int, *, queue_for_sync: bool = False) -> None:
    """A database of `n` sign-ups in one transaction (setup, not measured)."""
    from kiosk.store import Store

    with Store(path) as store:
        store.import_records(make_records(n), queue=queue_for_sync)


def unmark(db: Path) -> None:
    """Forget earlier exports (setup between runs, with the store closed)."""
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "exported" in tables:  # the narrow table of exported ids
            conn.execute("DELETE FROM exported")
        else:  # an older schema kept the time on the sign-up row
            conn.execute("UPDATE signups SET exported_at = NULL")
    conn.close()


# -- the bars ------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.env = child_env(work)
        self.runs = args.runs
        self.quick = args.quick
        self.raw: dict[str, object] = {}

    def data_dir(self, name: str) -> Path:
        from kiosk.security import has_pin, set_pin

        path = self.work / name
        path.mkdir(parents=True, exist_ok=True)
        if not has_pin(path):
            set_pin(path, "2468")  # a kiosk with no PIN starts on set-up, not the loop
            from kiosk.store import Store

            # A set-up kiosk has its database: the first-ever open migrates the schema
            # (through sqlite-utils), which no later start of the kiosk does again.
            with Store(path / "kiosk.db") as store:
                store.stats()
        return path

    def log(self, text: str) -> None:
        print(f"  … {text}", file=sys.stderr, flush=True)

    # 1. start to first slide painted -------------------------------------------------

    def startup(self) -> list[Row]:
        self.log(f"start to first slide painted ({self.runs} runs each, interleaved)")
        data = self.data_dir("start")
        kiosk_cmd = [str(PROBE), "start", "--data-dir", str(data)]
        empty_cmd = [str(EMPTY), "start"]
        for cmd in (empty_cmd, kiosk_cmd):  # warm the file cache and the bytecode cache
            run_child(cmd, self.env, 60)
        kiosk, empty, kiosk_py, empty_py, ready = [], [], [], [], []
        for _ in range(self.runs):
            for cmd, into, py in ((empty_cmd, empty, empty_py), (kiosk_cmd, kiosk, kiosk_py)):
                out, spawned = run_child(cmd, self.env, 60)
                into.append(out["painted_at"] - spawned)
                py.append(out["main_at"] - spawned)
            ready.append(out["ready_at"] - spawned)  # the kiosk's: built, taps served
        k, e = statistics.median(kiosk), statistics.median(empty)
        ratio = k / e
        self.raw["startup"] = {
            "kiosk_s": kiosk,
            "empty_s": empty,
            "kiosk_ready_s": ready,
            "kiosk_interpreter_s": kiosk_py,
            "empty_interpreter_s": empty_py,
        }
        return [
            Row(
                "start",
                "start to first slide painted",
                f"{fmt_s(k)} ({ratio:.2f}×)",
                f"empty window {fmt_s(e)}; kiosk ready for a tap {fmt_s(statistics.median(ready))}",
                "≤ 1.5× empty window",
                ratio <= 1.5,
                {"kiosk_s": k, "empty_s": e, "ratio": ratio},
            )
        ]

    # 2. peak RSS while looping -----------------------------------------------------------

    def memory(self) -> list[Row]:
        self.log(f"peak RSS while looping ({self.runs} runs each)")
        data = self.data_dir("rss")
        cycles = "1" if self.quick else "3"
        kiosk, empty = [], []
        for _ in range(self.runs):
            out, _ = run_child([str(EMPTY), "rss"], self.env, 60)
            empty.append(out["maxrss_kib"] * 1024)
            out, _ = run_child(
                [str(PROBE), "rss", "--data-dir", str(data), "--cycles", cycles], self.env, 120
            )
            kiosk.append(out["maxrss_kib"] * 1024)
        k, e = statistics.median(kiosk), statistics.median(empty)
        ratio = k / e
        rows = [
            Row(
                "rss",
                "peak RSS while looping",
                f"{k / MIB:.0f} MiB ({ratio:.2f}×)",
                f"empty window {e / MIB:.0f} MiB",
                "≤ 1.6× empty window",
                ratio <= 1.6,
                {"kiosk_bytes": k, "empty_bytes": e, "ratio": ratio},
            )
        ]
        chromium = self.chromium_rss()
        self.raw["rss"] = {"kiosk_bytes": kiosk, "empty_bytes": empty, "chromium": chromium}
        if chromium is None:
            rows.append(
                Row(
                    "rss_chromium",
                    "peak RSS vs Chromium showing a page",
                    f"{k / MIB:.0f} MiB",
                    "Chromium: not measured (not installed)",
                    "≥ 3× less than Chromium",
                    None,
                )
            )
        else:
            c = statistics.median(chromium["rss_sum"])
            less = c / k
            rows.append(
                Row(
                    "rss_chromium",
                    "peak RSS vs Chromium showing a page",
                    f"{k / MIB:.0f} MiB ({less:.1f}× less)",
                    f"Chromium {c / MIB:.0f} MiB (RSS sum, {chromium['processes']} processes; "
                    f"PSS sum {statistics.median(chromium['pss_sum']) / MIB:.0f} MiB)",
                    "≥ 3× less than Chromium",
                    less >= 3,
                    {"kiosk_bytes": k, "chromium_bytes": c, "times_less": less},
                )
            )
        return rows

    def chromium_rss(self) -> dict | None:
        exe = (
            shutil.which("chromium")
            or shutil.which("chromium-browser")
            or shutil.which("google-chrome")
        )
        if exe is None:
            return None
        page = self.work / "slide.html"
        page.write_text(slide_page(), encoding="utf-8")
        sums, pss_sums, processes = [], [], 0
        for i in range(min(self.runs, 3)):
            profile = self.work / f"chromium-profile-{i}"
            proc = subprocess.Popen(
                [
                    exe,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=1920,1080",
                    f"--user-data-dir={profile}",
                    page.as_uri(),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                peak, peak_pss = 0, 0
                deadline = time.monotonic() + 3.0
                while time.monotonic() < deadline:
                    time.sleep(0.25)
                    rss, pss, count = tree_memory(proc.pid)
                    if rss > peak:
                        peak, peak_pss, processes = rss, pss, count
                sums.append(peak)
                pss_sums.append(peak_pss)
            finally:
                # Its own process group (start_new_session): the browser and its helpers only.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        version = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        return {"rss_sum": sums, "pss_sum": pss_sums, "processes": processes, "version": version}

    # 3. tap to next screen painted --------------------------------------------------------

    def taps(self) -> list[Row]:
        taps = 40 if self.quick else 200
        self.log(f"tap to next screen painted ({taps} visitor flows, 4 taps each)")
        out, _ = run_child(
            [str(PROBE), "tap", "--data-dir", str(self.data_dir("tap")), "--taps", str(taps)],
            self.env,
            600,
        )
        self.raw["tap"] = out
        labels = {
            "attract>involved": "tap: loop → Get involved",
            "tile>form": "tap: tile → sign-up form",
            "next>step": "tap: Next → next sign-up step",
            "submit>thanks": "tap: Sign up (durable save) → Thank you",
            "done>attract": "tap: Done → loop",
        }
        rows = []
        for key, what in labels.items():
            values = out["timings_ms"][key]
            med, p95 = statistics.median(values), pct(values, 0.95)
            missed = out["missed"][key]
            ok = med <= 30 and p95 <= 50 and missed == 0
            rows.append(
                Row(
                    f"tap_{key}",
                    what,
                    f"median {med:.1f} ms, p95 {p95:.1f} ms"
                    + (f", {missed} never painted" if missed else ""),
                    f"{len(values)} taps",
                    "median ≤ 30 ms, p95 ≤ 50 ms",
                    ok,
                    {
                        "median_ms": med,
                        "p95_ms": p95,
                        "max_ms": max(values),
                        "n": len(values),
                        "missed": missed,
                    },
                )
            )
        deferred = out["deferred_ms"]
        rows.append(
            Row(
                "tap_deferred",
                "work deferred past a screen's paint (no bar)",
                f"median {statistics.median(deferred):.1f} ms, p95 {pct(deferred, 0.95):.1f} ms, "
                f"max {max(deferred):.1f} ms",
                f"{len(deferred)} waits before a tap (the taps above exclude it)",
                "—",
                None,
                {
                    "median_ms": statistics.median(deferred),
                    "p95_ms": pct(deferred, 0.95),
                    "max_ms": max(deferred),
                    "n": len(deferred),
                },
            )
        )
        return rows

    # 4. save a sign-up, durable -------------------------------------------------------------

    def saves(self) -> list[Row]:
        from kiosk.content import load_content
        from kiosk.paths import DEFAULT_CONTENT_DIR
        from kiosk.records import SignupForm, build_record
        from kiosk.store import Store

        n = 200 if self.quick else 1000
        self.log(f"save a sign-up, durable ({self.runs} runs × {n} saves)")
        content = load_content(DEFAULT_CONTENT_DIR)
        p95s, medians, all_ms = [], [], []
        for run in range(self.runs):
            path = self.data_dir(f"save-{run}") / "kiosk.db"
            with Store(path) as store:
                times = []
                for i in range(n + 20):
                    form = SignupForm(
                        first_name=NAMES[i % len(NAMES)],
                        email=f"v{i}@example.org",
                        phone="028 9012 3456",
                        interests=("freedom_partner",),
                        consents={"email": True, "sms": False, "phone": i % 2 == 0},
                    )
                    record = build_record(form, content, "tent-bench")
                    t0 = time.perf_counter()
                    store.save_signup(record)
                    times.append((time.perf_counter() - t0) * 1000)
                times = times[20:]  # the first saves open and migrate the database
                if store.stats().total != n + 20:
                    raise BenchError("saved sign-ups are missing from the store")
            p95s.append(pct(times, 0.95))
            medians.append(statistics.median(times))
            all_ms.extend(times)
        p95 = statistics.median(p95s)
        self.raw["save"] = {"p95_ms": p95s, "median_ms": medians}
        return [
            Row(
                "save",
                "save a sign-up, durable (synchronous=FULL)",
                f"p95 {p95:.2f} ms (median {statistics.median(medians):.2f} ms)",
                f"{self.runs} × {n} saves; worst run p95 {max(p95s):.2f} ms",
                "p95 ≤ 15 ms",
                p95 <= 15,
                {"p95_ms": p95, "p99_ms": pct(all_ms, 0.99)},
            )
        ]

    # 5. export 100,000 sign-ups ---------------------------------------------------------------

    def exports(self) -> list[Row]:
        from kiosk.exporting import export_signups
        from kiosk.store import Store

        n = 20_000 if self.quick else 100_000
        limit = 2.0 * n / 100_000
        self.log(f"export {n:,} sign-ups (filling the database first)")
        db = self.data_dir("export") / "kiosk.db"
        t0 = time.perf_counter()
        fill_store(db, n)
        fill_s = time.perf_counter() - t0
        out_dir = self.data_dir("export-out")
        rows = []
        timings: dict[str, list[float]] = {"csv": [], "jsonl": [], "xlsx": []}
        # At most 3 runs: each one re-marks n rows, and the whole bench must stay short.
        runs = min(self.runs, 3)
        formats = [f for _ in range(runs) for f in ("csv", "jsonl")]
        if self.args.xlsx:
            formats.append("xlsx")
        for run, fmt in enumerate(formats):
            # Every run exports n sign-ups none of which were exported before, as at the
            # end of a festival day (marking them exported is part of the export).
            unmark(db)
            target = out_dir / f"run{run}.{fmt}"
            with Store(db) as store:
                t0 = time.perf_counter()
                result = export_signups(store, fmt, target)
                timings[fmt].append(time.perf_counter() - t0)
                unexported = store.stats().unexported
            if result.count != n or unexported:
                raise BenchError(
                    f"{fmt} export wrote {result.count} of {n} sign-ups and left "
                    f"{unexported} unexported"
                )
            target.unlink()
        self.raw["export"] = {**timings, "fill_s": fill_s, "n": n}
        for fmt in ("csv", "jsonl"):
            s = statistics.median(timings[fmt])
            rows.append(
                Row(
                    f"export_{fmt}",
                    f"export {n:,} sign-ups, {fmt.upper()}",
                    f"{s:.2f} s ({n / s:,.0f}/s)",
                    f"{runs} runs",
                    f"≤ {limit:g} s",
                    s <= limit,
                    {"seconds": s, "n": n},
                )
            )
        if timings["xlsx"]:
            s = timings["xlsx"][0]
            rows.append(
                Row(
                    "export_xlsx",
                    f"export {n:,} sign-ups, XLSX (no bar)",
                    f"{s:.2f} s",
                    "1 run",
                    "—",
                    None,
                    {"seconds": s, "n": n},
                )
            )
        return rows

    # 5b. import 100,000 sign-ups (another kiosk's JSONL) -------------------------------------

    def imports(self) -> list[Row]:
        """Export n sign-ups as JSONL, then import that file into a fresh kiosk, each in a
        child process, alternating: the import's time against the export's, and the
        import's peak RSS."""
        n = 20_000 if self.quick else 100_000
        runs = min(self.runs, 5)
        self.log(f"import {n:,} sign-ups from another kiosk's JSONL ({runs} runs)")
        db = self.data_dir("import-source") / "kiosk.db"
        fill_store(db, n)
        out_dir = self.data_dir("import-file")
        export_s, import_s, export_cpu, import_cpu, rss = [], [], [], [], []
        for run in range(runs):
            unmark(db)
            target = out_dir / f"run{run}.jsonl"
            out, _ = run_child(["-c", EXPORT_CHILD, str(target), str(db.parent)], self.env, 600)
            if out["count"] != n:
                raise BenchError(f"export for import wrote {out['count']} of {n}")
            export_s.append(out["seconds"])
            export_cpu.append(out["cpu_seconds"])
            data = self.data_dir(f"import-into-{run}")
            out, _ = run_child(["-c", IMPORT_CHILD, str(target), str(data)], self.env, 600)
            if out["added"] != n or out["pending_sync"] != n:
                raise BenchError(f"import added {out['added']} of {n}: {out}")
            import_s.append(out["seconds"])
            import_cpu.append(out["cpu_seconds"])
            rss.append(out["peak_rss_mib"])
            target.unlink()
            shutil.rmtree(data, ignore_errors=True)
        e, i, r = statistics.median(export_s), statistics.median(import_s), max(rss)
        ec, ic = statistics.median(export_cpu), statistics.median(import_cpu)
        self.raw["import"] = {
            "export_s": export_s,
            "import_s": import_s,
            "export_cpu_s": export_cpu,
            "import_cpu_s": import_cpu,
            "rss_mib": rss,
            "n": n,
        }
        return [
            Row(
                "import",
                f"import {n:,} sign-ups (JSONL, streamed)",
                f"{i:.2f} s ({i / e:.2f}× export), CPU {ic:.2f} s ({ic / ec:.2f}× export's), "
                f"peak RSS {r:.0f} MiB",
                f"export of the same {n:,}: {e:.2f} s, CPU {ec:.2f} s; {runs} runs",
                "≤ 2× export, < 200 MiB",
                i <= 2 * e and r < 200,
                {
                    "seconds": i,
                    "export_seconds": e,
                    "ratio": i / e,
                    "cpu_seconds": ic,
                    "export_cpu_seconds": ec,
                    "cpu_ratio": ic / ec,
                    "rss_mib": r,
                    "n": n,
                },
            )
        ]

    # 6. sync 10,000 sign-ups -------------------------------------------------------------

    def sync(self) -> list[Row]:
        from kiosk.settings import load_settings
        from kiosk.store import Store
        from kiosk.sync import SyncEngine, make_target

        n = 2_000 if self.quick else 10_000
        limit = 5.0 * n / 10_000
        self.log(f"sync {n:,} sign-ups to a local receiver ({self.runs} runs)")
        db = self.data_dir("sync") / "kiosk.db"
        fill_store(db, n, queue_for_sync=True)
        receiver = subprocess.Popen(
            [sys.executable, str(RECEIVER), SECRET],
            env=self.env,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        timings, requests = [], []
        try:
            line = receiver.stdout.readline()
            if not line.startswith("BENCH "):
                raise BenchError("the local receiver did not start")
            url = f"http://127.0.0.1:{json.loads(line[6:])['port']}/signups"
            settings = load_settings(
                self.data_dir("sync-settings"), {"sync.url": url, "sync.secret": SECRET}
            )
            import httpx

            with httpx.Client(timeout=10) as admin:
                for run in range(self.runs):
                    if run:
                        with sqlite3.connect(db) as conn:
                            conn.execute(
                                "UPDATE outbox SET synced_at = NULL, attempts = 0, "
                                "next_attempt_at = NULL, last_error = NULL"
                            )
                        conn.close()
                    admin.post(url.replace("/signups", "/reset"))
                    with Store(db) as store:
                        target = make_target(settings)
                        t0 = time.perf_counter()
                        report = SyncEngine(store, target).run_once()
                        timings.append(time.perf_counter() - t0)
                        target.close()
                    tally = admin.get(url).json()
                    if report.sent != n or report.pending or tally["unique"] != n:
                        raise BenchError(
                            f"sync sent {report.sent}, receiver holds "
                            f"{tally['unique']} of {n}: {report.summary()}"
                        )
                    requests.append(tally["requests"])
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
        s = statistics.median(timings)
        self.raw["sync"] = {"seconds": timings, "requests": requests, "n": n}
        return [
            Row(
                "sync",
                f"sync {n:,} sign-ups to a local receiver",
                f"{s:.2f} s ({n / s:,.0f}/s)",
                f"{requests[0]} signed requests, all {n:,} ids stored",
                f"≤ {limit:g} s",
                s <= limit,
                {"seconds": s, "n": n},
            )
        ]

    # 7. RSS growth -----------------------------------------------------------------------------

    def growth(self) -> list[Row]:
        transitions, flows = (500, 100) if self.quick else (5000, 1000)
        self.log(f"RSS growth over {transitions:,} transitions + {flows:,} sign-up flows")
        out, _ = run_child(
            [
                str(PROBE),
                "growth",
                "--data-dir",
                str(self.data_dir("growth")),
                "--transitions",
                str(transitions),
                "--flows",
                str(flows),
            ],
            self.env,
            900,
        )
        self.raw["growth"] = out
        grew = out["growth_bytes"] / MIB
        return [
            Row(
                "growth",
                f"{transitions:,} slide transitions + {flows:,} sign-up flows",
                f"RSS {grew:+.1f} MiB",
                f"{out['rss_before'] / MIB:.0f} → {out['rss_after'] / MIB:.0f} MiB, "
                f"{out['saved']} saved, {out['seconds']:.0f} s",
                "growth ≤ 10 MiB",
                grew <= 10,
                {"growth_mib": grew},
            )
        ]

    # 8. idle CPU -------------------------------------------------------------------------------

    def idle(self) -> list[Row]:
        seconds = 10 if self.quick else 60
        self.log(f"CPU of the idle attract loop ({seconds} s)")
        out, _ = run_child(
            [
                str(PROBE),
                "idle",
                "--data-dir",
                str(self.data_dir("idle")),
                "--seconds",
                str(seconds),
            ],
            self.env,
            seconds + 120,
        )
        self.raw["idle"] = out
        return [
            Row(
                "idle_cpu",
                f"attract loop, idle, over {seconds} s",
                f"{out['cpu_pct']:.1f}% of one core",
                f"{out['frames']} frames painted ({out['fps']:.1f}/s average)",
                "≤ 3% of one core",
                out["cpu_pct"] <= 3,
                out,
            )
        ]

    # 9. frame pacing of transitions and count-ups -------------------------------------------

    def frames(self) -> list[Row]:
        """Frame intervals while slides push and numbers count up, real clock and timers."""
        cycles = 1 if self.quick else 2
        rows = []
        self.raw["frames"] = {}
        for (w, h), budget_ms in (((1920, 1080), 1000 / 60), ((3840, 2160), 1000 / 30)):
            self.log(f"frame pacing at {w}×{h} ({cycles} cycle(s) of every slide, real clock)")
            out, _ = run_child(
                [
                    str(PROBE),
                    "frames",
                    "--data-dir",
                    str(self.data_dir(f"frames-{w}")),
                    "--size",
                    f"{w}x{h}",
                    "--cycles",
                    str(cycles),
                    "--warm-cycles",
                    "0" if self.quick else "1",
                ],
                self.env,
                300,
            )
            self.raw["frames"][f"{w}x{h}"] = out
            rows.append(frame_row(out, w, h, budget_ms))
        return rows


def frame_row(out: dict, w: int, h: int, budget_ms: float) -> Row:
    """One resolution's pacing against SPEC 10: 60 fps at 1080p, at least 30 fps at 4K."""
    values = out["intervals_ms"]["transition"] + out["intervals_ms"]["count"]
    if not values:
        raise BenchError(f"no animated frames were painted at {w}×{h}")
    p50, p95, worst = statistics.median(values), pct(values, 0.95), max(values)
    # A frame is dropped for every whole frame budget an interval overran by.
    dropped = sum(max(0, round(v / budget_ms) - 1) for v in values)
    fps = out["animated_frames"] / out["animated_s"] if out["animated_s"] else 0.0
    paint = out["paint_ms"]
    if w <= 1920:
        ok, bar = p95 <= 20 and worst <= 33, "p95 ≤ 20 ms, none over 33 ms"
    else:
        ok, bar = fps >= 30, "≥ 30 fps"
    return Row(
        f"frames_{h}p",
        f"slide transitions + count-ups, {w}×{h} (software)",
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms; {fps:.0f} fps, {dropped} dropped",
        f"{len(values)} intervals, {out['transitions']} transitions; "
        f"paint p50 {statistics.median(paint):.1f} ms, p95 {pct(paint, 0.95):.1f} ms",
        bar,
        ok,
        {
            "p50_ms": p50,
            "p95_ms": p95,
            "max_ms": worst,
            "fps": fps,
            "dropped": dropped,
            "paint_p50_ms": statistics.median(paint),
            "paint_p95_ms": pct(paint, 0.95),
            "cpu_s": out["cpu_s"],
            "wall_s": out["wall_s"],
        },
    )


def tree_memory(pid: int) -> tuple[int, int, int]:
    """RSS sum, PSS sum and process count of a process and all its descendants."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    rss = pss = 0
    for p in procs:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", 0)
    return rss, pss, len(procs)


def slide_page() -> str:
    """A static page with the default pack's slide text, styled like the kiosk."""
    from html import escape

    from kiosk.content import load_content
    from kiosk.paths import DEFAULT_CONTENT_DIR

    content = load_content(DEFAULT_CONTENT_DIR)
    parts = []
    for s in content.slides:
        number = (
            f"<p class=n>{escape(s.prefix)}{s.value:,.0f}{escape(s.suffix)}</p>"
            if s.value is not None
            else ""
        )
        parts.append(
            f"<section><h1>{escape(s.headline)}</h1>{number}"
            f"<p>{escape(s.body or s.caption)}</p></section>"
        )
    brand = content.brand
    return (
        "<!doctype html><meta charset=utf-8><title>Kiosk</title><style>"
        f"body{{margin:0;background:{brand.primary};color:{brand.text};font:40px sans-serif}}"
        f"section{{height:100vh;padding:120px}}h1{{font-size:92px}}.n{{font-size:280px;"
        f"color:{brand.accent}}}</style>" + "".join(parts)
    )


# -- machine, table, report ----------------------------------------------------------------


def machine() -> dict[str, object]:
    def lscpu(field_name: str) -> str:
        try:
            out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "?"
        for line in out.splitlines():
            if line.startswith(field_name + ":"):
                return line.split(":", 1)[1].strip()
        return "?"

    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))} (kernel {platform.release()})"
    import PySide6
    from PySide6.QtCore import qVersion

    return {
        "cpu": lscpu("Model name"),
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": os_name,
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "qt": qVersion(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": os.getloadavg(),
    }


def table(rows: list[Row]) -> str:
    head = ("bar", "measured", "reference (same run)", "limit", "result")
    body = [
        (
            r.what,
            r.measured,
            r.reference,
            r.bar,
            "n/a" if r.ok is None else ("PASS" if r.ok else "FAIL"),
        )
        for r in rows
    ]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


def markdown(rows: list[Row]) -> str:
    lines = ["| bar | measured | reference (same run) | limit | result |", "|---|---|---|---|---|"]
    for r in rows:
        result = "n/a" if r.ok is None else ("**pass**" if r.ok else "**FAIL**")
        lines.append(f"| {r.what} | {r.measured} | {r.reference} | {r.bar} | {result} |")
    return "\n".join(lines)


def run_bars(args: argparse.Namespace, work: Path) -> int:
    bench = Bench(args, work)
    steps: list[tuple[str, Callable[[], list[Row]]]] = [
        ("start", bench.startup),
        ("rss", bench.memory),
        ("tap", bench.taps),
        ("save", bench.saves),
        ("export", bench.exports),
        ("import", bench.imports),
        ("sync", bench.sync),
        ("growth", bench.growth),
        ("idle", bench.idle),
        ("frames", bench.frames),
    ]
    chosen = set(args.only.split(",")) if args.only else None
    info = machine()
    started = time.monotonic()
    rows: list[Row] = []
    errors: dict[str, str] = {}
    for name, step in steps:
        if chosen and name not in chosen:
            continue
        try:
            rows.extend(step())
        except (BenchError, OSError, RuntimeError) as exc:
            errors[name] = str(exc)
            print(f"  ! {name}: {exc}", file=sys.stderr, flush=True)
    info["load_average_at_end"] = os.getloadavg()
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "runs": args.runs,
        "seconds": round(time.monotonic() - started, 1),
        "machine": info,
        "bars": [asdict(r) for r in rows],
        "errors": errors,
        "raw": bench.raw,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    print()
    print(table(rows))
    print()
    print(
        f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, {info['os']}, "
        f"Python {info['python']}, PySide6 {info['pyside6']}; "
        f"{report['seconds']:.0f} s; load {info['load_average_at_start'][0]:.1f}"
        f"→{info['load_average_at_end'][0]:.1f}"
    )
    if args.markdown:
        print()
        print(markdown(rows))
    print(f"wrote {RESULTS / 'latest.json'}")
    for name, text in errors.items():
        print(f"could not measure {name}: {text}", file=sys.stderr)
    if errors:
        return 2
    return 0 if all(r.ok is not False for r in rows) else 1


# -- soak -------------------------------------------------------------------------------------


def run_soak(args: argparse.Namespace, work: Path) -> int:
    minutes = args.soak
    sample_s = max(5.0, minutes * 60 / 20)
    print(
        f"soak: {minutes:g} min of slides and sign-up flows, some in other languages "
        "(fast clock), "
        f"a sample every {sample_s:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    data = work / "soak"
    data.mkdir(parents=True)
    out, _ = run_child(
        [
            str(PROBE),
            "soak",
            "--data-dir",
            str(data),
            "--minutes",
            str(minutes),
            "--sample-s",
            str(sample_s),
        ],
        child_env(work),
        minutes * 60 + 300,
    )
    samples = out["samples"]
    cols = (
        "t_s",
        "transitions",
        "flows",
        "abandoned",
        "rss",
        "widgets",
        "timers",
        "timers_active",
        "threads",
        "os_threads",
        "py_objects",
    )
    print("  ".join(f"{c:>13}" for c in cols))
    for s in samples:
        cells = [
            f"{s['t_s']:.0f}",
            *(str(s[c]) for c in cols[1:4]),
            f"{s['rss'] / MIB:.1f} MiB",
            *(str(s[c]) for c in cols[5:]),
        ]
        print("  ".join(f"{c:>13}" for c in cells))
    first, last = samples[0], samples[-1]
    # Bounded caches fill for the first thousand or two visitors (Qt's QPixmapCache alone
    # takes up to 10 MiB of style pixmaps), so RSS from the first sample says little; a
    # leak goes on growing. The second half tells them apart: in a 30-minute soak it
    # has ~2,000 visitors, so 2 MiB is about 1 KiB each.
    middle = samples[len(samples) // 2]
    checks = {
        "memory after warm-up (RSS growth over the second half ≤ 2 MiB)": (
            last["rss"] - middle["rss"]
        )
        / MIB
        <= 2,
        "widgets (no more than at the start)": last["widgets"] <= first["widgets"],
        "QTimers (no more than at the start)": last["timers"] <= first["timers"],
        "active QTimers (no more than at the start)": last["timers_active"]
        <= first["timers_active"],
        "threads (no more than at the start)": last["threads"] <= first["threads"]
        and last["os_threads"] <= first["os_threads"],
    }
    print()
    for what, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {what}")
    print(
        f"{last['flows']} sign-ups, {last['abandoned']} idle resets, "
        f"{last['transitions']} slide transitions in {last['t_s']:.0f} s; "
        f"RSS {(last['rss'] - first['rss']) / MIB:+.1f} MiB "
        f"({(last['rss'] - middle['rss']) / MIB:+.1f} MiB over the second half), "
        f"Python objects {last['py_objects'] - first['py_objects']:+d}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(
        json.dumps(
            {
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "minutes": minutes,
                "machine": machine(),
                "checks": checks,
                "samples": samples,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"wrote {RESULTS / 'soak.json'}")
    return 0 if all(checks.values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, smaller runs: a smoke check")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (5)")
    parser.add_argument("--soak", type=float, metavar="MINUTES", help="run the soak test only")
    parser.add_argument(
        "--only",
        help="comma-separated: start,rss,tap,save,export,import,sync,growth,idle,frames",
    )
    parser.add_argument("--xlsx", action="store_true", help="also time one XLSX export (no bar)")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=RESULTS))
    try:
        if args.soak is not None:
            return run_soak(args, work)
        return run_bars(args, work)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

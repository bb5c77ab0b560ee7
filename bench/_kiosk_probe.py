"""The kiosk under measurement, in a child process of bench/run.py (offscreen Qt).

Each mode prints one `BENCH {json}` line. `start` and `idle` start the kiosk exactly as
`kiosk run --windowed` does (run_kiosk); the others build the same window and controller
as run_kiosk, with a clock the probe can move, and drive it through real input events.
Usage: python bench/_kiosk_probe.py MODE --data-dir DIR [options]
"""

from __future__ import annotations

import time

_T_MAIN = time.time()

import argparse  # noqa: E402
import gc  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EMAILS = ("aoife.byrne@example.com", "sean.obriain@example.ie", "hannah@example.org")
NAMES = ("Aoife Byrne", "Seán Ó Briain", "Hannah Smith")
SLOW_TIMEOUT_MS = 3000


def emit(result: dict) -> None:
    print("BENCH " + json.dumps(result), flush=True)


def maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- start: the real startup path, to the first painted slide ---------------------


def mode_start(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.logs import setup_logging
    from kiosk.settings import load_settings
    from kiosk.ui.attract import AttractScreen
    from kiosk.ui.launch import run_kiosk

    settings = load_settings(args.data_dir)
    setup_logging(settings.log_dir)
    # run_kiosk reuses this instance; making it here lets the probe watch for the paint.
    app = QApplication(sys.argv[:1])
    result: dict[str, float] = {"main_at": _T_MAIN}
    painted_event = QEvent.Type(QEvent.registerEventType())

    class Stamp(QObject):
        """Stamps the first turn of the event loop after the first slide was painted and
        flushed, like the empty window's zero timer. The kiosk queues the rest of its
        build for that same turn (AfterFirstPaint); a high-priority event runs first, so
        the build is timed separately, as `ready_at`: when the first tap can be served."""

        def event(self, event: QEvent) -> bool:
            if event.type() != painted_event:
                return super().event(event)
            result["painted_at"] = time.time()
            QTimer.singleShot(0, finished)  # queued behind the kiosk's own build
            return True

    stamp = Stamp()

    # The first slide's own paintEvent is wrapped (it is Python already): an app-wide
    # event filter would send every event of the start through Python, which the kiosk
    # does not do and the empty window's per-widget filter does not pay.
    painted = AttractScreen.paintEvent
    started: list[float] = []

    def first_paint(screen: AttractScreen, event: object) -> None:
        if not started:
            started.append(time.time())
            QCoreApplication.postEvent(
                stamp, QEvent(painted_event), Qt.EventPriority.HighEventPriority.value
            )
        painted(screen, event)

    def finished() -> None:
        result["ready_at"] = time.time()
        result["paint_started_at"] = started[0]
        result["maxrss_kib"] = maxrss_kib()
        AttractScreen.paintEvent = painted
        emit(result)
        app.quit()

    AttractScreen.paintEvent = first_paint
    run_kiosk(settings, args.content, windowed=True, size=args.size)
    return 0


# -- idle: CPU of the real attract loop ------------------------------------------------


def mode_idle(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.settings import load_settings
    from kiosk.ui.attract import AttractScreen
    from kiosk.ui.launch import run_kiosk

    settings = load_settings(args.data_dir)
    app = QApplication(sys.argv[:1])

    class Frames(QObject):
        count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    frames = Frames()
    marks: dict[str, float] = {}

    def begin() -> None:
        for widget in QApplication.allWidgets():
            if isinstance(widget, AttractScreen):
                widget.installEventFilter(frames)
        marks["cpu0"], marks["wall0"] = time.process_time(), time.monotonic()

    def end() -> None:
        cpu, wall = time.process_time() - marks["cpu0"], time.monotonic() - marks["wall0"]
        emit(
            {
                "cpu_s": cpu,
                "wall_s": wall,
                "cpu_pct": 100 * cpu / wall,
                "frames": frames.count,
                "fps": frames.count / wall,
                "maxrss_kib": maxrss_kib(),
            }
        )
        app.quit()

    warm_ms = 2000
    QTimer.singleShot(warm_ms, begin)
    QTimer.singleShot(warm_ms + int(args.seconds * 1000), end)
    run_kiosk(settings, args.content, windowed=True, size=args.size)
    return 0


# -- the built kiosk, driven by the probe ------------------------------------------------


class ManualClock:
    """A monotonic clock the probe moves, so slides and count-ups finish on demand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Kiosk:
    """The window and controller, built as run_kiosk builds them (windowed)."""

    def __init__(self, args: argparse.Namespace, clock) -> None:
        from PySide6.QtWidgets import QApplication

        from kiosk.last_good import load_or_last_good, remember
        from kiosk.settings import load_settings
        from kiosk.store import Store
        from kiosk.ui.app import KioskController
        from kiosk.ui.collector import GuiThreadCollector
        from kiosk.ui.theme import Metrics, font, load_fonts
        from kiosk.ui.window import KioskWindow

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.collector = GuiThreadCollector(self.app)
        self.app.setApplicationName("Freedom Kiosk")
        load_fonts()
        self.app.setFont(font(Metrics(1920, 1080).body_px))
        self.settings = load_settings(args.data_dir)
        from kiosk.security import has_pin, set_pin

        if not has_pin(self.settings.data_dir):
            # A kiosk with no PIN opens on set-up: the flows measured here are a visitor's.
            set_pin(self.settings.data_dir, "2468")
        self.window = KioskWindow(kiosk_mode=False)
        self.store = Store(self.settings.db_path)
        # As run_kiosk loads it: every language of the pack, and the last good copy kept.
        pack = load_or_last_good(args.content, self.settings.data_dir, build_codes=False)
        if pack.content is None:
            raise RuntimeError(f"the content pack does not load: {pack.problems}")
        self.content = pack.content
        remember(self.content, self.settings.data_dir)
        self.collector.freeze_startup()  # as run_kiosk: before the visitor screens
        self.controller = KioskController(
            self.settings,
            self.content,
            self.store,
            self.window,
            content_dir=args.content,
            clock=clock,
            languages=pack.languages,
        )
        self.window.resize(*args.size)
        self.window.show()
        self.pump()

    def pump(self, rounds: int = 3) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        for _ in range(rounds):
            self.app.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def close(self) -> None:
        self.controller.shutdown()
        self.window.allow_close = True
        self.window.close()
        self.store.close()
        self.collector.uninstall()

    @property
    def state(self) -> str:
        return self.controller.state.value


class PaintWaiter:
    """Waits, in a real event loop, until a widget has been painted after `arm()`."""

    painted_type = None  # the QEvent type of "painted", registered once

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, Qt, QTimer

        waiter = self
        if PaintWaiter.painted_type is None:
            PaintWaiter.painted_type = QEvent.Type(QEvent.registerEventType())
        painted_type = PaintWaiter.painted_type

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if waiter.armed and event.type() == QEvent.Type.Paint:
                    waiter.armed = False
                    # Delivered once this paint, the children's and the flush are done,
                    # on the loop's next turn, ahead of timers: work the kiosk defers
                    # until after a screen is on show (a zero timer) is not the tap's.
                    QCoreApplication.postEvent(
                        waiter.stamp, QEvent(painted_type), Qt.EventPriority.HighEventPriority.value
                    )
                    return False
                if watched is waiter.stamp and event.type() == painted_type:
                    waiter._painted()
                    return True
                return False

        self.widget = widget
        self.armed = False
        self.painted_at: float | None = None
        self.loop = QEventLoop()
        self.timeout = QTimer()
        self.timeout.setSingleShot(True)
        self.timeout.timeout.connect(self.loop.quit)
        self.filter = Filter()
        self.stamp = QObject()
        self.stamp.installEventFilter(self.filter)
        widget.installEventFilter(self.filter)

    def arm(self) -> None:
        self.armed = True
        self.painted_at = None

    def _painted(self) -> None:
        self.painted_at = time.perf_counter()
        self.loop.quit()

    def wait(self, timeout_ms: int = SLOW_TIMEOUT_MS) -> float | None:
        if self.painted_at is None:
            self.timeout.start(timeout_ms)
            self.loop.exec()
            self.timeout.stop()
        self.armed = False
        return self.painted_at


def click(widget) -> None:
    """A real press and release at the widget's centre, through QApplication."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(
        widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget.rect().center()
    )


def type_text(widget, text: str) -> None:
    """Key presses and releases, one per character, as a keyboard sends them.

    QTest.keyClicks only knows ASCII (it asserts on "é"), so each character goes as a
    key event carrying its text, delivered through QApplication like a real one.
    """
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        key = ord(ch.upper()) if ch.isascii() and ch.isalnum() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def fill_form(kiosk: Kiosk, i: int, on_step=None) -> None:
    """Walk the steps: a name and an email typed key by key, no phone, email consent;
    the last step's sign-up button must then be enabled. `on_step(button, step)` taps
    a Next (default: a click), so the tap benchmark can time it."""
    form = kiosk.controller.form
    press = on_step or (lambda button, step: click(button))
    type_text(form.name.first.edit, NAMES[i % len(NAMES)])
    press(form.name.next, form.email)
    type_text(form.email.field.edit, EMAILS[i % len(EMAILS)])
    press(form.email.next, form.phone)
    press(form.phone.skip, form.touch)
    form.touch.toggles["email"].click()
    press(form.touch.next, form.check)
    if not form.check.next.isEnabled():
        raise RuntimeError("the filled-in steps did not enable Sign up")


def interest_keys(kiosk: Kiosk) -> list[str]:
    return [i.key for i in kiosk.content.interests]


# -- tap: tap to next screen painted ------------------------------------------------------


def mode_tap(args: argparse.Namespace) -> int:
    kiosk = Kiosk(args, time.monotonic)
    c = kiosk.controller
    screens = {"attract": c.attract, "involved": c.involved, "form": c.form, "thanks": c.thanks}
    waiters = {name: PaintWaiter(w) for name, w in screens.items()}
    keys = interest_keys(kiosk)
    slides = len(kiosk.content.slides)
    timings: dict[str, list[float]] = {
        "attract>involved": [],
        "tile>form": [],
        "next>step": [],
        "submit>thanks": [],
        "done>attract": [],
    }
    missed: dict[str, int] = dict.fromkeys(timings, 0)
    deferred_ms: list[float] = []

    def run_deferred() -> None:
        """What the kiosk left for after the last screen was on show (zero timers) runs
        now, timed on its own: a finger never lands within a millisecond of a screen."""
        t0 = time.perf_counter()
        kiosk.app.processEvents()
        deferred_ms.append((time.perf_counter() - t0) * 1000)

    def tap(widget, to: str, label: str) -> None:
        run_deferred()
        waiter = waiters[to]
        waiter.arm()
        t0 = time.perf_counter()
        click(widget)
        painted = waiter.wait()
        if painted is None or kiosk.state != to:
            missed[label] += 1
            return
        timings[label].append((painted - t0) * 1000)

    step_waiters = {step: PaintWaiter(step) for step in c.form.steps}

    def next_step(button, step) -> None:
        run_deferred()
        waiter = step_waiters[step]
        waiter.arm()
        t0 = time.perf_counter()
        click(button)
        painted = waiter.wait()
        if painted is None or c.form.current is not step:
            missed["next>step"] += 1
            return
        timings["next>step"].append((painted - t0) * 1000)

    for i in range(args.taps + args.warmup):
        # Tap on a different slide each time: some taps land mid-transition or mid-count-up.
        waiters["attract"].arm()
        c.attract.go_to(i % slides)
        waiters["attract"].wait()
        tap(c.attract, "involved", "attract>involved")
        tap(c.involved.tile(keys[i % 3]), "form", "tile>form")
        fill_form(kiosk, i, next_step)
        tap(c.form.check.next, "thanks", "submit>thanks")
        tap(c.thanks.done_button, "attract", "done>attract")
        if i == args.warmup - 1:
            for values in timings.values():
                values.clear()
            deferred_ms.clear()
    kiosk.close()
    emit({"timings_ms": timings, "missed": missed, "deferred_ms": deferred_ms})
    return 0


# -- growth: RSS over many transitions and sign-up flows ---------------------------------


def rss_bytes() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def settle(kiosk: Kiosk) -> int:
    kiosk.pump()
    gc.collect()
    kiosk.pump()
    return rss_bytes()


def transition(kiosk: Kiosk, clock: ManualClock) -> None:
    """One slide change, painted mid-transition and once settled."""
    c = kiosk.controller
    c.attract.next()
    clock.advance(c.content.timing.transition_ms / 2000)
    kiosk.pump(1)
    clock.advance(5.0)
    c.attract.repaint()
    kiosk.pump(1)


def flow(kiosk: Kiosk, i: int) -> None:
    """A visitor: tap, choose a tile, type, submit, Done — with real input events."""
    c = kiosk.controller
    keys = interest_keys(kiosk)
    click(c.attract)
    kiosk.pump(1)
    click(c.involved.tile(keys[i % 3]))
    kiosk.pump(1)
    fill_form(kiosk, i)
    click(c.form.check.next)
    kiosk.pump(1)
    if kiosk.state != "thanks":
        raise RuntimeError(f"the sign-up was not saved (state {kiosk.state})")
    click(c.thanks.done_button)
    kiosk.pump(1)


def abandoned_flow(kiosk: Kiosk, i: int) -> None:
    """A visitor who walks away mid-form: the idle timer and countdown (made fast) reset it."""
    c = kiosk.controller
    keys = interest_keys(kiosk)
    click(c.attract)
    click(c.involved.tile(keys[i % 3]))
    kiosk.pump(1)
    type_text(c.form.name.first.edit, NAMES[i % len(NAMES)])
    interval, tick = c.idle_timer.interval(), c.idle_overlay.tick_ms
    c.idle_timer.setInterval(5)
    c.idle_overlay.tick_ms = 2
    c.idle_timer.start()
    deadline = time.monotonic() + 5
    while kiosk.state != "attract" and time.monotonic() < deadline:
        kiosk.app.processEvents()
        time.sleep(0.001)
    c.idle_timer.setInterval(interval)
    c.idle_overlay.tick_ms = tick
    if kiosk.state != "attract":
        raise RuntimeError("the idle reset did not return to the loop")


def mode_growth(args: argparse.Namespace) -> int:
    clock = ManualClock()
    kiosk = Kiosk(args, clock)
    for i in range(args.warmup):
        transition(kiosk, clock)
        if i % 5 == 0:
            flow(kiosk, i)
    before = settle(kiosk)
    started = time.monotonic()
    per_flow = max(1, args.transitions // max(1, args.flows))
    flows = 0
    for i in range(args.transitions):
        transition(kiosk, clock)
        if i % per_flow == 0 and flows < args.flows:
            flow(kiosk, flows)
            flows += 1
    while flows < args.flows:
        flow(kiosk, flows)
        flows += 1
    after = settle(kiosk)
    seconds = time.monotonic() - started
    total = kiosk.store.stats().total
    kiosk.close()
    emit(
        {
            "rss_before": before,
            "rss_after": after,
            "growth_bytes": after - before,
            "transitions": args.transitions,
            "flows": flows,
            "saved": total,
            "seconds": seconds,
            "maxrss_kib": maxrss_kib(),
        }
    )
    return 0


# -- rss: peak RSS while looping ----------------------------------------------------------


def mode_rss(args: argparse.Namespace) -> int:
    clock = ManualClock()
    kiosk = Kiosk(args, clock)
    c = kiosk.controller
    transition_s = kiosk.content.timing.transition_ms / 1000
    steps = 8
    for _ in range(args.cycles * len(kiosk.content.slides)):
        c.attract.next()
        # Every frame of the transition and the count-up, painted.
        for _ in range(steps):
            clock.advance((transition_s + 1.6) / steps)
            c.attract.repaint()
            kiosk.app.processEvents()
    kiosk.close()
    emit({"maxrss_kib": maxrss_kib()})
    return 0


# -- soak: no growth in memory, timers, threads or widgets ---------------------------------


def census(kiosk: Kiosk) -> dict[str, int]:
    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    rss = settle(kiosk)
    timers = kiosk.app.findChildren(QTimer)
    for top in QApplication.topLevelWidgets():
        timers.extend(top.findChildren(QTimer))
    unique = {id(t): t for t in timers}.values()
    return {
        "rss": rss,
        "widgets": len(QApplication.allWidgets()),
        "timers": len(unique),
        "timers_active": sum(1 for t in unique if t.isActive()),
        "threads": threading.active_count(),
        "os_threads": psutil.Process().num_threads(),
        "py_objects": len(gc.get_objects()),
    }


def mode_soak(args: argparse.Namespace) -> int:
    from kiosk.ui.reach import reach

    clock = ManualClock()
    kiosk = Kiosk(args, clock)
    # Warm-up: every language's screens and slides once (their first build fills caches).
    codes = [code for code, _ in reach().languages] or [reach().language]
    for i in range(20 * len(codes)):
        transition(kiosk, clock)
        if i % 5 == 0:
            reach().set_language(codes[(i // 20) % len(codes)])
            kiosk.pump(1)
            flow(kiosk, i)
    abandoned_flow(kiosk, 0)
    started = time.monotonic()
    samples = [{"t_s": 0.0, "transitions": 0, "flows": 0, "abandoned": 0, **census(kiosk)}]
    transitions = flows = abandoned = 0
    deadline = started + args.minutes * 60
    next_sample = started + args.sample_s
    while time.monotonic() < deadline:
        for _ in range(10):
            transition(kiosk, clock)
            transitions += 1
        if flows % 10 == 5:
            # A visitor who picks another language: every visitor screen is built again.
            codes = [code for code, _ in reach().languages if code != reach().language]
            if codes:
                reach().set_language(codes[(flows // 10) % len(codes)])
                kiosk.pump(1)
        flow(kiosk, flows)  # Done returns to the pack's default language
        flows += 1
        if flows % 10 == 0:
            abandoned_flow(kiosk, flows)
            abandoned += 1
        if time.monotonic() >= next_sample:
            samples.append(
                {
                    "t_s": time.monotonic() - started,
                    "transitions": transitions,
                    "flows": flows,
                    "abandoned": abandoned,
                    **census(kiosk),
                }
            )
            next_sample += args.sample_s
    samples.append(
        {
            "t_s": time.monotonic() - started,
            "transitions": transitions,
            "flows": flows,
            "abandoned": abandoned,
            **census(kiosk),
        }
    )
    kiosk.close()
    emit({"samples": samples})
    return 0


# -- frames: frame pacing of transitions and count-ups, real clock and timers ---------------


def mode_frames(args: argparse.Namespace) -> int:
    """Every slide once, advancing on its own, with slides shortened to their animation.

    A frame is one wake of the loop's frame timer (AttractScreen.tick) while a
    transition or count-up runs, done when the paint it asked for has ended. A wake
    that changes nothing on screen paints nothing (the push has less than a pixel to
    go, at the end of its ease-out): it is a frame on time, done when the wake ends, as
    the display keeps showing the right picture. Intervals are between consecutive
    frames (the first of each animation starts the count, so the latency of the tap or
    timer is not in it).
    """
    import dataclasses

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    from kiosk.ui import attract as attract_module

    kiosk = Kiosk(args, time.monotonic)
    c = kiosk.controller
    screen = c.attract
    transition_s = kiosk.content.timing.transition_ms / 1000
    count_s = getattr(attract_module, "COUNT_UP_S", 1.2)
    hold_s = args.hold_s
    # Slides last as long as their animation and a short rest, so a run takes seconds.
    slides = tuple(
        dataclasses.replace(
            s, duration_s=transition_s + (count_s if s.kind == "stat" else 0) + hold_s
        )
        for s in kiosk.content.slides
    )
    screen.content = dataclasses.replace(kiosk.content, slides=slides)

    ends: list[float] = []
    costs: list[float] = []
    windows: list[tuple[float, float]] = []

    class Frames(QObject):
        """Paints the screen itself, inside the repaint, to time each paint from end to end."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is not screen or event.type() != QEvent.Type.Paint:
                return False
            t0 = time.perf_counter()
            watched.event(event)  # what delivery would do next, filters aside
            t1 = time.perf_counter()
            ends.append(t1)
            costs.append(t1 - t0)
            return True

    frames = Frames()
    screen.installEventFilter(frames)
    ticked: list[tuple[float, int]] = []  # when each wake ended, and the paints before it
    tick = screen.tick

    def timed_tick() -> None:
        tick()
        ticked.append((time.perf_counter(), len(ends)))

    screen._timer.timeout.disconnect()
    screen._timer.timeout.connect(timed_tick)

    def shown(index: int) -> None:
        start = time.perf_counter()
        kind = screen.content.slides[index].kind
        windows.append((start, start + transition_s + (count_s if kind == "stat" else 0)))

    screen.slide_shown.connect(shown)
    screen.restart()  # the first slide, timed from now with its shortened duration
    loop = QEventLoop()
    # Unmeasured first: one slide (glyph caches, the QR), or whole cycles (a kiosk that
    # has run all day has every slide's glyphs cached, but only the last few images).
    warm = slides[0].duration_s + 0.2 + args.warm_cycles * sum(s.duration_s for s in slides)
    QTimer.singleShot(int(warm * 1000), loop.quit)
    loop.exec()
    ends.clear()
    costs.clear()
    windows.clear()
    ticked.clear()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    total = sum(s.duration_s for s in slides) * args.cycles
    QTimer.singleShot(int(total * 1000), loop.quit)
    loop.exec()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    screen.removeEventFilter(frames)
    # Each wake's frame: the last paint before the next wake, or the wake itself.
    done = []
    for (at, painted_before), nxt in itertools.zip_longest(ticked, ticked[1:]):
        painted_until = nxt[1] if nxt else len(ends)
        done.append(ends[painted_until - 1] if painted_until > painted_before else at)

    intervals: dict[str, list[float]] = {"transition": [], "count": []}
    animated_s = 0.0
    animated_frames = 0
    for start, end in windows:
        inside = [t for t in done if start < t <= end + 0.002]
        if len(inside) < 2:
            continue
        animated_s += inside[-1] - inside[0]
        animated_frames += len(inside) - 1
        for a, b in itertools.pairwise(inside):
            phase = "transition" if a < start + transition_s else "count"
            intervals[phase].append((b - a) * 1000)
    kiosk.close()
    emit(
        {
            "size": list(args.size),
            "intervals_ms": intervals,
            "paint_ms": [x * 1000 for x in costs],
            "animated_s": animated_s,
            "animated_frames": animated_frames,
            "transitions": len(windows),
            "cpu_s": cpu,
            "wall_s": wall,
            "maxrss_kib": maxrss_kib(),
        }
    )
    return 0


MODES = {
    "start": mode_start,
    "idle": mode_idle,
    "tap": mode_tap,
    "growth": mode_growth,
    "rss": mode_rss,
    "soak": mode_soak,
    "frames": mode_frames,
}


def main() -> int:
    from kiosk.paths import DEFAULT_CONTENT_DIR

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT_DIR)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--taps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--transitions", type=int, default=5000)
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--hold-s", type=float, default=0.4)
    parser.add_argument("--warm-cycles", type=int, default=0)
    args = parser.parse_args()
    args.size = tuple(int(n) for n in args.size.split("x"))
    return MODES[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())

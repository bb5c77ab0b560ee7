"""When the attract loop wakes: frame by frame while something moves, otherwise not until due.

No Qt here (the clock is injected), so the timing is tested without a display. Positions
are always taken from elapsed time, never from a frame count, so a late frame shows
the right moment instead of slowing the animation down.
"""

from __future__ import annotations

from dataclasses import dataclass

FRAME_S = 1 / 60  # 60 fps while a slide pushes or a number counts up
PREPARE_LEAD_S = 0.3  # draw the next slide's picture this long before it is due


def ease_out(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return 1 - (1 - t) ** 3


@dataclass(frozen=True)
class Wake:
    """The next time the loop needs the CPU: `delay_s` from now, and why."""

    delay_s: float
    why: str  # "frame" (animating), "prepare" (draw the next slide ahead) or "advance"

    @property
    def precise(self) -> bool:
        return self.why == "frame"


@dataclass(frozen=True)
class SlidePlan:
    """One slide's schedule, in seconds since it was shown."""

    transition_s: float  # how long a push lasts; a count-up starts when it would end
    count_s: float  # 0 when nothing counts up
    duration_s: float
    pushed: bool = True  # False for the first slide, which appears without a push

    def moving(self, elapsed: float) -> bool:
        return self.pushed and elapsed < self.transition_s

    def animating(self, elapsed: float) -> bool:
        counting = self.count_s > 0 and elapsed < self.transition_s + self.count_s
        return self.moving(elapsed) or counting


class FramePacer:
    """A 60 Hz grid from the start of an animation: each wake aims at the next slot.

    Restarting a single-shot timer for a fixed interval drifts by the time spent
    between wakes; aiming at grid slots keeps the average at exactly 60 fps, and a
    frame that ran late skips its slot rather than queueing behind it.
    """

    def __init__(self, period_s: float = FRAME_S) -> None:
        self.period_s = period_s
        self._origin: float | None = None

    def reset(self) -> None:
        self._origin = None

    def delay(self, now: float) -> float:
        if self._origin is None:
            self._origin = now
            return self.period_s
        slots = int((now - self._origin) / self.period_s) + 1
        return max(0.001, self._origin + slots * self.period_s - now)


def next_wake(
    plan: SlidePlan,
    elapsed: float,
    pacer: FramePacer,
    now: float,
    *,
    next_prepared: bool,
    lead_s: float = PREPARE_LEAD_S,
) -> Wake:
    """What the loop should sleep for at `elapsed` seconds into a slide."""
    if plan.animating(elapsed):
        return Wake(pacer.delay(now), "frame")
    pacer.reset()
    due = max(0.0, plan.duration_s - elapsed)
    if not next_prepared and due > lead_s:
        return Wake(due - lead_s, "prepare")
    return Wake(due, "advance")

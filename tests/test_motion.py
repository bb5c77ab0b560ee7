"""When the attract loop wakes: a 60 Hz grid while animating, one sleep until due otherwise."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kiosk.ui.motion import FRAME_S, PREPARE_LEAD_S, FramePacer, SlidePlan, ease_out, next_wake

STORY = SlidePlan(transition_s=0.7, count_s=0.0, duration_s=8.0)
STAT = SlidePlan(transition_s=0.7, count_s=1.2, duration_s=7.0)


def test_motion_needs_no_qt():
    code = "import sys, kiosk.ui.motion; assert not [m for m in sys.modules if 'PySide6' in m]"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_ease_out_starts_still_ends_at_one_and_is_clamped():
    assert ease_out(-1) == 0 and ease_out(0) == 0
    assert ease_out(1) == 1 and ease_out(2) == 1
    assert ease_out(0.5) > 0.5  # fast first, gentle landing


def test_pacer_aims_at_slots_of_a_60_hz_grid_whatever_the_wake_jitter():
    pacer = FramePacer()
    start = 100.0
    assert pacer.delay(start) == pytest.approx(FRAME_S)
    # Woken 3 ms late for slot 1: the next wake still aims at slot 2, not 16.7 ms from now.
    now = start + FRAME_S + 0.003
    assert now + pacer.delay(now) == pytest.approx(start + 2 * FRAME_S)
    # A frame that ran 40 ms long skips the slots it missed instead of queueing behind them.
    now = start + 2 * FRAME_S + 0.040
    target = now + pacer.delay(now)
    assert target == pytest.approx(start + 5 * FRAME_S)
    assert target > now


def test_frames_while_a_slide_pushes_or_counts_then_one_sleep_until_due():
    pacer = FramePacer()
    wake = next_wake(STORY, 0.1, pacer, 10.0, next_prepared=False)
    assert wake.why == "frame" and wake.precise and wake.delay_s <= FRAME_S
    # A stat keeps animating through its count-up, a story does not.
    assert next_wake(STAT, 1.5, FramePacer(), 10.0, next_prepared=False).why == "frame"
    assert next_wake(STORY, 1.5, FramePacer(), 10.0, next_prepared=False).why != "frame"


def test_at_rest_it_wakes_once_to_draw_the_next_slide_then_once_to_advance():
    wake = next_wake(STORY, 2.0, FramePacer(), 10.0, next_prepared=False)
    assert wake.why == "prepare" and not wake.precise
    assert wake.delay_s == pytest.approx(8.0 - 2.0 - PREPARE_LEAD_S)
    wake = next_wake(STORY, 8.0 - PREPARE_LEAD_S, FramePacer(), 10.0, next_prepared=True)
    assert wake.why == "advance" and wake.delay_s == pytest.approx(PREPARE_LEAD_S)
    # Too close to the due time to prepare: just advance (the push draws it then).
    wake = next_wake(STORY, 7.9, FramePacer(), 10.0, next_prepared=False)
    assert wake.why == "advance" and wake.delay_s == pytest.approx(0.1)


def test_a_slide_shown_without_a_push_animates_only_if_it_counts():
    still = SlidePlan(transition_s=0.7, count_s=0.0, duration_s=8.0, pushed=False)
    assert not still.animating(0.0)
    assert next_wake(still, 0.0, FramePacer(), 10.0, next_prepared=False).why == "prepare"
    counting = SlidePlan(transition_s=0.7, count_s=1.2, duration_s=8.0, pushed=False)
    assert counting.animating(1.0) and not counting.animating(1.9)
    assert not counting.moving(0.1) and STAT.moving(0.1)

"""Cycles are collected on the GUI thread only while the kiosk runs (kiosk/ui/collector.py):
a collection on the store's, sync's or export's thread would destroy Qt objects there."""

from __future__ import annotations

import gc
import threading

import pytest

from kiosk.ui.collector import GuiThreadCollector, collect_if_due


class _Cycle:
    """A reference cycle that notes the thread that finally frees it."""

    def __init__(self, freed_on: list[str]) -> None:
        self.me = self
        self.freed_on = freed_on

    def __del__(self) -> None:
        self.freed_on.append(threading.current_thread().name)


def _drop_cycles_then_allocate(freed_on: list[str], kept: list) -> None:
    """What a worker thread does: leaves cycles behind, then allocates well past the
    first generation's threshold (700 objects), which starts a collection here unless
    automatic collection is off."""
    for _ in range(50):
        _Cycle(freed_on)
    kept += [[] for _ in range(5_000)]


def _on_a_worker(freed_on: list[str]) -> list:
    """Runs a worker; returns what it allocated (kept, so a collection stays due)."""
    kept: list = []
    worker = threading.Thread(
        target=_drop_cycles_then_allocate, args=(freed_on, kept), name="worker"
    )
    worker.start()
    worker.join()
    return kept


def test_without_the_collector_a_worker_thread_frees_cycles(automatic_collection):
    """The hazard itself: CPython collects on the thread whose allocation crossed the
    threshold."""
    freed_on: list[str] = []
    _on_a_worker(freed_on)
    assert "worker" in freed_on


def test_cycles_a_worker_leaves_are_freed_on_the_gui_thread(qtbot, automatic_collection):
    collector = GuiThreadCollector(check_ms=5)
    try:
        freed_on: list[str] = []
        kept = _on_a_worker(freed_on)
        assert freed_on == []  # nothing collected on the worker
        qtbot.waitUntil(lambda: len(freed_on) == 50, timeout=2000)
        assert set(freed_on) == {threading.main_thread().name}
        assert kept
    finally:
        collector.uninstall()
    assert gc.isenabled()  # given back as it was


def test_the_collector_collects_the_generation_that_is_due(qtbot, automatic_collection):
    collector = GuiThreadCollector(check_ms=60_000)  # checked by hand here
    try:
        assert not gc.isenabled()
        gc.collect()
        assert collect_if_due() is None  # nothing allocated: nothing due
        freed_on: list[str] = []
        for _ in range(gc.get_threshold()[0] + 1):
            _Cycle(freed_on)
        assert freed_on == []
        assert collect_if_due() == 0
        assert len(freed_on) == gc.get_threshold()[0] + 1
        # Every tenth young collection takes the middle generation too, as CPython does.
        generations, kept = [], []
        for _ in range(gc.get_threshold()[1] + 1):
            kept += [[] for _ in range(gc.get_threshold()[0] + 1)]
            generations.append(collect_if_due())
        assert set(generations) == {0, 1}
        assert generations.index(1) == gc.get_threshold()[1]
    finally:
        collector.uninstall()


def test_older_generations_are_collected_as_cpython_counts_them(qtbot, automatic_collection):
    collector = GuiThreadCollector(check_ms=60_000)
    thresholds = gc.get_threshold()
    gc.set_threshold(5, 2, 2)  # small, to reach the oldest generation quickly
    try:
        gc.collect()
        generations, kept = [], []
        for _ in range(16):
            kept += [[] for _ in range(6)]  # past the young threshold each time
            generations.append(collect_if_due())
        # A middle collection once more than 2 young ones ran since the last, a full
        # one as soon as more than 2 middle ones ran.
        assert generations == [0, 0, 0, 1] * 3 + [2, 0, 0, 0]
    finally:
        gc.set_threshold(*thresholds)
        collector.uninstall()


def test_a_threshold_of_zero_collects_nothing(qtbot, automatic_collection):
    collector = GuiThreadCollector(check_ms=60_000)
    thresholds = gc.get_threshold()
    gc.set_threshold(0)
    try:
        kept = [[] for _ in range(1000)]
        assert collect_if_due() is None and kept
    finally:
        gc.set_threshold(*thresholds)
        collector.uninstall()


def test_uninstall_leaves_automatic_collection_off_if_it_was_off(qtbot):
    was = gc.isenabled()
    gc.disable()
    try:
        collector = GuiThreadCollector()
        collector.uninstall()
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_a_kiosk_that_fails_to_start_gives_collection_back(
    qtbot, data_dir, monkeypatch, automatic_collection
):
    """Set-up builds the rest before the loop: if that fails (a store that cannot be
    opened), the exception leaves run_kiosk with automatic collection on again and no
    collector timer running."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.paths import DEFAULT_CONTENT_DIR
    from kiosk.settings import load_settings
    from kiosk.ui import launch
    from kiosk.ui.window import KioskWindow

    def fail(*args, **kwargs):
        raise RuntimeError("the store could not be opened")

    monkeypatch.setattr(launch, "build_controller", fail)
    try:
        with pytest.raises(RuntimeError, match="store"):
            launch.run_kiosk(load_settings(data_dir), DEFAULT_CONTENT_DIR, windowed=True)
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0
        app = QApplication.instance()
        assert not [t for t in app.findChildren(QTimer) if t.isActive()]
    finally:
        for window in QApplication.topLevelWidgets():  # the window it built, never shown
            if isinstance(window, KioskWindow) and not window.isVisible():
                window.deleteLater()


def test_what_start_up_built_is_frozen_after_its_garbage_is_collected(qtbot):
    collector = GuiThreadCollector(check_ms=60_000)
    try:
        freed_on: list[str] = []
        _Cycle(freed_on)
        collector.freeze_startup()
        assert freed_on == [threading.main_thread().name]  # collected, not frozen
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        gc.collect()
        assert gc.get_freeze_count() == frozen  # out of every later collection's sight
    finally:
        collector.uninstall()
    assert gc.get_freeze_count() == 0

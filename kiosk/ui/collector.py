"""Python's cycle collector, run on the GUI thread only, while the kiosk runs.

CPython runs a collection on whichever thread's allocation crosses its threshold. The
store's writer, the sync sender and the export run Python on threads of their own, so
a collection can start there, and it finalises whatever the reference cycles it frees
hold: a pixmap, a timer, a widget. Qt objects must be destroyed on the thread they live
on; one destroyed while the GUI thread paints it crashes the process. (Forcing such
collections beside the UI tests crashed them within seconds: "Internal C++ object
(QrCode) already deleted" in a paintEvent, then a segfault.) This is a known hazard of
Python with Qt, and the usual remedy: automatic collection off, and the GUI thread
collects, between events, whenever the allocation counts say a collection is due.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, Qt, QTimer

CHECK_MS = 500  # the counts are looked at this often; a collection runs only when due


def collect_if_due() -> int | None:
    """Collect the oldest generation that is due by CPython's thresholds; returns it, or
    None when nothing was due (or a threshold of 0 turned collection off).

    An approximation of CPython's own trigger: at most one collection per check, and
    without its rule that defers a full collection until the survivors of the last one
    grew by a quarter (Python does not expose those counts), so full collections can
    come a little more often. With start-up's objects frozen, one takes 1-3 ms here.
    """
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if thresholds[0] == 0 or counts[0] <= thresholds[0]:
        return None
    for generation in (2, 1):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return generation
    gc.collect(0)
    return 0


class GuiThreadCollector(QObject):
    """While installed, cycles are collected on the GUI thread, by generation, as soon
    as CPython's own thresholds (gc.get_threshold) say they would have been.

    Other threads' allocations still count towards the thresholds; only the thread
    that collects changes. `uninstall` gives automatic collection back as it was.
    """

    def __init__(self, parent: QObject | None = None, *, check_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setObjectName("gui-thread-collector")
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(collect_if_due)
        self._timer.start(check_ms)

    def freeze_startup(self) -> None:
        """Before the visitor screens are built: what start-up made so far (modules,
        classes, the window, the loop: ~26,000 objects that live as long as the kiosk)
        leaves the collector's sight, so a full collection on the GUI thread takes 1-3 ms
        instead of 17-20 ms, a dropped frame if it fell in a transition. Garbage is
        collected first. The screens a change of language rebuilds come later and stay
        collectable: a frozen cycle would never be freed."""
        gc.collect()
        gc.freeze()

    def uninstall(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        gc.collect()  # what piled up since the last check, here on the GUI thread
        if self._was_enabled:
            gc.enable()
        self.deleteLater()

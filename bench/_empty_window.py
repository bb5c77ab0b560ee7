"""The reference for startup and memory: an empty PySide6 window, started like the kiosk probe.

Prints one `BENCH {json}` line: when its first paint ran (wall clock) and its peak RSS.
Usage: python bench/_empty_window.py start|rss [--size 1920x1080] [--repaints N]
"""

from __future__ import annotations

import time

_T_MAIN = time.time()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402


class _FirstPaint(QObject):
    """Notes the first paint of the watched widget, then calls `after` once it has finished."""

    def __init__(self, after) -> None:
        super().__init__()
        self.started_at: float | None = None
        self._after = after

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.started_at is None:
            self.started_at = time.time()
            # A zero timer runs once the whole paint (and its flush) is done.
            QTimer.singleShot(0, self._after)
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("start", "rss"))
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repaints", type=int, default=60)
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.setWindowTitle("Empty")
    result: dict[str, float] = {"main_at": _T_MAIN}

    def finished() -> None:
        result["painted_at"] = time.time()
        result["paint_started_at"] = watch.started_at or 0.0
        if args.mode == "rss":
            # Like the looping kiosk: repaint the whole window many times.
            for _ in range(args.repaints):
                window.repaint()
                app.processEvents()
        result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("BENCH " + json.dumps(result), flush=True)
        app.quit()

    watch = _FirstPaint(finished)
    window.installEventFilter(watch)
    window.resize(width, height)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

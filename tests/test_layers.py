"""Qt stays out of the model, storage, export and sync layers."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "kiosk.cli",
    "kiosk.content",
    "kiosk.records",
    "kiosk.record_shape",
    "kiosk.record_bounds",
    "kiosk.validation",
    "kiosk.timestamps",
    "kiosk.settings",
    "kiosk.store",
    "kiosk.store.core",
    "kiosk.qr",
    "kiosk.exporting",
    "kiosk.importing",
    "kiosk.sync",
    "kiosk.security",
]


def test_core_modules_do_not_import_qt():
    code = (
        f"import sys\nfor m in {CORE!r}: __import__(m)\n"
        "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

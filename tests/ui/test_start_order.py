"""`kiosk run` paints the first slide before anything it does not need is read or
imported; the translations and the rest of the kiosk follow one event later."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.security import set_pin
from kiosk.settings import load_settings

# Run as `kiosk run` does, in a fresh interpreter: what had been imported, read and
# offered when the first slide began to paint, and what was offered once the rest came.
_CHILD = """
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from kiosk.settings import load_settings
from kiosk.logs import setup_logging
from kiosk.ui.attract import AttractScreen
from kiosk.ui.launch import run_kiosk
from kiosk.ui.reach import reach

settings = load_settings(Path(sys.argv[1]))
setup_logging(settings.log_dir, console=True)
app = QApplication(sys.argv[:1])
seen = {}

def offered():
    return [code for code, _ in reach().languages]

def rest_arrived():
    if len(offered()) > 1 or time.monotonic() > seen["deadline"]:
        poll.stop()
        seen["after"] = offered()
        seen["button_shown"] = seen.pop("screen").language.isVisible()
        del seen["deadline"]
        print("SEEN " + json.dumps(seen), flush=True)
        app.quit()

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if not seen and event.type() == QEvent.Type.Paint and isinstance(watched, AttractScreen):
            seen["modules"] = sorted(sys.modules)
            seen["read"] = sorted(watched.window().content_set.languages)
            seen["offered"] = offered()
            seen["screen"] = watched
            seen["deadline"] = time.monotonic() + 20
            poll.start(5)
        return False

poll = QTimer()
poll.timeout.connect(rest_arrived)
watch = FirstPaint()
app.installEventFilter(watch)
run_kiosk(settings, Path(sys.argv[2]), windowed=True, size=(1280, 800))
"""

# Loaded for the rest of the kiosk (the database, the forms and their validation,
# QR and imaging, sync, logging's network handlers), never for the first slide.
NOT_BEFORE_THE_FIRST_SLIDE = (
    "PIL",
    "qrcode",
    "sqlite3",
    "sqlite_utils",
    "email_validator",
    "phonenumbers",
    "httpx",
    "_hashlib",
    "socket",
    "kiosk.store",
    "kiosk.records",
    "kiosk.ui.app",
    "kiosk.ui.signup",
)


def test_the_first_slide_is_painted_before_the_translations_and_heavy_libraries(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    set_pin(data, "2468")  # set up: a kiosk with no PIN starts on set-up, not the loop
    load_settings(data)  # the first start names the kiosk (that loads OpenSSL, once)
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(root / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("SEEN "))
    seen = json.loads(line[5:])
    loaded = set(seen["modules"])
    assert not [m for m in NOT_BEFORE_THE_FIRST_SLIDE if m in loaded]
    assert "tomllib" in loaded  # the pack itself is read before the first slide
    assert seen["read"] == ["en"]  # the default language alone
    assert seen["offered"] == []  # the language button waits for the list
    assert seen["after"] == ["en", "ga", "pl", "uk"]
    assert seen["button_shown"]

"""Logging to a rotating file in the data folder (and stderr for warnings).

Nothing personal is ever passed to a logger: callers log ids, counts and kinds.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    """Log to the data folder; with `console`, warnings also go to stderr (the kiosk itself).

    Commands other than `kiosk run` keep stderr for their one-line error. Idempotent:
    a second call adds no handlers.
    """
    root = logging.getLogger()
    if any(getattr(h, "_kiosk", False) for h in root.handlers):
        return
    root.setLevel(level)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / "kiosk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        file_handler.setFormatter(logging.Formatter(_FORMAT))
    except OSError:
        # A read-only data folder must not stop the kiosk; stderr still gets warnings.
        file_handler = logging.NullHandler()
    file_handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.WARNING)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream._kiosk = True  # type: ignore[attr-defined]
        root.addHandler(stream)

"""Logging to a rotating file in the data folder (and stderr for warnings).

Nothing personal is ever passed to a logger: callers log ids, counts and kinds.
The log folder is 0700 and every log file, rotated ones too, 0600.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kiosk.files import open_private, private_dir, tighten

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_NAME = "kiosk.log"


class _PrivateRotatingFileHandler(logging.FileHandler):
    """Appends to `path` until the next record would take it past `max_bytes`, then
    renames it to path.1 (path.1 to path.2, ..., up to `backups`) and starts afresh.

    Each file is created 0600; rotation renames files, so rotated ones stay 0600.
    logging.handlers.RotatingFileHandler does the same, but its module imports
    socket, pickle and queue: about 12 ms before the kiosk's first slide.
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    def _open(self):  # type: ignore[no-untyped-def]
        fd = open_private(Path(self.baseFilename), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() > 0:
                size = len((self.format(record) + self.terminator).encode("utf-8", "replace"))
                if self.stream.tell() + size > self.max_bytes:
                    self.doRollover()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def doRollover(self) -> None:  # the name RotatingFileHandler gives it
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        base = self.baseFilename
        for i in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


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
        private_dir(log_dir)
        # Logs written by an older kiosk (0644) are tightened too.
        for old in log_dir.glob(LOG_NAME + "*"):
            tighten(old)
        file_handler: logging.Handler = _PrivateRotatingFileHandler(
            log_dir / LOG_NAME, max_bytes=2_000_000, backups=5
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

"""The kiosk's log file: rotated by size, a few old files kept, every one private."""

from __future__ import annotations

import logging
import stat
import subprocess
import sys
from pathlib import Path

from kiosk.logs import _PrivateRotatingFileHandler


def test_the_log_rotates_before_a_line_would_pass_the_limit_and_keeps_three_old_files(
    tmp_path: Path,
):
    path = tmp_path / "kiosk.log"
    handler = _PrivateRotatingFileHandler(path, max_bytes=1000, backups=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("kiosk.test.rotation")
    log.propagate = False
    log.addHandler(handler)
    try:
        for i in range(100):
            log.warning("line %03d %s", i, "x" * 40)  # 50 bytes with its newline
    finally:
        log.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    for name in names:
        data = (tmp_path / name).read_bytes()
        assert 0 < len(data) <= 1000 and len(data) % 50 == 0  # whole lines only
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert (tmp_path / "kiosk.log").read_text().splitlines()[-1].startswith("line 099")
    assert (tmp_path / "kiosk.log.1").read_text().splitlines()[-1].startswith("line 079")


def test_a_line_longer_than_the_limit_is_written_to_a_fresh_file_not_lost(tmp_path: Path):
    path = tmp_path / "kiosk.log"
    handler = _PrivateRotatingFileHandler(path, max_bytes=100, backups=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for text in ("short", "y" * 500, "after"):
        handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.WARNING}))
    handler.close()
    assert path.read_text() == "after\n"
    assert (tmp_path / "kiosk.log.1").read_text() == "y" * 500 + "\n"
    assert (tmp_path / "kiosk.log.2").read_text() == "short\n"


def test_setting_up_logging_loads_no_network_modules(tmp_path: Path):
    code = (
        "import sys; from pathlib import Path; from kiosk.logs import setup_logging\n"
        "setup_logging(Path(sys.argv[1]))\n"
        "import logging; logging.getLogger('kiosk').warning('hello')\n"
        "sys.exit('socket' in sys.modules or 'logging.handlers' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 0
    assert "hello" in (tmp_path / "kiosk.log").read_text()

"""Shared fixtures: Qt offscreen, a fresh data folder per test, no leaked timers."""

from __future__ import annotations

import gc
import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data folder; the user's real one is never touched."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("KIOSK_DATA_DIR", str(path))
    for name in list(os.environ):
        if name.startswith("KIOSK_") and name != "KIOSK_DATA_DIR":
            monkeypatch.delenv(name)
    return path


# Property tests run on shared, sometimes busy machines: judge them on their
# results, never on how long one example took.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("kiosk", deadline=None)
hypothesis_settings.load_profile("kiosk")


@pytest.fixture(autouse=True)
def _cheap_pin_hashes(request, monkeypatch):
    """Hash PINs with a tiny scrypt work factor: the shipped one costs ~0.1 s of CPU per
    set or check, hundreds of times a run. The hash format, salt and verification code
    are the same; verification reads the factor from the hash. Tests marked
    `shipped_pin_cost` keep the real factor (and one checks what it is)."""
    if request.node.get_closest_marker("shipped_pin_cost") is None:
        monkeypatch.setattr("kiosk.security.SCRYPT_N", 2**4)


@pytest.fixture(autouse=True)
def _no_leftover_log_handlers():
    """`kiosk.cli.main` logs into the test's data folder; don't leak it to the next test."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_kiosk", False)]:
        root.removeHandler(handler)
        handler.close()


@pytest.fixture(autouse=True, scope="session")
def _collect_on_the_main_thread():
    """As in the kiosk (kiosk/ui/collector.py), cycles are collected on the main thread
    only: between tests, never on a store, sync or test-runner thread while a widget
    paints. Tests of the collector turn automatic collection on for themselves."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    from kiosk.ui.collector import collect_if_due

    yield
    collect_if_due()  # a full collection after every test would cost the suite minutes


@pytest.fixture
def automatic_collection():
    """Automatic collection on, as in a plain Python process, for a test of what turns
    it off; earlier garbage is collected first, here on the main thread."""
    gc.collect()
    gc.enable()
    yield
    gc.disable()

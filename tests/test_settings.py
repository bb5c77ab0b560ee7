"""Settings: data folder resolution, precedence, bounds and the generated device id."""

from __future__ import annotations

import re

import pytest

from kiosk.errors import SettingsError
from kiosk.settings import load_settings, read_file, resolve_data_dir, write_values


def test_data_dir_flag_beats_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"
    assert (tmp_path / "env").is_dir()


def test_platform_default_when_nothing_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("KIOSK_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir(None) == tmp_path / "xdg" / "freedom-kiosk"


def test_device_id_is_generated_once_and_kept(data_dir):
    first = load_settings(data_dir)
    assert re.fullmatch(r"[a-z]+-[0-9a-f]{4}", first.device_id)
    assert load_settings(data_dir).device_id == first.device_id
    assert read_file(data_dir)["device_id"] == first.device_id


def test_precedence_default_file_env_flag(data_dir, monkeypatch):
    assert load_settings(data_dir).idle_timeout_s == 0
    write_values(data_dir, {"idle_timeout_s": 30, "sync.url": "https://example.org/hook"})
    assert load_settings(data_dir).idle_timeout_s == 30
    monkeypatch.setenv("KIOSK_IDLE_TIMEOUT_S", "50")
    assert load_settings(data_dir).idle_timeout_s == 50
    assert load_settings(data_dir, {"idle_timeout_s": 70}).idle_timeout_s == 70
    assert load_settings(data_dir).sync_url == "https://example.org/hook"
    monkeypatch.setenv("KIOSK_SYNC_SECRET", "s3cret")
    settings = load_settings(data_dir)
    assert settings.sync_secret == "s3cret"
    assert settings.describe()["sync.secret"] == "(set)"


def test_bad_values_name_the_setting_and_value(data_dir, monkeypatch):
    monkeypatch.setenv("KIOSK_SYNC_INTERVAL_S", "soon")
    with pytest.raises(
        SettingsError,
        match=r"sync.interval_s \(environment KIOSK_SYNC_INTERVAL_S\)"
        r": expected float, got 'soon'",
    ):
        load_settings(data_dir)
    monkeypatch.setenv("KIOSK_SYNC_INTERVAL_S", "1")
    with pytest.raises(SettingsError, match=r"must be between 5 and 86400, got 1\.0"):
        load_settings(data_dir)


def test_settings_file_is_private_and_written_atomically(data_dir):
    write_values(data_dir, {"admin.hotkey": "Ctrl+Alt+K"})
    path = data_dir / "settings.toml"
    assert path.stat().st_mode & 0o077 == 0
    assert not list(data_dir.glob("*.tmp"))
    assert 'hotkey = "Ctrl+Alt+K"' in path.read_text()


def test_broken_settings_file_is_a_clear_error(data_dir):
    (data_dir / "settings.toml").write_text("[sync\nurl=", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"settings\.toml: not valid TOML"):
        load_settings(data_dir)


def test_pin_hash_comes_only_from_the_settings_file(data_dir, monkeypatch):
    """An environment variable must not silently override the PIN that Change PIN writes."""
    write_values(data_dir, {"admin.pin_hash": "from-file"})
    monkeypatch.setenv("KIOSK_ADMIN_PIN_HASH", "from-env")
    assert load_settings(data_dir).admin_pin_hash == "from-file"


def test_a_read_only_data_folder_still_gives_settings(data_dir, monkeypatch):
    """First run on a read-only folder: no crash; the device id lives for this run."""
    import kiosk.settings as settings_module

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(settings_module, "write_atomic", refuse)
    settings = load_settings(data_dir)
    assert settings.device_id
    assert not (data_dir / "settings.toml").exists()


def test_a_bad_value_never_echoes_url_credentials_or_a_long_paste(data_dir, monkeypatch):
    """A sync password pasted into the wrong setting must not be printed back."""
    monkeypatch.setenv(
        "KIOSK_SYNC_INTERVAL_S", "https://office:hunter2@example.org/in?token=s3cr3t"
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(data_dir)
    message = str(caught.value)
    assert "sync.interval_s" in message
    assert "hunter2" not in message and "s3cr3t" not in message
    monkeypatch.setenv("KIOSK_SYNC_INTERVAL_S", "x" * 500)
    with pytest.raises(SettingsError) as caught:
        load_settings(data_dir)
    assert len(str(caught.value)) < 200

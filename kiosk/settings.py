"""Every setting, declared once: name, type, default, bounds, env override.

Precedence, lowest first: default → `settings.toml` in the data folder →
environment `KIOSK_<NAME>` (dots become underscores: `KIOSK_SYNC_URL`) →
command-line flags. No Qt here.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kiosk.errors import SettingsError
from kiosk.files import private_data_dir, write_atomic

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.toml"
APP_NAME = "freedom-kiosk"
_DEVICE_WORDS = ("tent", "stand", "stall", "kiosk")


@dataclass(frozen=True)
class Setting:
    name: str  # dotted, as in settings.toml: "sync.url"
    kind: type
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    secret: bool = False
    env_override: bool = True  # False: only settings.toml (the PIN hash: one source of truth)
    # Raises ValueError with a reason for a well-typed but unusable value.
    check: Callable[[Any], object] | None = None

    @property
    def attr(self) -> str:
        return self.name.replace(".", "_")

    @property
    def env(self) -> str:
        return "KIOSK_" + self.attr.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("device_id", str, "", "This kiosk's name in every record, made once (tent-3f9a)."),
    Setting("content_dir", str, "", "Content pack folder; empty means the bundled pack."),
    Setting(
        "idle_timeout_s",
        float,
        0.0,
        "Seconds without a touch before 'Are you still there?'; 0 uses the content pack's.",
        low=0,
        high=3600,
    ),
    Setting("screen", int, 0, "Which screen the kiosk fills (0 = primary).", low=0, high=16),
    Setting("sync.url", str, "", "HTTPS endpoint that receives sign-ups; empty disables."),
    Setting("sync.secret", str, "", "Shared secret for the HMAC signature.", secret=True),
    Setting(
        "sync.folder", str, "", "Folder that receives sign-ups as JSONL files; empty disables."
    ),
    Setting("sync.interval_s", float, 60.0, "Seconds between sync attempts.", low=5, high=86400),
    Setting("sync.timeout_s", float, 15.0, "HTTP timeout for one sync request.", low=1, high=300),
    Setting("admin.hotkey", str, "Ctrl+Alt+Shift+A", "Key combination that opens Admin."),
    Setting(
        "admin.pin_hash",
        str,
        "",
        "Salted scrypt hash of the admin PIN (kiosk set-pin).",
        secret=True,
        env_override=False,
    ),
    Setting(
        "privacy.seal_to",
        str,
        "",
        "The office's public key (kiosk keygen): personal fields are sealed to it before "
        "they are written; empty means no sealing.",
        check=lambda v: _check_public_key(v),
    ),
    Setting(
        "admin.idle_s",
        float,
        60.0,
        "Admin panel closes after this many idle seconds.",
        low=10,
        high=3600,
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    device_id: str
    content_dir: str
    idle_timeout_s: float
    screen: int
    sync_url: str
    sync_secret: str
    sync_folder: str
    sync_interval_s: float
    sync_timeout_s: float
    admin_hotkey: str
    admin_pin_hash: str
    admin_idle_s: float
    privacy_seal_to: str

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def describe(self) -> dict[str, Any]:
        """Every setting for display, with secrets masked."""
        out: dict[str, Any] = {}
        for s in SETTINGS:
            value = getattr(self, s.attr)
            out[s.name] = ("(set)" if value else "(not set)") if s.secret else value
        return out


def _check_public_key(value: str) -> None:
    if value.strip():
        from kiosk.sealing import parse_public_key  # no PyNaCl needed to check the text

        parse_public_key(value)


def _platform_data_dir() -> str:
    import platformdirs  # imported only when no folder was given (saves start-up time)

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir`, else KIOSK_DATA_DIR, else the platform's user data folder."""
    chosen = cli_value or os.environ.get("KIOSK_DATA_DIR") or _platform_data_dir()
    path = Path(chosen).expanduser()
    try:
        private_data_dir(path)  # 0700: names, emails and the PIN hash live here
    except OSError as exc:
        raise SettingsError(f"data folder {path} cannot be created: {exc.strerror}") from None
    return path


def _shown(setting: Setting, value: Any) -> str:
    """A bad value as an error message may show it: never a secret, never URL credentials."""
    if setting.secret:
        return "(hidden: it is secret)"
    text = repr(value)
    if "://" in text or "@" in text:
        from kiosk.sync_wire import redact_url  # lazily: only for an error message

        text = repr(redact_url(str(value)))
    return text if len(text) <= 60 else text[:57] + "..."


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    try:
        if setting.kind is bool and isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "on")
        elif setting.kind in (int, float) and isinstance(value, bool):
            raise ValueError
        else:
            value = setting.kind(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"{setting.name} ({origin}): expected {setting.kind.__name__}, "
            f"got {_shown(setting, value)}"
        ) from None
    if setting.check is not None:
        try:
            setting.check(value)
        except ValueError as exc:
            raise SettingsError(
                f"{setting.name} ({origin}): {exc}, got {_shown(setting, value)}"
            ) from None
    if setting.low is not None and not setting.low <= value <= setting.high:
        raise SettingsError(
            f"{setting.name} ({origin}): must be between {setting.low:g} and "
            f"{setting.high:g}, got {_shown(setting, value)}"
        )
    return value


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def read_file(data_dir: Path) -> dict[str, Any]:
    path = data_dir / SETTINGS_FILE
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None


def write_values(data_dir: Path, values: dict[str, Any]) -> None:
    """Merge `values` (dotted names) into settings.toml, atomically."""
    current = read_file(data_dir)
    for name, value in values.items():
        if name not in BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        current[name] = _coerce(BY_NAME[name], value, "new value")
    nested: dict[str, Any] = {}
    for name, value in sorted(current.items()):
        *parents, leaf = name.split(".")
        node = nested
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    path = data_dir / SETTINGS_FILE
    # Private from the first byte: it holds the PIN hash and the sync secret.
    import tomli_w  # only needed when something changes

    write_atomic(path, tomli_w.dumps(nested).encode("utf-8"), private=True)


def new_device_id() -> str:
    import secrets  # once, on first start: it loads OpenSSL (~3 MiB) the loop never needs

    return f"{secrets.choice(_DEVICE_WORDS)}-{secrets.token_hex(2)}"


def load_settings(
    data_dir: str | os.PathLike[str] | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Resolve every setting; writes a new device_id to settings.toml the first time."""
    folder = resolve_data_dir(data_dir)
    from_file = read_file(folder)
    unknown = sorted(set(from_file) - set(BY_NAME))
    if unknown:
        log.warning("settings.toml: ignoring unknown settings %s", ", ".join(unknown))
    values: dict[str, Any] = {}
    for s in SETTINGS:
        value, origin = s.default, "default"
        if s.name in from_file:
            value, origin = from_file[s.name], f"{SETTINGS_FILE}"
        if s.env_override and s.env in os.environ:
            value, origin = os.environ[s.env], f"environment {s.env}"
        if overrides and overrides.get(s.name) is not None:
            value, origin = overrides[s.name], "command line"
        values[s.attr] = _coerce(s, value, origin)
    if not values["device_id"]:
        values["device_id"] = new_device_id()
        try:
            write_values(folder, {"device_id": values["device_id"]})
            log.info("new device id %s", values["device_id"])
        except OSError as exc:
            # A read-only data folder must not stop the kiosk showing its story; saving
            # will report the folder clearly. The id lasts for this run only.
            log.warning("could not save the new device id to %s (%s)", folder, exc.strerror)
    return Settings(data_dir=folder, **values)


assert {f.name for f in fields(Settings)} == {"data_dir", *(s.attr for s in SETTINGS)}

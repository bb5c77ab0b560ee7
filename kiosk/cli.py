"""Every `kiosk` command: parse, call, print, exit code. No logic of its own.

Expected failures (KioskError, and a disk that is full, read-only or gone) become
one line on stderr and a non-zero exit; a bug is one line too, its traceback in the
log file. Qt is imported by `kiosk run` alone.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.command_lock import another_command as _another_command
from kiosk.command_lock import command_lock as _command_lock
from kiosk.errors import KioskError, SettingsError, os_error_reason
from kiosk.paths import DEFAULT_CONTENT_DIR

if TYPE_CHECKING:
    from kiosk.exporting import ExportResult

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data folder (default: KIOSK_DATA_DIR or the platform's user data folder)",
    )
    content = argparse.ArgumentParser(add_help=False)
    content.add_argument("--content", metavar="DIR", help="content pack folder")

    parser = argparse.ArgumentParser(prog="kiosk", description="Freedom Kiosk")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", parents=[common, content], help="start the kiosk")
    run.add_argument("--windowed", action="store_true", help="a normal window, for trying out")
    run.add_argument("--screen", type=int, metavar="N", help="which screen to fill")
    run.add_argument("--size", metavar="WxH", help="window size with --windowed (1280x800)")

    sub.add_parser("check", parents=[common, content], help="validate a content pack")

    export = sub.add_parser("export", parents=[common, content], help="write sign-ups to a file")
    export.add_argument("--format", choices=("csv", "xlsx", "jsonl"), required=True)
    export.add_argument("--out", required=True, metavar="PATH", help="file or folder to write")
    export.add_argument("--unexported", action="store_true", help="only those not yet exported")
    export.add_argument("--since", metavar="ISO", help="only those created at or after this time")
    export.add_argument(
        "--layout",
        metavar="NAME|FILE.toml",
        help="CSV/XLSX columns for a CRM's import: generic, beacon, donorfy, raisers-edge, "
        "salesforce-npsp, or your own layout file",
    )

    imp = sub.add_parser("import", parents=[common], help="add another kiosk's JSONL export")
    imp.add_argument("path", metavar="PATH.jsonl")

    sync = sub.add_parser("sync", parents=[common], help="push pending sign-ups")
    sync.add_argument("--once", action="store_true", help="one pass, then exit")
    sync.add_argument("--url", help="override sync.url for this run")

    stats = sub.add_parser("stats", parents=[common], help="sign-up counts")
    stats.add_argument("--json", action="store_true")

    sub.add_parser("set-pin", parents=[common], help="set the admin PIN")

    find = sub.add_parser("find", parents=[common], help="sign-ups by reference or name, masked")
    find.add_argument("text", metavar="TEXT", help="a reference (NH-7F3KQ2) or part of a name")
    withdraw = sub.add_parser(
        "withdraw", parents=[common], help="erase one person's data; the office is told"
    )
    withdraw.add_argument("ref", metavar="REF|ID", help="the sign-up's reference or id")
    poster = sub.add_parser(
        "poster", parents=[common, content], help="a printable stand poster (PNG or PDF)"
    )
    poster.add_argument("--out", required=True, metavar="FILE", help="FILE.png or FILE.pdf")
    poster.add_argument("--size", choices=("A4", "A5"), default="A4", type=str.upper)

    keygen = sub.add_parser(
        "keygen", parents=[common], help="make the office's key pair for sealing"
    )
    keygen.add_argument("--out", required=True, metavar="FILE", help="new private key file")

    unseal = sub.add_parser("unseal", help="open a sealed export at the office")
    unseal.add_argument("--key", required=True, metavar="FILE", help="the private key file")
    unseal.add_argument("src", metavar="IN", help="sealed export (.jsonl, .csv or .xlsx)")
    unseal.add_argument("dst", metavar="OUT", help="new file to write")
    return parser


EXIT_UNEXPECTED = 70  # EX_SOFTWARE: a bug, with its traceback in the log


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except KioskError as exc:
        return _fail(args.command, str(exc).splitlines() or [type(exc).__name__], exc.exit_code)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        # A disk that is full, read-only or gone, met outside the store and export.
        _log_file(args)
        log.error("kiosk %s: %s (errno %s)", args.command, type(exc).__name__, exc.errno)
        return _fail(args.command, [os_error_reason(exc)], 1)
    except sqlite3.Error as exc:
        from kiosk.store import friendly

        _log_file(args)
        log.error("kiosk %s: %s", args.command, type(exc).__name__)
        return _fail(args.command, [friendly(exc)], 1)
    except Exception as exc:
        # A bug: the traceback goes to the log file only, never to the volunteer's screen.
        log_file = _log_file(args)
        log.exception("kiosk %s failed unexpectedly", args.command)
        where = f" — the details are in {log_file}" if log_file else ""
        return _fail(
            args.command, [f"something went wrong ({type(exc).__name__}){where}"], EXIT_UNEXPECTED
        )


def _fail(command: str, lines: list[str], code: int) -> int:
    for line in lines:
        print(f"kiosk {command}: {line}", file=sys.stderr)
    return code


def _log_file(args: argparse.Namespace) -> str | None:
    """The log file a traceback can go to: the command's, else the data folder's if it
    exists (never created just for this). Without one, log records are dropped rather
    than printed to stderr (Python's fallback)."""
    root = logging.getLogger()
    if not any(getattr(h, "_kiosk", False) for h in root.handlers):
        with contextlib.suppress(Exception):
            from kiosk.logs import setup_logging
            from kiosk.settings import APP_NAME

            chosen = getattr(args, "data_dir", None) or os.environ.get("KIOSK_DATA_DIR")
            if not chosen:
                import platformdirs

                chosen = platformdirs.user_data_dir(APP_NAME, appauthor=False)
            if Path(chosen).is_dir():
                setup_logging(Path(chosen) / "logs")
    handlers = [h for h in root.handlers if getattr(h, "_kiosk", False)]
    if not handlers:
        quiet = logging.NullHandler()
        quiet._kiosk = True  # type: ignore[attr-defined]
        root.addHandler(quiet)
    return next((h.baseFilename for h in handlers if isinstance(h, logging.FileHandler)), None)


def _settings(args: argparse.Namespace, *, console_log: bool = False, **overrides: object):
    from kiosk.logs import setup_logging
    from kiosk.settings import load_settings, resolve_data_dir

    # Logging first, so what loading the settings has to say goes to the log, not stderr.
    folder = resolve_data_dir(args.data_dir)
    setup_logging(folder / "logs", console=console_log)
    return load_settings(folder, overrides)


def _existing_data_dir(args: argparse.Namespace, *, need_data: bool = False) -> None:
    """Commands that only read or withdraw sign-ups refuse a named data folder that is not
    there (`need_data`: or holds no kiosk): a mistyped --data-dir would otherwise become
    a new, empty kiosk."""
    chosen = args.data_dir or os.environ.get("KIOSK_DATA_DIR")
    if not chosen:
        return
    folder = Path(chosen).expanduser()
    where = "--data-dir" if args.data_dir else "KIOSK_DATA_DIR"
    if folder.exists() and not folder.is_dir():
        raise SettingsError(f"data folder {chosen} is not a folder — check {where}")
    if not folder.is_dir():
        raise SettingsError(
            f"no kiosk data in {chosen} (the folder does not exist) — check {where}"
        )
    if need_data and not any((folder / n).exists() for n in ("kiosk.db", "settings.toml")):
        raise SettingsError(f"no kiosk data in {chosen} — check {where}")


def _content_dir(args: argparse.Namespace, settings=None) -> Path:
    chosen = getattr(args, "content", None) or (settings.content_dir if settings else "")
    return Path(chosen) if chosen else DEFAULT_CONTENT_DIR


def _store(settings):
    from kiosk.store import Store

    return Store(settings.db_path, seal_to=settings.privacy_seal_to)


def _in_use(exc: KioskError) -> bool:
    from kiosk.store import InUseError

    return isinstance(exc.__cause__, InUseError)


def _n(count: int, what: str = "sign-up") -> str:
    """ "1 sign-up", "2 sign-ups"."""
    return f"{count} {what}{'' if count == 1 else 's'}"


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args, console_log=True, screen=args.screen)
    from kiosk.ui.launch import run_kiosk

    size = None
    if args.size:
        try:
            width, height = (int(n) for n in args.size.lower().split("x"))
        except ValueError:
            raise SettingsError(
                f"--size: expected WIDTHxHEIGHT like 1280x800, got {args.size!r}"
            ) from None
        size = (width, height)
    return run_kiosk(settings, _content_dir(args, settings), windowed=args.windowed, size=size)


def cmd_check(args: argparse.Namespace) -> int:
    from kiosk.errors import ContentError
    from kiosk.languages import load_content_set

    folder = Path(args.content) if args.content else DEFAULT_CONTENT_DIR
    try:
        pack = load_content_set(folder)
    except KioskError:
        raise
    except Exception as exc:  # a bug in a check must still be one line, never a traceback
        log.debug("checking %s failed", folder, exc_info=True)
        raise ContentError([f"{folder}: could not be checked ({type(exc).__name__})"]) from None
    content = pack.base
    soft = sum(c.is_soft_opt_in for c in content.consents)
    print(
        f"{folder}: ok — {len(content.slides)} slides, {len(content.interests)} interests, "
        f"{len(content.consents)} consent channels"
        + (f" ({soft} on the charity soft opt-in)" if soft else "")
        + f" (version {content.version})"
    )
    names = [f"{content.language} {content.language_name} (base)"] + [
        f"{t.code} {t.name} ({'reviewed' if t.reviewed else 'not reviewed'})"
        for t in pack.translations
    ]
    print(f"languages: {', '.join(names)}; new visitors start in {pack.default}")
    for line in pack.warnings():
        print(f"kiosk check: warning: {line}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Exit 0 when written and marked; 1 when written but not marked, or salvaged."""
    from kiosk.content import export_columns
    from kiosk.exporting import ExportNotMarkedError, export_signups
    from kiosk.store import Store, cannot_write

    _existing_data_dir(args)
    settings = _settings(args)
    tables = None
    if args.layout:
        from kiosk.layouts import LayoutError
        from kiosk.layouts.rows import export_tables

        tables = export_tables(args.layout, _content_dir(args, settings))
        if args.format == "jsonl" and tables is not None:
            raise LayoutError("--layout is for csv and xlsx; jsonl is always the full record")
    columns = export_columns(_content_dir(args, settings))
    # A read-only data folder still exports; only the marking will fail (and say so).
    with Store(settings.db_path, read_only=cannot_write(settings.db_path)) as store:
        try:
            result = export_signups(
                store,
                args.format,
                Path(args.out),
                unexported=args.unexported,
                since=args.since,
                columns=columns,
                layout=tables,
            )
        except ExportNotMarkedError as exc:
            _print_written(exc.result)
            raise
    _print_written(result)
    return 1 if result.damaged else 0


def _print_written(result: ExportResult) -> None:
    print(result.summary())
    if result.companion is not None:
        print(f"wrote the consent import to {result.companion}")
    if result.withdrawals is not None:
        print(
            f"wrote {result.withdrawn} withdrawals to {result.withdrawals}: erase or suppress "
            "these people in the CRM (they are not in the contact rows)"
        )


def cmd_import(args: argparse.Namespace) -> int:
    from kiosk.importing import import_jsonl

    settings = _settings(args)
    with _command_lock(settings), _store(settings) as store:
        result = import_jsonl(store, Path(args.path))
    print(f"imported {_n(result.added, 'new sign-up')} ({result.skipped} already here)")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from kiosk.sync import run_sync_command

    settings = _settings(args, **{"sync.url": args.url})
    with _command_lock(settings), _store(settings) as store:
        report = run_sync_command(store, settings, once=args.once)
    print(report.summary())
    return 0 if report.pending == 0 else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from kiosk.store import Store

    _existing_data_dir(args)
    settings = _settings(args)
    # Read-only when the database exists, so it works beside a running kiosk.
    with Store(settings.db_path, read_only=settings.db_path.exists()) as store:
        stats = store.stats()
    if args.json:
        from kiosk.funnel import today_funnel

        with Store(settings.db_path, read_only=settings.db_path.exists()) as store:
            funnel = today_funnel(store)
        print(json.dumps({**stats.to_json(), "funnel": funnel.to_json()}))
    else:
        for key, value in stats.to_json().items():
            print(f"{key:>13}: {value if value is not None else '—'}")
    return 0


def cmd_set_pin(args: argparse.Namespace) -> int:
    from kiosk.security import PinPolicy, set_pin

    settings = _settings(args)
    if sys.stdin.isatty():
        pin = getpass.getpass("New admin PIN (4–12 digits): ")
        if getpass.getpass("Again: ") != pin:
            raise SettingsError("the two PINs differ; nothing changed")
    else:
        pin = sys.stdin.readline().strip()
    PinPolicy.check(pin)
    try:
        set_pin(settings.data_dir, pin)
    except OSError as exc:
        raise SettingsError(
            f"couldn't save the PIN: {os_error_reason(exc)}; the PIN is unchanged"
        ) from None
    print("admin PIN set")
    if os.environ.get("KIOSK_ADMIN_PIN_HASH"):
        print(
            "kiosk set-pin: KIOSK_ADMIN_PIN_HASH is ignored — the PIN comes from settings.toml",
            file=sys.stderr,
        )
    return 0


def cmd_find(args: argparse.Namespace) -> int:
    from kiosk.finding import MAX_QUERY, find_signups
    from kiosk.store import Store

    _existing_data_dir(args, need_data=True)
    settings = _settings(args)
    text = args.text.strip()
    if len(text) < 2:
        raise SettingsError("type at least two characters of a reference or name")
    if len(text) > MAX_QUERY:
        raise SettingsError(
            f"that is {len(text):,} characters — a reference or name has at most {MAX_QUERY}"
        )
    with Store(
        settings.db_path, read_only=settings.db_path.exists(), seal_to=settings.privacy_seal_to
    ) as store:
        found = find_signups(store, text)
        sealing = store.sealing
    for f in found:
        contact = f" ({f.contact()})" if f.contact() else ""
        print(f"{f.line()}{contact}  id {f.id}")
    if not found:
        hint = " — sealing is on: search by reference (NH-...)" if sealing else ""
        print(f"no sign-up matches {text!r}{hint}", file=sys.stderr)
        return 1
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from kiosk.errors import StorageError

    _existing_data_dir(args, need_data=True)
    settings = _settings(args)
    try:
        with _command_lock(settings), _store(settings) as store:
            marker = store.withdraw(args.ref)
    except StorageError as exc:
        if _in_use(exc) and _another_command(settings):
            raise StorageError(
                "another kiosk command is using the data — try again in a moment"
            ) from exc
        raise
    if marker is None:
        print(f"kiosk withdraw: no sign-up has the reference or id {args.ref!r}", file=sys.stderr)
        return 1
    print(
        f"withdrew {marker.donation_ref}: the personal data is erased on this kiosk; "
        "the withdrawal goes to the office with the next export or sync"
    )
    return 0


def cmd_poster(args: argparse.Namespace) -> int:
    from kiosk.content import load_content
    from kiosk.poster import make_poster

    settings = _settings(args)
    folder = _content_dir(args, settings)
    out = make_poster(load_content(folder), Path(args.out), size=args.size)
    print(f"wrote the {args.size} poster to {out}")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    """Takes --data-dir like every command (SPEC 7); the key pair never goes there."""
    from kiosk.sealing import generate_keypair, write_private_key

    pair = generate_keypair()
    write_private_key(Path(args.out), pair)
    print(f"private key written to {args.out} (keep it at the office; back it up; never")
    print("put it on a kiosk: whoever holds it can read every sealed sign-up)")
    print("public key, for privacy.seal_to in each kiosk's settings.toml:")
    print(pair.public_text)
    return 0


def cmd_unseal(args: argparse.Namespace) -> int:
    from kiosk.sealing import unseal_file

    result = unseal_file(Path(args.key), Path(args.src), Path(args.dst))
    print(f"opened {result.opened} sealed fields in {result.rows} rows into {result.path}")
    problem = result.problem()
    if problem:
        print(f"kiosk unseal: {problem}", file=sys.stderr)
        return 1
    return 0


_COMMANDS = {
    "run": cmd_run,
    "check": cmd_check,
    "export": cmd_export,
    "import": cmd_import,
    "sync": cmd_sync,
    "stats": cmd_stats,
    "set-pin": cmd_set_pin,
    "find": cmd_find,
    "withdraw": cmd_withdraw,
    "poster": cmd_poster,
    "keygen": cmd_keygen,
    "unseal": cmd_unseal,
}

"""Every `kiosk` command: parse, call, print, exit code. No logic of its own.

Expected failures (KioskError) become one line on stderr and a non-zero exit;
only a bug prints a traceback. Qt is imported by `kiosk run` alone.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.errors import KioskError, SettingsError
from kiosk.paths import DEFAULT_CONTENT_DIR

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

    keygen = sub.add_parser("keygen", help="make the office's key pair for sealing")
    keygen.add_argument("--out", required=True, metavar="FILE", help="new private key file")

    unseal = sub.add_parser("unseal", help="open a sealed export at the office")
    unseal.add_argument("--key", required=True, metavar="FILE", help="the private key file")
    unseal.add_argument("src", metavar="IN", help="sealed export (.jsonl, .csv or .xlsx)")
    unseal.add_argument("dst", metavar="OUT", help="new file to write")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except KioskError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            print(f"kiosk {args.command}: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _settings(args: argparse.Namespace, *, console_log: bool = False, **overrides: object):
    from kiosk.logs import setup_logging
    from kiosk.settings import load_settings

    settings = load_settings(args.data_dir, overrides)
    setup_logging(settings.log_dir, console=console_log)
    return settings


def _content_dir(args: argparse.Namespace, settings=None) -> Path:
    chosen = getattr(args, "content", None) or (settings.content_dir if settings else "")
    return Path(chosen) if chosen else DEFAULT_CONTENT_DIR


def _store(settings):
    from kiosk.store import Store

    return Store(settings.db_path, seal_to=settings.privacy_seal_to)


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
    from kiosk.content import export_columns
    from kiosk.exporting import export_signups

    settings = _settings(args)
    tables = None
    if args.layout:
        from kiosk.layouts import LayoutError
        from kiosk.layouts.rows import export_tables

        tables = export_tables(args.layout, _content_dir(args, settings))
        if args.format == "jsonl" and tables is not None:
            raise LayoutError("--layout is for csv and xlsx; jsonl is always the full record")
    with _store(settings) as store:
        result = export_signups(
            store,
            args.format,
            Path(args.out),
            unexported=args.unexported,
            since=args.since,
            columns=export_columns(_content_dir(args, settings)),
            layout=tables,
        )
    print(f"wrote {result.count} sign-ups to {result.path}")
    if tables is not None and tables[1] is not None:
        companion = result.path.with_name(
            f"{result.path.stem}{tables[1].suffix}{result.path.suffix}"
        )
        print(f"wrote the consent import to {companion}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kiosk.importing import import_jsonl

    settings = _settings(args)
    with _store(settings) as store:
        result = import_jsonl(store, Path(args.path))
    print(f"imported {result.added} new sign-ups ({result.skipped} already here)")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from kiosk.sync import run_sync_command

    settings = _settings(args, **{"sync.url": args.url})
    with _store(settings) as store:
        report = run_sync_command(store, settings, once=args.once)
    print(report.summary())
    return 0 if report.pending == 0 else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from kiosk.store import Store

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
    set_pin(settings.data_dir, pin)
    print("admin PIN set")
    return 0


def cmd_find(args: argparse.Namespace) -> int:
    from kiosk.finding import find_signups
    from kiosk.store import Store

    settings = _settings(args)
    if len(args.text.strip()) < 2:
        raise SettingsError("type at least two characters of a reference or name")
    with Store(settings.db_path, read_only=settings.db_path.exists()) as store:
        found = find_signups(store, args.text)
    for f in found:
        contact = f" ({f.contact()})" if f.contact() else ""
        print(f"{f.line()}{contact}  id {f.id}")
    if not found:
        print(f"no sign-up matches {args.text.strip()!r}", file=sys.stderr)
        return 1
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with _store(settings) as store:
        marker = store.withdraw(args.ref)
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
    from kiosk.sealing import generate_keypair, write_private_key

    pair = generate_keypair()
    write_private_key(Path(args.out), pair)
    print(f"private key written to {args.out} (keep it at the office; back it up; never")
    print("put it on a kiosk: whoever holds it can read every sealed sign-up)")
    print("public key, for privacy.seal_to in each kiosk's settings.toml:")
    print(pair.public_b64)
    print(f"(the same key in hex: {pair.public_hex})")
    return 0


def cmd_unseal(args: argparse.Namespace) -> int:
    from kiosk.sealing import unseal_file

    result = unseal_file(Path(args.key), Path(args.src), Path(args.dst))
    print(f"opened {result.opened} sealed fields in {result.rows} rows into {result.path}")
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

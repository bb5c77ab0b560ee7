"""Render every kiosk screen to PNG at the three supported sizes, for looking at.

    uv run python -m kiosk.ui.shots --out shots/

Runs offscreen with a throwaway data folder; nothing real is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

SIZES = ((1920, 1080), (1280, 800), (1080, 1920))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("shots"))
    parser.add_argument("--content", type=Path, default=None)
    parser.add_argument("--only", default="", help="save only shots whose name starts so")
    parser.add_argument(
        "--language", default="", help="visitor screens in this language (pl, uk, ga), named so"
    )
    parser.add_argument(
        "--palette",
        action="store_true",
        help="save 256-colour PNGs (a third of the size; for the copies kept in docs/)",
    )
    parser.add_argument(
        "--no-speech", action="store_true", help="as with no speech engine: no speaker button"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from kiosk.content import load_content
    from kiosk.languages import load_content_set
    from kiosk.paths import DEFAULT_CONTENT_DIR
    from kiosk.records import SignupForm, build_record
    from kiosk.security import set_pin
    from kiosk.settings import load_settings
    from kiosk.store import Store
    from kiosk.ui.admin.shots import admin_shots, seed_events
    from kiosk.ui.app import KioskController, State
    from kiosk.ui.reach import reach
    from kiosk.ui.speaker import reader
    from kiosk.ui.theme import load_fonts
    from kiosk.ui.window import KioskWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_fonts()
    # As on a kiosk with eSpeak NG installed (docs/deploy.md), but silent.
    reader().use(None if args.no_speech else _SilentEngine())
    content_dir = args.content or DEFAULT_CONTENT_DIR
    content = load_content(content_dir)
    languages = load_content_set(content_dir) if args.language else None
    lang = f"-{args.language}" if args.language else ""
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(tmp)
        set_pin(Path(tmp), "2468")
        store = Store(settings.db_path)
        for name in ("Aoife Murphy", "Seán Ó Briain", "Zoë Quinn"):
            store.save_signup(
                build_record(
                    SignupForm(first_name=name, email="a@example.ie", interests=("prayer",)),
                    content,
                    settings.device_id,
                )
            )
        seed_events(store)
        window = KioskWindow(kiosk_mode=False)
        controller = KioskController(
            settings, content, store, window, content_dir=content_dir, languages=languages
        )
        window.show()

        def shot(name: str, size: tuple[int, int]) -> None:
            for _ in range(3):
                app.processEvents()
            if not name.startswith(args.only):
                return
            path = args.out / f"{name}-{size[0]}x{size[1]}.png"
            window.grab().save(str(path))
            if args.palette:
                _to_palette(path)
            print(path)

        reach_state = reach()

        def fresh(tag: str) -> None:
            controller.reset_visitor()
            reach_state.set_enhanced(tag.endswith("-large"))
            if args.language:
                reach_state.set_language(args.language)

        def steps(size: tuple[int, int], tag: str) -> None:
            fresh(tag)
            content = controller.content
            controller.involved.chosen.emit("freedom_partner")
            form = controller.form
            form.name.first.edit.setText("Seán")
            form.name.last.edit.setText("Ó Briain")
            form.name.first.edit.setFocus()
            shot(f"3-step1-name{tag}", size)
            form.go(1)
            form.email.field.edit.setText("sean@gmial.com")
            form.email.field.edit.textEdited.emit("sean@gmial.com")
            shot(f"3-step2-email{tag}", size)
            form.email.accept_suggestion()
            form.go(2)
            shot(f"3-step3-phone{tag}", size)
            form.phone.field.edit.setText("028 9012 3456")
            form.go(3)
            form.touch.toggles["email"].setChecked(True)
            shot(f"3-step4-keep-in-touch{tag}", size)
            form.go(4)
            shot(f"3-step5-check{tag}", size)
            form.show_save_error()
            shot(f"3-step5-save-failed{tag}", size)
            form.restart.click()
            shot(f"3-start-over{tag}", size)
            form.confirm.close_now()
            controller.idle_overlay.start()
            shot(f"5-still-there{tag}", size)
            controller.idle_overlay.cancel()
            controller.thanks.show_for(
                "Seán",
                "NH-7F3KQ2",
                content.text("thanks.next.channels", channels=content.text("thanks.channel.email")),
            )
            controller.show(State.THANKS)
            shot(f"4-thank-you{tag}", size)
            controller.form.wipe()
            controller.thanks.show_under_age()
            shot(f"4-under-age{tag}", size)

        for size in SIZES:
            window.resize(*size)
            for tag in (lang, f"{lang}-large"):
                fresh(tag)
                controller.attract.go_to(4)
                controller.attract._shown_at -= 5  # past the count-up
                shot(f"1-attract{tag}", size)
                controller.show(State.INVOLVED)
                shot(f"2-involved{tag}", size)
                steps(size, tag)
            reach_state.reset()
            if not args.language:
                admin_shots(controller, shot, size, Path(tmp))
            controller.reset_visitor()
        controller.shutdown()
        store.close()
    if not args.language:
        _problem_shots(args.out)
    return 0


class _SilentEngine:
    """A speech engine with every voice that says nothing: the speaker button shows."""

    def voice_for(self, language: str) -> str | None:
        return language

    def say(self, text: str, language: str) -> bool:
        return False

    def stop(self) -> None:
        pass

    def speaking(self) -> bool:
        return False


def _problem_shots(out: Path) -> None:
    """The "content needs fixing" screen, with problems like a broken pack's."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.window import PROBLEM_TITLE, KioskWindow, ProblemScreen

    pack = "/home/kiosk/pack"
    problems = [
        f"{pack}/content.toml: timing.transition_ms: expected a finite number, got nan",
        f"{pack}/content.toml: links.campaign.utm_source: too long (4000 characters, at most 100)",
        f"{pack}/content.pl.toml: thank_you.headline: only {{first_name}} and {{ref}} may "
        "appear in braces, plainly; got {first_name:>999999999}",
        f"{pack}/content.toml: privacy.notice: expected text, got 42",
    ]
    window = KioskWindow(kiosk_mode=False)
    window.stack.addWidget(ProblemScreen(PROBLEM_TITLE, problems))
    window.show()
    for size in SIZES:
        window.resize(*size)
        for _ in range(3):
            QApplication.processEvents()
        path = out / f"7-content-problem-{size[0]}x{size[1]}.png"
        window.grab().save(str(path))
        print(path)
    window.close()


def _to_palette(path: Path) -> None:
    """Rewrite a screenshot as a 256-colour PNG: flat UI colours survive, the file shrinks."""
    from PIL import Image

    with Image.open(path) as image:
        flat = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    flat.save(path, optimize=True)


if __name__ == "__main__":
    sys.exit(main())

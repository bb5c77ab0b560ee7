"""Start-up with a good pack, a broken pack with a good copy kept, and a broken pack alone."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from kiosk.last_good import FOLDER, last_good_folder, load_or_last_good, remember
from kiosk.paths import DEFAULT_CONTENT_DIR
from kiosk.security import set_pin
from kiosk.settings import load_settings
from kiosk.ui.attract import AttractScreen
from kiosk.ui.launch import build_controller, open_window
from kiosk.ui.reach import reach
from kiosk.ui.window import ProblemScreen


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def _break(pack: Path) -> None:
    path = pack / "content.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("transition_ms = 700", "transition_ms = nan"),
        encoding="utf-8",
    )


@pytest.fixture
def start(qtbot, data_dir):
    """Starts the kiosk as `kiosk run` does; shuts down what it built."""
    built: dict[str, object] = {}
    saved_hook = sys.excepthook  # build_controller installs the kiosk's own

    def start(pack: Path):
        set_pin(data_dir, "2468")  # set up: a kiosk with no PIN starts on set-up
        settings = load_settings(data_dir)
        window, content = open_window(settings, pack, windowed=False)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        built["window"] = window
        built["controller"] = build_controller(settings, content, window, pack, built)
        return window, content, built["controller"]

    yield start
    sys.excepthook = saved_hook
    if "controller" in built:
        built["controller"].shutdown()
        built["window"].allow_close = True
        built["window"].close()
        built["store"].close()


def test_a_good_pack_runs_and_is_kept_once_as_the_last_good_pack(start, pack, data_dir):
    window, content, controller = start(pack)
    assert isinstance(window.stack.currentWidget(), AttractScreen)
    assert window.content_problem is None and controller.content_problem is None
    kept = data_dir / FOLDER
    assert (kept / "content.toml").read_bytes() == (pack / "content.toml").read_bytes()
    assert not remember(content, data_dir)  # unchanged: not copied again
    (pack / "content.toml").write_text(
        (pack / "content.toml").read_text(encoding="utf-8").replace("nh2022-1", "nh2022-2"),
        encoding="utf-8",
    )
    assert load_or_last_good(pack, data_dir).problems is None
    assert remember(load_or_last_good(pack, data_dir).content, data_dir)
    assert "nh2022-2" in (kept / "content.toml").read_text(encoding="utf-8")
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(FOLDER)) == [FOLDER]


def test_a_broken_pack_runs_the_last_good_one_and_keeps_the_problem_for_admin(
    start, pack, data_dir, capsys, caplog
):
    remember(load_or_last_good(pack, data_dir).content, data_dir)
    _break(pack)
    window, content, controller = start(pack)
    assert isinstance(window.stack.currentWidget(), AttractScreen)
    assert content.folder == data_dir / FOLDER and content.timing.transition_ms == 700
    assert controller.content_problem == window.content_problem
    assert any(
        "timing.transition_ms: expected a finite number" in p for p in controller.content_problem
    )
    assert "timing.transition_ms" in capsys.readouterr().err
    assert "timing.transition_ms" in caplog.text
    # The broken pack is never kept over the good one.
    assert "nan" not in (data_dir / FOLDER / "content.toml").read_text(encoding="utf-8")


def test_a_broken_pack_with_nothing_kept_shows_the_problem_and_admin_opens_over_it(
    start, pack, qtbot
):
    _break(pack)
    window, content, controller = start(pack)
    assert content is None
    screen = window.stack.currentWidget()
    assert isinstance(screen, ProblemScreen)
    text = " ".join(label.text() for label in screen.findChildren(QLabel))
    assert "timing.transition_ms" in text
    assert controller.content_problem and "timing.transition_ms" in controller.content_problem[0]
    assert not window.allow_close  # a visitor can't close it: exit is through Admin
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)

    qtbot.keyClick(
        window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: controller.state == "admin", timeout=2000)
    assert window.stack.currentWidget() is controller.admin
    controller.admin.closed.emit()
    assert window.stack.currentWidget() is screen

    # Five taps in the admin corner (whichever top corner it is: a tap elsewhere
    # restarts the count). Mouse presses: QTest gives each its own timestamp.
    side = controller.admin_entry.corner_size()
    for corner in (QPoint(10, 10), QPoint(window.width() - side // 2, 10)):
        for _ in range(5):
            qtbot.mouseClick(window, Qt.MouseButton.LeftButton, pos=corner)
    qtbot.waitUntil(lambda: controller.state == "admin", timeout=2000)
    assert window.stack.currentWidget() is controller.admin


def test_a_half_finished_swap_of_the_kept_pack_is_recovered(pack, data_dir):
    content = load_or_last_good(pack, data_dir).content
    remember(content, data_dir)
    (data_dir / FOLDER).rename(data_dir / f"{FOLDER}.old")  # power cut between the renames
    assert last_good_folder(data_dir) == data_dir / FOLDER
    _break(pack)
    loaded = load_or_last_good(pack, data_dir)
    assert loaded.from_last_good and loaded.content is not None


def test_a_broken_translation_breaks_the_pack_as_check_does(pack, data_dir):
    remember(load_or_last_good(pack, data_dir).content, data_dir)
    assert (data_dir / FOLDER / "content.pl.toml").is_file()  # translations are kept too
    path = pack / "content.pl.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{first_name}", "{first_name!r}"),
        encoding="utf-8",
    )
    loaded = load_or_last_good(pack, data_dir)
    assert loaded.from_last_good
    assert any("content.pl.toml: thank_you.headline" in p for p in loaded.problems)
    assert loaded.languages.for_language("pl").thank_you.headline == "Dziękujemy, {first_name}"


def _break_translation(pack: Path, code: str = "pl") -> None:
    path = pack / f"content.{code}.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{first_name}", "{first_name!r}"),
        encoding="utf-8",
    )


def test_the_first_slide_needs_the_default_language_alone_and_every_language_follows(start, pack):
    window, content, controller = start(pack)
    attract = window.stack.widget(0)
    assert attract.content is content and content.language == "en"
    # What the first paint had; then build_controller read the rest.
    assert window.loaded.complete and sorted(window.content_set.languages) == [
        "en",
        "ga",
        "pl",
        "uk",
    ]
    assert [code for code, _ in reach().languages] == ["en", "ga", "pl", "uk"]
    assert attract.language.isVisible()
    assert "Polski" in attract.language.accessibleName()
    assert controller.content_problem is None


def test_open_window_reads_no_translation_but_the_pack_default(pack, data_dir):
    toml = pack / "content.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'default_language = "en"', 'default_language = "pl"'
        ),
        encoding="utf-8",
    )
    (pack / "content.uk.toml").write_text("not = [valid", encoding="utf-8")  # never read
    window, content = open_window(load_settings(data_dir), pack, windowed=True)
    try:
        assert content.language == "pl" and content.slides[0].headline != "Until All Are Free"
        assert not window.loaded.complete and window.content_problem is None
        assert sorted(window.content_set.languages) == ["en", "pl"]
    finally:
        window.deleteLater()


def test_a_broken_translation_found_after_the_first_slide_runs_the_last_good_pack(
    start, pack, data_dir, capsys
):
    remember(load_or_last_good(pack, data_dir).content, data_dir)
    _break_translation(pack)
    toml = pack / "content.toml"
    text = toml.read_text(encoding="utf-8").replace("nh2022-1", "nh2022-9")
    toml.write_text(text.replace('utm_medium = "kiosk"', 'utm_medium = "tent"'), "utf-8")
    window, content, controller = start(pack)
    assert content.version == "nh2022-9"  # the first slide: the configured English
    attract = window.stack.currentWidget()
    assert isinstance(attract, AttractScreen) and attract is controller.attract
    assert controller.content.version == attract.content.version == "nh2022-1"
    assert attract.content.folder == data_dir / FOLDER
    assert "utm_medium=kiosk" in attract.donate_qr_url  # the kept pack's code, too
    assert any("content.pl.toml: thank_you.headline" in p for p in controller.content_problem)
    assert "content.pl.toml" in capsys.readouterr().err
    assert controller.languages.for_language("pl").thank_you.headline == "Dziękujemy, {first_name}"


def test_a_broken_translation_with_nothing_kept_ends_on_the_problem_screen(start, pack):
    _break_translation(pack, "ga")
    window, content, controller = start(pack)
    assert content is not None  # the first slide was shown from the good English
    screen = window.stack.currentWidget()
    assert isinstance(screen, ProblemScreen)
    stacked = [window.stack.widget(i) for i in range(window.stack.count())]
    assert not any(isinstance(w, AttractScreen) for w in stacked)  # its timers stop too
    text = " ".join(label.text() for label in screen.findChildren(QLabel))
    assert "content.ga.toml" in text
    assert any("content.ga.toml" in p for p in controller.content_problem)

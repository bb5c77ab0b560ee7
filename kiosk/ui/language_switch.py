"""Switching the visitor screens to another language of the pack (SPEC 11).

The loop and the idle overlay take the new words in place (`set_content`); the
tiles, the sign-up and the thank-you are built again in the new language, and a
visitor half-way through the sign-up keeps everything they typed and ticked.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractButton, QLineEdit

from kiosk.content import Content
from kiosk.languages import ContentSet
from kiosk.ui.reach import direction

if TYPE_CHECKING:
    from kiosk.ui.app import KioskController
    from kiosk.ui.signup import SignupScreen

log = logging.getLogger(__name__)


def single_language(content: Content) -> ContentSet:
    """A set holding only `content` (a controller given no translations)."""
    languages = {content.language: content, content.default_language: content}
    return ContentSet(content, languages, [])


def _inputs(form: SignupScreen) -> tuple[list[QLineEdit], list[QAbstractButton]]:
    edits: list[QLineEdit] = []
    toggles: list[QAbstractButton] = []
    for step in form.steps:
        edits += step.findChildren(QLineEdit)
        toggles += [b for b in step.findChildren(QAbstractButton) if b.isCheckable()]
    return edits, toggles


def carry_over(old: SignupScreen, new: SignupScreen) -> None:
    """What the visitor gave on `old`, given again on `new` (built the same way)."""
    edits, toggles = _inputs(old)
    new_edits, new_toggles = _inputs(new)
    new.begin()
    new.check.show_summary({}, old.check.chosen())
    for edit, into in zip(edits, new_edits, strict=False):
        into.setText(edit.text())
    for toggle, into in zip(toggles, new_toggles, strict=False):
        into.setChecked(toggle.isChecked())
    new._started = old._started
    new.go(old.index)


def follow_direction(controller: KioskController) -> None:
    """The visitor screens laid out in the direction of the visitor's language."""
    way = direction(controller.content.language)
    for screen in (
        controller.attract,
        controller.involved,
        controller.form,
        controller.thanks,
        controller.idle_overlay,
    ):
        screen.setLayoutDirection(way)


def switch_language(controller: KioskController, content: Content) -> None:
    """Every visitor screen of `controller` in `content`'s language."""
    from kiosk.ui.app import State

    if content is controller.content:
        return
    log.info("visitor language: %s", content.language)
    controller.content = content
    controller.attract.set_content(content)
    controller.idle_overlay.set_content(content)
    old = (controller.involved, controller.form, controller.thanks)
    stack = controller.window.stack
    controller._build_visitor_screens(content)
    follow_direction(controller)
    if controller.state is State.FORM:
        carry_over(old[1], controller.form)
    if controller.state is State.THANKS and controller._thanks_shown:
        from kiosk.ui.app import next_steps

        if controller._thanks_shown[0] == "for":
            record = controller._thanks_shown[1]
            controller.thanks.show_for(
                record.first_name or "", record.donation_ref, next_steps(record, content)
            )
        else:
            controller.thanks.show_under_age()
    if controller.state in (State.INVOLVED, State.FORM, State.THANKS):
        controller.show(controller.state)
    old[1].wipe()
    old[2].clear()
    for screen in old:
        stack.removeWidget(screen)
        screen.deleteLater()

"""Step 4, "Keep in touch?": a big toggle per channel whose contact was given, and the privacy
notice with a QR to the full one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.content import Consent, Content
from kiosk.ui.reach import Reach
from kiosk.ui.signup.parts import Step, Toggle
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import QrCode

# Asks the container which contacts the visitor gave: (email given, phone given).
Given = Callable[[], tuple[bool, bool]]


def channel_available(consent: Consent, email: bool, phone: bool) -> bool:
    """A channel shows only when the contact it uses was given."""
    if consent.needs_email and not email:
        return False
    return not (consent.needs_phone and not phone)


class KeepInTouchStep(Step):
    """One toggle per channel with its exact wording; no keyboard on this step."""

    keyboard = None

    def __init__(self, content: Content) -> None:
        super().__init__(content, content.text("step.touch.title"))
        self.hint.setText(content.text("step.touch.hint"))
        self.hint.show()
        on_off = (content.text("step.touch.on"), content.text("step.touch.off"))
        # Soft opt-in (PECR 22(3A)): the box is the opt-out, and says so.
        opt_out = (content.text("step.touch.opted_out"), content.text("step.touch.on"))
        self.toggles: dict[str, Toggle] = {}
        for consent in content.consents:
            soft = getattr(consent, "is_soft_opt_in", False)
            words = consent.shown_text if soft else consent.wording
            toggle = Toggle(consent.key, consent.label, words, opt_out if soft else on_off)
            toggle.toggled.connect(self.changed)
            self.toggles[consent.key] = toggle
            self.body.addWidget(toggle)
        self.none = QLabel(content.text("step.touch.none"))
        self.none.setProperty("role", "body")
        self.none.setWordWrap(True)
        self.body.addWidget(self.none)
        self.privacy = QLabel(content.privacy_notice)
        self.privacy.setProperty("role", "privacy")
        self.privacy.setWordWrap(True)
        self.privacy.setTextFormat(Qt.TextFormat.PlainText)
        self.privacy_qr = QrCode(
            content.links.privacy_url, accessible=content.text("step.touch.privacy_qr")
        )
        # The privacy notice shares the row with Next: the toggles get the height.
        self.reason.hide()
        self.actions.insertWidget(0, self.privacy_qr, 0, Qt.AlignmentFlag.AlignVCenter)
        self.actions.insertWidget(1, self.privacy, 1)
        self._given: Given = lambda: (False, False)

    def set_given(self, given: Given) -> None:
        self._given = given

    def refresh(self) -> None:
        email, phone = self._given()
        shown = 0
        for consent in self.content.consents:
            toggle = self.toggles[consent.key]
            available = channel_available(consent, email, phone)
            if not available and toggle.isChecked():
                toggle.setChecked(False)  # the contact was taken back: so is the choice
            toggle.setVisible(available)
            shown += available
        self.none.setVisible(shown == 0)
        self.hint.setVisible(shown > 0)
        self._fit()

    def visible_keys(self) -> set[str]:
        return {key for key, t in self.toggles.items() if not t.isHidden()}

    def choices(self) -> dict[str, bool]:
        return {key: t.isChecked() and t.isVisibleTo(self) for key, t in self.toggles.items()}

    def first_input(self) -> QWidget:
        visible = [t for t in self.toggles.values() if not t.isHidden()]
        return visible[0] if visible else self.next

    def wipe(self) -> None:
        for toggle in self.toggles.values():
            toggle.setChecked(False)

    def set_metrics(self, m: Metrics, reach: Reach) -> None:
        super().set_metrics(m, reach)
        self.body.setSpacing(m.px(16))
        side = max(120, m.px(150))
        self.privacy_qr.setFixedSize(side, side)
        self.fit_text(m, reach)

    def shrinkable(self) -> tuple[list[Toggle], list[tuple[QLabel, int]]]:
        return list(self.toggles.values()), [(self.privacy, 26)]

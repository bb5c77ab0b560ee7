"""Every visitor-facing string the code shows, by key, with its English default.

A content pack's `[text]` table overrides any of them by key (`kiosk check` names
unknown keys and placeholders a default does not have). No Qt here.
"""

from __future__ import annotations

import string

TEXTS: dict[str, str] = {
    # Buttons and chrome shared by the visitor screens.
    "button.back": "Back",
    "button.next": "Next",
    "button.skip": "Skip",
    "button.done": "Done",
    "button.start_over": "Start over",
    "button.change": "Change",
    "reach.aa": "Aa",
    "reach.aa_name": "Larger text and stronger contrast",
    "reach.pause": "Pause",
    "reach.resume": "Play",
    "reach.read_aloud": "Read aloud",
    "reach.stop_reading": "Stop reading",
    "reach.no_voice": "Read aloud: no voice for this language",
    # The on-screen keyboard's special keys (the space bar's label; the rest are spoken names).
    "keyboard.space": "space",
    "keyboard.space_name": "Space",
    "keyboard.backspace_name": "Backspace",
    "keyboard.shift_name": "Shift",
    "keyboard.numbers_name": "Numbers and symbols",
    "keyboard.letters_name": "Letters",
    "attract.today": "{count} people signed up today",
    "attract.today_one": "1 person signed up today",
    "attract.source": "Source: {source}",
    "attract.name": "IJM story slideshow. Tap anywhere to get involved.",
    "thanks.name": "Thank you",
    "thanks.badge_name": "Signed up",
    "involved.scan_caption": "Point your phone's camera at the code",
    # The steps.
    "step.indicator": "Step {step} of {total}",
    "step.name.title": "What's your name?",
    "step.name.first": "First name",
    "step.name.last": "Last name (optional)",
    "step.name.counter": "{count} of {max} characters",
    "step.name.at_limit": "That's the most we can keep: {max} characters",
    "step.email.title": "What's your email?",
    "step.email.label": "Email",
    "step.email.needed": "We need it for “{interest}”",
    "step.email.either": "Email or phone: we need one to reach you",
    "step.email.optional": "Optional: you can skip this",
    "step.email.suggest": "Did you mean {email}?",
    "step.phone.title": "What's your phone number?",
    "step.phone.label": "Phone",
    "step.phone.needed": "We need it for “{interest}”",
    "step.phone.either": "Phone or email: we need one to reach you",
    "step.phone.optional": "Optional: you can skip this",
    "step.touch.title": "Keep in touch?",
    "step.touch.hint": "Tap any you're happy with. Leave them off and we won't.",
    "step.touch.on": "Yes",
    "step.touch.off": "No",
    "step.touch.opted_out": "No thanks",
    "step.touch.none": "You didn't give an email or phone number, so there's nothing to choose.",
    "step.touch.privacy_qr": "QR code to the full privacy notice",
    "step.check.title": "Check and sign up",
    "step.check.name": "Name",
    "step.check.email": "Email",
    "step.check.phone": "Phone",
    "step.check.touch": "Keep in touch",
    "step.check.interests": "I'd like to…",
    "step.check.not_given": "Not given",
    "step.check.none_chosen": "No messages",
    "step.check.sign_up": "I'm {age} or over — sign me up",
    "step.check.under_age": "I'm under {age}",
    "step.check.saving": "Saving…",
    "startover.question": "Start over? Everything you typed will be cleared.",
    "startover.yes": "Yes, start over",
    "startover.no": "No, keep going",
    # Reasons beside a disabled or refused action.
    "reason.interests": "Choose at least one way to get involved.",
    "reason.contact_needed": "“{interest}” needs an email or a phone number: tap Change.",
    "reason.email_needed": "“{interest}” needs an email address: tap Change to add one.",
    "reason.phone_needed": "“{interest}” needs a phone number: tap Change to add one.",
    "reason.fix_name": "Your name needs a look: tap Change.",
    "reason.fix_email": "Your email needs a look: tap Change.",
    "reason.fix_phone": "Your phone number needs a look: tap Change.",
    "save_failed": "We couldn't save that — please ask a volunteer.",
    # Validation (records.InvalidField keys).
    "error.name.empty": "Please tell us your first name.",
    "error.name.too_long": "That name is too long — {max} characters at most.",
    "error.email.empty": "Please add your email address.",
    "error.email.space": "That email has a space in it — emails never do.",
    "error.email.no_at": "That email looks incomplete — it needs an @.",
    "error.email.no_local": "That email needs your name before the @.",
    "error.email.no_domain": "That email needs something after the @, like gmail.com.",
    "error.email.no_dot": "That email looks incomplete — it needs an ending like .com or .ie.",
    "error.email.invalid": "That email doesn't look quite right — please check it.",
    "error.email.too_long": "That email is too long.",
    "error.phone.empty": "Please add your phone number.",
    "error.phone.invalid": (
        "That phone number doesn't look right — try 028 9012 3456, 087 123 4567 or +44…"
    ),
    "error.interests.none": "Choose at least one way to get involved.",
    "error.contact.either": "Please add an email or a phone number so we can reach you.",
    # Under the minimum age: nothing is stored.
    "under_age.title": "Thank you for stopping by!",
    "under_age.body": (
        "We can only sign up people aged {age} or over, so we haven't kept anything you typed. "
        "Ask a parent or carer to sign up with you, or scan the code to give."
    ),
    # Thank you: what happens next, chosen by what the visitor gave.
    "thanks.next.channels": "We'll be in touch by {channels}.",
    "thanks.next.talk": "The team will get in touch to talk.",
    "thanks.next.nothing": "We won't send you anything: you didn't choose any messages.",
    "thanks.channel.email": "email",
    "thanks.channel.sms": "text message",
    "thanks.channel.phone": "phone",
    "thanks.channel.and": " and ",
    "thanks.countdown": "Back to the start in {seconds} s",
    "thanks.reference": "Your reference",
    "thanks.qr_name": "QR code to give online with your reference",
    # Are you still there?
    "idle.heading": "Are you still there?",
    "idle.hint": "Tap anywhere to keep going",
    "idle.button": "I'm still here",
}


def placeholders(template: str) -> set[str]:
    """The names in a template's braces; raises ValueError for a malformed one."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            # Plain {name} only: a format spec like {name:>999999999} has no bound.
            raise ValueError(f"use plain {{name}} placeholders, got {{{name}}}")
        names.add(name)
    return names


def check_overrides(overrides: dict[str, object]) -> list[tuple[str, str]]:
    """(key, problem) for every override a pack's [text] table should not have."""
    problems = []
    for key, value in overrides.items():
        if key not in TEXTS:
            problems.append((key, "unknown text key"))
            continue
        if not isinstance(value, str):
            problems.append((key, "expected text"))
            continue
        if len(value) > 600:
            problems.append((key, f"too long ({len(value)} characters, at most 600)"))
            continue
        try:
            extra = placeholders(value) - placeholders(TEXTS[key])
        except ValueError as exc:
            problems.append((key, str(exc)))
            continue
        if extra:
            allowed = ", ".join(sorted(placeholders(TEXTS[key]))) or "none"
            problems.append((key, f"unknown placeholder {sorted(extra)} (allowed: {allowed})"))
    return problems


def render(template: str, **values: object) -> str:
    """Fill `template`'s plain {name} placeholders; names it lacks stay out."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def toml_table() -> str:
    """The [text] table listing every key with its default, for a content pack."""
    import json

    lines = ["[text]"]
    lines += [f'"{key}" = {json.dumps(value, ensure_ascii=False)}' for key, value in TEXTS.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # uv run python -m kiosk.texts > table.toml
    print(toml_table(), end="")

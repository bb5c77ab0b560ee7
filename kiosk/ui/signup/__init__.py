"""The sign-up in steps (SPEC 3.3): one module per step, composed by `container`."""

from kiosk.ui.signup.container import SignupScreen

__all__ = ["SignupScreen"]

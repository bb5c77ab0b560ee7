"""Freedom Kiosk: an offline festival kiosk for International Justice Mission."""

__version__ = "0.1.0"

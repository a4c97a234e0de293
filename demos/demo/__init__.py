"""The live terminal demo behind ``wagents demo``: :class:`Session` runs an episode under the
dashboard with a person in the loop (``session.py``); ``keys.py`` reads single keys from the raw
terminal."""

from .session import KEYS, DemoQuit, Session

__all__ = ["KEYS", "DemoQuit", "Session"]

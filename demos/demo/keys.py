"""The raw terminal: single keys in cbreak mode, and the terminal's size now."""

from __future__ import annotations

import os
import sys


def terminal_size(console) -> tuple[int, int]:
    """The terminal's size now (COLUMNS/LINES in the environment may be stale: ignored)."""
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except OSError:
        return tuple(console.size)
    console.size = (size.columns, size.lines)
    return size.columns, size.lines


class RawKeys:
    """Single keys from a terminal in cbreak mode (restored on exit); escape sequences of
    arrows and function keys are dropped, a lone Esc is kept."""

    def __init__(self, stream):
        self.fd = stream.fileno()
        self.saved = None

    def __enter__(self):
        import termios
        import tty

        self.saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc):
        import termios

        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def read(self, timeout: float) -> list[str]:
        import select

        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        data = os.read(self.fd, 1024).decode("utf-8", "replace")
        if data.startswith("\x1b") and len(data) > 1:
            return []
        return list(data)

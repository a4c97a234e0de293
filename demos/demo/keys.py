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


# end of input: Ctrl-D, or the terminal gone (then ``RawKeys.closed``); it rejects a plan
END = "\x04"


class RawKeys:
    """Single keys from a terminal in cbreak mode (restored on exit); escape sequences of
    arrows and function keys are dropped, a lone Esc is kept. When the terminal is gone
    (end of file) the keys end with one :data:`END` and ``closed`` is set."""

    def __init__(self, stream):
        self.fd = stream.fileno()
        self.saved = None
        self.closed = False

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
        import time

        if self.closed:
            time.sleep(timeout)
            return []
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        raw = os.read(self.fd, 1024)
        if not raw:
            self.closed = True
            return [END]
        data = raw.decode("utf-8", "replace")
        if data.startswith("\x1b") and len(data) > 1:
            return []
        return list(data)

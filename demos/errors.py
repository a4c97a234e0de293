"""The one error type a user can cause from the command line.

Anything raised as :class:`UsageError` ends the program with one clear line on stderr and exit
code 2, never a traceback (see ``wireless_agents.demos.cli.main``).
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad input a user can fix: a missing file, a malformed array, an unknown name."""


EXIT_USAGE = 2

"""Subcommands of the ``wagents`` CLI, one module each."""

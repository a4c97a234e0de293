"""agents: see ARCHITECTURE.md."""

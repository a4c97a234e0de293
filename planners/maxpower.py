"""Full power: every link transmits at its cap. The baseline that ignores interference."""

from __future__ import annotations

import numpy as np


def maxpower(gains, caps, noise, weights=None):
    """Every link at its cap (p_max or the tighter per-link cap). No search."""
    return np.array(caps, dtype=float), np.zeros(gains.shape[0], dtype=int)

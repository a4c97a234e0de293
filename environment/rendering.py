"""Text rendering of the shared band (``render_mode="ansi"`` or ``"human"``).

With geometry (d2d, cellular) the picture is a character grid of the area, north up:
transmitter ``i`` is the capital letter ``A + i mod 26``, its receiver the lowercase letter, the
link between them a line of ``.``, other (unscheduled) users ``,``. Without geometry (gaussian)
a table of the gain matrix in dB stands in for the picture. Below, one line per link with the
power, SINR and rate of the last slot (the first ``MAX_LINES`` links; a count of the rest).
"""

from __future__ import annotations

import numpy as np

from .metrics import linear_to_db, watts_to_dbm

GRID_WIDTH = 48
MAX_LINES = 40
MAX_MATRIX = 8


def _marker(i: int, upper: bool) -> str:
    return chr((65 if upper else 97) + i % 26)


def _grid(env) -> list[str]:
    (x0, y0), (x1, y1) = env.scenario.bounds
    tx, rx = env.positions
    width = GRID_WIDTH
    # Terminal cells are about twice as tall as wide.
    height = max(3, int(round(width / 2 * (y1 - y0) / max(x1 - x0, 1e-9))))
    grid = np.full((height, width), " ", dtype="<U1")

    def cells(xy):
        xy = np.asarray(xy, dtype=float)
        col = np.clip(
            ((xy[..., 0] - x0) / (x1 - x0) * (width - 1)).round().astype(int), 0, width - 1
        )
        row = np.clip(
            ((y1 - xy[..., 1]) / (y1 - y0) * (height - 1)).round().astype(int), 0, height - 1
        )
        return row, col

    t = np.linspace(0.0, 1.0, width)[None, :, None]
    r, c = cells(tx[:, None, :] * (1 - t) + rx[:, None, :] * t)
    grid[r, c] = "."
    others = env.scenario.bystanders
    if others is not None and len(others):
        r, c = cells(others)
        grid[r, c] = ","
    for i, (p, q) in enumerate(zip(*cells(rx), strict=True)):
        grid[p, q] = _marker(i, upper=False)
    for i, (p, q) in enumerate(zip(*cells(tx), strict=True)):
        grid[p, q] = _marker(i, upper=True)
    border = "+" + "-" * width + "+"
    lines = [border] + ["|" + "".join(row) + "|" for row in grid] + [border]
    lines.append(f"area {x1 - x0:.0f} m x {y1 - y0:.0f} m; A = transmitter 0, a = its receiver")
    return lines


def _matrix(env) -> list[str]:
    k = min(env.n_agents, MAX_MATRIX)
    g_db = linear_to_db(env.gains[:k, :k])
    head = "gain dB rx\\tx " + "".join(f"{j:>7d}" for j in range(k))
    rows = [f"{i:>13d} " + "".join(f"{v:7.1f}" for v in g_db[i]) for i in range(k)]
    more = [f"(first {k} of {env.n_agents} links)"] if env.n_agents > k else []
    return [head, *rows, *more]


def render_text(env) -> str:
    """The text picture of ``env`` (a :class:`environment.core.WirelessEnv`) as one string."""
    last = env._last
    lines = [
        f"{env.scenario.name}: {env.n_agents} links, step {env.steps}/{env.max_steps}, "
        f"sum-rate {last['rates'].sum():.2f} bit/s/Hz"
    ]
    lines += _grid(env) if env.positions is not None else _matrix(env)
    k = env.n_agents
    p_dbm = watts_to_dbm(last["powers"], 1e-23)
    sinr_db = linear_to_db(last["sinr"], 1e-20)
    for i in range(min(k, MAX_LINES)):
        tag = f"{_marker(i, True)}->{_marker(i, False)} " if env.positions is not None else ""
        lines.append(
            f"agent_{i:<4d} {tag}p {last['powers'][i]:7.3f} W ({p_dbm[i]:6.1f} dBm)  "
            f"SINR {sinr_db[i]:6.1f} dB  rate {last['rates'][i]:6.2f} bit/s/Hz"
        )
    if k > MAX_LINES:
        lines.append(f"... {k - MAX_LINES} more links")
    return "\n".join(lines)

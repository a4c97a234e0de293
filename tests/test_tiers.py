"""Three tiers: devices (L2), cluster coordinators (L1), cloud (L0), with the real bundled model."""

from __future__ import annotations

import numpy as np
import pytest
from wireless_agents.demos.cli import main
from wireless_agents.environment import make_env
from wireless_agents.planners.coordination import (
    LLMPlanner,
    TeamConfig,
    kmeans_clusters,
    make_clusters,
)
from wireless_agents.planners.episode import default_settings, run_episode

TINY = dict(strategy="independent", max_tokens=32, tools=(), tiers=3, tol=0.0)


def _nearest_centroid_holds(points, clusters):
    x = np.asarray(points)
    cents = np.array([x[c].mean(axis=0) for c in clusters])
    for n, c in enumerate(clusters):
        for i in c:
            d = np.sum((cents - x[i]) ** 2, axis=1)
            assert d[n] <= d.min() + 1e-9, (i, n)


def test_clusters_are_deterministic_geometric_partitions():
    # two far-apart groups, listed interleaved: k-means must find them, numbered by lowest id
    pts = [[0, 0], [1000, 0], [10, 5], [1010, 8], [5, 12], [990, -4]]
    assert kmeans_clusters(pts, 2) == [[0, 2, 4], [1, 3, 5]]
    for scen, k, size in (("d2d", 16, 4), ("cellular", 7, 3), ("d2d", 6, 3)):
        env = make_env(scen, n_agents=k, seed=3)
        env.reset(seed=3)
        tx = env.positions[0]
        a = make_clusters(tx, k, size)
        assert a == make_clusters(tx.copy(), k, size)  # no hidden randomness
        assert sorted(i for c in a for i in c) == list(range(k))
        assert len(a) == -(-k // size)
        _nearest_centroid_holds(tx, a)  # a k-means fixed point: each device in its nearest
        for _ in range(3):  # transmitters / base stations do not move: same clusters every slot
            env.step(env.actions_from_powers(np.full(k, env.p_max)))
        assert make_clusters(env.positions[0], k, size) == a
    assert make_clusters(None, 6, 3) is None  # gaussian: no geometry, no clusters


def _coupled(cross: float) -> np.ndarray:
    """Two clusters {0, 1} and {2, 3}; devices inside a cluster barely couple, across clusters
    device i and i+2 couple with gain ``cross`` (direct gains 1)."""
    g = np.full((4, 4), 1e-6) + np.eye(4)
    for i in (0, 1):
        g[i, i + 2] = g[i + 2, i] = cross
    return g


def _plan(model, gains):
    cfg = TeamConfig(**TINY)
    # a 1 bit/s/Hz floor (feasible) and tol 0: a device that stays silent misses its floor, one
    # that speaks moved; either way it is unsettled, whatever the model answers
    tp = LLMPlanner(model, cfg).plan_detailed(
        gains, 1.0, 1e-3, {"min_rate": np.ones(4)}, {"clusters": [[0, 1], [2, 3]], "slot": 0}
    )
    assert np.all(np.isfinite(tp.powers)) and np.all((tp.powers >= 0) & (tp.powers <= 1.0))
    ce = tp.cluster_escalation
    # so every device escalates to its cluster's coordinator
    assert sorted(i for r in ce["requests"] for i in r["agents"]) == [0, 1, 2, 3]
    # what crossed edge->L1 is what the coordinators received and answered
    assert tp.channel["cluster_requests"] == 4
    assert tp.channel["cluster_bytes"] == sum(
        r["request_bytes"] + r["answer_bytes"] for r in ce["requests"]
    )
    assert tp.channel["cluster_peer_bytes"] > 0  # the two coordinators swapped plans
    return tp, ce


def test_weakly_coupled_clusters_settle_at_l1(model):
    tp, ce = _plan(model, _coupled(1e-6))
    assert ce["to_cloud"] == [] and ce["reasons"] == {}
    assert tp.escalation is None and tp.channel["cloud_requests"] == 0
    assert tp.channel["cloud_bytes"] == 0
    # each coordinator's solver plan was committed: full power, nobody interferes
    assert np.allclose(tp.powers, 1.0)


def test_strongly_coupled_clusters_go_on_to_l0(model):
    tp, ce = _plan(model, _coupled(0.5))
    # measured before the slot nobody transmitted, so each coordinator planned full power;
    # against the other cluster's plan its devices lose most of their rate: both go up
    assert set(ce["reasons"]) == {0, 1} and ce["to_cloud"] == [0, 1, 2, 3]
    for r in ce["requests"]:
        assert r["escalated"] and r["conflict_with"]
        assert max(a - b for a, b in zip(r["promised_rates"], r["rates_under_neighbours"],
                                         strict=True)) > 1.0  # fmt: skip
    esc = tp.escalation
    assert esc is not None and esc["tier"] == 0
    # one L1 -> L0 request per forwarding cluster; the cloud solved across the clusters
    assert tp.channel["cloud_requests"] == 2
    assert sorted(i for r in esc["requests"] for i in r["agents"]) == [0, 1, 2, 3]
    assert tp.channel["cloud_bytes"] == sum(
        r["request_bytes"] + r["answer_bytes"] for r in esc["requests"]
    )


def test_three_tier_episode_counts_each_link(model):
    s = default_settings(scenario="cellular", agents=4, steps=2, rounds=1, max_tokens=32,
                         tools=[], tiers=3, cluster_size=2, cloud=True)  # fmt: skip
    t = run_episode(s, backend=model)
    p_max = t["p_max"]
    for step in t["steps"]:
        p = np.asarray(step["powers"])
        assert p.shape == (4,) and np.all((p >= 0) & (p <= p_max))
        assert sorted(i for c in step["clusters"] for i in c) == [0, 1, 2, 3]
    assert t["steps"][0]["clusters"] == t["steps"][1]["clusters"]
    links = t["summary"]["links"]
    l1 = [x["cluster_escalation"] for x in t["steps"] if x["cluster_escalation"]]
    l0 = [x["escalation"] for x in t["steps"] if x["escalation"]]
    assert l1, "nothing reached the cluster coordinators"
    assert links["edge->L1"]["requests"] == sum(len(r["agents"]) for e in l1 for r in e["requests"])
    assert links["edge->L1"]["bytes"] == sum(
        r["request_bytes"] + r["answer_bytes"] for e in l1 for r in e["requests"]
    )
    assert links["L1->L0"]["requests"] == sum(len(e["reasons"]) for e in l1)
    assert links["L1->L0"]["bytes"] == sum(
        r["request_bytes"] + r["answer_bytes"] for e in l0 for r in e["requests"]
    )
    # L0 saw exactly what the clusters forwarded
    assert [sorted(i for r in e["requests"] for i in r["agents"]) for e in l0] == [
        e["to_cloud"] for e in l1 if e["to_cloud"]
    ]
    assert links["edge"]["model_seconds"] > 0


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--scenario", "gaussian"], "no geometry"),
        (["--scenario", "zou"], "at least 2 clusters"),
        (["--agents", "6", "--cluster-size", "6"], "at least 2 clusters"),
        (["--planner", "wmmse"], "LLM team"),
        (["--strategy", "cloud"], "edge team"),
    ],
)
def test_cli_refuses_three_tiers_without_clusters(argv, says, tmp_path, capsys):
    out = tmp_path / "t.json"
    assert main(["episode", "--quiet", "--tiers", "3", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wagents: error:") and says in err[0]
    assert not out.exists()


def test_decide_graph_mermaid_has_the_cluster_tier(capsys):
    assert main(["graph", "--which", "decide"]) == 0
    out = capsys.readouterr().out
    assert "graph TD" in out
    assert "cluster -.-> escalate" in out and "cluster -.-> validate" in out
    assert "negotiate -.-> cluster" in out

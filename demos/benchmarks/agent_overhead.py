"""Overhead of one agent step over bare llama.cpp completions of the same tokens.

Each agent decision (perceive -> tool call -> decide, with validation, notes and accounting) is
paired with a replay of its exact chat requests, grammars and settings on the bare
``llama_cpp.Llama``; both sides start from an empty KV cache and the order alternates. The ratio of the
summed wall times is the overhead of our agent layer::

    python -m wireless_agents.demos.benchmarks.agent_overhead [--agents 6] [--slots 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from wireless_agents.agents.agent import AgentConfig, EdgeAgent
from wireless_agents.agents.models import load_model
from wireless_agents.environment import make_env
from wireless_agents.tools import LocalView


def views_of(env, obs, infos) -> list[LocalView]:
    return [
        LocalView.from_observation(i, obs[a], infos[a]["neighbours"], env.p_max, env.noise)
        for i, a in enumerate(env.agents)
    ]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=6)
    ap.add_argument("--slots", type=int, default=3)
    ap.add_argument("--model", default="smollm2")
    args = ap.parse_args(argv)

    load_before = os.getloadavg()[0]
    backend = load_model(args.model)
    llm = backend.llama
    cfg = AgentConfig()
    agents = [EdgeAgent(i, backend, cfg) for i in range(args.agents)]
    env = make_env("d2d", n_agents=args.agents, seed=0)
    obs, infos = env.reset()
    rng = np.random.default_rng(0)
    agent_wall = bare_wall = model_seconds = 0.0
    tokens = calls = 0
    ratios = []
    for slot in range(args.slots):
        obs, _, _, _, infos = env.step(
            env.actions_from_powers(rng.uniform(0, env.p_max, args.agents))
        )
        for n, (agent, view) in enumerate(zip(agents, views_of(env, obs, infos), strict=True)):
            # Each side starts from an empty KV cache, so the pair sees the same cache state;
            # the order alternates so slow drifts of a shared machine cancel out.
            def run_agent(agent=agent, view=view, slot=slot):
                llm.reset()
                t0 = time.perf_counter()
                d = agent.decide(view, slot=slot)
                return d, time.perf_counter() - t0

            def run_bare(requests):
                llm.reset()
                t0 = time.perf_counter()
                for messages, grammar in requests:
                    llm.create_chat_completion(
                        messages=messages, grammar=grammar, max_tokens=cfg.max_tokens,
                        temperature=cfg.temperature, seed=cfg.seed,
                    )  # fmt: skip
                return time.perf_counter() - t0

            if n % 2 == 0:
                d, wa = run_agent()
                requests = [(m, backend.grammar(s)) for m, s in d.requests]
                wb = run_bare(requests)
            else:
                # the bare side needs the requests first: take them from a dry decision
                d0, _ = run_agent()
                requests = [(m, backend.grammar(s)) for m, s in d0.requests]
                wb = run_bare(requests)
                d, wa = run_agent()
            agent_wall += wa
            bare_wall += wb
            ratios.append(wa / wb)
            model_seconds += d.model_seconds
            tokens += d.tokens
            calls += len(d.requests)
    overhead = agent_wall / bare_wall - 1.0
    print(
        f"model {args.model}, {args.agents} agents x {args.slots} slots, {calls} model calls, "
        f"{tokens} tokens; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"on {os.cpu_count()} cores (above the core count, contention inside llama.cpp dominates "
        f"the sum of walls: read the median pair and the time outside the model)"
    )
    print(f"agent steps wall      {agent_wall:8.3f} s  (model time inside: {model_seconds:.3f} s)")
    print(f"bare llama.cpp wall   {bare_wall:8.3f} s  (same requests replayed)")
    print(f"agent overhead        {100 * overhead:+8.2f} %  (target < 10%; sum of walls)")
    print(
        f"median pair overhead  {100 * (float(np.median(ratios)) - 1):+8.2f} %  ({len(ratios)} decisions)"
    )
    print(
        f"outside the model     {100 * (agent_wall - model_seconds) / agent_wall:8.3f} % of agent wall"
    )


if __name__ == "__main__":
    main()

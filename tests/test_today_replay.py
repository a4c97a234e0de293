"""The cost benchmark's baseline: the quick start's calls as the code made them before the work
on time and cost, replayed on the bundled model with that code's settings, give the answers
recorded then (so the baseline's time is that of the same work)."""

from __future__ import annotations

from wireless_agents.demos.benchmarks import today


def test_the_recording_is_the_quick_starts_two_call_episode():
    rec = today.load()
    calls = rec["calls"]
    assert len(calls) == rec["recorded"]["llm_calls"] == 108
    assert rec["recorded"]["steps"] == 5 and len(rec["grammars"]) == 2
    # two calls a decision: the tool call, then the answer with the tool's result
    tool_calls = [c for c in calls if c["answer"].lstrip().startswith('{ "tool"')]
    assert len(tool_calls) == len(calls) // 2
    assert all(c["messages"][-1]["content"].startswith("Result:") for c in calls
               if c not in tool_calls)  # fmt: skip


def test_a_replay_gives_the_recorded_answers_on_the_old_settings(model):
    rec = today.load()
    head = rec | {"calls": rec["calls"][:6]}  # the first three decisions of the episode
    kept = (model.n_threads, model.state_bytes, model.guesses, model.greedy_first)
    r = today.replay(model, 1, head)
    try:
        assert r["same"] == r["calls"] == 6
        assert r["evaluated"] > 0 and r["decodes"] > r["calls"]  # every answer token a step
        assert (model.guesses, model.greedy_first, model.state_bytes) == (False, False, 0)
    finally:  # the shared model back as it was for the other tests
        model.set_threads(kept[0])
        model.keep_sessions(kept[1])
        model.guesses, model.greedy_first = kept[2:]

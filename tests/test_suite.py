"""Suite files of `wagents eval`: the documented format loads, every mistake is one clear line."""

from __future__ import annotations

import pytest
from wireless_agents.demos.suite import SuiteError, load_suite

GOOD = """
suite: example
scenarios:
  - name: control-loop
    env: {topology: d2d, agents: 6, seed: 3}
    steps: 3
    planner_options: {rounds: 3}
    intents:
      - text: "Link 2 runs a factory control loop and needs at least 1.5 bit/s/Hz."
        check: {agent: 2, min_rate: 1.5}
      - text: "Device 4 is on battery; keep its power at or below 30% of the maximum."
        check: {agent: 4, max_power_frac: 0.3}
  - name: plain
    env: {topology: gaussian, agents: 4, seed: 0}
"""


def test_documented_example_loads(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD)
    suite = load_suite(path)
    assert suite.name == "example" and [s.name for s in suite.scenarios] == [
        "control-loop",
        "plain",
    ]
    first = suite.scenarios[0]
    assert (first.topology, first.n_agents, first.seed, first.steps) == ("d2d", 6, 3, 3)
    assert first.planner_options == {"rounds": 3}
    assert [i.as_constraint() for i in first.intents] == [
        {"agent": 2, "min_rate": 1.5},
        {"agent": 4, "max_power_frac": 0.3},
    ]
    env = first.make_env()
    assert env.n_agents == 6
    assert suite.scenarios[1].intents == () and suite.scenarios[1].steps == 3


@pytest.mark.parametrize(
    "text, where",
    [
        ("suite: x\nscenarios: []\n", "scenarios: needs a non-empty list"),
        ("scenarios: [{name: a, env: {topology: d2d}}]\n", "suite: needs a name"),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: mars}}]\n",
            "scenarios[0].env.topology: unknown topology 'mars'",
        ),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d, agents: 0}}]\n",
            "scenarios[0].env.agents: must be at least 1",
        ),
        ("suite: x\nscenarios: [{name: a, env: {topology: d2d, warp: 9}}]\n", "scenarios[0].env:"),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d}, steps: two}]\n",
            "scenarios[0].steps: expected an integer",
        ),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d}}, {name: a, env: {topology: d2d}}]\n",
            "duplicate scenario name",
        ),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d, agents: 3}, intents: [{text: t, check: {agent: 3, min_rate: 1}}]}]\n",
            "agent 3 does not exist",
        ),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d}, intents: [{text: t, check: {agent: 1, max_power_frac: 2}}]}]\n",
            "max_power_frac: must be a number in [0, 1]",
        ),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d}, intents: [{text: t, check: {agent: 1}}]}]\n",
            "needs exactly one of min_rate, max_power_frac",
        ),
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d}, colour: red}]\n",
            "scenarios[0].colour: unknown key",
        ),
        ("suite: [unclosed\n", "not valid YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_mistakes_are_one_clear_line(tmp_path, text, where):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    assert where in message and "\n" not in message and str(path) in message


def test_missing_file_and_unknown_planner_option(tmp_path):
    with pytest.raises(SuiteError, match="suite file not found"):
        load_suite(tmp_path / "nope.yaml")
    path = tmp_path / "s.yaml"
    path.write_text(
        "suite: x\nscenarios: [{name: a, env: {topology: d2d}, planner_options: {roundz: 2}}]\n"
    )
    with pytest.raises(
        SuiteError, match=r"planner_options.roundz: unknown option \(options: rounds"
    ):
        load_suite(path, planner_option_names={"rounds", "strategy"})

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
        (
            "suite: x\nscenarios: [{name: a, env: {topology: d2d, warp: 9}}]\n",
            "scenarios[0].env.warp:",
        ),
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
            "check: needs one of min_rate, max_power_frac, weight, objective besides agent",
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


def _scenario(extra: str, env: str = "{topology: d2d, agents: 6, seed: 201}") -> str:
    return f"suite: x\nscenarios:\n  - name: a\n    env: {env}\n{extra}"


ISSUE_EXAMPLE = _scenario(
    """    seeds: [201, 202, 203]
    steps: 2
    intents:
      - text: "Link 2 carries the emergency line: it counts three times as much as any other link."
        check: {agent: 2, weight: 3}
      - text: "Otherwise share the band fairly."
        check: {objective: max_min}
    devices:
      4: {text: "a sensor", check: {agent: 4, min_rate: 0.2, max_power_frac: 0.3}}
"""
)


def test_the_issues_example_loads(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(ISSUE_EXAMPLE)
    sc = load_suite(path).scenarios[0]
    assert sc.seeds == (201, 202, 203) and sc.seed == 201
    assert sc.objective == "max_min" and sc.weights == (1.0, 1.0, 3.0, 1.0, 1.0, 1.0)
    assert sc.intent_texts == (
        "Link 2 carries the emergency line: it counts three times as much as any other link.",
        "Otherwise share the band fairly.",
    )
    # weight and objective are not constraints; the device's two-kind check is two checks
    assert sc.constraints() == [{"agent": 4, "min_rate": 0.2}, {"agent": 4, "max_power_frac": 0.3}]
    assert [d.agent for d in sc.devices] == [4] and sc.devices[0].text == "a sensor"
    assert sc.make_env(seed=202).n_agents == 6


def test_seeds_and_objectives_resolve(tmp_path):
    path = tmp_path / "s.yaml"
    text = _scenario(
        "    seeds: [7, 8]\n    intents:\n      - {text: t, check: {agent: 0, weight: 2}}\n",
        env="{topology: gaussian, agents: 3}",
    )
    path.write_text(text)
    sc = load_suite(path).scenarios[0]
    assert sc.seeds == (7, 8) and sc.seed == 7
    assert sc.objective == "weighted_sum_rate" and sc.checks == ()
    path.write_text(_scenario("", env="{topology: gaussian, agents: 3, seed: 4}"))
    sc = load_suite(path).scenarios[0]
    assert sc.seeds == (4,) and sc.objective == "sum_rate" and sc.weights is None
    # an intent check may give a floor and a cap together: two checks, one sentence
    path.write_text(
        _scenario(
            "    intents:\n      - {text: t, check: {agent: 1, min_rate: 1, max_power_frac: 0.5}}\n"
        )
    )
    sc = load_suite(path).scenarios[0]
    assert len(sc.checks) == 2 and sc.intent_texts == ("t",)


INTENT = "    intents:\n      - {text: t, check: %s}\n"
DEVICE = "    devices:\n      %s\n"


@pytest.mark.parametrize(
    "extra, where",
    [
        (
            INTENT % "{agent: 1, priority: 2}",
            "scenarios[0].intents[0].check.priority: unknown check kind",
        ),
        (
            INTENT % "{objective: fastest}",
            "intents[0].check.objective: unknown objective 'fastest'",
        ),
        (INTENT % "{objective: max_min, agent: 1}", "an objective check stands alone"),
        (
            INTENT % "{agent: 1, weight: -1}",
            "intents[0].check.weight: must be a non-negative number",
        ),
        (INTENT % "{agent: 9, weight: 2}", "intents[0].check.agent: agent 9 does not exist"),
        (
            DEVICE % "{9: {text: t, check: {min_rate: 1}}}",
            "scenarios[0].devices.9: device 9 does not exist",
        ),
        (DEVICE % "{-1: {text: t, check: {min_rate: 1}}}", "devices.-1: device -1 does not exist"),
        (
            DEVICE % "{two: {text: t, check: {min_rate: 1}}}",
            "devices.two: a device id is an agent number",
        ),
        (
            DEVICE % "{2: {text: t, check: {agent: 3, min_rate: 1}}}",
            "devices.2.check.agent: is 3, not the device 2",
        ),
        (
            DEVICE % "{2: {text: t, check: {objective: max_min}}}",
            "cannot set the network's objective",
        ),
        (
            DEVICE % "{2: {text: t, check: {agent: 2, colour: 1}}}",
            "devices.2.check.colour: unknown check kind",
        ),
        (DEVICE % "{2: {text: t}}", "devices.2: expected a mapping with 'text' and 'check'"),
        (DEVICE % "[1, 2]", "scenarios[0].devices: needs a mapping"),
        ("    seeds: []\n", "scenarios[0].seeds: needs a non-empty list"),
        ("    seeds: 5\n", "scenarios[0].seeds: needs a non-empty list"),
        ("    seeds: [1, two]\n", "scenarios[0].seeds[1]: expected an integer"),
        ("    seeds: [1, -2]\n", "scenarios[0].seeds[1]: must be at least 0"),
        ("    seeds: [1, 1]\n", "scenarios[0].seeds: lists a seed twice"),
        ("    seeds: [202, 201]\n", "scenarios[0].env.seed: 201 is not the first of seeds"),
        (
            "    intents:\n      - {text: a, check: {objective: max_min}}\n"
            "      - {text: b, check: {objective: min_power}}\n",
            "more than one objective check",
        ),
        (
            "    intents:\n      - {text: a, check: {agent: 1, weight: 2}}\n"
            "    devices:\n      1: {text: b, check: {weight: 3}}\n",
            "gives agent 1 more than one weight",
        ),
    ],
)
def test_new_fields_mistakes_are_one_clear_line(tmp_path, extra, where):
    path = tmp_path / "bad.yaml"
    path.write_text(_scenario(extra))
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    message = str(info.value)
    assert where in message and "\n" not in message and str(path) in message


def test_shipped_suites_load():
    from pathlib import Path

    from wireless_agents.demos.evaluate import PLANNER_OPTIONS

    root = Path(__file__).resolve().parents[1] / "demos" / "suites"
    suites = {p.stem: load_suite(p, PLANNER_OPTIONS) for p in sorted(root.glob("*.yaml"))}
    objectives = suites["objectives"]
    assert len(objectives.scenarios) >= 8
    assert all(len(sc.seeds) == 3 for sc in objectives.scenarios)
    assert {sc.objective for sc in objectives.scenarios} == {
        "sum_rate", "weighted_sum_rate", "max_min", "min_power"
    }  # fmt: skip
    assert sum(bool(sc.devices) for sc in objectives.scenarios) >= 3
    timeshare = suites["timeshare"]  # issue 14: every scenario at 4 mini-slots, 3 seeds
    assert all(sc.mini_slots == 4 and len(sc.seeds) == 3 for sc in timeshare.scenarios)
    assert {sc.objective for sc in timeshare.scenarios} >= {"sum_rate", "max_min", "min_power"}
    # the suites written before seeds and objectives: one seed each, scored on sum-rate
    for name, suite in suites.items():
        if name not in ("objectives", "timeshare"):
            assert all(len(sc.seeds) == 1 and sc.objective == "sum_rate" for sc in suite.scenarios)

"""The compact prompt layout (``prompt: compact``, the default): the tool's result as a sentence,
messages grouped, what stays the same between rounds first; the full layout (``prompt: full``)
byte for byte as before, and the layout of every decision the compact one does not cover."""

from __future__ import annotations

import json

import pytest
from wireless_agents.agents.acts import Act
from wireless_agents.agents.agent import AgentConfig, EdgeAgent
from wireless_agents.agents.prompts_compact import (
    grouped_messages,
    messages_line,
    result_sentence,
    short,
)
from wireless_agents.tools import LocalView

TOOL = ("local_wmmse",)
# a hand-made view (no env: the prompt's numbers stay put), with rules and a goal
VIEW = LocalView(agent=0, p_max=1.0, noise=1e-13, direct_gain=1e-9, interference_plus_noise=4e-12,
                 last_power=0.5, last_sinr=125.0, last_rate=6.98, neighbours=(1, 2),
                 neighbour_gains=(2e-12, 1e-12), neighbour_rx_last=(2e-12, 1e-12), min_rate=1.0,
                 cap=0.8, objective="max_min")  # fmt: skip
INBOX = [(1, "inform 0.4: my tool suggests it"), (2, "inform 0.4: my tool suggests it"),
         (3, "inform 1: my tool suggests it")]  # fmt: skip
PROFILE = "I am a camera: I refuse to go below half power."
REQUEST = [(1, Act("request", 0, "lower", 0.3, "my floor is missed"))]

# the full layout's chat for VIEW, as the code before the compact layout wrote it
FULL_SYSTEM = (
    "You set the transmit power of one radio link. All links share one band: more power raises "
    "your rate but hurts your neighbours. Answer with JSON only.\nTools: what_if: my rate at "
    "candidate powers if interference stays as now; interference_report: who interferes with me "
    "and what neighbours ask; best_response: power that maximizes my rate minus neighbours' "
    "interference prices; min_power: least power that keeps my minimum rate against neighbours' "
    "planned interference; wmmse_step: one distributed WMMSE update from my measurements and "
    "neighbours' messages; local_wmmse: my power in the WMMSE plan of the links I hear, from "
    "their messages; check_constraints: does a power respect my cap and minimum rate.\nFirst "
    'call a tool, e.g. {"tool": "wmmse_step"}. After its result, decide: {"power": "<fraction '
    'of max, 0 to 1>", "reason": "<a few words why>"}.\nExample: result {"suggested_power": '
    '0.35} -> {"power": "0.35", "reason": "my tool suggests it"}'
)
FULL_USER = (
    "Slot 1. I am link 0. My channel gain -90.0 dB. Last slot: power 0.50 of max, SINR 21.0 dB, "
    "rate 6.98 bit/s/Hz. Interference+noise -84.0 dBm (noise -100.0 dBm). Loudest: link 1 -87.0 "
    "dBm, link 2 -90.0 dBm. My rules: min rate 1 bit/s/Hz; power at most 0.80 of max. Goal: "
    "raise the worst link's rate.\nPast powers 0.50; rates 6.98 (avg 6.98).\nMessages: link 1: "
    '"inform 0.4: my tool suggests it" link 2: "inform 0.4: my tool suggests it" link 3: '
    '"inform 1: my tool suggests it"'
)
FULL_REQUESTS = (
    '\nMy profile: "I am a camera: I refuse to go below half power."\nRequests to me: link 1 '
    "asks me to lower to 0.3."
)
FULL_ANSWER = (
    'Answer the requests: {"answer": "grant" or "refuse", "power": "<fraction of max>", '
    '"reason": "<a few words why>"}. Grant unless your profile forbids it.'
)


def agent(model, prompt: str | None = None) -> EdgeAgent:
    cfg = AgentConfig(tools=TOOL) if prompt is None else AgentConfig(tools=TOOL, prompt=prompt)
    a = EdgeAgent(0, model, cfg)
    a.remember(0, 0.5, 6.98)
    a.profile_text = PROFILE
    return a


def test_the_full_layout_writes_the_prompts_it_wrote_before(model):
    for requests, user, decide in (([], FULL_USER, "Decide now."),
                                   (REQUEST, FULL_USER + FULL_REQUESTS, FULL_ANSWER)):  # fmt: skip
        d = agent(model, "full").decide(VIEW, inbox=INBOX, slot=1, requests=requests)
        result = d.tool_calls[0]["result"]
        assert d.requests[0][0] == [
            {"role": "system", "content": FULL_SYSTEM},
            {"role": "user", "content": user},
            {"role": "assistant", "content": '{"tool": "local_wmmse"}'},
            {"role": "user", "content": f"Result: {json.dumps(result)}. {decide}"},
        ]


def test_several_tools_or_the_model_calling_its_tool_write_the_full_layout(model):
    for cfg in (AgentConfig(tools=("local_wmmse", "what_if")),
                AgentConfig(tools=TOOL, direct_tool=False)):  # fmt: skip
        a = EdgeAgent(0, model, cfg)
        a.remember(0, 0.5, 6.98)
        chat = a.decide(VIEW, inbox=INBOX, slot=1).requests[0][0]
        assert chat[0]["content"] == FULL_SYSTEM and chat[1]["content"] == FULL_USER


def test_the_compact_prompt_has_the_tool_result_and_grouped_messages(model):
    d = agent(model).decide(VIEW, inbox=INBOX, slot=1, requests=REQUEST)
    chat = d.requests[0][0]
    user = chat[-1]["content"]
    result = d.tool_calls[0]["result"]
    # the result as a sentence in the user prompt, no tool call turn
    assert result_sentence(result) in user
    assert "My tool suggests power 0.8 (my rate" in user
    # the tool named once, in the system prompt; rates' unit once, there too
    assert "My tool local_wmmse: my power in the WMMSE plan" in chat[0]["content"]
    assert "Rates are in bit/s/Hz." in chat[0]["content"]
    # levels in whole dB: gain, SINR, interference+noise, the loudest links
    assert "Slot 1: gain -90 dB, SINR 21 dB, rate 6.98, interference+noise -84 dBm." in user
    assert "Loudest: link 1 -87 dBm, link 2 -90 dBm." in user
    assert not any('"tool"' in m["content"] for m in chat)
    # messages grouped by text, every sender kept, their one reason said once
    assert ('Messages, all "my tool suggests it": links 1, 2 inform 0.4; '
            'link 3 inform 1.') in user  # fmt: skip
    # nothing the decision needs dropped: rules, goal, memory, profile, requests, instruction
    for words in ("min rate 1 bit/s/Hz", "power at most 0.80 of max", "Goal: raise the worst",
                  "Past slots (power, rate): 0.5, 6.98.", f'My profile: "{PROFILE}"', "link 1 asks me to lower to 0.3.",
                  "Grant unless your profile forbids it."):  # fmt: skip
        assert words in user, words
    # what stays the same between rounds before what changes
    assert user.index("Slot 1:") < user.index("Now at 0.5 of max.") < user.index("Messages")
    assert user.index("Messages") < user.index("My tool suggests")
    # requests to answer: the instruction says how; a plain decision ends with the tool's result
    assert user.endswith("Grant unless your profile forbids it.")
    d = agent(model).decide(VIEW, inbox=INBOX, slot=1)
    plain = d.requests[0][0][-1]["content"]
    assert plain.endswith(result_sentence(d.tool_calls[0]["result"]))
    assert "Decide now" not in plain


def test_result_sentence_writes_powers_as_the_answer_can():
    # the full layout showed 0.0091, which the answer's grammar (3 decimals) cannot copy
    assert result_sentence({"suggested_power": 0.0091, "rate": 1.5}) == (
        "My tool suggests power 0.009 (my rate 1.5)."
    )
    assert result_sentence({"suggested_power": 1.0, "rate": 4.0362}) == (
        "My tool suggests power 1.0 (my rate 4.04)."
    )
    assert result_sentence({"suggested_power": 1.0, "reachable": False}) == (
        "My tool suggests power 1.0 (my floor out of reach)."
    )
    # the plan's size is not written (nobody read it)
    assert result_sentence({"suggested_power": 0.5, "rate": 2.0, "neighbourhood": 4}) == (
        "My tool suggests power 0.5 (my rate 2)."
    )
    assert grouped_messages([(4, "a"), (0, "b"), (2, "a")]) == 'links 4, 2: "a"; link 0: "b"'
    assert grouped_messages([]) == ""


def test_the_messages_reason_is_said_once_only_when_every_message_is_one_inform_with_it():
    same = [(4, "inform 0.2: my tool suggests it"), (0, "inform 1: my tool suggests it")]
    assert (
        messages_line(same)
        == 'Messages, all "my tool suggests it": link 4 inform 0.2; link 0 inform 1.'
    )
    # two reasons, a request, two acts in one message, a message without reason: as heard
    for inbox in ([*same, (2, "inform 0.1: too loud")],
                  [*same, (2, "request link 0 lower 0.3: my floor is missed")],
                  [(2, "inform 0.1: my tool suggests it; grant link 0 lower 0.1: fine")],
                  [(2, "inform 0.1"), (3, "inform 0.1")]):  # fmt: skip
        assert messages_line(inbox) == f"Messages: {grouped_messages(inbox)}."
    # the numbers are written without trailing zeros: every digit is a token
    assert [short(x) for x in (0.0, 0.5, 1.0, 20.564, 0.004)] == ["0", "0.5", "1", "20.56", "0"]


def test_a_compact_decision_parses_and_takes_the_tools_power(model):
    a = EdgeAgent(0, model, AgentConfig(tools=TOOL))
    d = a.decide(VIEW, inbox=INBOX, slot=1)
    assert d.fallback is None and len(d.calls) == 1
    answer = json.loads(d.raw[0])
    suggested = d.tool_calls[0]["result"]["suggested_power"]
    assert float(answer["power"]) == pytest.approx(suggested, abs=5e-4)
    assert d.power == pytest.approx(suggested * VIEW.p_max, abs=5e-4)


def test_the_prompt_setting_is_checked(tmp_path, capsys):
    from wireless_agents.demos.cli import main
    from wireless_agents.demos.evaluate import settings_for
    from wireless_agents.demos.suite import SuiteError, load_suite
    from wireless_agents.planners.episode import default_settings
    from wireless_agents.planners.episode.settings import team_config

    with pytest.raises(ValueError, match="prompt must be one of compact, full"):
        AgentConfig(prompt="short")
    with pytest.raises(ValueError, match="prompt must be one of compact, full"):
        default_settings(prompt="short")
    assert "prompt" not in default_settings()  # the default layout: no key
    assert team_config(default_settings()).prompt == "compact" == AgentConfig().prompt
    assert "prompt" not in default_settings(prompt="compact")
    s = default_settings(prompt="full")
    assert s["prompt"] == "full" and team_config(s).prompt == "full"
    assert main(["episode", "--prompt", "short", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--prompt: invalid choice: 'short'" in err
    text = ("suite: p\nscenarios:\n  - name: a\n    env: {topology: d2d, agents: 3}\n"
            "    steps: 1\n    planner_options: {rounds: 1, prompt: %s}\n")  # fmt: skip
    suite = tmp_path / "s.yaml"
    suite.write_text(text % "full")
    assert settings_for(load_suite(str(suite)).scenarios[0], "llm")["prompt"] == "full"
    suite.write_text(text % "short")
    with pytest.raises(SuiteError, match="unknown prompt 'short'"):
        load_suite(str(suite))
    assert main(["eval", "--suite", str(suite), "--planners", "tool", "--out",
                 str(tmp_path / "o"), "--quiet"]) == 2  # fmt: skip
    assert not (tmp_path / "o").exists()

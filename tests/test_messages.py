"""The degenerate-text check of agents' messages (agents/messages.py), on texts seen in traces."""

import pytest
from wireless_agents.agents.messages import degenerate_reason, message_quality


@pytest.mark.parametrize(
    ("text", "power", "why"),
    [
        ("I go to 1.0.", 1.0, None),
        ("I go to 0.605.", 0.605, None),
        ("I go to 0.0128", 0.012, None),
        ("Lowering to 0.3 so link 2 can keep its floor.", 0.3, None),
        ("", 0.5, None),
        ("I go to 0.0.0.0.0.0.0.0", 0.0, "malformed"),
        ("I go to 1.0000000000000015555", 0.991, "malformed"),
        ("I go to 0.9999. I go to 0.9999. I go to", 0.999, "repeated"),
        ("I go to 0.605. I go to 1.0. I go to 0.0", 0.605, "repeated"),
        ("Full power. Full power.", 1.0, "repeated"),
        ("I go to 3.0.", 0.35, "not_power"),
        ("I hold 0.5. Link 3 is loud and", 0.5, "cut_off"),
    ],
)
def test_reasons(text, power, why):
    assert degenerate_reason(text, power) == why


def test_quality_counts_only_texts():
    decisions = [
        {"power": 2.0, "message": "I go to 0.5."},
        {"power": 0.0, "message": "I go to 0.0.0.0"},
        {"power": 4.0, "message": ""},
    ]
    q = message_quality(decisions, p_max=4.0)
    assert {k: q[k] for k in ("texts", "degenerate", "degenerate_share", "reasons")} == {
        "texts": 2, "degenerate": 1, "degenerate_share": 0.5, "reasons": {"malformed": 1}}  # fmt: skip
    assert q["parsed"] == 0 and q["parse_rate"] == 0.0  # free text is not acts
    assert message_quality([], 1.0)["degenerate_share"] is None

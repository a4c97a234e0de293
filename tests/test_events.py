"""The events on one list (:mod:`wireless_agents.planners.events`): real episodes emit and keep
only events on it, and the dashboard handles and reads only what it declares."""

from __future__ import annotations

import ast
import collections
import inspect
import textwrap
import typing

import pytest
from wireless_agents.agents.models import load_model
from wireless_agents.demos.dashboard import IGNORED_EVENTS, Dashboard
from wireless_agents.planners.episode import default_settings, run_episode
from wireless_agents.planners.events import (
    EVENT_TYPES,
    EventError,
    ProposalEvent,
    check_event,
    keys,
    nested,
)

# -- check_event -------------------------------------------------------------------------------


def _proposal(**over) -> dict:
    e = {"type": "proposal", "slot": 0, "round": 0, "agent": 1, "power_frac": 0.5,
         "suggested": None, "message": "hi", "fallback": False, "tokens": 9, "model_seconds": 0.1}  # fmt: skip
    return {**e, **over}


def test_check_event_takes_a_listed_event_and_names_what_is_wrong_otherwise():
    assert check_event(_proposal()) == "proposal"
    with pytest.raises(EventError, match="unknown event type 'propose'"):
        check_event(_proposal(type="propose"))
    e = _proposal()
    del e["power_frac"]
    with pytest.raises(EventError, match=r"missing \['power_frac'\]"):
        check_event(e)
    with pytest.raises(EventError, match=r"undeclared \['power'\]"):
        check_event(_proposal(power=0.5))
    # nested records are checked too (an escalate request missing its verdict)
    req = {"agents": [0], "merged_from": 1, "victims": [], "request_bytes": 10, "pull_bytes": 0,
           "unmerged_bytes": 10, "answer_bytes": 5, "note": "", "feasible": True,
           "estimate": None, "cloud_tokens": 0, "cloud_seconds": 0.0}  # fmt: skip
    esc = {"type": "escalate", "tier": 0, "slot": 0, "requests": [req]}
    with pytest.raises(EventError, match=r"escalate.requests\[0\].*missing \['accept'\]"):
        check_event(esc)
    assert check_event({**esc, "requests": [{**req, "accept": True}]}) == "escalate"


def test_every_event_type_names_itself():
    for name, td in EVENT_TYPES.items():
        hint = typing.get_type_hints(td)["type"]
        assert typing.get_args(hint) == (name,), name


# -- the dashboard's handlers against the list -------------------------------------------------


def _hint_record(tp):
    """``(TypedDict, is_list)`` a type hint holds, or None."""
    td, many = nested(tp)
    return None if td is None else (td, many)


def handler_reads(cls) -> tuple[dict[str, type], set, list[tuple[str, int, str, str]]]:
    """``(handled, reads, problems)`` of a class that folds events the way :class:`Dashboard`
    does.

    ``handled``: {event type: TypedDict} of its ``_on_<type>`` methods (``on_event`` dispatches
    by that name). ``reads``: ``(method, TypedDict name, key)`` of every key read from a typed
    record. ``problems``: ``(method, line, TypedDict, what)`` for a handler of a type that
    is not listed, a handler whose argument is not annotated with its type's TypedDict, an event
    stored in a field whose annotation does not hold its TypedDict, and every key read (``x[k]``
    or ``x.get(k)``, through aliases, fields, ``or {}`` and loops over nested records) that the
    TypedDict does not declare. Typed names come from the annotations: the methods' arguments
    and the class's fields (``scene: SlotEvent | dict``).
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    fields = {k: _hint_record(v) for k, v in typing.get_type_hints(cls).items()}
    handled, reads, problems = {}, set(), []
    for name in dir(cls):
        if name.startswith("_on_"):
            t = name.removeprefix("_on_")
            if t not in EVENT_TYPES:
                problems.append((name, 0, "-", f"handles {t!r}, which is no event type"))
                continue
            handled[t] = EVENT_TYPES[t]
            hints = typing.get_type_hints(getattr(cls, name))
            arg = [a for a in hints if a != "return"]
            if not arg or hints[arg[0]] is not EVENT_TYPES[t]:
                problems.append((name, 0, "-", f"argument not annotated {EVENT_TYPES[t].__name__}"))
    for fn in node.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        hints = typing.get_type_hints(getattr(cls, fn.name))
        env = {a: r for a, h in hints.items() if a != "return" and (r := _hint_record(h))}
        consts: dict[str, list[str]] = {}  # loop variables over string constants

        def resolve(x, env=env):
            if isinstance(x, ast.Name):
                return env.get(x.id)
            if _self_attr(x):
                return fields.get(x.attr)
            if isinstance(x, ast.BoolOp) and isinstance(x.op, ast.Or):
                return resolve(x.values[0])
            key, base = _key_read(x)
            if base is not None:
                got = resolve(base)
                if got is None:
                    return None
                td, many = got
                if key is None:  # an index into a list of records
                    return (td, False) if many else None
                if many or key not in keys(td):
                    return None
                return _hint_record(typing.get_type_hints(td)[key])
            return None

        for _ in range(3):  # aliases and loops, to a fixpoint (nesting is shallow)
            for x in ast.walk(fn):
                if isinstance(x, ast.Assign) and len(x.targets) == 1:
                    tgt, got = x.targets[0], resolve(x.value)
                    if isinstance(tgt, ast.Name) and got is not None:
                        env[tgt.id] = got
                elif isinstance(x, ast.For | ast.comprehension) and isinstance(x.target, ast.Name):
                    got = resolve(x.iter)
                    if got is not None and got[1]:
                        env[x.target.id] = (got[0], False)
                    if isinstance(x.iter, ast.Tuple | ast.List):  # for w in ("raised", ...)
                        words = [c.value for c in x.iter.elts if isinstance(c, ast.Constant)]
                        if words and all(isinstance(w, str) for w in words):
                            consts[x.target.id] = words
        for x in ast.walk(fn):
            if isinstance(x, ast.Assign):
                got = resolve(x.value)
                for tgt in x.targets:
                    if got is not None and _self_attr(tgt) and fields.get(tgt.attr) != got:
                        problems.append((fn.name, x.lineno, got[0].__name__,
                                         f"stored in self.{tgt.attr}, not annotated to hold it"))  # fmt: skip
            key, base = _key_read(x, consts)
            if key is None or base is None:
                continue
            got = resolve(base)
            if got is None or got[1]:
                continue
            for k in [key] if isinstance(key, str) else key:
                reads.add((fn.name, got[0].__name__, k))
                if k not in keys(got[0]):
                    problems.append((fn.name, x.lineno, got[0].__name__, f"reads undeclared {k!r}"))
    return handled, reads, problems


def _self_attr(x) -> bool:
    """``x`` is ``self.<name>``."""
    return isinstance(x, ast.Attribute) and isinstance(x.value, ast.Name) and x.value.id == "self"


def _key_read(x, consts=None) -> tuple[str | list[str] | None, ast.AST | None]:
    """``(key, base)`` of ``base["key"]`` / ``base.get("key", ...)`` (``key`` a list of keys
    when it is a loop variable over string constants, see ``consts``); ``(None, base)`` of an
    index ``base[i]``; ``(None, None)`` for anything else."""

    def key_of(k):
        if isinstance(k, ast.Constant) and isinstance(k.value, str):
            return k.value
        if isinstance(k, ast.Name) and k.id in (consts or {}):
            return consts[k.id]
        return None

    if isinstance(x, ast.Subscript) and isinstance(x.ctx, ast.Load):
        if isinstance(x.slice, ast.Slice):
            return None, None
        return key_of(x.slice), x.value
    if isinstance(x, ast.Call) and isinstance(x.func, ast.Attribute) and x.func.attr == "get":
        key = key_of(x.args[0]) if x.args else None
        return (key, x.func.value) if key is not None else (None, None)
    return None, None


def test_dashboard_handles_and_reads_only_listed_events():
    handled, reads, problems = handler_reads(Dashboard)
    assert problems == []
    # the walk follows handlers, nested records, loop words and the kept slot/commit events
    assert {("_on_proposal", "ProposalEvent", "power_frac"),
            ("_on_escalate", "EscalateRequest", "agents"),
            ("_on_floor_control", "FloorControlEvent", "lowered"),
            ("_grid", "SlotEvent", "bounds"),
            ("_links_panel", "IntentReport", "held"),
            ("_footer", "CommitEvent", "tokens_per_s")} <= reads  # fmt: skip
    assert len(reads) > 50
    # every event type is either drawn or deliberately skipped, never both
    assert set(handled) | set(IGNORED_EVENTS) == set(EVENT_TYPES)
    assert not set(handled) & set(IGNORED_EVENTS)
    assert set(IGNORED_EVENTS) == {"cluster"}


class _Broken(Dashboard):
    """A dashboard with the mistakes the check is there for."""

    def _on_proposal(self, e: ProposalEvent) -> None:
        self._say(f"{e['power']:.2f}")  # the event has power_frac, not power

    def _on_deliver(self, e: ProposalEvent) -> None:  # the wrong TypedDict
        self.scene = e  # a proposal where the last slot event is kept

    def _on_proposals(self, e: dict) -> None:  # no such event type
        pass

    def _draw(self) -> str:
        c = self.links
        return " ".join(f"{it['agent']}:{it['hold']}" for it in c.get("intents") or [])


def test_dashboard_check_catches_a_bad_key_type_and_annotation():
    _, _, problems = handler_reads(_Broken)
    whats = {(p[0], p[3]) for p in problems}
    assert ("_on_proposal", "reads undeclared 'power'") in whats
    assert ("_on_proposals", "handles 'proposals', which is no event type") in whats
    assert ("_on_deliver", "argument not annotated DeliverEvent") in whats
    assert ("_on_deliver", "stored in self.scene, not annotated to hold it") in whats
    assert ("_draw", "reads undeclared 'hold'") in whats  # commit -> intents[] -> IntentReport
    assert len(problems) == 5


# -- real episodes: everything emitted and kept is on the list --------------------------------


@pytest.fixture(scope="module")
def model():
    return load_model("smollm2")


def _run(settings: dict, **kw) -> tuple[list[dict], list[dict]]:
    """``(emitted, kept)``: the events ``on_event`` got and those the trace keeps, all checked."""
    emitted: list[dict] = []
    trace = run_episode(settings, on_event=emitted.append, **kw)
    kept = [e for step in trace["steps"] for e in step["events"]]
    for e in emitted + kept:
        check_event(e)
    return emitted, kept


def _approver(req: dict) -> dict:
    """Approve, typing a floor for link 0 at the first pause (an intent, then floor control)."""
    if req["slot"] == 0:
        return {"approved": True, "by": "test", "intents": ["link 0 needs at least 2 bit/s/Hz"]}
    return {"approved": True, "by": "test"}


def test_real_episodes_emit_and_keep_only_listed_events(model):
    seen: collections.Counter = collections.Counter()
    # three tiers with the cloud model, an approval pause and a typed floor
    small = dict(agents=3, rounds=1, max_tokens=24, tools=[])
    s = default_settings(**small, steps=2, tiers=3, cluster_size=2, cloud=True, approve=True)
    emitted, kept = _run(s, backend=model, cloud_backend=model, approver=_approver)
    seen.update(e["type"] for e in emitted)
    assert {e["type"] for e in kept} <= {"sense", "proposal", "deliver", "negotiate", "cluster",
                                          "escalate", "plan", "floor_control"}  # fmt: skip
    assert any(e["type"] == "floor_control" for e in kept)
    # the other strategies' own events: the leader's plan, the cloud-only plan
    for strategy, steps in (("leader", 1), ("cloud", 1)):
        emitted, _ = _run(default_settings(**small, steps=steps, strategy=strategy), backend=model)
        seen.update(e["type"] for e in emitted)
    assert set(seen) == set(EVENT_TYPES), set(EVENT_TYPES) - set(seen)


def test_classical_episode_emits_only_listed_events():
    emitted, kept = _run(default_settings(planner="wmmse", agents=3, steps=2))
    assert [e["type"] for e in emitted] == ["slot", "commit", "slot", "commit"]
    assert kept == []

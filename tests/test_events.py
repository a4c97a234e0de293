"""The events on one list (:mod:`wireless_agents.planners.events`): real episodes emit and keep
only events on it, and the dashboard handles and reads only what it declares."""

from __future__ import annotations

import ast
import collections
import inspect
import textwrap
import types
import typing

import pytest
from typing_extensions import is_typeddict
from wireless_agents.demos.commands import episode as episode_cmd
from wireless_agents.demos.commands import eval as eval_cmd
from wireless_agents.demos.dashboard import IGNORED_EVENTS, Dashboard
from wireless_agents.demos.demo import session as demo_session
from wireless_agents.planners.episode import default_settings, run_episode, trace
from wireless_agents.planners.events import (
    EVENT_TYPES,
    EventError,
    ProposalEvent,
    check_event,
    keys,
)

# -- check_event -------------------------------------------------------------------------------


def _proposal(**over) -> dict:
    e = {"type": "proposal", "slot": 0, "round": 0, "agent": 1, "power_frac": 0.5,
         "suggested": None, "message": "inform 0.5", "acts": [], "fallback": False, "tokens": 9, "tokens_evaluated": 5,
         "model_seconds": 0.1}  # fmt: skip
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


# -- who reads events: the dashboard, the progress displays, the demo session, the trace ------


Typed = tuple[frozenset, bool]  # the TypedDicts a value may be, and whether it is a list of them


def _records(tp) -> Typed | None:
    """The TypedDicts a type hint holds: ``X``, ``X | Y | None``, ``list[X]``, ``list[X] | None``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        found = [r for a in typing.get_args(tp) if (r := _records(a)) is not None]
        if not found or len({many for _, many in found}) > 1:
            return None
        return frozenset().union(*(tds for tds, _ in found)), found[0][1]
    if typing.get_origin(tp) is list:
        (arg,) = typing.get_args(tp) or (typing.Any,)
        r = _records(arg)
        return (r[0], True) if r is not None and not r[1] else None
    return (frozenset({tp}), False) if is_typeddict(tp) else None


def _hints(obj) -> dict:
    try:
        return typing.get_type_hints(obj)
    except NameError:  # an annotation imported for type checking only: not an event
        return {}


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


def _type_tag(x) -> str | None:
    """``name`` of ``name.get("type")`` / ``name["type"]``."""
    key, base = _key_read(x)
    return base.id if key == "type" and isinstance(base, ast.Name) else None


class _Reader:
    """What one function reads from events, walked in order with the types of its names.

    Typed names: arguments and fields annotated with event TypedDicts (``e: ProposalEvent``,
    ``scene: SlotEvent | dict``), aliases (``c = self.links``), ``or {}``, loops and
    comprehensions over lists of records, loop variables over string constants, and a name
    narrowed by comparing its type (``if e.get("type") == "deliver":``, ``t = e.get("type")``
    then ``t in ("slot", "commit")``, in ``if``, ``... if ... else``, ``and`` and comprehension
    conditions). Every key read from a typed name must be declared by each TypedDict it may be.
    """

    def __init__(self, fields: dict, reads: set, problems: list):
        self.fields, self.reads, self.problems = fields, reads, problems

    def function(self, fn: ast.FunctionDef, hints: dict) -> None:
        self.fn, self.tags, self.consts = fn.name, {}, {}
        env = {a: r for a, h in hints.items() if a != "return" and (r := _records(h))}
        for stmt in fn.body:
            self.visit(stmt, env)

    def problem(self, line: int, td: str, what: str) -> None:
        if (self.fn, line, td, what) not in self.problems:  # a condition is narrowed twice
            self.problems.append((self.fn, line, td, what))

    def resolve(self, x, env) -> Typed | None:
        if isinstance(x, ast.Name):
            return env.get(x.id)
        if _self_attr(x):
            return self.fields.get(x.attr)
        if isinstance(x, ast.BoolOp) and isinstance(x.op, ast.Or):
            return self.resolve(x.values[0], env)
        key, base = _key_read(x)
        got = self.resolve(base, env) if base is not None else None
        if got is None:
            return None
        tds, many = got
        if key is None:  # an index into a list of records
            return (tds, False) if many else None
        if many or not all(key in keys(td) for td in tds):
            return None
        found = [_records(typing.get_type_hints(td)[key]) for td in tds]
        if None in found or len({m for _, m in found}) > 1:
            return None
        return frozenset().union(*(t for t, _ in found)), found[0][1]

    def narrow(self, test, env) -> dict:
        """``env`` where ``test`` holds: a name compared by its event type gets that type."""
        env = dict(env)
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            for v in test.values:
                env = self.narrow(v, env)
            return env
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return env
        left, op, right = test.left, test.ops[0], test.comparators[0]
        name = _type_tag(left) or (left.id if isinstance(left, ast.Name) else None)
        name = self.tags.get(name, name) if not _type_tag(left) else name
        if name is None or (not _type_tag(left) and left.id not in self.tags):
            return env
        if isinstance(op, ast.Eq) and isinstance(right, ast.Constant):
            words = [right.value]
        elif isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set):
            words = [c.value for c in right.elts if isinstance(c, ast.Constant)]
        else:
            return env
        for w in words:
            if w not in EVENT_TYPES:
                self.problem(test.lineno, "-", f"compares with {w!r}, which is no event type")
        known = frozenset(EVENT_TYPES[w] for w in words if w in EVENT_TYPES)
        if known:
            env[name] = (known, False)
        return env

    def bind(self, target, it, env) -> None:
        if not isinstance(target, ast.Name):
            return
        got = self.resolve(it, env)
        if got is not None and got[1]:
            env[target.id] = (got[0], False)
        if isinstance(it, ast.Tuple | ast.List):  # for w in ("raised", ...)
            words = [c.value for c in it.elts if isinstance(c, ast.Constant)]
            if words and all(isinstance(w, str) for w in words):
                self.consts[target.id] = words

    def visit(self, node, env) -> None:
        if isinstance(node, ast.Assign):
            self.visit(node.value, env)
            got = self.resolve(node.value, env)
            for tgt in node.targets:
                if isinstance(tgt, ast.Name):
                    if got is not None:
                        env[tgt.id] = got
                    if _type_tag(node.value):
                        self.tags[tgt.id] = _type_tag(node.value)
                elif _self_attr(tgt) and got is not None and self.fields.get(tgt.attr) != got:
                    names = "|".join(sorted(td.__name__ for td in got[0]))
                    self.problem(node.lineno, names, f"stored in self.{tgt.attr}, not annotated to hold it")  # fmt: skip
            return
        if isinstance(node, ast.If | ast.IfExp | ast.While):
            self.visit(node.test, env)
            inner = self.narrow(node.test, env)
            for s in node.body if isinstance(node.body, list) else [node.body]:
                self.visit(s, inner)
            for s in node.orelse if isinstance(node.orelse, list) else [node.orelse]:
                self.visit(s, env)
            return
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            inner = env
            for v in node.values:
                self.visit(v, inner)
                inner = self.narrow(v, inner)
            return
        if isinstance(node, ast.For):
            self.visit(node.iter, env)
            self.bind(node.target, node.iter, env)
            for s in node.body + node.orelse:
                self.visit(s, env)
            return
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            inner = dict(env)
            for gen in node.generators:
                self.visit(gen.iter, inner)
                self.bind(gen.target, gen.iter, inner)
                for cond in gen.ifs:
                    self.visit(cond, inner)
                    inner = self.narrow(cond, inner)
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for p in parts:
                self.visit(p, inner)
            return
        key, base = _key_read(node, self.consts)
        got = self.resolve(base, env) if key is not None else None
        if got is not None and not got[1]:
            for td in got[0]:
                for k in [key] if isinstance(key, str) else key:
                    self.reads.add((self.fn, td.__name__, k))
                    if k not in keys(td):
                        self.problem(node.lineno, td.__name__, f"reads undeclared {k!r}")
        for child in ast.iter_child_nodes(node):
            self.visit(child, env)


def event_reads(obj, dispatch: bool = False) -> tuple[dict, set, list[tuple[str, int, str, str]]]:
    """``(handled, reads, problems)`` of a class or module that reads events.

    ``handled``: {event type: TypedDict} of its ``_on_<type>`` methods, for a class that
    ``dispatch``-es by that name (the dashboard's ``on_event``). ``reads``: ``(function, TypedDict, key)`` of every
    key read from a typed record (see :class:`_Reader`). ``problems``: ``(function, line,
    TypedDict, what)`` for a handler or a comparison of a type that is not listed, a handler whose
    argument is not annotated with its type's TypedDict, an event stored in a field not annotated
    to hold it, and every key read that the TypedDict does not declare.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    if inspect.isclass(obj):
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef)).body
        fields = {k: r for k, v in _hints(obj).items() if (r := _records(v)) is not None}
    else:
        body, fields = tree.body, {}
    handled, reads, problems = {}, set(), []
    for name in dir(obj) if dispatch else []:
        if name.startswith("_on_"):
            t = name.removeprefix("_on_")
            if t not in EVENT_TYPES:
                problems.append((name, 0, "-", f"handles {t!r}, which is no event type"))
                continue
            handled[t] = EVENT_TYPES[t]
            hints = _hints(getattr(obj, name))
            arg = [a for a in hints if a != "return"]
            if not arg or hints[arg[0]] is not EVENT_TYPES[t]:
                problems.append((name, 0, "-", f"argument not annotated {EVENT_TYPES[t].__name__}"))
    reader = _Reader(fields, reads, problems)
    for fn in body:
        if isinstance(fn, ast.FunctionDef):
            reader.function(fn, _hints(getattr(obj, fn.name)))
    return handled, reads, problems


def test_dashboard_handles_and_reads_only_listed_events():
    handled, reads, problems = event_reads(Dashboard, dispatch=True)
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
    assert set(IGNORED_EVENTS) == {"cluster", "profile"}


@pytest.mark.parametrize(
    ("reader", "read"),
    [
        (episode_cmd._Progress, ("on_event", "ProposalEvent", "power_frac")),
        (episode_cmd._Progress, ("on_event", "ClusterEvent", "reasons")),
        (eval_cmd._Progress, ("on_event", "CommitEvent", "slot")),
        (demo_session.Session, ("_drain", "SlotEvent", "slot")),
        (trace, ("slot_messages", "DeliverEvent", "lost_links")),
        (trace, ("heard_by", "SenseEvent", "hears")),
    ],
)
def test_other_event_readers_read_only_declared_keys(reader, read):
    """The progress displays of ``wagents episode``/``eval``, the demo session and the trace."""
    _, reads, problems = event_reads(reader)
    assert problems == []
    assert read in reads


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

    def on_event(self, e: dict) -> None:
        t = e.get("type")
        if t in ("slot", "commit"):
            self._say(f"{e['sum_rate']}")  # a slot event has no sum-rate
        elif e.get("type") == "cloud" and e["note"]:  # no such event type
            pass


def test_event_check_catches_a_bad_key_type_and_annotation():
    _, _, problems = event_reads(_Broken, dispatch=True)
    whats = {(p[0], p[2], p[3]) for p in problems}
    assert whats == {
        ("_on_proposal", "ProposalEvent", "reads undeclared 'power'"),
        ("_on_proposals", "-", "handles 'proposals', which is no event type"),
        ("_on_deliver", "-", "argument not annotated DeliverEvent"),
        ("_on_deliver", "ProposalEvent", "stored in self.scene, not annotated to hold it"),
        ("_draw", "IntentReport", "reads undeclared 'hold'"),  # commit -> intents[]
        ("on_event", "SlotEvent", "reads undeclared 'sum_rate'"),
        ("on_event", "-", "compares with 'cloud', which is no event type"),
    }
    assert len(problems) == len(whats)


# -- real episodes: everything emitted and kept is on the list --------------------------------


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
    # (and a device's own profile, read by its agent: the profile event)
    for strategy, steps in (("leader", 1), ("cloud", 1)):
        own = {1: "I am a sensor: at most 30% of my power."}
        s = default_settings(**small, steps=steps, strategy=strategy, devices=own)
        emitted, _ = _run(s, backend=model)
        seen.update(e["type"] for e in emitted)
    assert set(seen) == set(EVENT_TYPES), set(EVENT_TYPES) - set(seen)


def test_classical_episode_emits_only_listed_events():
    emitted, kept = _run(default_settings(planner="wmmse", agents=3, steps=2))
    assert [e["type"] for e in emitted] == ["slot", "commit", "slot", "commit"]
    assert kept == []

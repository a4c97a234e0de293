"""Device profiles in an episode: what each device's own agent read, and whether it held.

``settings["devices"]`` (``{device id: text}``) gives devices their situation in their own
words. Only the ``llm`` team reads them: each device's own agent, once, before its first
decision (:meth:`~wireless_agents.agents.agent.EdgeAgent.read_profile`, in the decide graph's
planner); the read :class:`~wireless_agents.agents.profile.Profile` lives in that agent's memory
(the episode state's ``memory``, so a resumed run does not read it again) and tightens its own
view every slot. The ``tool`` team and the classical planners read none.

Per slot the record keeps ``profile_reads`` (the profiles read in that slot, once per device)
and ``profiles_met`` (each read floor or cap, and whether the committed slot held it); the
summary's ``device_profiles`` sums them (:func:`profile_summary`).
"""

from __future__ import annotations

from wireless_agents.agents.profile import Profile

from .intents import check_met
from .settings import NOT_READ


def with_new_profiles(memory: dict, reads: list | None) -> dict:
    """The agents' exported ``memory`` with the profiles read this slot (``reads``, one
    :meth:`Profile.as_dict` each) kept in their agents' entries."""
    if not reads:
        return memory
    out = {key: dict(v) for key, v in memory.items()}
    for prof in reads:
        out.setdefault(str(prof["agent"]), {"records": [], "heard": []})["profile"] = prof
    return out


def profiles_met(memory: dict, powers, rates, p_max: float) -> list[dict]:
    """Each floor and cap the agents read in their profiles (``memory``'s ``profile``s), with
    whether the committed slot (``powers`` W, ``rates`` bit/s/Hz) ``held`` it."""
    out = []
    for key in sorted(memory, key=int):
        saved = memory[key].get("profile")
        if saved is None:
            continue
        for c in Profile.from_dict(saved).constraints():
            kind = "min_rate" if "min_rate" in c else "max_power_frac"
            out.append({"agent": c["agent"], "kind": kind, "value": c[kind],
                        "held": check_met(c, powers, rates, p_max)})  # fmt: skip
    return out


def profile_summary(settings: dict, steps: list) -> dict:
    """The summary's ``device_profiles`` (empty without ``settings["devices"]``): per device
    its text, who read it (``read_by``: the device's own agent id, None when unread), ``reader``,
    ``slot`` read at, ``readings`` (kind, value, raw, note, tokens, seconds), ``error``, the
    read's ``tokens``/``seconds``, and how often its floor and cap held (``held`` of ``checks``
    (constraint, slot) pairs, ``fraction``); plus the totals."""
    devices = settings.get("devices")
    if not devices:
        return {}
    reads = {}
    for x in steps:
        for prof in x.get("profile_reads") or []:
            reads[int(prof["agent"])] = {**prof, "slot": x["slot"]}
    held: dict[int, list[bool]] = {}
    for x in steps:
        for m in x.get("profiles_met") or []:
            held.setdefault(int(m["agent"]), []).append(bool(m["held"]))
    out = []
    for key, text in devices.items():
        i = int(key)
        prof = reads.get(i)
        ok = held.get(i, [])
        row = {"agent": i, "text": text}
        if prof is None:
            why = NOT_READ if settings["planner"] == "tool" else "not read"
            if settings["planner"] != "llm" and settings["planner"] != "tool":
                why = "not read: a classical planner reads no device profile"
            row.update(read_by=None, reader=None, slot=None, readings=[], error=why,
                       tokens=0, seconds=0.0)  # fmt: skip
        else:
            row.update(read_by=prof["agent"], reader=prof["reader"], slot=prof["slot"],
                       readings=prof["readings"], error=prof["error"],
                       tokens=int(sum(r.get("tokens", 0) for r in prof["readings"])),
                       seconds=float(prof["seconds"]))  # fmt: skip
        row.update(held=int(sum(ok)), checks=len(ok), fraction=sum(ok) / len(ok) if ok else None)
        out.append(row)
    every = [m for x in steps for m in x.get("profiles_met") or []]
    n_held = int(sum(bool(m["held"]) for m in every))
    return {
        "device_profiles": {
            "devices": out,
            "read": int(sum(r["read_by"] is not None for r in out)),
            "read_tokens": int(sum(r["tokens"] for r in out)),
            "read_seconds": float(sum(r["seconds"] for r in out)),
            "held": n_held,
            "checks": len(every),
            "fraction": n_held / len(every) if every else None,
        }
    }

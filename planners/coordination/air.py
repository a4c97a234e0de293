"""What a note costs the air: the compact wire encoding of the notes and the re-requests of lost ones.

The ``plain`` encoding sends each note as it is (:func:`~.state.note_to_dict`, full floats,
long keys) to every listener, every wave. The ``compact`` encoding (the default,
``TeamConfig.air``):

- quantizes every measured quantity in dB with a step of ``step_db`` (an integer code
  ``round(10 log10(x) / step_db)``, ``"-"`` for 0): gains, received powers, interference plus
  noise, the proposed power; the interference price and WMMSE terms are the sender's own
  factor times its gains (``pi * G[j, k]``, ``w u^2 G[j, k]``), so only the factor is sent.
  Constraints (cap, floor, weight) and the request are sent exactly;
- keeps, per (sender, receiver) pair, what the sender last sent (its *shadow*) and sends only
  the entries whose code changed since (``None`` for an entry that is gone); each message
  carries a sequence number ``s``;
- the receiver keeps the last known codes of each sender with the slot it heard them (their
  age) and rebuilds the :class:`~wireless_agents.tools.Note` the tools read from them.

Loss (``TeamConfig.rerequests``): a receiver knows who speaks in a wave (the waves are common
knowledge), so a message that did not come, or one whose sequence number skips one the receiver
missed before, is re-requested (a counted control message ``{"from", "to", "rq"}`` carrying the
sequence number it holds); the sender answers with the same message when the receiver missed
only that one, else with a keyframe (every entry, ``"k": 1``). Up to ``rerequests`` attempts per
wave; what stays lost keeps the receiver's last known row (with its age) until a later message.

Units: codes are dB / ``step_db`` of linear gains and watts.
"""

from __future__ import annotations

import math

from . import channel as ch

ZERO = "-"  # the code of 0 (no dB)
STEP_DB = 0.25  # default quantization step (dB): a value is known within +-0.125 dB (2.9 %)
FACTOR_TOL = 1e-9  # relative: prices (wmmse terms) are one factor times the gains


def quantize(x: float | None, step_db: float) -> int | str | None:
    """The code of a non-negative value (None stays None, 0 and below is ``"-"``)."""
    if x is None:
        return None
    x = float(x)
    if not x > 0.0:
        return ZERO
    return int(round(10.0 * math.log10(x) / step_db))


def dequantize(code: int | str | None, step_db: float) -> float | None:
    """The value of a code (the centre of its step)."""
    if code is None:
        return None
    if code == ZERO:
        return 0.0
    return 10.0 ** (int(code) * step_db / 10.0)


def _factor(terms: dict, gains: dict) -> float | None:
    """``f`` with ``terms[k] == f * gains[k]`` for every ``k`` (None: not of that form)."""
    if set(terms) != set(gains) or not gains:
        return None
    k0 = next((k for k, g in gains.items() if g > 0.0), None)
    if k0 is None:
        return None
    f = float(terms[k0]) / float(gains[k0])
    for k, g in gains.items():
        if abs(float(terms[k]) - f * float(g)) > FACTOR_TOL * max(abs(float(terms[k])), 1e-300):
            return None
    return f


def encode_note(note: dict, step_db: float) -> dict:
    """The codes of a note (a :func:`~.state.note_to_dict` dict), compact keys, None left out."""
    q = {
        "p": quantize(note.get("power"), step_db),
        "d": quantize(note.get("direct_gain"), step_db),
        "n": quantize(note.get("interference_plus_noise"), step_db),
        "o": quantize(note.get("outside_gain"), step_db),
        "g": {k: quantize(v, step_db) for k, v in (note.get("gains") or {}).items()},
        "r": {k: quantize(v, step_db) for k, v in (note.get("received") or {}).items()},
        "c": note.get("cap"),
        "m": note.get("min_rate"),
        "w": note.get("weight"),
        "q": note.get("request") or None,
    }
    gains = note.get("gains") or {}
    for key, fkey, terms in (("pr", "pf", note.get("prices") or {}),
                             ("wm", "wf", note.get("wmmse") or {})):  # fmt: skip
        f = _factor(terms, gains)
        if f is not None:
            q[fkey] = quantize(f, step_db)
        elif terms or gains:  # not one factor times the gains: each term
            q[key] = {k: quantize(v, step_db) for k, v in terms.items()}
    return {k: v for k, v in q.items() if v is not None and v != {}}


def decode_note(sender: int, q: dict, step_db: float) -> dict:
    """The note dict (:func:`~.state.note_to_dict` form) the receiver rebuilds from the codes."""
    gains = {k: dequantize(v, step_db) for k, v in (q.get("g") or {}).items()}

    def terms(key: str, fkey: str) -> dict:
        if fkey in q:
            f = dequantize(q[fkey], step_db)
            return {k: f * g for k, g in gains.items()}
        return {k: dequantize(v, step_db) for k, v in (q.get(key) or {}).items()}

    d = {
        "sender": int(sender),
        "power": dequantize(q.get("p"), step_db),
        "prices": terms("pr", "pf"),
        "wmmse": terms("wm", "wf"),
        "min_rate": q.get("m"),
        "request": q.get("q") or "",
        "direct_gain": dequantize(q.get("d"), step_db),
        "gains": gains,
        "received": {k: dequantize(v, step_db) for k, v in (q.get("r") or {}).items()},
        "interference_plus_noise": dequantize(q.get("n"), step_db),
        "cap": q.get("c"),
    }
    if q.get("w") is not None:
        d["weight"] = q["w"]
    if q.get("o") is not None:
        d["outside_gain"] = dequantize(q["o"], step_db)
    return d


def delta(now: dict, held: dict | None) -> dict:
    """The entries of ``now`` whose code differs from ``held`` (None for those gone): what the
    receiver needs to go from ``held`` to ``now``. An unchanged note gives ``{}``."""
    held = held or {}
    out: dict = {}
    for key in sorted(set(now) | set(held)):
        a, b = now.get(key), held.get(key)
        if isinstance(a, dict) or isinstance(b, dict):
            a, b = a or {}, b or {}
            sub = {k: a.get(k) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
            if sub:
                out[key] = sub
        elif a != b:
            out[key] = a
    return out


def apply(held: dict | None, d: dict) -> dict:
    """``held`` updated by the delta ``d`` (a new dict; None entries removed)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (held or {}).items()}
    for key, v in d.items():
        if isinstance(v, dict):
            sub = out.get(key) if isinstance(out.get(key), dict) else {}
            for k, x in v.items():
                if x is None:
                    sub.pop(k, None)
                else:
                    sub[k] = x
            out[key] = sub
        elif v is None:
            out.pop(key, None)
        else:
            out[key] = v
    return {k: v for k, v in out.items() if v != {}}


def received_envelope(wire: dict, held: dict | None, slot: int, step_db: float) -> dict:
    """The mailbox entry of a receiver after the wire message ``wire`` from its sender: the
    message's ``from``/``round``/``text``, the held codes ``q`` with the sequence number ``s``
    and the ``slot`` they were heard in (their age), and the rebuilt ``note``."""
    base = None if wire.get("k") else (held or {}).get("q")
    q = apply(base, wire.get("n") or {})
    env = {k: wire[k] for k in ("from", "round", "text") if k in wire}
    env.update(slot=int(slot), q=q, s=int(wire["s"]), note=decode_note(wire["from"], q, step_db))
    return env


def send_wave(envelopes: list[dict], hears: list[list[int]], p_loss, rng, retry_rng, *,
              mailbox: dict, shadows: dict, slot: int, compact: bool, step_db: float,
              rerequests: int) -> tuple[ch.Delivery, dict]:  # fmt: skip
    """One wave of notes over the control channel, then the re-requests of what was lost.

    ``envelopes`` ``{"from", "round", "text", "note", ...}`` (the note as
    :func:`~.state.note_to_dict`); ``mailbox`` ``{str(receiver): {str(sender): entry}}`` and
    ``shadows`` ``{str(sender): {str(receiver): {"s", "q", "last"}}}`` are updated in place.
    The first transmissions draw from ``rng`` in the order of :func:`.channel.deliver` (so
    they lose what it loses), the re-requests and their answers from ``retry_rng``.
    Returns the :class:`~.channel.Delivery` of everything sent (first transmissions,
    re-requests, answers) and ``{"rerequests", "resent", "recovered", "lost_links"}``: the
    ``[sender, receiver]`` pairs whose message came on a re-request, and those whose message
    never came this wave.
    """
    out = ch.Delivery([], [])
    wires: dict[tuple[int, int], dict] = {}  # the latest wire message of each pair
    codes: dict[int, dict] = {}
    missing: list[tuple[int, int]] = []  # (sender, receiver) pairs to re-request
    arrived: set[tuple[int, int]] = set()  # pairs whose message of this wave came

    def transmit(j: int, i: int, msg: dict, draw) -> bool:
        size = ch.message_bytes(msg)
        out.sent += 1
        out.bytes += size
        rec = {"from": j, "to": i, "bytes": size}
        if draw.random() < p_loss[i][j]:
            out.lost.append(rec)
            return False
        out.delivered.append(rec)
        return True

    def accept(j: int, i: int, msg: dict) -> None:
        box = mailbox.setdefault(str(i), {})
        if compact:
            box[str(j)] = received_envelope(msg, box.get(str(j)), slot, step_db)
        else:
            box[str(j)] = msg

    for env in sorted(envelopes, key=lambda e: e["from"]):
        j = int(env["from"])
        if compact:
            codes[j] = encode_note(env["note"], step_db) if env.get("note") else {}
        for i in range(len(hears)):
            if j not in hears[i]:
                continue
            if compact:
                sh = shadows.setdefault(str(j), {}).get(str(i)) or {"s": 0, "q": None}
                msg = {k: env[k] for k in ("from", "round", "text") if k in env}
                msg.update(s=int(sh["s"]) + 1, n=delta(codes[j], sh["q"]))
                if sh["q"] is None:
                    msg["k"] = 1
                shadows[str(j)][str(i)] = {"s": msg["s"], "q": codes[j], "last": msg}
            else:
                msg = env
            wires[(j, i)] = msg
            if not transmit(j, i, msg, rng):
                missing.append((j, i))
                continue
            arrived.add((j, i))
            held = mailbox.get(str(i), {}).get(str(j))
            gap = compact and not msg.get("k") and int((held or {}).get("s", 0)) != msg["s"] - 1
            accept(j, i, msg)
            if gap:  # a message before this one was missed: the held row may be stale
                missing.append((j, i))
    stats = {"rerequests": 0, "resent": 0, "recovered": []}
    for _ in range(max(0, int(rerequests))):
        if not missing:
            break
        still = []
        for j, i in missing:
            held = mailbox.get(str(i), {}).get(str(j))
            rq = {"from": i, "to": j, "rq": int((held or {}).get("s", 0)) if compact else 0}
            stats["rerequests"] += 1
            if not transmit(i, j, rq, retry_rng):
                still.append((j, i))
                continue
            msg = wires[(j, i)]
            if compact and rq["rq"] != msg["s"] - 1:  # it missed more than this one: a keyframe
                sh = shadows[str(j)][str(i)]
                msg = {**{k: v for k, v in msg.items() if k != "n"}, "k": 1, "n": dict(sh["q"])}
            stats["resent"] += 1
            if not transmit(j, i, msg, retry_rng):
                still.append((j, i))
                continue
            accept(j, i, msg)
            stats["recovered"].append([j, i])
        missing = still
    stats["lost_links"] = sorted([j, i] for j, i in missing if (j, i) not in arrived)
    return out, stats

"""The terminal dashboard of ``wagents demo``: a picture of the episode's event stream.

:class:`Dashboard` folds the events an episode emits (the same stream the trace is made of:
``slot``, ``proposal``, ``deliver``, ``negotiate``, ``plan``, ``intent``, ``approval``,
``commit``, ...) into what is on screen, and :meth:`Dashboard.render` draws it with rich for a
terminal of a given size::

    +- header: scenario, model, slot ------------------------------------------------+
    | map: transmitters A B C, receivers a b c  | links: power, SINR, rate as bars   |
    | who hears whom                            | (and the plan of the slot; with    |
    |                                           | time slices each link's schedule)  |
    | message feed (proposals, deliveries, ...) | sum-rate per slot, team vs WMMSE   |
    +- footer: round, tokens/s, mode, keys, the line being typed ---------------------+

It computes nothing: every number on screen is a field of an event (positions in metres,
powers as fractions of p_max, SINR in dB, rates, sum-rates, tokens/s); drawing only scales
them to characters. It needs :data:`MIN_WIDTH` x :data:`MIN_HEIGHT` (80 x 24) and says so
when the terminal is smaller.

The events are those of :mod:`wireless_agents.planners.events`: ``on_event`` hands an event of
type ``t`` to the method ``_on_<t>``, whose argument is annotated with that type's TypedDict;
the types it deliberately skips are :data:`IGNORED_EVENTS`. A test checks both against
:data:`~wireless_agents.planners.events.EVENT_TYPES` and that every key the handlers (and the
panels drawing the kept ``slot`` and ``commit`` events) read is one the event declares.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from rich.console import Group
from rich.layout import Layout
from rich.panel import Panel
from rich.text import Text
from wireless_agents.planners.events import (
    ApprovalEvent,
    CloudPlanEvent,
    CommitEvent,
    DeliverEvent,
    EscalateEvent,
    FloorControlEvent,
    IntentEvent,
    LeadEvent,
    NegotiateEvent,
    PlanEvent,
    ProposalEvent,
    SenseEvent,
    SlotEvent,
)

MIN_WIDTH, MIN_HEIGHT = 80, 24
FEED_LINES = 200
SINR_RANGE_DB = (-10.0, 60.0)  # drawing scale of the SINR bars
BAR_FULL, BAR_EMPTY = "█", "░"
SHADES = " ▁▂▃▄▅▆▇█"  # a link's power in one time slice, silent to p_max
# Event types not drawn, and why. ``cluster`` (the L1 coordinators' answers): what they could not
# settle shows as the ``escalate`` that follows, and what they settled in the committed links.
IGNORED_EVENTS = {
    "cluster": "shown through the escalate and commit events that follow",
    "profile": "a device's own profile read: the trace's device_profiles keep it",
}


def _letter(i: int, tx: bool) -> str:
    return chr((65 if tx else 97) + i % 26)


def _shade(frac: float) -> str:
    """One character for a power fraction of p_max: blank (silent) up to a full block."""
    return SHADES[round(min(max(float(frac), 0.0), 1.0) * (len(SHADES) - 1))]


def _fmt(x, spec: str = ".2f", none: str = "-") -> str:
    return none if x is None else format(x, spec)


@dataclass
class Dashboard:
    """What the screen shows, folded from events (feed them with :meth:`on_event`).

    ``settings`` are the episode's settings (header). ``status``, ``keys`` and ``prompt`` are set
    by the session that drives the dashboard: its mode, the keys it takes, the line being typed.
    """

    settings: dict = field(default_factory=dict)
    scene: SlotEvent | dict = field(default_factory=dict)  # the last ``slot`` event ({} before)
    links: CommitEvent | dict = field(default_factory=dict)  # the last ``commit`` event ({} before)
    plan: dict = field(default_factory=dict)  # {agent: power_frac} proposed or planned this slot
    planned: bool = False  # plan holds the slot's plan awaiting approval (not proposals)
    history: list = field(default_factory=list)  # (slot, sum_rate, wmmse_sum_rate)
    feed: deque = field(default_factory=lambda: deque(maxlen=FEED_LINES))
    round: int | None = None
    status: str = ""
    keys: str = ""
    prompt: str = ""
    summary: dict | None = None

    # -- folding events ---------------------------------------------------------------------
    def on_event(self, e: dict) -> None:
        t = e.get("type")
        handler = getattr(self, f"_on_{t}", None)
        if handler is not None:
            handler(e)

    def on_request(self, request: dict) -> None:
        """The approval pause's request: the slot's plan (fractions of p_max)."""
        fr = request.get("plan_frac") or []
        self.plan = dict(enumerate(fr))
        self.planned = True
        self._say(f"plan for slot {request['slot']}: " + " ".join(f"{x:.2f}" for x in fr), "bold")

    def _say(self, text: str, style: str = "") -> None:
        self.feed.append((text, style))

    def _on_slot(self, e: SlotEvent) -> None:
        self.scene = e
        self.plan, self.planned, self.round = {}, False, None
        self._say(f"-- slot {e['slot']} of {e['steps']} --", "dim")

    def _on_sense(self, e: SenseEvent) -> None:
        groups = " | ".join(",".join(map(str, g)) for g in e.get("groups") or [])
        lead = f", leader {e['leader']}" if e.get("leader") is not None else ""
        self._say(f"{e['strategy']}: waves {groups}{lead}", "dim")

    def _on_proposal(self, e: ProposalEvent) -> None:
        self.round = e["round"]
        self.plan[e["agent"]] = e["power_frac"]
        fb = " (fallback)" if e.get("fallback") else ""
        forced = " (forced, no model call)" if e.get("forced") else ""
        msg = f' "{e["message"]}"' if e.get("message") else ""
        self._say(f"r{e['round']} {_letter(e['agent'], True)}{e['agent']} -> "
                  f"{e['power_frac']:.2f}{fb}{forced}{msg}", "yellow" if fb else "")  # fmt: skip

    def _on_deliver(self, e: DeliverEvent) -> None:
        self._say(f"r{e['round']} channel: {e['delivered']} delivered, {e['lost']} lost, "
                  f"{e['bytes']} B", "cyan")  # fmt: skip

    def _on_negotiate(self, e: NegotiateEvent) -> None:
        how = "agreed" if e["agreed"] else f"a proposal moved {e['max_move']:.2f}"
        floors = "" if e.get("floors_ok", True) else ", a floor unmet"
        self._say(f"after {e['round']} round(s): {how}{floors}", "cyan")

    def _on_lead(self, e: LeadEvent) -> None:
        self._say(f"leader {e['leader']} planned for {e['heard']}", "cyan")

    def _on_escalate(self, e: EscalateEvent) -> None:
        for r in e.get("requests", []):
            verdict = "accepted" if r.get("accept") else "refused"
            self._say(f"cloud: links {r['agents']} {verdict} ({r.get('note', '')})", "magenta")

    def _on_cloud_plan(self, e: CloudPlanEvent) -> None:
        self._say(f"cloud planned all links: {e.get('note', '')}", "magenta")

    def _on_plan(self, e: PlanEvent) -> None:
        self._say(f"plan after {e['rounds']} round(s), "
                  f"{'agreed' if e['agreed'] else 'not agreed'}", "cyan")  # fmt: skip

    def _on_floor_control(self, e: FloorControlEvent) -> None:
        moved = [f"{w} {e[w]}" for w in ("raised", "lowered", "yielded", "clipped") if e.get(w)]
        self._say(f"floor control: {e['minislots']} mini-slot(s), {len(e['requests'])} "
                  f"request(s){', ' if moved else ''}{', '.join(moved)}", "cyan")  # fmt: skip

    def _on_intent(self, e: IntentEvent) -> None:
        if e.get("error"):
            self._say(f"intent not read: {e['error']}", "red")
            return
        what = (f">= {e['value']:g} bit/s/Hz" if e["kind"] == "min_rate"
                else f"<= {e['value']:g} of max power")  # fmt: skip
        self._say(f"intent: link {e['agent']} {what} from slot {e['from_slot']}", "green")

    def _on_approval(self, e: ApprovalEvent) -> None:
        a = e.get("answer") or {}
        if a.get("powers") is not None:
            how = "overridden"
        else:
            how = "approved" if a.get("approved", True) else "rejected (last powers kept)"
        by = f" by {a['by']}" if a.get("by") else ""
        self._say(f"slot {e['slot']} plan {how}{by}", "bold")

    def _on_commit(self, e: CommitEvent) -> None:
        self.links = e
        self.planned = False
        self.history.append((e["slot"], e["sum_rate"], e["wmmse_sum_rate"]))
        ratio = f", {e['ratio']:.0%} of WMMSE" if e.get("ratio") is not None else ""
        self._say(f"slot {e['slot']}: sum-rate {e['sum_rate']:.2f}{ratio}", "bold green")

    def on_done(self, summary: dict) -> None:
        self.summary = summary
        r = summary.get("ratio_to_wmmse")
        ratio = f", {r:.0%} of WMMSE" if r is not None else ""
        self._say(f"done: mean {summary['mean_sum_rate']:.2f}{ratio}", "bold green")

    # -- drawing ----------------------------------------------------------------------------
    def render(self, width: int, height: int):
        """The screen for a ``width`` x ``height`` terminal (a too-small notice below 80x24)."""
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return too_small(width, height)
        body = height - 1 - 3
        top = max(11, body * 11 // 20)
        root = Layout(name="root")
        root.split_column(
            Layout(self._header(), name="header", size=1),
            Layout(name="top", size=top),
            Layout(name="middle", size=body - top),
            Layout(self._footer(width), name="footer", size=3),
        )
        left = max(30, width * 3 // 8)
        root["top"].split_row(
            Layout(self._map_panel(left - 4, top - 2), name="map", size=left),
            Layout(self._links_panel(width - left - 4, top - 2), name="links"),
        )
        feed_w = max(44, width // 2 + 4)
        root["middle"].split_row(
            Layout(self._feed_panel(feed_w - 4, body - top - 2), name="feed", size=feed_w),
            Layout(self._plot_panel(width - feed_w - 4, body - top - 2), name="plot"),
        )
        return root

    def _header(self) -> Text:
        s = self.settings
        who = s.get("planner", "llm")
        if who == "llm":
            who = f"{s.get('model', '?')}, {s.get('strategy', '?')}"
        sc = self.scene
        slot = f"slot {sc['slot']}/{sc['steps']}" if sc else "starting"
        t = Text(" wagents demo ", style="bold reverse")
        t.append(f" {s.get('scenario', '?')} K={s.get('agents', '?')} seed {s.get('seed', '?')}"
                 f"  {who}  ")  # fmt: skip
        t.append(slot, style="bold")
        t.no_wrap, t.overflow = True, "ellipsis"
        return t

    def _map_panel(self, w: int, h: int) -> Panel:
        sc = self.scene
        lines: list[Text] = []
        hears = sc.get("hears") or []
        pairs = sorted({(min(i, j), max(i, j)) for i, hs in enumerate(hears) for j in hs})
        hear = "hears: " + (" ".join(f"{i}-{j}" for i, j in pairs) if pairs else "nobody")
        if sc.get("tx") is not None and sc.get("bounds"):
            lines += self._grid(w, max(1, h - 2))
            (x0, y0), (x1, y1) = sc["bounds"]
            lines.append(Text(f"{x1 - x0:.0f}x{y1 - y0:.0f} m, link 0: A -> a", style="dim"))
        elif sc:
            lines.append(Text(f"{sc.get('scenario')}: no geometry", style="dim"))
        else:
            lines.append(Text("waiting for the first slot...", style="dim"))
        lines.append(Text(hear, style="dim"))
        for t in lines:
            t.no_wrap, t.overflow = True, "ellipsis"
        return Panel(Group(*lines[:h]), title="map", title_align="left", padding=(0, 1))

    def _grid(self, w: int, h: int) -> list[Text]:
        sc = self.scene
        (x0, y0), (x1, y1) = sc["bounds"]
        cells = [[(" ", "")] * w for _ in range(h)]

        def at(xy):
            c = round((xy[0] - x0) / max(x1 - x0, 1e-9) * (w - 1))
            r = round((y1 - xy[1]) / max(y1 - y0, 1e-9) * (h - 1))
            return min(max(r, 0), h - 1), min(max(c, 0), w - 1)

        for b in sc.get("bystanders") or []:
            r, c = at(b)
            cells[r][c] = (",", "dim")
        for t, x in zip(sc["tx"], sc["rx"], strict=True):
            n = 2 * w
            for s in range(1, n):
                f = s / n
                r, c = at((t[0] + (x[0] - t[0]) * f, t[1] + (x[1] - t[1]) * f))
                if cells[r][c][0] == " ":
                    cells[r][c] = ("·", "dim")
        for i, x in enumerate(sc["rx"]):
            r, c = at(x)
            cells[r][c] = (_letter(i, False), "cyan")
        for i, t in enumerate(sc["tx"]):
            r, c = at(t)
            cells[r][c] = (_letter(i, True), "bold yellow")
        out = []
        for row in cells:
            t = Text()
            for ch, style in row:
                t.append(ch, style=style)
            out.append(t)
        return out

    def _links_panel(self, w: int, h: int) -> Panel:
        c = self.links
        k = (self.scene or {}).get("agents") or len(c.get("power_frac") or []) or 0
        sched = c.get("schedule_frac")  # time slices: each link's power per slice
        extra = len(sched[0]) + 1 if sched else 0
        # label 3, three (bar, space, value 4, space), plan 4, mark 3 (and the slices)
        bar = max(3, (w - 28 - extra) // 3)
        head = Text(f"{'':3}{'power':<{bar + 6}}{'SINR dB':<{bar + 6}}"
                    f"{'rate b/s/Hz':<{bar + 6}}{'plan':>4}", style="bold")  # fmt: skip
        if sched:
            head.append(f" {'slices':<{extra - 1}}", style="bold")
        rows = [head]
        rates = c.get("rates") or []
        top_rate = max([r for r in rates if r is not None] or [1.0]) or 1.0
        lo, hi = SINR_RANGE_DB
        held = dict(enumerate(c.get("floors_met") or []))
        for it in c.get("intents") or []:
            held[it["agent"]] = held.get(it["agent"], True) and it["held"]
        shown = min(k, h - 2 if k > h - 1 else h - 1)
        for i in range(shown):
            t = Text(f"{_letter(i, True)}{i:<2}", style="bold yellow")
            pf = c["power_frac"][i] if c.get("power_frac") else None
            sd = c["sinr_db"][i] if c.get("sinr_db") else None
            rt = rates[i] if rates else None
            self._bar(t, pf, 1.0, bar, "yellow")
            t.append(f" {_fmt(pf):>4} ")
            self._bar(t, None if sd is None else sd - lo, hi - lo, bar, "cyan")
            t.append(f" {_fmt(sd, '.0f', 'off' if c else '-'):>4} ")
            self._bar(t, rt, top_rate, bar, "green")
            t.append(f" {_fmt(rt, '.2f' if (rt or 0) < 10 else '.1f'):>4} ")
            pl = self.plan.get(i)
            t.append(f"{_fmt(pl):>4}", style="bold" if self.planned else "dim")
            if sched and i < len(sched):  # the link's power in each slice, a shade per slice
                t.append(" " + "".join(_shade(x) for x in sched[i]), style="magenta")
            if i in held:
                t.append(" ok" if held[i] else " !!", style="green" if held[i] else "red")
            rows.append(t)
        if shown < k:
            rows.append(Text(f"... and {k - shown} more links", style="dim"))
        if not c:
            rows.append(Text("no slot committed yet", style="dim"))
        for r in rows:
            r.no_wrap, r.overflow = True, "crop"
        title = f"links (slot {c['slot']})" if c else "links"
        return Panel(Group(*rows[:h]), title=title, title_align="left", padding=(0, 1))

    @staticmethod
    def _bar(t: Text, value, full: float, width: int, style: str) -> None:
        if value is None:
            t.append(" " * width)
            return
        n = round(min(max(value / full, 0.0), 1.0) * width) if full > 0 else 0
        t.append(BAR_FULL * n, style=style)
        t.append(BAR_EMPTY * (width - n), style="dim")

    def _feed_panel(self, w: int, h: int) -> Panel:
        lines = []
        for text, style in list(self.feed)[-h:] if h > 0 else []:
            t = Text(text, style=style)
            t.no_wrap, t.overflow = True, "ellipsis"
            lines.append(t)
        return Panel(Group(*lines), title="messages", title_align="left", padding=(0, 1))

    def _plot_panel(self, w: int, h: int) -> Panel:
        rows = max(1, h - 1)
        label_w = 5
        pw = max(1, w - label_w - 1)
        hist = self.history[-pw:]
        lines = []
        if not hist:
            lines.append(Text("sum-rate per slot appears here", style="dim"))
        else:
            top = max(max(s, wm) for _, s, wm in hist) or 1.0
            col = max(1, min(3, pw // len(hist)))
            grid = [[(" ", "")] * pw for _ in range(rows)]

            def row_of(v):
                return min(rows - 1, max(0, rows - 1 - round(v / top * (rows - 1))))

            for n, (_, s, wm) in enumerate(hist):
                x = n * col
                rs, rw = row_of(s), row_of(wm)
                for r in range(rs, rows):
                    for dx in range(col - 1 if col > 1 else 1):
                        grid[r][x + dx] = (BAR_FULL, "green")
                for dx in range(col):
                    if x + dx < pw:
                        ch = "◆" if rw == rs else "─"
                        grid[rw][x + dx] = (ch, "bold magenta")
            for r, row in enumerate(grid):
                label = f"{top:5.1f}" if r == 0 else (f"{0.0:5.1f}" if r == rows - 1 else " " * 5)
                t = Text(label + "│", style="dim")
                for ch, style in row:
                    t.append(ch, style=style)
                lines.append(t)
            lines.append(Text.assemble(("█ team ", "green"), ("─ WMMSE", "bold magenta"),
                                       (f"  (slots {hist[0][0]}-{hist[-1][0]})", "dim")))  # fmt: skip
        for t in lines:
            t.no_wrap, t.overflow = True, "crop"
        return Panel(Group(*lines[:h]), title="sum-rate bit/s/Hz", title_align="left",
                     padding=(0, 1))  # fmt: skip

    def _footer(self, width: int) -> Group:
        c = self.links
        rnd = f"round {self.round}" if self.round is not None else "round -"
        tps = c.get("tokens_per_s")
        info = Text(f" {self.status} ", style="bold reverse cyan") if self.status else Text()
        info.append(f" {rnd} | model {_fmt(tps, '.1f')} tok/s", style="bold")
        if c.get("llm_tokens") is not None:
            info.append(f" ({c['llm_tokens']} tokens, slot {c['slot']})", style="dim")
        if self.summary is not None:
            info.append(f" | mean {self.summary['mean_sum_rate']:.2f} bit/s/Hz", style="green")
        keys = Text(" " + self.keys, style="dim")
        prompt = Text(" " + self.prompt, style="reverse" if self.prompt else "")
        for t in (info, keys, prompt):
            t.no_wrap, t.overflow = True, "ellipsis"
        return Group(info, keys, prompt)


def too_small(width: int, height: int) -> Text:
    """The notice shown instead of the dashboard in a terminal below 80x24."""
    t = Text(
        f"terminal {width}x{height} is too small: the dashboard needs {MIN_WIDTH}x{MIN_HEIGHT}. "
        "Enlarge the window (q quits).",
        style="bold",
    )
    return t

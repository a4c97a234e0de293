"""How the LLM team plans one slot: :class:`TeamConfig`, the home of the team's defaults.

Every default of the team (strategy, rounds, tolerances, tools, tiers, cluster size, ...) is
written here once; the episode settings, the CLI and the graph read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

STRATEGIES = ("negotiation", "independent", "leader", "cloud")
DEFAULT_TOOLS = ("local_wmmse",)
DECIDERS = ("model", "rule")
AIR_ENCODINGS = ("compact", "plain")


@dataclass
class TeamConfig:
    """How the LLM team plans one slot.

    ``strategy``: negotiation | independent | leader | cloud. ``rounds``: round budget per slot.
    ``tol``: agreement tolerance (largest move of a proposal, fraction of p_max). ``loss``: base
    message-loss probability of the control channel. ``tools``: tools offered to the agents
    (empty = tools off). ``cloud``: escalate unsettled slots to the cloud coordinator.
    ``intent``: the operator's goal in one sentence, appended to every agent's perception
    (e.g. zou: "cut total transmit power while every link keeps its minimum rate").
    ``ctrl_power``: transmit power of the control channel (W; default the data p_max).
    ``tiers``: 2 = edge + cloud; 3 = edge, cluster coordinators (L1), cloud (L0); 3 turns
    escalation on and needs clusters (the context's ``positions`` or ``clusters``).
    ``cluster_size``: devices per cluster (about; ``ceil(K / cluster_size)`` clusters).
    ``conflict_tol``: a cluster escalates to L0 when a neighbouring cluster's plan would cut one
    of its devices' planned rates by more than this fraction.
    ``strongest``, ``tin_eta``: an agent's neighbours (whom it talks to, whose rows its tools
    use) are the ``strongest`` interferers it senses plus every other one that is too strong to be
    treated as noise: ``INR >= SNR ** tin_eta`` at full power (Geng et al. 2015: treating
    interference as noise is optimal when it is below ``sqrt(SNR)``; ``tin_eta`` 0.5). How many
    that is follows the geometry, not K. ``None`` keeps only the strongest. The agent can only
    pick among the interferers its observation carries (the env's ``n_interferers``).
    ``max_neighbours``: at most this many of those (the strongest), however many pass the test,
    so that a view, the notes it gets and its local problem stay bounded as K grows (None: no
    bound). ``max_peers``: the most devices one device hears on the control channel (its peer
    table: its own neighbours and those that count it as theirs, strongest link first,
    :func:`~.inputs.peer_tables`; None: no bound). The defaults (40, 56) leave every K <= 41
    as it was (no view there has more than 40 neighbours, nor any device more than 40 peers);
    smaller bounds cost the team's plans: the tool team at K = 64 (d2d, 1 slot, 2 rounds, seeds
    0-7) reaches 0.961 of WMMSE with (40, 56), 0.949 with (32, 48), 0.846 with (24, 32) and
    0.936 unbounded; at K = 128 (seeds 0-5) 0.946 with (40, 56) against 0.963 unbounded.
    ``inbox_messages``: the model reads the texts of at most this many neighbours, loudest first
    (its tools still get every note).
    ``decider``: who decides on each device: ``model`` (an :class:`~wireless_agents.agents.agent.
    EdgeAgent` on the team's model, the ``llm`` planner) or ``rule`` (a
    :class:`~wireless_agents.agents.rule_agent.RuleAgent`: adopt the tool's suggestion, no text,
    no language, no model; the ``tool`` planner). With ``rule`` the ``intent`` is not read.
    ``devices``: device profiles, ``{device id: text}`` (keys int or str); each device's own agent
    reads its text once (:meth:`~wireless_agents.agents.agent.EdgeAgent.read_profile`), with
    the team's model (``profile_reader`` ``model``) or the rules (``rules``); rule agents do
    not read them.
    ``inbox``: the agents' models read their messages and the requests addressed to them (False:
    the ``--no-inbox`` ablation; a request then goes unanswered by a model agent; a rule agent
    grants only what reaches it, so it grants nothing either).
    ``direct_tool``: with one tool offered, each agent calls it itself and its model makes one
    call per decision (False: the model calls the tool first, two calls; the old path).
    ``skip_forced``: with ``direct_tool``, a model agent whose decision leaves language nothing
    to settle takes its tool's suggestion with no model call, recorded as forced
    (:meth:`~wireless_agents.agents.agent.EdgeAgent.forced`; default False: always asked).
    ``prompt``: the model agents' prompt layout with their single tool, ``compact`` (the
    default, :mod:`~wireless_agents.agents.prompts_compact`) or ``full`` (the layout before it;
    ``AgentConfig.prompt``); several tools or the model calling its tool always write the full
    layout.
    ``mini_slots``: time slices per slot (1: one power vector); with L > 1 the links choose
    between sharing time with their strongest interferers and reusing space, and negotiate
    the slices (:mod:`.sharing`); the plan is then a (K, L) schedule.
    ``settle``: from the negotiation's second round on (in its first when it is the only one)
    each agent plans with the powers its neighbours of earlier waves proposed in that round
    held as they are (:attr:`~wireless_agents.tools.LocalView.settled`; :func:`.edge.settling`):
    round 0 plans jointly, later rounds answer those who moved already. Without it the last
    wave's agent may take the band on a plan that needs a link already decided to fall silent
    (d2d K = 16, seed 0: 0.470 of ``best``, with it 1.000), and with more rounds two links
    each planning the other silent both hold on. False: the old behaviour.
    """

    strategy: str = "negotiation"
    rounds: int = 2
    tol: float = 0.02
    loss: float = 0.0
    tools: tuple[str, ...] = DEFAULT_TOOLS
    temperature: float = 0.0
    max_tokens: int = 40
    seed: int = 0
    cloud: bool = False
    n_interferers: int | None = None
    strongest: int = 5
    tin_eta: float | None = 0.5
    max_neighbours: int | None = 40
    max_peers: int | None = 56
    inbox_messages: int = 5
    intent: str | None = None
    ctrl_power: float | None = None
    tiers: int = 2
    cluster_size: int = 4
    conflict_tol: float = 0.1
    decider: str = "model"
    devices: dict | None = None
    profile_reader: str = "model"
    inbox: bool = True
    direct_tool: bool = True
    skip_forced: bool = False
    prompt: str = "compact"
    air: str = "compact"
    air_step_db: float = 0.25
    rerequests: int = 6
    max_age: int | None = None
    mini_slots: int = 1
    settle: bool = True

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; choose one of {STRATEGIES}")
        if self.rounds < 1:
            raise ValueError("rounds must be at least 1")
        if not 0.0 <= self.loss <= 1.0:
            raise ValueError("loss must be a probability in [0, 1]")
        if self.tiers not in (2, 3):
            raise ValueError("tiers must be 2 (edge, cloud) or 3 (edge, cluster, cloud)")
        if self.tiers == 3 and self.strategy == "cloud":
            raise ValueError("tiers=3 needs an edge team; the cloud strategy has none")
        if any(n is not None and n < 0 for n in (self.max_neighbours, self.max_peers)):
            raise ValueError("max_neighbours and max_peers must be at least 0")
        if self.cluster_size < 1:
            raise ValueError("cluster_size must be at least 1")
        if self.decider not in DECIDERS:
            raise ValueError(f"unknown decider {self.decider!r}; choose one of {DECIDERS}")
        if self.air not in AIR_ENCODINGS:
            raise ValueError(f"unknown air encoding {self.air!r}; choose one of {AIR_ENCODINGS}")
        if not self.air_step_db > 0.0:
            raise ValueError("air_step_db must be positive (dB)")
        if self.rerequests < 0 or (self.max_age is not None and self.max_age < 0):
            raise ValueError("rerequests and max_age must be at least 0")
        if (
            isinstance(self.mini_slots, bool)
            or int(self.mini_slots) != self.mini_slots
            or (self.mini_slots < 1)
        ):
            raise ValueError(f"mini_slots must be an integer >= 1, got {self.mini_slots!r}")
        if self.profile_reader not in ("model", "rules"):
            raise ValueError(f"unknown profile reader {self.profile_reader!r}; model or rules")

    def settings(self) -> dict:
        """What the decide graph's nodes read from the config (the state's ``settings``)."""
        return {
            "strategy": self.strategy,
            "rounds": self.rounds,
            "tol": self.tol,
            "loss": self.loss,
            "cloud": self.cloud or self.tiers == 3,
            "tiers": self.tiers,
            "conflict_tol": self.conflict_tol,
            "air": self.air,
            "air_step_db": self.air_step_db,
            "rerequests": self.rerequests,
            "max_age": self.max_age,
            "settle": self.settle,
            # time slices: only a sliced team's state has the key (.sharing)
            **({"mini_slots": int(self.mini_slots)} if self.mini_slots > 1 else {}),
        }

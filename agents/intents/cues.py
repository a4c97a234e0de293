"""What kind of statement a piece of a sentence makes, found by regular expressions: a network
objective, a link's weight, silence, the removal of a floor or a cap, a rate or a power unit, a
number that is a count or a measure rather than the asked value.

Shared by the model-free reader (:mod:`.rules`, which reads the whole statement with them) and
the model reader (:mod:`.parse`, which uses them only to route a clause to the right narrowed
grammar: the model still picks the link, the value and the objective).
"""

from __future__ import annotations

import re

from .nouns import LINK_NOUN
from .numbers import _fmt, normalize_text

# "link 2", "user 3", "agent_4", "device #1", "transmitters 5", "pair 6": how a sentence names a
# link (the noun, :data:`~.nouns.LINK_NOUN`, then what may stand between it and the number)
LINK_NAME = LINK_NOUN + r"s?[\s_#-]*"
LINK_MENTION = re.compile(r"\b" + LINK_NAME + r"(\d+)\b", re.I)
# a link named only as the term of a comparison ("a worse channel than link 1", "compared with
# link 4"): it is not the link the statement is about
COMPARED = re.compile(
    r"\b(?:than|compared\s+(?:with|to)|relative\s+to|unlike)\s+(?:the\s+)?"
    + LINK_NAME
    + r"(\d+)\b",
    re.I,
)
# a statement about every link ("every link", "each user", "all radios", "everyone"), every link
# but those named ("every other link", "everyone else", "the rest"), or every link of those named
# before ("all of them", "each of them"; every link when none was)
_EVERY_NOUN = LINK_NOUN + r"s?\b(?![\s_#-]*\d)"
OTHER_LINKS = re.compile(
    r"\b(?:every|each|all(?:\s+the)?|any)\s+other\s+"
    + _EVERY_NOUN
    + r"|\b(?:everyone|everybody)\s+else\b"
    r"|\ball\s+(?:the\s+)?(?:other|remaining)\s+"
    + _EVERY_NOUN
    + r"|\b(?:all\s+)?the\s+(?:rest|others)\b"
    r"|\ball\s+others\b",
    re.I,
)
ALL_LINKS = re.compile(
    r"\b(?:every|each|all(?:\s+(?:of\s+)?the)?)\s+(?:single\s+)?"
    + _EVERY_NOUN
    + r"|\b(?:everyone|everybody)\b(?!\s+else)",
    re.I,
)
THEM_ALL = re.compile(r"\b(?:all|each|every\s+one|both)\s+of\s+them\b", re.I)
# a quantifier after these words is the term of a comparison ("counts more than the others",
# "four times the weight of everyone else"), not the links a statement is about
COMPARED_TERM = re.compile(
    r"\b(?:than|as|of|like|to|with|over|above|below|versus|vs|from|times)\s*$", re.I
)
# a negation; "n't" is glued to its verb ("don't", "mustn't"), so it has no word boundary before it
NOT = r"(?:\bnot|n't|\bnever)"


def forms(*words: str) -> str:
    """A regular expression (a group, no word boundaries) of every form of the cue ``words``, so
    one cue covers them all: a verb's -s, -es, -ed and -ing with the final consonant doubled or
    not ("transmit" -> transmits, transmitted, transmitting; "cap" -> capped, capping), a final
    -e dropped before -ed, -ing and the noun's -ation ("maximi[sz]e" -> maximised, maximising,
    maximisation, maximizations). A word may itself be a pattern ("maximi[sz]e")."""
    out = []
    for w in words:
        if w.endswith("e"):
            out.append(w[:-1] + r"(?:e|es|ed|ing|ations?)")
        else:
            out.append(w + r"(?:s|es|" + re.escape(w[-1]) + r"?(?:ed|ing)|ations?)?")
    return "(?:" + "|".join(out) + ")"


_MAXIMISE = forms("maximi[sz]e")
_MINIMISE = forms("minimi[sz]e")
# where a sentence is cut into pieces: sentence ends, , : ; and the words and, or (not in "at or
# below"), but, while, whereas (never the point of 1.5), and "with" or "where" before a link or
# before weights ("maximise the total rate with link 4 counting double", "a weighted sum where
# link 0 has weight 3", "total throughput with weights 3 for node 0 ...": the goal and the links'
# weights are separate statements)
# (a colon between digits, the time "22:00", cuts nothing)
PIECE_SEPARATOR = re.compile(
    r"((?<!\d)[.]|[.](?!\d)|[;!?\n,]|(?<!\d):|:(?!\d)|\band\b|\bbut\b|\bwhile\b|\bwhereas\b|&"
    # "or", but not the "or" of a bound ("at or below half", "at or above 0.4")
    r"|\bor\b(?!\s+(?:below|under|above|over|beneath)\b)"
    r"|\b(?:with|where)\b(?=\s+" + LINK_NAME + r"\d"
    # "with weights 2 for link 0 ...": the weights after a goal are statements of their own
    r"|\s+(?:(?:the|a|its|their|these)\s+)?(?:weights?|weightings?|priorit(?:y|ies))\b))",
    re.I,
)

# the network objective a piece asks for (names from environment/objectives.py OBJECTIVES), in
# the order they win when a piece names several; a stronger cue's words are not read again for a
# weaker one ("weighted sum rate" names weighted_sum_rate, not also sum_rate)
# what a total-rate goal moves: data, its units ("gigabytes", "megabits") or the load carried
_AMOUNT = (
    r"(data|traffic|throughput|goodput|capacity|load|(kilo|mega|giga|tera)?(bits|bytes)|bit\s?rate)"
)
OBJECTIVE_CUES = {
    "weighted_sum_rate": re.compile(r"\bweighted\s+(sum|total|throughput|rate|capacity)", re.I),
    "min_power": re.compile(
        rf"\b(save|saving|cut|reduc(e|es|ed|ing)|{_MINIMISE}|lower|trim|conserve)\b[^,;:]*"
        r"\b(energy|powers?)\b"
        r"|\benergy[- ]sav|\bpower\s+sav|\bmilliwatt|\bpower\s+bill|\bpower\s+draw"
        r"|\b(energy|power)\s+(use|usage|consumption)\b|\bbattery\s+life|\bgo\s+green\b"
        r"|(\bno|\bwithout|" + NOT + r")\s+(\w+\s+)?wast\w*\s+(\w+\s+)?(energy|power)\b"
        r"|(?<!at\s)\b(least|lowest|minimum|minimal|less|little|min|smallest)\s+"
        r"([a-z]+\s+){0,2}(powers?|energy|output|emissions?|wattage|consumption)\b"
        rf"|\b{_MINIMISE}\s+(the\s+)?(total\s+)?(transmit\s+)?power\b"
        r"|\btotal\s+(transmit\s+)?power\s+(as\s+)?low"
        r"|\b(frugal|sparing|economical)(ly)?\b"
        # what is sent rather than the power word: "as quiet as the floors allow", "minimise what
        # they transmit"
        r"|\bas\s+quiet(ly)?\s+as\b"
        # the power kept down in other words ("keep the total wattage down")
        r"|\bwattage\b[^,;:]*\b(down|low)\b"
        r"|\b(keep|bring|hold|get)\s+(\w+\s+){0,4}(powers?|energy|consumption)\s+(down|low)\b"
        r"|\b(minimi[sz]e|reduce|cut|lower|trim)\s+([\w']+\s+){0,3}"
        r"(transmit\w*|transmissions?|output|emissions?)\b"
        # a thesaurus pass: power spent sparingly ("burn as little as", "spend the least"), its
        # nouns (footprint, expenditure, draw), kept "as low as" or "to a minimum", eco and green
        # modes, energy efficiency, the battery saved
        r"|\b(burn|spend|use|draw|consume|drain|expend)\w*\s+(as\s+)?(little|less|least|fewest)\b"
        r"|\b(power|energy|consumption|wattage|output|emissions?|footprint|expenditure)\b"
        r"[^,;:]{0,40}?\bas\s+(low|small|little|modest|tiny)\s+as\b"
        r"|(?<!at\s)\b(least|lowest|minimum|minimal|smallest|reduced|leanest)\s+([a-z]+\s+){0,2}"
        r"(watts|footprint|expenditure|draw|usage|spend|budget)\b"
        r"|\b(powers?|energy|consumption|output|wattage)\s+(\w+\s+){0,2}to\s+(a|the)\s+(bare\s+)?minimum\b"
        r"|\beco\b|\beco[- ]?(mode|friendly)\b|\bgreen\s+(mode|operation|profile|setting)\b"
        r"|\bgo(es|ing)?\s+green\b|\b(energy|power)[- ]efficien\w*"
        r"|\b(save|saving|spare|sparing|preserve|conserve|extend)\w*\s+(the\s+)?(\w+\s+)?batter(y|ies)\b"
        r"|\b(lean|light|easy)\s+on\s+(the\s+)?(power|energy|batter(y|ies))\b",
        re.I,
    ),
    "max_min": re.compile(
        # the maximised rate is the worst link's ("maximise the rate of the weakest user"): read
        # whole, so its "maximise the rate" is not read again as a total-rate goal
        rf"\b({_MAXIMISE}|raise|lift|increase|boost|improve)\s+(the\s+)?(rate|throughput)\s+of\s+"
        r"the\s+(worst|weakest|poorest|slowest)\b"
        # the minimum rate maximised, as a verb or a noun ("min-rate maximisation", "a
        # maximisation of the minimum rate")
        rf"|\bmin(imum)?[- ]rates?\s+{_MAXIMISE}\b"
        rf"|\b{_MAXIMISE}\s+(of\s+)?the\s+(minimum|min|lowest|smallest)\b"
        r"|\bfair(ly|ness)?\b|\bworst\b|\bweakest\b|\bpoorest\b|\bslowest\b|\bstarv|\bmax[- ]?min\b"
        r"|\bequal(ly)?\s+(rates?|share)|\bmaxi?mi[sz]e\s+the\s+minimum|\blowest\s+rate"
        r"|\b(left|falls?|falling)\s+behind\b|\beven(s|ing)?\s+out\b"
        # equity, the laggard, no favourites, the fairest split
        r"|\bequit(y|able)\b|\blaggards?\b|\bno\s+favou?rites\b|\bfair(er|est)\b"
        r"|\b(same|equal|similar|identical)\s+(\w+\s+)?(rates?|share|throughput)\b"
        # the bottom of the rates ("lift the bottom rate"), rates kept level ("keep every rate even")
        r"|\b(bottom|lowest|smallest)\s+([\w-]+\s+)?(rates?|links?|users?|devices?|radios?|nodes?)\b"
        r"|\b(rates?|throughputs?)\s+((as|kept|stay\w*|remain\w*)\s+)?(level|even|equal|balanced)\b"
        # the resource shared out evenly ("share the channel out evenly", "an even split")
        r"|\b(share|split|divide|spread|distribute|allocate|apportion|ration)\w*\s+([\w']+\s+){0,5}"
        r"(evenly|equally|uniformly)\b"
        r"|\b(even|equal|uniform)\s+(split|share|spread|distribution|allocation)\b"
        # a thesaurus pass: the minimum raised by any verb ("optimise the minimum throughput"),
        # max of the min, the most poor, the least served, stragglers, underdogs, the worse-off,
        # the bottom performer, rates equalised or balanced, nobody left stuck or neglected
        r"|\b(optimi[sz]\w*|rais\w*|lift\w*|boost\w*|improv\w*|increas\w*|protect\w*)\s+(of\s+)?"
        r"the\s+(minimum|min|lowest|smallest)\b"
        r"|\bmax(imum)?\s+(of\s+)?(the\s+)?min(imum)?\b"
        r"|\bmost\s+(poor|weak|slow|disadvantaged)\w*|\bleast[- ](well[- ])?(served|fortunate|lucky)\b"
        r"|\bunder[- ]?served\b|\bstraggl\w*|\bunderdogs?\b|\bworse[- ]off\b"
        r"|\bbottom\s+(performers?|end|tier|one)\b|\bequali[sz]\w*"
        r"|\bbalanc\w*\s+(the\s+)?(\w+\s+)?(rates?|links?|throughputs?|service|users?)\b"
        r"|\b(no\s+one|nobody|no\s+user|no\s+link)\s+(\w+\s+){0,3}(stuck|neglected|forgotten"
        r"|left\s+out)\b",
        re.I,
    ),
    "sum_rate": re.compile(
        r"\b(total|sum|summed|overall|aggregate|network|combined|collective|cumulative|joint"
        r"|global|(cell|system|network|site)[- ]wide|whole|entire|net|grand|gross|cell|system"
        r"|cluster|deployment|fleet)[- ]([a-z]+\s+)?"
        r"(rate|throughput|capacity|traffic|data|bits|bit\s?rate|spectral\s+efficiency|goodput"
        r"|bandwidth)\b"
        # "the sum of all link rates", "the sum of the rates"
        r"|\bsum\s+of\s+((the|all|every|each)\s+)*([\w'-]+\s+){0,2}"
        r"(rates|throughputs|bit\s?rates|capacities|data\s+rates)\b"
        rf"|\b(optimi[sz]e\s+for|boost|push|pump|crank\s+up|drive\s+up|max\s+out)\s+(the\s+)?"
        rf"(\w+\s+)?{_AMOUNT}\b"
        rf"|\b{_MAXIMISE}\s+(the\s+)?(\w+\s+)?(rate|{_AMOUNT})\b"
        # the rate maximised as a noun ("rate maximization", "throughput maximisation")
        rf"|\b(rates?|{_AMOUNT})[- ]{_MAXIMISE}\b"
        rf"|(?<!at\s)\b(most|max|maximum|largest|biggest|highest|heaviest|greatest|peak|top|maximal|record)\s+([a-z]+\s+){{0,2}}{_AMOUNT}\b"
        rf"|\bas\s+(many|much)\s+([a-z]+\s+)?{_AMOUNT}\b|\bsum[- ]rate\b",
        re.I,
    ),
}
# words of each objective's family, weaker than the cues: in a clause that names no link and no
# number and whose cues name no objective, they narrow the objectives the model chooses among
# (the three unweighted ones when they name none), and the rules take the objective when they
# name exactly one
OBJECTIVE_WORDS = {
    "weighted_sum_rate": re.compile(r"\bweigh|\bpriorit|\bimportan", re.I),
    "min_power": re.compile(
        r"\bpower\b|\benergy\b|\bbatter(y|ies)\b|\bwatts?\b|\bgreen|\bconsum|\befficien"
        r"|\bsav(e|ing)\b|\bwast|\bfrugal|\bsparing|\bwattage\b",
        re.I,
    ),
    "max_min": re.compile(
        r"\bfair|\bequal|\bsame\b|\beven\b|\balike\b|\bbalanc|\bworst\b|\bweak|\bslow"
        r"|\blowest\b|\bpoor|\bstarv|\bbehind\b|\bnobody\b|\bno\s+one\b|\beveryone\b"
        r"|\bequit|\blag|\bfavou?rit|\bevenly\b|\buniform",
        re.I,
    ),
    "sum_rate": re.compile(
        r"\bthroughput|\bgoodput|\bcapacity\b|\btraffic\b|\bdata\b|\bbits?\b|\bbytes\b|\bbitrate"
        r"|\btotal\b|\bsum(med)?\b|\baggregate\b|\bvolume\b|\bmost\b|\bcollective\b"
        r"|\bcumulative\b",
        re.I,
    ),
}
# "fairness does not matter", "we don't care about energy", "fairness is not the goal": the
# objective named is not wanted
_AIMING = (
    r"chas(e|es|ed|ing)|pursu(e|es|ed|ing)|(go|goes|going|aim|aims|aiming|shoot|shooting|push"
    r"|pushing|strive|striving|optimi[sz]e|optimi[sz]ing|look|looking)\s+for"
    r"|target(s|ed|ing)?|after|interested\s+in|about|focus(ed|ing)?\s+on|prioriti[sz](e|ing)"
    r"|want(ed|ing)?|need(ed)?|tr(y|ying)\s+to\s+(max|maxi?mi[sz]e|raise|boost)"
)
NOT_WANTED = re.compile(
    r"(" + NOT + r"|\bno\s+longer)\s+(\w+\s+)?(matter|care|important|needed|wanted|a\s+priority"
    r"|worry|bother|mind|concern|" + _AIMING + r""
    r"|(the|our|my|a)\s+(goal|point|aim|objective|focus|priority|concern|target|metric|kpi))"
    r"|\bforget\b|\bignore\b|\bdrop\s+the\s+(goal|aim|objective|focus)\b",
    re.I,
)
WEIGHT_CUE = re.compile(
    r"\btimes\s+(as|more|any|the|that|what)\b|\bweigh|\bpriorit(y|ies)\b|\bcount(s|ing)?\b(?!\s+on\b)"
    r"|\bworth\b"
    r"|\bmatters?\b|\bimportan"
    # the weight in other words: prioritised, a multiplier, significance, emphasis, preference
    r"|\bprioriti[sz]\w*|\bmultiplier\b|\bsignifican|\bemphasis\b|\bpreference\b",
    re.I,
)
# the verbs of sending (a thesaurus: transmit, radiate, emit, broadcast, send, talk, key up, be
# on air) in all their forms
_SENDING = (
    forms("transmit", "radiate", "emit", "broadcast", "send", "talk", "speak", "beacon")
    + r"|key(s|ed|ing)?\s+up|(be|go|goes|going|stay|stays|staying|get|come)\s+on\s*(the\s+)?air"
)
SILENCE_CUE = re.compile(
    r"\bsilen|\bmute|\bquiet\b|\boff\b|\bshut\b|\bpower(ed)?\s+(\w+\s+)?down\b"
    r"|\bno\s+(\w+\s+)?(transmissions?|emissions?|radiation|broadcasts?|airtime)\b"
    r"|\b(stop|cease|halt)\w*\s+(transmitting|radiating|emitting|broadcasting|sending|talking)"
    r"|\b(go|goes|going|stay|stays|staying|remain|remains|kept|keep|keeps)\s+dark\b"
    r"|\b(disabled?|deactivated?|switched\s+down)\b"
    r"|("
    + NOT
    + r"|\bneither|\bno\s+circumstances|\b(forbid\w*|prohibit\w*|barred|banned)\b)\b[^,;:]*\b("
    + _SENDING
    + r")\b(?!\s+power)",
    re.I,
)
# a link's priority taken away: weight 1, as every other link ("do not favour link 2 any more",
# "it counts like every other link")
WEIGHT_RESET = re.compile(
    r"(" + NOT + r"|\bno\s+longer|\bstop)\s+(\w+\s+)?(favou?r|prioriti[sz]|prefer)\w*"
    r"|\bcount(s|ing)?\s+(just\s+)?(like|the\s+same\s+as)\s+(every|any|all|the)\b"
    r"|\b(equal|same|normal|default|usual)\s+(weight|priority)\b"
    # "weight it like all the others", "no special priority any more"
    r"|\bweigh\w*\s+((it|them|" + LINK_NAME + r"\d+)\s+)?(just\s+)?(like|the\s+same\s+as)\s+"
    r"(every|any|all|the)\b"
    r"|\bno\s+(special|extra|particular|higher)\s+(weight|priority)\b",
    re.I,
)
# what a removal may say after its object ("the floor on device 0 can go", "the power restriction
# on radio 0 is lifted", "the guarantee for node 1 is no longer needed"): the object named first,
# then within its piece a verb of going away (not "can go up to 0.8")
_GONE = (
    r"(is|are|has\s+been|have\s+been|was|were|gets?|got|can|may|could|should|will|must)\s+"
    r"(now\s+)?(be\s+)?(lifted|removed|dropped|gone|cleared|scrapped|waived|cancell?ed|relaxed"
    r"|ended|withdrawn|go|deleted|abolished|revoked|rescinded|retired|discontinued|suspended"
    r"|released|ditched|eliminated|void(ed)?|obsolete|history|over|taken\s+(away|off)"
    r"|done\s+away\s+with)\b(?!\s+(up|down|to|above|below|over|under|higher|lower|back)\b)"
    r"|(is|are|was|were)\s+(no\s+longer|not)\s+(\w+\s+)?(needed|required|necessary|wanted"
    r"|in\s+(force|effect|place)|active|valid|applicable)\b"
)
# the verbs of taking a floor or cap away, as an order before it ("drop the cap", "revoke its
# guarantee")
_REMOVE = (
    r"(remove|drop|lift|clear|scrap|waive|cancel|relax|end|delete|abolish|revoke|rescind|retire"
    r"|discard|ditch|eliminate|suspend|undo|get\s+rid\s+of|do\s+away\s+with|forget)"
)


def _taken_away(noun: str) -> str:
    """The removal of ``noun`` said after it (:data:`_GONE`), within its piece."""
    return r"\b" + noun + r"\b[^,;:]*?\b(" + _GONE + ")"


# a removal reaches its object across a few words, never across a number ("no longer needs its
# power cap", "no longer requires that old rate guarantee")
_SCOPE = r"([a-z']+\s+){0,4}"
# a floor in the words operators use: floor, minimum, guarantee, assurance, commitment, SLA, a
# rate requirement, target or reservation
_FLOOR_WORD = r"(floor|minimum|guarantee|assurance|commitment|sla|reservation)s?"
_FLOOR_NOUN = (
    r"(((minimum|min|guaranteed|promised|committed|reserved)[- ])?(rate|throughput|qos)\s+"
    r"(requirement|target|reservation|promise)s?|((rate|throughput|qos)\s+)?" + _FLOOR_WORD + ")"
)
# a floor or a cap taken away: "no longer needs a floor", "needs no floor any more", "no need to
# cap device 2", "does not have to be limited", "remove its cap", "the floor on device 0 can go"
NO_FLOOR = re.compile(
    r"\bno\s+longer\s+" + _SCOPE + r"(" + _FLOOR_NOUN + r"|rate)"
    r"|" + _taken_away(_FLOOR_NOUN) + r""
    r"|" + NOT + r"\s+(need|require|have|want|get)\w*\s+" + _SCOPE + _FLOOR_NOUN + r"\b"
    r"|\b(needs?|requires?|has|gets?)\s+no\s+" + _SCOPE + _FLOOR_NOUN + r"\b"
    r"|\bno\s+need\s+(for|of)\s+" + _SCOPE + _FLOOR_NOUN + r"\b"
    r"|\b" + _REMOVE + r"\w*\s+(the\s+|its\s+|any\s+|their\s+)?" + _FLOOR_NOUN + r"\b"
    # "drop the rate requirement", "stop guaranteeing link 1 a floor", "no minimum for link 3"
    r"|\b(remove|drop|scrap|waive|cancel)\s+(the\s+|its\s+|any\s+)?(rate|throughput)\s+"
    r"(requirement|guarantee|target)"
    r"|\b(stop|no\s+longer)\s+guarantee\w*"
    r"|\bno\s+(rate\s+)?(floor|minimum)\s+(rate\s+)?(for|on)\b",
    re.I,
)
_CAPPING = forms("cap", "limit", "restrict", "throttle", "clamp", "constrain")
_CAP_NOUN = r"(cap|limit|limitation|restriction|ceiling|throttle|constraint|clamp|upper\s+bound)s?"
NO_CAP = re.compile(
    r"\bno\s+longer\s+" + _SCOPE + r"(power\s+)?(" + _CAPPING + "|" + _CAP_NOUN + r")\b"
    # the cap taken away in other words: "the power restriction on radio 0 is lifted", "the cap
    # on radio 2 can go", "run unrestricted", "without any power limit", "no power ceiling",
    # "take the cap off", "free node 2 from its limit"
    r"|" + _taken_away(_CAP_NOUN) + r""
    r"|\bun(restricted|capped|limited|throttled|constrained)\b"
    r"|\b(without|no)\s+(a\s+|any\s+|the\s+|its\s+)?(power\s+)?" + _CAP_NOUN + r"\b"
    r"|\b(take|takes|taking|took)\s+(the\s+|its\s+)?(power\s+)?" + _CAP_NOUN + r"\s+off\b"
    r"|\b(free|frees|freed|release|released)\s+(\w+\s+){0,3}from\s+(its\s+|the\s+|any\s+)?"
    r"(power\s+)?" + _CAP_NOUN + r"\b"
    r"|\bno\s+need\s+(\w+\s+){0,2}(to\s+)?" + _CAPPING + r"\b"
    r"|"
    + NOT
    + r"\s+(need|have)\w*\s+(to\s+)?(be\s+)?(a\s+|its\s+|any\s+)?(power\s+)?"
    + _CAPPING
    + r"\b"
    r"|\b(needs?|has|gets?)\s+no\s+(power\s+)?(cap|limit)\b"
    r"|\b"
    + _REMOVE
    + r"\w*\s+(the\s+|its\s+|any\s+|their\s+)?(power\s+)?"
    + _CAP_NOUN
    # "isn't capped any more", "is not throttled anymore"
    + r"|"
    + NOT
    + r"\s+(be\s+|being\s+)?"
    + _CAPPING
    + r"\s+any\s*more\b"
    # "may run at full power"
    r"|\b(run|transmit|go|operate)s?\s+(at\s+)?(full|maximum|max|peak)\s+power\b",
    re.I,
)
# a heading that names the kind of the statements after its colon ("Weights: link 2 gets 3, link
# 4 gets 1.5", "Minimum rates: user 0 1.2, user 2 0.4", "Power caps: ..."): the whole piece
HEADINGS = {
    "weight": re.compile(
        r"\s*(new\s+)?(link\s+)?(priority\s+)?(weights?|weightings?|priorit(y|ies))\s*", re.I
    ),
    "min_rate": re.compile(
        r"\s*(new\s+)?((minimum|min|guaranteed)\s+rates?|(rate\s+)?(floors?|minimums?)"
        r"|rate\s+guarantees?)\s*",
        re.I,
    ),
    "max_power_frac": re.compile(
        r"\s*(new\s+)?((power\s+)?(caps?|limits?|ceilings?)|(max|maximum)\s+powers?)\s*", re.I
    ),
}


def heading_kind(piece: str) -> str | None:
    """The kind a heading piece names (:data:`HEADINGS`), or None when it is no heading."""
    return next((k for k, p in HEADINGS.items() if p.fullmatch(piece)), None)


RATE_CUE = re.compile(
    r"\bbits?\b|\bb/s|\bbps\b|\bspectral efficiency|\brate\b|\bfloor\b|\bthroughput\b", re.I
)
POWER_CUE = re.compile(
    r"\bpower\b|\bdbm\b|\bwatts?\b|\bmw\b|\bpercent_of_power\b"
    r"|\bof\s+(its\s+|the\s+)?(max|maximum|full|peak|top)\b|\bcap\b|\bcapped\b|\bthrottle",
    re.I,
)
# a rate stated as an upper bound ("doesn't need more than", "at most"): not a floor
RATE_UPPER = re.compile(
    r"(" + NOT + r"|\bno)\s+(\w+\s+){0,2}(more|above|over|higher|exceed\w*)\b"
    r"|\bat\s+most\b|\bup\s+to\b|\bor\s+less\b",
    re.I,
)
# a statement about the past ("was at 2.5 yesterday"): it asks for nothing
PAST = re.compile(r"\b(was|were|used\s+to|yesterday|ago|last\s+(week|night|month|time))\b", re.I)
# the words that may follow an asked value: our units (a rate in bit/s/Hz, a fraction of the
# power, a weight's "times"), and the small words of a sentence ("0.5 and", "2 for link 3",
# "0.8 is enough", "0.4 at most")
_OUR_UNITS = (
    r"bits?|b|bps|percent_of_power|power|times|x|fold|weight|weighting|priority|max|maximum|"
    r"min|minimum|tops|cap|ceiling|off"
)
_SMALL_WORDS = (
    r"a|an|the|of|and|or|nor|but|for|to|at|by|in|on|as|so|if|than|then|when|while|during|until|"
    r"after|before|since|once|"
    r"is|are|be|being|must|should|may|might|can|could|would|will|shall|needs?|has|have|gets?|"
    r"any|each|all|apiece|both|alone|only|still|also|too|now|again|instead|either|please|"
    r"more|less|or|under|below|above|over|no|not|never|it|its|that|this|which|who"
)
# a number followed by any other word ("3 cameras", "10-minute", "150 m", "200 messages an
# hour", "2500 mAh", "20 dBm", "6 access links") is a count or a measure, not the asked value:
# the only units we read are a rate in bit/s/Hz and a fraction or percentage of the power
MEASURE = re.compile(
    r"[\s-]*(?!(?:" + _OUR_UNITS + "|" + _SMALL_WORDS + r")\b|n't\b|'s\b)[a-z][a-z'_]*\b",
    re.I,
)
# a number that labels a thing other than a link ("pole 9", "channel 6", "room 12") is no value
LABEL = re.compile(
    r"\b(pole|mast|tower|channel|room|building|gate|bay|aisle|bed|ward|zone|sector|site|port|"
    r"lane|platform|dock|row|block|hall|cabinet|rack|shelf|camera|sensor|firmware|version|release"
    r"|build|software|revision|rev)\s*(no\.?|number|#)?\s*$",
    re.I,
)


def measure(text: str, number: re.Match) -> bool:
    """Whether ``number`` (a match in ``text``) is a count, a measure (:data:`MEASURE`) or a
    label (:data:`LABEL`), not an asked value."""
    return bool(MEASURE.match(text, number.end()) or LABEL.search(text[: number.start()]))


# digits that write something other than a number: a version or an address ("2.4.1",
# "10.0.0.12"), a date ("2024-05-06", "14/03/2025"), a time of day ("22:00", "7:45:30")
NOT_A_NUMBER = re.compile(
    r"(?<![\w.])\d+(?:[.]\d+){2,}(?![\w])|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
)
# short forms operators write: pwr, tput (thr, thrpt, thruput), tx before a power word, "min the"
# / "max the" as verbs
ABBREVIATIONS = (
    (re.compile(r"\bpwrs?\b", re.I), "power"),
    (re.compile(r"\b(?:tput|thrpt|thruput|thr)\b", re.I), "throughput"),
    (re.compile(r"\btx(?=[\s-]+(?:power|pwr|energy)\b)", re.I), "transmit"),
    (re.compile(r"\bmin(?=\s+(?:the|our|all|overall|total)\b(?!\s+\d))", re.I), "minimise"),
    (re.compile(r"\bmax(?=\s+(?:the|our|all|overall|total)\b(?!\s+\d))", re.I), "maximise"),
)
# a colon after a link's name (and up to three words) and before a number states that number for
# it ("Terminal 3's weight: 2", "max power for node 2: 0.3"): it cuts nothing
_VALUE_COLON = re.compile(
    r"(\b" + LINK_NAME + r"\d+(?:'s)?(?:\s+[\w-]+){0,3}?)\s*:\s*(?=\d)",
    re.I,
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)", re.I)
_TIMES_WORDS = [
    (re.compile(r"\btwice\b(?=\s+(as|the|that|what)\b)", re.I), "2 times"),
    # "counts double", "count station 2's traffic double", "weigh node 1 triple": the verb, up to
    # three words (what is counted), the multiplier
    *((re.compile(rf"\b(count(?:s|ing)?|weigh(?:s|ing|ed)?|matters?|worth)\s+((?:[a-z0-9']+\s+){{0,3}}?){w}\b", re.I), rf"\1 \g<2>{n} times")
      for w, n in (("(?:double|twice)", "2"), ("(?:triple|thrice|treble)", "3"), ("quadruple", "4"))),
    # "double its importance", "triple the priority of", "half weight"
    *((re.compile(rf"\b{w}\s+((?:its|the|their)\s+)?(importance|priority|weight)\b", re.I), rf"{n} times \1\2")
      for w, n in (("(?:double|twice)", "2"), ("(?:triple|treble|thrice)", "3"), ("quadruple", "4"), ("(?:half|halve)", "0.5"))),
]  # fmt: skip


def prepare(text: str) -> str:
    """The text as the rules read it: percentages become fractions followed by the power cue
    ``percent_of_power`` ("30%" -> "0.3 percent_of_power"), short forms are written out ("pwr"
    -> "power": :data:`ABBREVIATIONS`), "twice as / counts double" become "2 times", then
    :func:`~.numbers.normalize_text` (number words, fractions), and a colon between a link's
    name and its number goes ("node 2's weight: 3" -> "node 2's weight 3")."""
    s = _PERCENT.sub(lambda m: f"{_fmt(float(m[1]) / 100.0)} percent_of_power", text)
    for pattern, repl in ABBREVIATIONS:
        s = pattern.sub(repl, s)
    for pattern, repl in _TIMES_WORDS:
        s = pattern.sub(repl, s)
    return _VALUE_COLON.sub(r"\1 ", normalize_text(s))


def objectives_named(piece: str) -> list[str]:
    """The objectives ``piece`` asks for, strongest first; none when it says they don't matter,
    or when it names a link ("save energy on agent_1" is about that link, not the network)."""
    if NOT_WANTED.search(piece) or LINK_MENTION.search(piece):
        return []
    out = []
    for name, pattern in OBJECTIVE_CUES.items():
        if pattern.search(piece):
            out.append(name)
            piece = pattern.sub(" # ", piece)  # a stronger cue's words are not read again
    return out


def objective_words(text: str) -> list[str]:
    """The objectives whose family of words (:data:`OBJECTIVE_WORDS`) a piece of ``text`` uses,
    in the order of :data:`OBJECTIVE_CUES`; pieces that say a goal is not wanted are skipped."""
    pieces = [p for p in PIECE_SEPARATOR.split(text) if not NOT_WANTED.search(p)]
    return [n for n, w in OBJECTIVE_WORDS.items() if any(w.search(p) for p in pieces)]


def distractor_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` whose numbers are not an asked value: a number followed by a count or a
    measure ("3 cameras", "10-minute", "150 m", "2500 mAh") or labelling a thing ("pole 9"), a
    version, address, date or time (:data:`NOT_A_NUMBER`), and every number of a piece about the
    past ("was at 2.5 bit/s/Hz yesterday")."""
    spans = [m.span() for m in re.finditer(r"\d+(?:[.]\d+)?", text) if measure(text, m)]
    spans += [m.span() for m in NOT_A_NUMBER.finditer(text)]
    start = 0
    for piece in PIECE_SEPARATOR.split(text):
        if PAST.search(piece):
            spans.append((start, start + len(piece)))
        start += len(piece)
    return spans

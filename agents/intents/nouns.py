"""The nouns a sentence names a link by, before its id: "link 2", "station 3", "pairs 1, 2 & 3".

Shared by the cues (:mod:`.cues`: how a link is mentioned) and the number words
(:mod:`.numbers`: "the link one" names link 1, "a fast one" names no number).
"""

from __future__ import annotations

# the noun (a regular-expression alternation, without the plural "s"): the environment's words
# (link, agent, transmitter) and those operators use for a link or its end (user, device, node,
# radio, pair, station, terminal, client, endpoint, handset, modem, tx, ue), and those of cellular
# and Wi-Fi networks (access point, ap, cell, sta, base station, bs, gnb, enb, beam, carrier);
# never a word that labels a place or a resource ("site", "sector", "channel": :data:`~.cues.LABEL`)
LINK_NOUN = (
    r"(?:link|user|device|agent|transmitter|node|radio|pair|station|terminal|client|endpoint"
    r"|handset|modem|tx|ue|access\s+point|ap|cell|sta|base\s+station|bs|gnb|enb|beam|carrier)"
)

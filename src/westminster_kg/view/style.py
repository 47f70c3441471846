"""One visual vocabulary for every picture: human names, a colour-blind-safe palette and shapes.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies); every family
also has its own shape and every relation its own dash pattern and arrowhead, so nothing depends on
colour alone. Names are what a reader says ("Convention"), never CURIEs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}


@dataclass(frozen=True)
class Family:
    """A group of classes drawn alike: a legend entry."""

    key: str
    name: str  # singular, for the legend ("Convention or principle")
    colour: str
    shape: str  # a vis-network shape; the SVG pictures draw the same shapes
    border: str = "#333333"


FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family("government", "Government", OKABE_ITO["purple"], "diamond"),
        Family("period", "Period", "#E9C8DC", "diamond"),
        Family("reform", "Reform or plan", OKABE_ITO["orange"], "square"),
        Family("idea", "Idea, ideology or theory", OKABE_ITO["sky"], "dot"),
        Family("convention", "Convention or principle", OKABE_ITO["yellow"], "triangle"),
        Family("model", "Model of government", OKABE_ITO["blue"], "star"),
        Family("actor", "Person or organisation", "#BBBBBB", "hexagon"),
        Family("document", "Document, case or publication", "#FFFFFF", "triangleDown"),
        Family("pathology", "Pathology or lesson", OKABE_ITO["vermillion"], "triangleDown"),
        Family("data", "Data table", "#DDDDDD", "square"),
        Family("other", "Other", "#EEEEEE", "dot"),
    )
}

_CLASS_FAMILIES = {
    "wm:Government": "government",
    "wm:Period": "period",
    "wm:Reform": "reform",
    "wm:Plan": "reform",
    "wm:Unit": "reform",
    "wm:Idea": "idea",
    "wm:Ideology": "idea",
    "wm:Theory": "idea",
    "skos:Concept": "idea",
    "wm:Convention": "convention",
    "wm:Principle": "convention",
    "wm:Doctrine": "convention",
    "wm:Norm": "convention",
    "wm:ModelOfGovernment": "model",
    "foaf:Person": "actor",
    "foaf:Agent": "actor",
    "foaf:Group": "actor",
    "org:Organization": "actor",
    "org:FormalOrganization": "actor",
    "wm:Department": "actor",
    "wm:Committee": "actor",
    "wm:PoliticalParty": "actor",
    "wm:Document": "document",
    "wm:Report": "document",
    "wm:LegalCase": "document",
    "wm:Publication": "document",
    "wm:RhetoricalClaim": "document",
    "wm:Pathology": "pathology",
    "wm:Lesson": "pathology",
    "qb:DataSet": "data",
}

# Classes never drawn as nodes: a claim is the evidence of an edge, not a thing in the argument.
HIDDEN_CLASSES = frozenset({"wm:Claim", "wm:Evidence"})

# Relations: colour, SVG/vis dash pattern, arrowhead, and the words used in legends.
RELATION_STYLES: dict[str, dict[str, object]] = {
    "wm:erodes": {"color": OKABE_ITO["vermillion"], "dashes": False, "arrow": "arrow", "width": 3},
    "wm:institutionalises": {"color": OKABE_ITO["blue"], "dashes": [12, 6], "arrow": "vee", "width": 3},
    "wm:claimsContinuity": {"color": OKABE_ITO["green"], "dashes": [2, 5], "arrow": "circle", "width": 3},
    "wm:introducedBy": {"color": "#777777", "dashes": [6, 4], "arrow": "arrow", "width": 1.5},
}
_OTHER_RELATION_COLOURS = ("#555555", "#8C6D31", "#6B6ECF", "#7B4173", "#637939", "#843C39")
# Modality words of the claim that make an edge weaker on screen (drawn fainter and thinner).
WEAK_MODALITIES = frozenset({"wm:Hedged", "wm:Possible", "wm:Questioned"})


def family_of(cls: str) -> Family:
    """The drawing family of a class CURIE (``wm:Principle`` → Convention or principle)."""
    return FAMILIES[_CLASS_FAMILIES.get(cls, "other")]


def human_name(curie_or_name: str) -> str:
    """``wm:ModelOfGovernment`` → ``Model of government``: a name for readers, from a local name."""
    local = curie_or_name.split(":", 1)[-1].split("#")[-1].split("/")[-1]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).split()
    if not words:
        return curie_or_name
    return " ".join([words[0][:1].upper() + words[0][1:]] + [w.lower() if not w.isupper() else w for w in words[1:]])


def relation_style(relation: str) -> dict[str, object]:
    """Colour, dashes, arrowhead and width for a relation CURIE (stable for unknown relations)."""
    if relation in RELATION_STYLES:
        return RELATION_STYLES[relation]
    index = sum(relation.encode()) % len(_OTHER_RELATION_COLOURS)
    return {"color": _OTHER_RELATION_COLOURS[index], "dashes": False, "arrow": "arrow", "width": 1.5}


__all__ = ["FAMILIES", "HIDDEN_CLASSES", "OKABE_ITO", "family_of", "human_name", "relation_style"]

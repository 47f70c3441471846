"""An entity page's content: every claim that names it, in the graph's own direction, and its words.

Two lists, each from one internal query with the entity bound as a term (or, for every entity at
once, unbound: ``EntityIndex``, which the web app builds once per loaded graph):

- ``claims``: every ``wm:Claim`` whose subject or object the entity is (``entity-claims.rq``), one
  per claim with all its quotes, written as the graph states it ("Carltona doctrine legally
  clarifies **Haldane convention**"), never turned round, with its stance, voice, modality and hedge,
  and whether the plain triple stands (a claim only in an actor's voice is shown as theirs).
- ``words``: every quote attributed to the entity (``prov:wasAttributedTo``, ``entity-words.rq``):
  claims in its voice and quotations of it, each with the claims it supports, even where no plain
  triple names the entity (David Cameron's "buggeration factor").

``run`` answers a bound query: ``functools.partial(westminster_kg.bound.run, kg.store)`` in this
process, ``WebBase.ask`` in the web app's workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from westminster_kg.bound import BoundQuery, internal
from westminster_kg.namespaces import local_name
from westminster_kg.view.facts import hedge_note

if TYPE_CHECKING:
    from westminster_kg.store import QueryResult

Runner = Callable[[BoundQuery], "QueryResult"]

AUTHORS = "https://w3id.org/westminster-kg/id/article-authors"


def _text(term: Any) -> str:
    return "" if term is None else str(term)


def _name(term: Any, label: Any) -> str:
    """A term's label, else its local name."""
    return _text(label) or (local_name(str(term)) if term is not None else "")


@dataclass
class ShownClaim:
    """One claim as a page shows it: subject, relation, object in the graph's own direction."""

    iri: str
    subject: str
    subject_label: str
    relation: str
    relation_label: str
    object: str
    object_label: str
    stance: str = ""
    stance_label: str = ""
    who: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label) of the voices it is attributed to
    modality: str = ""
    modality_label: str = ""
    hedge_cue: str = ""
    asserted: bool = True  # the plain triple stands: the authors' own assertion or a report of someone's words
    quotes: list[str] = field(default_factory=list)
    section: str = ""
    label: str = ""  # what a proposition (a claim without a triple) says

    @property
    def hedge(self) -> str:
        """How the quote hedges the claim (``possible — hedge: “potentially”``), ``""`` when asserted."""
        return hedge_note(self.modality, self.modality_label, self.hedge_cue)

    @property
    def voice(self) -> str:
        """Whose words, when not the authors': "Coalition Government (2010-2015)"."""
        return ", ".join(label for iri, label in self.who if iri != AUTHORS)


def _claim_from(row: dict[str, Any]) -> ShownClaim:
    return ShownClaim(
        iri=_text(row["claim"]),
        subject=_text(row["subject"]),
        subject_label=_name(row["subject"], row.get("subjectLabel")) if row["subject"] is not None else "",
        relation=_text(row["relation"]),
        relation_label=_name(row["relation"], row.get("relationLabel")) if row["relation"] is not None else "",
        object=_text(row["object"]),
        object_label=_name(row["object"], row.get("objectLabel")) if row["object"] is not None else "",
        stance=_text(row.get("stance")),
        stance_label=_name(row.get("stance"), row.get("stanceLabel")) if row.get("stance") is not None else "",
        modality=_text(row.get("modality")),
        modality_label=_text(row.get("modalityLabel")),
        hedge_cue=_text(row.get("hedgeCue")),
        label=_text(row.get("claimLabel")),
    )


def _rows(result: QueryResult) -> list[dict[str, Any]]:
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _collect_claims(rows: list[dict[str, Any]]) -> dict[str, dict[str, ShownClaim]]:
    """Entity → claim → its ``ShownClaim``, from rows of ``entity-claims.rq`` (quotes in row order)."""
    found: dict[str, dict[str, ShownClaim]] = {}
    for row in rows:
        claim = found.setdefault(_text(row["entity"]), {}).setdefault(_text(row["claim"]), _claim_from(row))
        claim.asserted = _text(row.get("asserted")).lower() == "true"
        quote = _text(row["quote"])
        if quote and quote not in claim.quotes:
            claim.quotes.append(quote)
        who = (_text(row.get("who")), _name(row.get("who"), row.get("whoLabel")))
        if row.get("who") is not None and who not in claim.who:
            claim.who.append(who)
        claim.section = claim.section or _text(row.get("section"))
    return found


def _claims_in_order(iri: str, claims: dict[str, ShownClaim]) -> list[ShownClaim]:
    # The entity's own relations first (it as subject), then those naming it; by relation and other end.
    return sorted(
        claims.values(),
        key=lambda c: (c.subject != iri, c.relation_label, (c.object_label if c.subject == iri else c.subject_label)),
    )


def entity_claims(run: Runner, iri: str) -> list[ShownClaim]:
    """Every claim naming ``iri``, one per claim with its quotes in article order."""
    rows = _rows(run(internal("entity-claims", entity=URIRef(iri))))
    return _claims_in_order(iri, _collect_claims(rows).get(iri, {}))


def all_claims(run: Runner) -> dict[str, list[ShownClaim]]:
    """Every entity's claims (one query for all), each list as ``entity_claims`` gives it."""
    found = _collect_claims(_rows(run(internal("entity-claims"))))
    return {iri: _claims_in_order(iri, claims) for iri, claims in found.items()}


@dataclass
class Words:
    """A quote attributed to an entity, with what it is and the claims it supports."""

    item: str
    label: str
    kind: str
    kind_label: str
    quotes: list[str] = field(default_factory=list)
    supports: list[ShownClaim] = field(default_factory=list)
    about: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label): what a quotation is about
    start: int = 1 << 62  # where it stands in the article: the list is in reading order


def _collect_words(rows: list[dict[str, Any]], supports: list[dict[str, Any]]) -> dict[str, dict[str, Words]]:
    """Entity → item → its ``Words``, from rows of ``entity-words.rq`` and ``entity-word-supports.rq``."""
    found: dict[str, dict[str, Words]] = {}
    for row in rows:
        item = _text(row["item"])
        words = found.setdefault(_text(row["entity"]), {}).setdefault(
            item, Words(item, _name(row["item"], row.get("itemLabel")), "", "")
        )
        # A claim's kind is its stance; a quotation's its class.
        if row.get("kind") is not None and not words.kind:
            words.kind, words.kind_label = _text(row["kind"]), _name(row["kind"], row.get("kindLabel"))
        quote = _text(row["quote"])
        if quote and quote not in words.quotes:
            words.quotes.append(quote)
        start = _text(row.get("start"))
        if start.isdigit():
            words.start = min(words.start, int(start))
        about = (_text(row.get("about")), _name(row.get("about"), row.get("aboutLabel")))
        if row.get("about") is not None and about not in words.about:
            words.about.append(about)
    for row in supports:
        words = found.get(_text(row["entity"]), {}).get(_text(row["item"]))
        if words is not None and all(c.iri != _text(row["claim"]) for c in words.supports):
            words.supports.append(_claim_from(row))
    return found


def _in_order(items: dict[str, Words]) -> list[Words]:
    return sorted(items.values(), key=lambda w: (w.start, w.item))


def entity_words(run: Runner, iri: str) -> list[Words]:
    """Every quote attributed to ``iri``, in the article's order, with the claims each supports."""
    rows = _rows(run(internal("entity-words", entity=URIRef(iri))))
    supports = _rows(run(internal("entity-word-supports", entity=URIRef(iri))))
    return _in_order(_collect_words(rows, supports).get(iri, {}))


def all_words(run: Runner) -> dict[str, list[Words]]:
    """Every entity's attributed quotes (one query for all: the pictures' panels)."""
    words = _collect_words(_rows(run(internal("entity-words"))), _rows(run(internal("entity-word-supports"))))
    return {entity: _in_order(items) for entity, items in words.items()}


def panel_words(words: list[Words]) -> list[dict[str, Any]]:
    """An entity's attributed quotes as the pictures' panels show them (JSON-able)."""
    return [
        {
            "quotes": list(w.quotes),
            "kind": w.kind_label,
            "label": "" if any(c.iri == w.item for c in w.supports) else w.label,
            "supports": [
                {
                    "proposition": "" if c.subject else c.label,
                    "subject": c.subject_label,
                    "relation": c.relation_label,
                    "object": c.object_label,
                    "stance": c.stance_label,
                    "certainty": c.hedge or "asserted",
                }
                for c in w.supports
            ],
        }
        for w in words
    ]


def entity_context(run: Runner, iri: str) -> dict[str, Any]:
    """What ``templates/entity.html`` shows besides the entity's own facts: its claims and its words."""
    return {"claims": entity_claims(run, iri), "words": entity_words(run, iri)}


def _collect_argument(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Entity → its claims' places in the argument, from rows of ``entity-argument.rq`` (``argument_rows``)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        claim = found.setdefault(_text(row["entity"]), {}).setdefault(
            _text(row["claim"]),
            {"claim": _text(row["claim"]), "label": _text(row.get("claimLabel")), "out": [], "in": []},
        )
        claim[_text(row["direction"])].append(
            {"words": _text(row["words"]), "other": _text(row["other"]), "label": _text(row.get("otherLabel"))}
        )
    return {iri: list(claims.values()) for iri, claims in found.items()}


def argument_rows(run: Runner, iri: str) -> list[dict[str, Any]]:
    """Where the claim ``iri`` (or each claim about the entity ``iri``) stands in the argument map.

    One dict per claim: its IRI and label, and the relations from it (``out``: what it supports,
    attacks, concedes or restates) and to it (``in``: what supports it …), each with its words.
    """
    return _collect_argument(_rows(run(internal("entity-argument", entity=URIRef(iri))))).get(iri, [])


@dataclass(frozen=True)
class EntityIndex:
    """Every entity page's claims, words and place in the argument, from four whole-graph queries.

    Built once per loaded graph (the web app keeps it per snapshot) instead of four queries per page:
    a page then looks its entity up. The lists are those ``entity_claims``, ``entity_words`` and
    ``argument_rows`` give for one entity.
    """

    claims: dict[str, list[ShownClaim]]
    words: dict[str, list[Words]]
    argument: dict[str, list[dict[str, Any]]]

    @classmethod
    def build(cls, run: Runner) -> EntityIndex:
        """The index of the graph ``run`` answers from (``local_runner(kg)``: every row is needed)."""
        return cls(all_claims(run), all_words(run), _collect_argument(_rows(run(internal("entity-argument")))))

    def context(self, iri: str) -> dict[str, Any]:
        """What ``templates/entity.html`` shows of ``iri`` besides its own facts (as ``entity_context``)."""
        return {
            "claims": self.claims.get(iri, []),
            "words": self.words.get(iri, []),
            "argument": self.argument.get(iri, []),
        }


def local_runner(kg: Any) -> Runner:
    """Answer bound queries from ``kg``'s store in this process (the CLI, notebooks, written pictures)."""
    from westminster_kg.bound import run

    return partial(run, kg.store)


__all__ = [
    "EntityIndex",
    "Runner",
    "ShownClaim",
    "Words",
    "all_claims",
    "all_words",
    "argument_rows",
    "entity_claims",
    "entity_context",
    "entity_words",
    "local_runner",
    "panel_words",
]

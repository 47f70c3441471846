"""The oracle: what every surface must show, computed from the graph alone.

Its answers come from the SPARQL in ``tests/oracle_queries/`` run on rdflib's in-memory reference
store (the surfaces run on Oxigraph), and from nothing the package computes: not its queries, not
its network projection, not its labels. A surface test reads what the surface shows (the page's
visible text and links, a picture's data, an answer's rows), turns it into the same shape as the
oracle's and compares the two both ways: nothing shown that the graph lacks, nothing missing that
the surface's scope asks for. ``scripts/mutate_surfaces.py`` proves that these comparisons bite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rdflib import URIRef

from westminster_kg.catalogue import bind

QUERIES = Path(__file__).resolve().parents[1] / "oracle_queries"
WM = "https://w3id.org/westminster-kg/ontology#"
WMR = "https://w3id.org/westminster-kg/id/"
AUTHORS = WMR + "article-authors"
OA = "http://www.w3.org/ns/oa#"
ASSERTED = WM + "Asserted"


def plain(text: str) -> str:
    """``text`` with every run of white space as one space, as a reader sees it."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class TrueClaim:
    """A claim as the graph states it."""

    iri: str
    subject: str
    relation: str
    object: str
    stance: str
    modality: str
    cue: str
    who: frozenset[str]
    quotes: frozenset[str]
    spans: frozenset[tuple[int, int]]
    asserted: bool
    located: frozenset[tuple[int, int, str]] = frozenset()  # (start, end, quote) of each placed quote
    label: str = ""  # what a proposition (a claim without a triple) says


@dataclass
class _Building:
    iri: str
    subject: str = ""
    relation: str = ""
    object: str = ""
    stance: set[str] = field(default_factory=set)
    modality: set[str] = field(default_factory=set)
    cue: set[str] = field(default_factory=set)
    who: set[str] = field(default_factory=set)
    quotes: set[str] = field(default_factory=set)
    spans: set[tuple[int, int]] = field(default_factory=set)
    located: set[tuple[int, int, str]] = field(default_factory=set)
    asserted: bool = False
    label: str = ""


class Oracle:
    """The graph's answers for the surface tests (load once per module: a few seconds)."""

    def __init__(self, kg: Any) -> None:
        self.kg = kg

    def rows(self, name: str, **values: Any) -> list[dict[str, Any]]:
        """The rows of ``tests/oracle_queries/NAME.rq`` with ``values`` bound (IRIs as strings)."""
        text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
        bound = {k: URIRef(v) for k, v in values.items()}
        result = self.kg.store.query(bind(text, bound) if bound else text)
        return [dict(zip(result.variables, row, strict=True)) for row in result.rows]

    @cached_property
    def claims(self) -> dict[str, TrueClaim]:
        """Every claim, by IRI."""
        building: dict[str, _Building] = {}
        for row in self.rows("claims"):
            item = building.setdefault(str(row["claim"]), _Building(str(row["claim"])))
            if row["s"] is not None:
                item.subject, item.relation, item.object = str(row["s"]), str(row["p"]), str(row["o"])
            item.label = str(row["label"]) if row["label"] is not None else item.label
            for key in ("stance", "modality", "cue", "who", "quote"):
                if row[key] is not None:
                    getattr(item, "quotes" if key == "quote" else key).add(str(row[key]))
            if row["start"] is not None and row["end"] is not None:
                item.spans.add((int(row["start"]), int(row["end"])))
                item.located.add((int(row["start"]), int(row["end"]), str(row["quote"])))
        asserted = {str(row["claim"]) for row in self.rows("asserted")}
        claims = {}
        for iri, item in building.items():
            item.asserted = iri in asserted
            assert len(item.stance) <= 1 and len(item.modality) <= 1, f"{iri}: two stances or modalities"
            claims[iri] = TrueClaim(
                iri,
                item.subject,
                item.relation,
                item.object,
                next(iter(item.stance), ""),
                next(iter(item.modality), ""),
                " / ".join(sorted(item.cue)),
                frozenset(item.who),
                frozenset(item.quotes),
                frozenset(item.spans),
                item.asserted,
                frozenset(item.located),
                item.label,
            )
        return claims

    @cached_property
    def labels(self) -> dict[str, str]:
        """Each thing's label: its rdfs:label, else its skos:prefLabel."""
        found: dict[str, tuple[bool, str]] = {}
        for row in self.rows("labels"):
            rank = (str(row["preferred"]).lower() != "true", str(row["label"]))
            if str(row["thing"]) not in found or rank < found[str(row["thing"])]:
                found[str(row["thing"])] = rank
        return {thing: label for thing, (_rank, label) in found.items()}

    def label(self, iri: str) -> str:
        """The label a surface must show for ``iri`` (its last segment when it has none)."""
        return self.labels.get(iri) or re.split(r"[/#]", iri)[-1]

    def drawn(self, claim: TrueClaim) -> bool:
        """Whether the pictures draw ``claim`` as a line: a relation between two things (not claims), whose
        plain triple stands, or which the authors (or the article's data) only call possible or question
        (such a claim has no plain triple, and is drawn weaker)."""
        if not claim.subject or {claim.subject, claim.object} & set(self.claims):
            return False
        only_possible = claim.stance in (WM + "AuthorArgument", WM + "ArticleData") and claim.modality in (
            WM + "Possible",
            WM + "Questioned",
        )
        return claim.asserted or only_possible

    def naming(self, iri: str) -> list[TrueClaim]:
        """Every claim whose subject or object ``iri`` is."""
        return [c for c in self.claims.values() if iri in (c.subject, c.object)]

    def certainty(self, claim: TrueClaim) -> str:
        """How a surface must word the claim's certainty: "asserted", or the modality and its hedge."""
        if not claim.modality or claim.modality == ASSERTED:
            return "asserted"
        label = self.label(claim.modality)
        return f"{label} — hedge: “{claim.cue}”" if claim.cue else label

    def voice(self, claim: TrueClaim) -> str:
        """Whose words a claim is in, when not the authors'."""
        return ", ".join(sorted(self.label(w) for w in claim.who if w != AUTHORS))

    @cached_property
    def words(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Who → item → {"quotes", "types", "stance"}: everything attributed to someone."""
        found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in self.rows("words"):
            item = found[str(row["who"])].setdefault(str(row["item"]), {"quotes": set(), "types": set(), "stance": ""})
            item["quotes"].add(str(row["quote"]))
            if row["type"] is not None:
                item["types"].add(str(row["type"]))
            if row["stance"] is not None:
                item["stance"] = str(row["stance"])
        return found

    def supported_by(self, item: str) -> list[TrueClaim]:
        """The claims an attributed item supports: itself when it is a claim, else those it is an end of."""
        if item in self.claims:
            return [self.claims[item]]
        return [c for c in self.claims.values() if item in (c.subject, c.object)]

    def triples_about(self, iri: str) -> set[tuple[str, str, str]]:
        """Every triple with ``iri`` as subject or object (IRIs and literals as text; blank nodes left out)."""
        found = set()
        for row in self.rows("neighbourhood", entity=iri):
            terms = (row["s"], row["p"], row["o"])
            if not any(type(t).__name__ == "BNode" for t in terms):
                found.add(tuple(str(t) for t in terms))
        return found

    def about(self, iri: str) -> dict[str, set[str]]:
        """The entity's classes, definitions, links out and own quotes (``about.rq``)."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in self.rows("about", entity=iri):
            found[str(row["key"])].add(str(row["value"]))
        return found

    def own_quotes(self, iri: str) -> set[str]:
        """The quotes where the article introduces ``iri`` (its own evidence)."""
        return self.about(iri)["quote"]

    def class_curies(self, iri: str) -> set[str]:
        """The entity's classes as CURIEs."""
        from westminster_kg.namespaces import PREFIXES

        shown = set()
        for cls in self.about(iri)["class"]:
            prefix = next((p for p, ns in PREFIXES.items() if cls.startswith(str(ns)) and cls != str(ns)), None)
            shown.add(f"{prefix}:{cls[len(str(PREFIXES[prefix])) :]}" if prefix else cls)
        return shown

    def external_links(self, iri: str) -> set[str]:
        """Where the entity's links out may point: the targets, and Wikidata items' pages."""
        links = self.about(iri)["link"]
        pages = {"https://www.wikidata.org/wiki/" + t.rsplit("/", 1)[-1] for t in links if "wikidata.org/entity/" in t}
        return links | pages

    @cached_property
    def names(self) -> list[tuple[str, str, str]]:
        """(entity, name, "label" or "alias") of every named wmr: entity."""
        return [(str(r["entity"]), str(r["name"]), str(r["kind"])) for r in self.rows("names")]

    def names_matching(self, pattern: str) -> dict[str, str]:
        """Entity → "label" (when a label matches ``pattern``, case-insensitive) or "alias"."""
        found: dict[str, str] = {}
        for entity, name, kind in self.names:
            if re.search(pattern, name, re.IGNORECASE) and found.get(entity) != "label":
                found[entity] = kind
        return found


# --- reading HTML as a reader sees it -----------------------------------------------------------------

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TreeParser(HTMLParser):
    """HTML into an ElementTree (stdlib only), for finding rows and cells by class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = ET.TreeBuilder()
        self.builder.start("document", {})
        self.open: list[str] = ["document"]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.builder.start(tag, {k: v or "" for k, v in attrs})
        if tag in VOID_ELEMENTS:
            self.builder.end(tag)
        else:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.builder.start(tag, {k: v or "" for k, v in attrs})
        self.builder.end(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS or tag not in self.open:
            return
        while self.open[-1] != tag:  # close what the page left open (a <p> inside a <td>)
            self.builder.end(self.open.pop())
        self.builder.end(self.open.pop())

    def handle_data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:  # type: ignore[override]
        super().close()
        while self.open:
            self.builder.end(self.open.pop())
        return self.builder.close()


def parse_html(text: str) -> ET.Element:
    """A page as an element tree."""
    parser = _TreeParser()
    parser.feed(text)
    return parser.close()


def text_of(element: ET.Element | None) -> str:
    """The element's visible text, white space folded (script and style left out)."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.tag in ("script", "style", "title") and node is not element:
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return plain("".join(parts))


def by_class(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Descendants whose class attribute has ``name``."""
    for node in element.iter():
        if name in node.get("class", "").split():
            yield node


def one(element: ET.Element, name: str) -> ET.Element | None:
    """The first descendant with class ``name``, or ``None``."""
    return next(by_class(element, name), None)


def page_iri(href: str) -> str:
    """The IRI an entity link (``/id/slug``) shows."""
    return WMR + href[len("/id/") :] if href.startswith("/id/") else href


def shown_end(cell: ET.Element | None, this: str) -> tuple[str, str]:
    """(IRI, text) of a statement's subject or object cell: a link, or the page's own entity in bold."""
    if cell is None:
        return ("", "")
    link = cell.find(".//a")
    if link is not None:
        return (page_iri(link.get("href", "")), text_of(cell))
    if cell.find(".//strong") is not None:
        return (this, text_of(cell))
    return ("", text_of(cell))


def shown_statement(element: ET.Element, this: str) -> tuple[str, str, str, str, str, str]:
    """(subject, its text, relation CURIE, its text, object, its text) as a statement shows them."""
    subject, subject_text = shown_end(one(element, "wmkg-subject"), this)
    predicate = one(element, "wmkg-predicate")
    obj, object_text = shown_end(one(element, "wmkg-object"), this)
    relation = predicate.get("title", "") if predicate is not None else ""
    return (subject, subject_text, relation, text_of(predicate), obj, object_text)


def curie_of(iri: str) -> str:
    """``wm:erodes`` for the relation IRI (the title a page gives a relation)."""
    return "wm:" + iri[len(WM) :] if iri.startswith(WM) else iri


def expected_statement(oracle: Oracle, claim: TrueClaim) -> tuple[str, str, str, str, str, str]:
    """The statement a surface must show for ``claim``: the graph's own direction and labels."""
    return (
        claim.subject,
        oracle.label(claim.subject),
        curie_of(claim.relation),
        oracle.label(claim.relation),
        claim.object,
        oracle.label(claim.object),
    )


# --- what several surfaces must show, and how a page shows it (shared by the oracle tests) ----------


def expected_claim_rows(oracle: Oracle, iri: str) -> Counter:
    """Each claim naming ``iri`` as an entity page must show it: statement, quotes, stance, voice, certainty."""
    return Counter(
        (
            expected_statement(oracle, claim),
            frozenset(plain(q) for q in claim.quotes),
            oracle.label(claim.stance),
            oracle.voice(claim),
            oracle.certainty(claim),
            claim.asserted,
        )
        for claim in oracle.naming(iri)
    )


def shown_claim_rows(page: str, iri: str) -> Counter:
    """The claims an entity page of ``iri`` shows in its relations table, shaped as ``expected_claim_rows``."""
    table = one(parse_html(page), "wmkg-relations-table")
    if table is None:
        return Counter()
    rows: Counter = Counter()
    for row in table.iter("tr"):
        if row.find("td") is None:
            continue
        voice = text_of(one(row, "wmkg-voice"))
        rows[
            (
                shown_statement(row, iri),
                frozenset(text_of(q) for q in row.iter("blockquote")),
                text_of(one(row, "wmkg-stance")),
                voice[1:-1] if voice.startswith("(") else voice,
                text_of(one(row, "wmkg-modality")),
                one(row, "wmkg-not-asserted") is None,
            )
        ] += 1
    return rows


def entity_rows(oracle: Oracle, iri: str) -> set[tuple[str, ...]]:
    """What ``wmkg query entity`` must answer: each plain relation naming ``iri`` with each quote of each claim."""
    rows = set()
    for claim in oracle.naming(iri):
        if not claim.asserted:
            continue
        ends = [("out", claim.object)] if claim.subject == iri else []
        ends += [("in", claim.subject)] if claim.object == iri else []
        for direction, other in ends:
            for quote in claim.quotes:
                rows.add((direction, claim.relation, other, claim.stance, claim.modality, claim.cue, plain(quote)))
    return rows


def erosion_rows(oracle: Oracle, government: str) -> set[tuple[str, ...]]:
    """What ``reforms-eroding-conventions`` must answer for ``government``: the authors' claims (and the
    article's data) of any modality, what they only question included, and others' where the plain
    triple stands (the query's own scope, as its header states it)."""
    introduced = {(str(r["reform"]), str(r["government"])) for r in oracle.rows("introduced")}
    authors = {WM + "AuthorArgument", WM + "ArticleData"}
    rows = set()
    for claim in oracle.claims.values():
        in_scope = claim.asserted or claim.stance in authors
        if claim.relation.endswith("#erodes") and in_scope and (claim.subject, government) in introduced:
            for quote in claim.quotes:
                rows.add(
                    (claim.subject, claim.object, government, claim.modality, claim.cue, claim.stance, plain(quote))
                )
    return rows


__all__ = [
    "OA",
    "Oracle",
    "TrueClaim",
    "by_class",
    "curie_of",
    "entity_rows",
    "erosion_rows",
    "expected_claim_rows",
    "expected_statement",
    "one",
    "page_iri",
    "parse_html",
    "plain",
    "shown_claim_rows",
    "shown_end",
    "shown_statement",
    "text_of",
]

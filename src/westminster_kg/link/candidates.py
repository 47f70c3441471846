"""Link candidates: ``skos:closeMatch`` proposals between our entities and an imported graph's.

Proposed by label similarity and kind; a curator marks the ones to keep in a TSV, and the accepted
ones go to the linkset (``graph/links/candidates-accepted.ttl``) with their provenance.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, QB, RDF, RDFS, SDO, SKOS, XSD

from westminster_kg.errors import InputError
from westminster_kg.internal_queries import internal_query
from westminster_kg.link.importers import import_graph_iri, list_imports
from westminster_kg.link.labels import STOPWORDS, label_similarity, label_tokens
from westminster_kg.link.linkset import ACCEPTED_CANDIDATES_FILE, ANY_IRI, values_of
from westminster_kg.namespaces import FABIO, GRAPH_ARTICLE, WM, WMR, curie

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph


# Coarse kinds, so a person is never proposed as the same as a department, nor a department as
# the same as a publication named after it. An entity of no known kind may match any kind.
_KINDS: dict[str, set[str]] = {
    kind: {str(term) for term in terms}
    for kind, terms in {
        "person": (FOAF.Person, SDO.Person),
        "organisation": (
            ORG.Organization,
            ORG.FormalOrganization,
            ORG.OrganizationalUnit,
            FOAF.Organization,
            SDO.Organization,
            SDO.GovernmentOrganization,
            str(SDO) + "PoliticalParty",  # newer than rdflib's copy of schema.org
            WM.Department,
            WM.Unit,
            WM.PoliticalParty,
            WM.Committee,
        ),
        "post": (ORG.Post, ORG.Role, SDO.Role),
        "work": (
            WM.Publication,
            WM.Report,
            WM.Document,
            WM.LegalCase,
            SDO.CreativeWork,
            FABIO.JournalArticle,
            FABIO.Book,
            FABIO.Report,
        ),
        "idea": (
            SKOS.Concept,
            WM.Idea,
            WM.Theory,
            WM.Principle,
            WM.Convention,
            WM.Doctrine,
            WM.Norm,
            WM.Ideology,
            WM.ModelOfGovernment,
            WM.Pathology,
            WM.Lesson,
        ),
        "event": (WM.Reform, WM.Government, WM.Period),
        "data": (
            QB.Observation,
            QB.DataSet,
            QB.DimensionProperty,
            QB.MeasureProperty,
            QB.AttributeProperty,
            QB.CodedProperty,
            WM.StatisticalObservation,
            WM.SourceInconsistency,
            WM.RhetoricalClaim,
        ),
    }.items()
}
_CANDIDATE_LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name, SDO.name, DCTERMS.title)
_NOT_ENTITIES = (
    str(WM.Claim),
    str(WM.Evidence),
    str(WM.Section),
    str(RDF.Statement),
)


@dataclass(frozen=True)
class Candidate:
    """A proposed ``skos:closeMatch`` between one of our entities and one of the imported graph's."""

    score: float
    ours: URIRef
    our_label: str
    theirs: URIRef
    their_label: str
    kind: str  # "person", "organisation", "post", ... or "" when a side has no known kind

    def row(self) -> list[str]:
        """The TSV cells (``accept`` left empty for the curator)."""
        return [f"{self.score:.3f}", str(self.ours), self.our_label, str(self.theirs), self.their_label, self.kind, ""]


CANDIDATE_COLUMNS = ["score", "ours", "our_label", "theirs", "their_label", "kind", "accept"]


def _kind(types: set[str]) -> str:
    for kind, members in _KINDS.items():
        if types & members:
            return kind
    return ""


def _labelled(kg: KnowledgeGraph, graph: str) -> dict[Any, tuple[list[str], set[str]]]:
    rows = kg.store.query(
        f"SELECT ?s ?l ?t WHERE {{ GRAPH <{graph}> {{ ?s ?p ?l . FILTER(isIRI(?s) && isLiteral(?l)) "
        f"OPTIONAL {{ ?s a ?t }} }} VALUES ?p {{ {values_of(_CANDIDATE_LABELS)} }} }}"
    ).rows
    found: dict[Any, tuple[list[str], set[str]]] = {}
    for s, label, type_ in rows:
        labels, types = found.setdefault(s, ([], set()))
        if str(label) not in labels:
            labels.append(str(label))
        if type_ is not None:
            types.add(str(type_))
    return found


def link_candidates(kg: KnowledgeGraph, graph_name: str, *, threshold: float = 0.85) -> list[Candidate]:
    """Propose ``skos:closeMatch`` links from our entities to the imported graph's, best first.

    A pair is proposed when its best label similarity (``label_similarity``) reaches ``threshold``
    and the two kinds (person, organisation, post, work, idea, event, data) do not differ; pairs
    already linked are left out.

    Args:
        kg: the knowledge graph with the import loaded.
        graph_name: the import's name (``wmkg import ... --graph NAME``).
        threshold: the lowest similarity proposed (0..1).

    Returns:
        The candidates, highest score first.
    """
    graph = import_graph_iri(graph_name)
    theirs = _labelled(kg, graph)
    if not theirs:
        raise InputError(
            f"the import {graph_name!r} is not loaded or labels nothing "
            f"(imports: {', '.join(list_imports(kg.project)) or 'none'})"
        )
    ours = {
        s: v
        for s, v in _labelled(kg, GRAPH_ARTICLE).items()
        if str(s).startswith(str(WMR)) and v[1] and not v[1] & set(_NOT_ENTITIES)
    }
    linked = {(row[0], row[1]) for row in kg.store.query(internal_query("links-linked-pairs")).rows}
    # With no word in common the score is at most 0.5 (Dice 0), so above that only pairs sharing a
    # word can qualify: an index by word keeps a large import from costing ours x theirs comparisons.
    by_word: dict[str, set[Any]] = defaultdict(set)
    for their, (their_labels, _types) in theirs.items():
        for label in their_labels:
            for word in label_tokens(label, STOPWORDS):
                by_word[word].add(their)
    candidates = []
    for our, (our_labels, our_types) in ours.items():
        our_kind = _kind(our_types)
        if threshold > 0.5:
            pool = set().union(*(by_word.get(w, set()) for label in our_labels for w in label_tokens(label, STOPWORDS)))
        else:
            pool = set(theirs)
        for their in sorted(pool, key=str):
            their_labels, their_types = theirs[their]
            their_kind = _kind(their_types)
            if our_kind and their_kind and our_kind != their_kind:
                continue
            if (our, their) in linked:
                continue
            score, a, b = max(
                ((label_similarity(x, y), x, y) for x in our_labels for y in their_labels), key=lambda t: t[0]
            )
            if score >= threshold:
                kind = our_kind if our_kind == their_kind else ""
                candidates.append(Candidate(score, our, a, their, b, kind))
    return sorted(candidates, key=lambda c: (-c.score, str(c.ours), str(c.theirs)))


def candidates_tsv(candidates: list[Candidate]) -> str:
    """The candidates as a TSV for review: set ``accept`` to ``yes`` on the rows to keep."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(CANDIDATE_COLUMNS)
    for candidate in candidates:
        writer.writerow(candidate.row())
    return buffer.getvalue()


def candidates_graph(candidates: list[Candidate], graph_name: str, *, accepted_on: str | None = None) -> Graph:
    """The candidates as link triples with provenance nodes (proposed, or accepted on a date)."""
    graph = Graph()
    source = URIRef(import_graph_iri(graph_name))
    for candidate in candidates:
        graph.add((candidate.ours, SKOS.closeMatch, candidate.theirs))
        digest = hashlib.sha256(f"{candidate.ours} {candidate.theirs}".encode()).hexdigest()[:8]
        slug = str(candidate.ours)[len(str(WMR)) :]
        node = WMR[f"link-{slug}-{graph_name}-{digest}"]
        graph.add((node, RDF.type, RDF.Statement))
        graph.add(
            (
                node,
                RDFS.label,
                Literal(f"link: {candidate.our_label} to {candidate.their_label} ({graph_name})", lang="en"),
            )
        )
        graph.add((node, RDF.subject, candidate.ours))
        graph.add((node, RDF.predicate, SKOS.closeMatch))
        graph.add((node, RDF.object, candidate.theirs))
        graph.add((node, DCTERMS.source, source))
        similarity = (
            f"label similarity {candidate.score:.3f} between {candidate.our_label!r} and "
            f"{candidate.their_label!r}" + (f", both of kind {candidate.kind}" if candidate.kind else "")
        )
        if accepted_on:
            graph.add((node, DCTERMS.date, Literal(accepted_on, datatype=XSD.date)))
            note = f"Accepted by curator, {accepted_on}; proposed by `wmkg link --candidates`: {similarity}."
        else:
            note = f"Candidate proposed by `wmkg link --candidates`, not yet reviewed: {similarity}."
        graph.add((node, SKOS.note, Literal(note, lang="en")))
    return graph


def read_candidates(path: Path) -> list[Candidate]:
    """The rows of a reviewed candidates TSV whose ``accept`` cell says yes."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [c for c in CANDIDATE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: not a candidates TSV (missing column(s) {', '.join(missing)})")
    accepted = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        if (row.get("accept") or "").strip().lower() not in ("yes", "y", "x", "true", "1"):
            continue
        try:
            score = float(row["score"])
        except (TypeError, ValueError):
            raise InputError(f"{where}: score {row.get('score')!r} is not a number") from None
        ours, theirs = (row.get("ours") or "").strip(), (row.get("theirs") or "").strip()
        if not ours.startswith(str(WMR)) or not ANY_IRI.match(ours):
            raise InputError(f"{where}: 'ours' must be one of our entities (wmr:), not {ours!r}")
        if not ANY_IRI.match(theirs):
            raise InputError(f"{where}: 'theirs' is not an IRI: {theirs!r}")
        accepted.append(
            Candidate(
                score,
                URIRef(ours),
                row.get("our_label") or "",
                URIRef(theirs),
                row.get("their_label") or "",
                row.get("kind") or "",
            )
        )
    return accepted


def accept_candidates(
    kg: KnowledgeGraph, graph_name: str, reviewed: Path, *, today: str | None = None
) -> tuple[int, Path]:
    """Append the accepted rows of ``reviewed`` to ``graph/links/candidates-accepted.ttl``.

    Each accepted row must name one of our entities and an IRI of the imported graph. Returns the
    number of links added (rows already accepted are not added twice) and the file.
    """
    from westminster_kg.turtle import canonical_turtle, write_atomically

    accepted = read_candidates(reviewed)
    graph_iri = import_graph_iri(graph_name)
    ours = {row[0] for row in kg.store.query(internal_query("typed-subjects")).rows}
    theirs = {
        row[0] for row in kg.store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}").rows
    }
    for candidate in accepted:
        if candidate.ours not in ours:
            raise InputError(f"{reviewed}: {curie(candidate.ours)} is not an entity of the graph")
        if candidate.theirs not in theirs:
            raise InputError(f"{reviewed}: <{candidate.theirs}> is not in the import {graph_name!r}")
    target = kg.project.root / ACCEPTED_CANDIDATES_FILE
    existing = Graph()
    if target.exists():
        existing.parse(target, format="turtle")
    date = today or dt.date.today().isoformat()
    new = [c for c in accepted if (c.ours, SKOS.closeMatch, c.theirs) not in existing]
    if new:
        existing += candidates_graph(new, graph_name, accepted_on=date)
        write_atomically(target, canonical_turtle(existing).encode("utf-8"))
    return len(new), target


__all__ = [
    "CANDIDATE_COLUMNS",
    "Candidate",
    "accept_candidates",
    "candidates_graph",
    "candidates_tsv",
    "link_candidates",
    "read_candidates",
]

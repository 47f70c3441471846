"""Link candidates: proposals between our entities and an imported graph's, with a score and reasons.

Proposed by shared identifiers (Wikidata, GOV.UK, Parliament, IfG: the import's Popolo identifiers
against our linkset), names (normalised, ``skos:altLabel`` included, HM/Her Majesty's and
"Department for/of" set aside) and kind; dates of existence, where both sides have them, rule out
bodies that never coexisted. A curator marks the ones to keep in a TSV (or accepts every one above a
score), and the accepted ones go to the import's own link set ``graph/links/import-NAME.ttl`` as
``skos:exactMatch`` (same identifier or same name) or ``skos:closeMatch``, each with its provenance.
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

from westminster_kg.bound import internal, run
from westminster_kg.errors import InputError
from westminster_kg.internal_queries import internal_query
from westminster_kg.link.importers import import_graph_iri, list_imports
from westminster_kg.link.labels import STOPWORDS, label_similarity, label_tokens, normalise_label, organisation_key
from westminster_kg.link.linkset import ANY_IRI, LINK_PREDICATES, SCHEMES, scheme_of
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


# A score at or above this says "the same thing" (same identifier, or the same name once spelling
# conventions are set aside): accepted as skos:exactMatch. Below it, skos:closeMatch.
EXACT_SCORE = 0.97
# What identifier schemes are called in Popolo files (EveryPolitician, parlparse) → our link schemes.
_SCHEME_NAMES = {
    "wikidata": "wikidata",
    "govuk": "govuk",
    "gov.uk": "govuk",
    "gov_uk": "govuk",
    "govuk_slug": "govuk",
    "parliament": "parliament",
    "parliament.uk": "parliament",
    "datadotparl_id": "parliament",
    "mnis": "parliament",
    "ifg": "ifg",
    "ifg_id": "ifg",
}
_END_DATES = {str(SDO.dissolutionDate), str(WM.endDate)}  # queries/internal/candidates-lifetimes.rq


@dataclass(frozen=True)
class Candidate:
    """A proposed link between one of our entities and one of the imported graph's."""

    score: float
    ours: URIRef
    our_label: str
    theirs: URIRef
    their_label: str
    kind: str  # "person", "organisation", "post", ... or "" when a side has no known kind
    reasons: str = ""
    match: str = ""  # "exact" or "close" when a curator said so; "" decides by the score

    @property
    def predicate(self) -> URIRef:
        """``skos:exactMatch`` for a shared identifier or the same name, else ``skos:closeMatch``."""
        if self.match:
            return SKOS.exactMatch if self.match == "exact" else SKOS.closeMatch
        return SKOS.exactMatch if self.score >= EXACT_SCORE else SKOS.closeMatch

    def row(self) -> list[str]:
        """The TSV cells (``accept`` left empty for the curator)."""
        match = "exact" if self.predicate == SKOS.exactMatch else "close"
        cells = [str(self.ours), self.our_label, str(self.theirs), self.their_label, self.kind, match, self.reasons]
        return [f"{self.score:.3f}", *cells, ""]


CANDIDATE_COLUMNS = ["score", "ours", "our_label", "theirs", "their_label", "kind", "match", "reasons", "accept"]
_REQUIRED_COLUMNS = ["score", "ours", "theirs", "accept"]


def import_linkset_file(graph_name: str) -> str:
    """Where the links accepted for import ``graph_name`` are kept (relative to the root)."""
    return f"graph/links/import-{graph_name}.ttl"


def _kind(types: set[str]) -> str:
    for kind, members in _KINDS.items():
        if types & members:
            return kind
    return ""


def _labelled(kg: KnowledgeGraph, graph: str) -> dict[Any, tuple[list[str], set[str]]]:
    rows = run(kg.store, internal("candidates-labelled", graph=URIRef(graph), p=_CANDIDATE_LABELS)).rows
    found: dict[Any, tuple[list[str], set[str]]] = {}
    for s, label, type_ in rows:
        labels, types = found.setdefault(s, ([], set()))
        if str(label) not in labels:
            labels.append(str(label))
        if type_ is not None:
            types.add(str(type_))
    return found


def _identifiers(kg: KnowledgeGraph, graph: str) -> dict[Any, dict[str, str]]:
    """The import's resources → {scheme: external IRI}, from Popolo identifiers and direct links."""
    rows = run(kg.store, internal("candidates-identifiers", graph=URIRef(graph))).rows
    found: dict[Any, dict[str, str]] = defaultdict(dict)
    for subject, scheme_name, value in rows:
        scheme = SCHEMES.get(_SCHEME_NAMES.get(str(scheme_name or "").strip().casefold(), ""))
        if scheme is not None:
            found[subject][scheme.name] = scheme.uri_space + str(value).strip()
    # Any link the import itself makes.
    direct = run(kg.store, internal("candidates-direct-links", graph=URIRef(graph), p=LINK_PREDICATES)).rows
    for subject, target in direct:
        scheme = scheme_of(str(target))
        if scheme is not None:
            found[subject][scheme.name] = str(target)
    return found


def _our_identifiers(rows: list[Any]) -> dict[Any, dict[str, str]]:
    found: dict[Any, dict[str, str]] = defaultdict(dict)
    for subject, target in rows:
        scheme = scheme_of(str(target))
        if scheme is not None and str(subject).startswith(str(WMR)):
            found[subject][scheme.name] = str(target)
    return found


def _lifetimes(kg: KnowledgeGraph) -> dict[Any, tuple[str | None, str | None]]:
    """Founding/dissolution (or wm:startDate/endDate) years of organisations, where known."""
    rows = kg.store.query(internal_query("candidates-lifetimes")).rows
    found: dict[Any, list[str | None]] = defaultdict(lambda: [None, None])
    for subject, predicate, date in rows:
        end = str(predicate) in _END_DATES
        found[subject][1 if end else 0] = str(date)[:4]
    return {s: (v[0], v[1]) for s, v in found.items()}


def _apart(a: tuple[str | None, str | None] | None, b: tuple[str | None, str | None] | None) -> str:
    """A reason when two bodies' known years of existence do not overlap, else ``""``."""
    if not a or not b:
        return ""
    if a[1] and b[0] and a[1] < b[0]:
        return f"ours ended {a[1]}, theirs began {b[0]}"
    if b[1] and a[0] and b[1] < a[0]:
        return f"theirs ended {b[1]}, ours began {a[0]}"
    return ""


def _name_score(our_labels: list[str], their_labels: list[str]) -> tuple[float, str, str, str]:
    """The best (score, our label, their label, reason) over every pair of names."""
    best = (0.0, our_labels[0], their_labels[0], "")
    for x in our_labels:
        for y in their_labels:
            if normalise_label(x) == normalise_label(y):
                found = (1.0, x, y, f"same name {y!r} (case, punctuation and & set aside)")
            elif organisation_key(x) and organisation_key(x) == organisation_key(y):
                found = (
                    EXACT_SCORE,
                    x,
                    y,
                    f"same name {x!r} ~ {y!r} once HM/Her Majesty's and Department for/of are set aside",
                )
            else:
                similarity = label_similarity(x, y)
                found = (similarity, x, y, f"label similarity {similarity:.3f} between {x!r} and {y!r}")
            if found[0] > best[0]:
                best = found
    return best


def link_candidates(kg: KnowledgeGraph, graph_name: str, *, threshold: float = 0.85) -> list[Candidate]:
    """Propose links from our entities to the imported graph's, best first, each with its reasons.

    A pair scores 1.0 when both sides carry the same external identifier (Wikidata, GOV.UK,
    Parliament, IfG); otherwise by its best pair of names (``rdfs:label``, ``skos:prefLabel``,
    ``skos:altLabel``, ``foaf:name``): 1.0 for the same normalised name, 0.97 for the same name once
    HM/Her Majesty's and "Department for/of" are set aside, else ``label_similarity``. Pairs of
    different kinds (person, organisation, post, work, idea, event, data), with different ids of
    the same scheme, or whose known years of existence do not overlap are left out, as are pairs
    already linked.

    Args:
        kg: the knowledge graph with the import loaded.
        graph_name: the import's name (``wmkg import ... --graph NAME``).
        threshold: the lowest score proposed (0..1).

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
    linked_rows = kg.store.query(internal_query("links-linked-pairs")).rows
    linked = {(row[0], row[1]) for row in linked_rows}
    their_ids, our_ids, lifetimes = _identifiers(kg, graph), _our_identifiers(linked_rows), _lifetimes(kg)
    by_target: dict[str, set[Any]] = defaultdict(set)
    for their, ids in their_ids.items():
        for target in ids.values():
            by_target[target].add(their)
    # With no word in common the name score is at most 0.5 (Dice 0), so above that only pairs sharing
    # a word (or an identifier) can qualify: an index keeps a large import from costing ours x theirs.
    by_word: dict[str, set[Any]] = defaultdict(set)
    for their, (their_labels, _types) in theirs.items():
        for label in their_labels:
            for word in label_tokens(organisation_key(label), STOPWORDS):
                by_word[word].add(their)
    candidates = []
    for our, (our_labels, our_types) in ours.items():
        our_kind = _kind(our_types)
        mine = our_ids.get(our, {})
        if threshold > 0.5:
            words = {w for label in our_labels for w in label_tokens(organisation_key(label), STOPWORDS)}
            pool = set().union(*(by_word.get(w, set()) for w in words))
        else:
            pool = set(theirs)
        pool |= set().union(*(by_target.get(t, set()) for t in mine.values()))
        for their in sorted(pool, key=str):
            if their not in theirs or (our, their) in linked:
                continue
            their_labels, their_types = theirs[their]
            their_kind = _kind(their_types)
            if our_kind and their_kind and our_kind != their_kind:
                continue
            ids = their_ids.get(their, {})
            if any(mine.get(scheme, target) != target for scheme, target in ids.items()):
                continue  # both carry an id of the same scheme, and they differ
            if _apart(lifetimes.get(our), lifetimes.get(their)):
                continue
            score, a, b, reason = _name_score(our_labels, their_labels)
            shared = sorted(scheme for scheme, target in ids.items() if mine.get(scheme) == target)
            if shared:
                score = 1.0
                reason = "; ".join([*(f"same {SCHEMES[x].title} id {ids[x]}" for x in shared), reason])
            if score >= threshold:
                kind = our_kind if our_kind == their_kind else ""
                if kind:
                    reason += f"; both of kind {kind}"
                candidates.append(Candidate(score, our, a, their, b, kind, reason))
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
        predicate = candidate.predicate
        graph.add((candidate.ours, predicate, candidate.theirs))
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
        graph.add((node, RDF.predicate, predicate))
        graph.add((node, RDF.object, candidate.theirs))
        graph.add((node, DCTERMS.source, source))
        why = f"score {candidate.score:.3f}: {candidate.reasons or 'no reason recorded'}"
        if accepted_on:
            graph.add((node, DCTERMS.date, Literal(accepted_on, datatype=XSD.date)))
            note = f"Accepted by curator, {accepted_on}; proposed by `wmkg link --candidates`, {why}."
        else:
            note = f"Candidate proposed by `wmkg link --candidates`, not yet reviewed, {why}."
        graph.add((node, SKOS.note, Literal(note, lang="en")))
    return graph


_YES = ("yes", "y", "x", "true", "1", "exact", "close")


def read_candidates(path: Path) -> list[Candidate]:
    """The rows of a reviewed candidates TSV whose ``accept`` cell says yes (or exact, or close)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: not a candidates TSV (missing column(s) {', '.join(missing)})")
    accepted = []
    for row in reader:
        where = f"{path}:{reader.line_num}"
        verdict = (row.get("accept") or "").strip().lower()
        if verdict not in _YES:
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
                row.get("reasons") or "",
                verdict if verdict in ("exact", "close") else "",
            )
        )
    return accepted


def accept_candidates(
    kg: KnowledgeGraph,
    graph_name: str,
    reviewed: Path | list[Candidate],
    *,
    today: str | None = None,
) -> tuple[int, Path]:
    """Add accepted candidates to the import's own link set, ``graph/links/import-NAME.ttl``.

    Args:
        kg: the knowledge graph with the import loaded.
        graph_name: the import's name.
        reviewed: a reviewed candidates TSV (rows with accept=yes/exact/close), or the candidates
            themselves (``wmkg link --accept-above SCORE``).
        today: the acceptance date recorded (default: today).

    Returns:
        The number of links added (links already there are not added twice) and the file.
    """
    from westminster_kg.turtle import canonical_turtle, write_atomically

    accepted = read_candidates(reviewed) if isinstance(reviewed, Path) else list(reviewed)
    where = str(reviewed) if isinstance(reviewed, Path) else "--accept-above"
    graph_iri = import_graph_iri(graph_name)
    ours = {row[0] for row in kg.store.query(internal_query("typed-subjects")).rows}
    theirs = {row[0] for row in run(kg.store, internal("import-subjects", graph=URIRef(graph_iri))).rows}
    for candidate in accepted:
        if candidate.ours not in ours:
            raise InputError(f"{where}: {curie(candidate.ours)} is not an entity of the graph")
        if candidate.theirs not in theirs:
            raise InputError(f"{where}: <{candidate.theirs}> is not in the import {graph_name!r}")
    target = kg.project.root / import_linkset_file(graph_name)
    existing = Graph()
    if target.exists():
        existing.parse(target, format="turtle")
    date = today or dt.date.today().isoformat()
    new = [
        c for c in accepted if not any((c.ours, p, c.theirs) in existing for p in (SKOS.exactMatch, SKOS.closeMatch))
    ]
    if new:
        existing += candidates_graph(new, graph_name, accepted_on=date)
        write_atomically(target, canonical_turtle(existing).encode("utf-8"), create_parents=True)
    return len(new), target


__all__ = [
    "CANDIDATE_COLUMNS",
    "EXACT_SCORE",
    "Candidate",
    "accept_candidates",
    "candidates_graph",
    "candidates_tsv",
    "import_linkset_file",
    "link_candidates",
    "read_candidates",
]

"""What link candidates are scored on, read from the store: names, kinds, identifiers, dates and posts.

Every query is a file of ``queries/internal/`` with the graph bound as a term (``catalogue.bind``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, QB, RDF, RDFS, SDO, SKOS

from westminster_kg.bound import internal, run
from westminster_kg.link.linkset import LINK_PREDICATES, SCHEMES, scheme_of
from westminster_kg.namespaces import FABIO, WM, WMR

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

# Coarse kinds, so a person is never proposed as the same as a department, nor a department as
# the same as a publication named after it. An entity of no known kind may match any kind.
KINDS: dict[str, set[str]] = {
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
            WM.CitationIrregularity,
            WM.ApparentDiscrepancy,
            WM.RhetoricalClaim,
        ),
    }.items()
}
# The properties a resource is named by, ours or an import's.
LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name, SDO.name, DCTERMS.title)
NOT_ENTITIES = {str(WM.Claim), str(WM.Evidence), str(WM.Section), str(RDF.Statement)}
# What identifier schemes are called in Popolo files (EveryPolitician, parlparse) → our link schemes.
SCHEME_NAMES = {
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


def kind_of(types: set[str]) -> str:
    """The coarse kind (person, organisation, post, ...) of something with these classes, or ``""``."""
    for kind, members in KINDS.items():
        if types & members:
            return kind
    return ""


@dataclass(frozen=True)
class Held:
    """One post an imported person held: its role, dates (ISO text, partial) and kind."""

    role: str
    start: str
    end: str
    kind: str

    def covers(self, start: str, end: str) -> bool:
        """Whether this post overlaps ``start``..``end`` (compared at the coarser precision)."""
        return _overlap(self.start, self.end, start, end)

    def describe(self) -> str:
        return f"{self.role or 'a post'} {self.start[:4]}–{self.end[:4] if self.end else 'on'}"


def _overlap(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    """Whether two spans of partial ISO dates overlap; a date counts from its start to its end at its
    precision (``2012`` is all of 2012), and a missing end is open."""

    def before(x: str, y: str) -> bool:  # every moment of x is before every moment of y
        width = min(len(x), len(y))
        return x[:width] < y[:width]

    return not ((a_end and before(a_end, b_start)) or (b_end and before(b_end, a_start)))


@dataclass
class Facts:
    """Everything the candidates of one import are scored on."""

    ours: dict[Any, tuple[list[str], set[str]]]
    theirs: dict[Any, tuple[list[str], set[str]]]
    our_ids: dict[Any, dict[str, str]]
    their_ids: dict[Any, dict[str, str]]
    linked: set[tuple[Any, Any]]
    lifetimes: dict[Any, tuple[str | None, str | None]]
    their_kinds: dict[Any, str] = field(default_factory=dict)
    held: dict[Any, list[Held]] = field(default_factory=dict)
    our_dates: dict[Any, list[tuple[str, str, str]]] = field(default_factory=dict)


def _rows(kg: KnowledgeGraph, name: str, graph: str | None = None, **values: Any) -> list[Any]:
    """The rows of ``queries/internal/NAME.rq`` with ``?graph`` (and ``values``) bound as terms."""
    return run(kg.store, internal(name, graph=URIRef(graph) if graph else None, **values)).rows


def labelled(kg: KnowledgeGraph, graph: str) -> dict[Any, tuple[list[str], set[str]]]:
    """The labelled resources of ``graph``: resource → (labels, classes)."""
    found: dict[Any, tuple[list[str], set[str]]] = {}
    for s, label, type_ in _rows(kg, "candidates-labelled", graph, p=LABEL_PREDICATES):
        labels, types = found.setdefault(s, ([], set()))
        if str(label) not in labels:
            labels.append(str(label))
        if type_ is not None:
            types.add(str(type_))
    return found


def import_identifiers(kg: KnowledgeGraph, graph: str) -> dict[Any, dict[str, str]]:
    """The import's resources → {scheme: external IRI}, from Popolo identifiers and direct links."""
    found: dict[Any, dict[str, str]] = defaultdict(dict)
    for subject, scheme_name, value in _rows(kg, "candidates-identifiers", graph):
        scheme = SCHEMES.get(SCHEME_NAMES.get(str(scheme_name or "").strip().casefold(), ""))
        if scheme is not None:
            found[subject][scheme.name] = scheme.uri_space + str(value).strip()
    for subject, target in _rows(kg, "candidates-direct-links", graph, p=LINK_PREDICATES):
        scheme = scheme_of(str(target))
        if scheme is not None:
            found[subject][scheme.name] = str(target)
    return found


def our_identifiers(rows: list[Any]) -> dict[Any, dict[str, str]]:
    """Our entities → {scheme: external IRI}, from the links graph (only verified ids are there)."""
    found: dict[Any, dict[str, str]] = defaultdict(dict)
    for subject, target in rows:
        scheme = scheme_of(str(target))
        if scheme is not None and str(subject).startswith(str(WMR)):
            found[subject][scheme.name] = str(target)
    return found


def lifetimes(kg: KnowledgeGraph) -> dict[Any, tuple[str | None, str | None]]:
    """Founding/dissolution (or wm:startDate/endDate) years of organisations, where known."""
    found: dict[Any, list[str | None]] = defaultdict(lambda: [None, None])
    for subject, predicate, date in _rows(kg, "candidates-lifetimes"):
        found[subject][1 if str(predicate) in _END_DATES else 0] = str(date)[:4]
    return {s: (v[0], v[1]) for s, v in found.items()}


def gather(kg: KnowledgeGraph, graph: str, article_graph: str) -> Facts:
    """Every fact the candidates between the article's graph and the import ``graph`` are scored on."""
    ours = {
        s: v
        for s, v in labelled(kg, article_graph).items()
        if str(s).startswith(str(WMR)) and v[1] and not v[1] & NOT_ENTITIES
    }
    linked_rows = _rows(kg, "links-linked-pairs")
    facts = Facts(
        ours=ours,
        theirs=labelled(kg, graph),
        our_ids=our_identifiers(linked_rows),
        their_ids=import_identifiers(kg, graph),
        linked={(row[0], row[1]) for row in linked_rows},
        lifetimes=lifetimes(kg),
    )
    facts.their_kinds = {s: str(kind) for s, kind in _rows(kg, "candidates-import-kinds", graph)}
    held: dict[Any, set[Held]] = defaultdict(set)
    for person, role, start, end, kind in _rows(kg, "candidates-import-person-posts", graph):
        held[person].add(Held(str(role or ""), str(start), str(end or ""), str(kind or "")))
    # Sorted on every field: ties would otherwise come out in this process's order of string hashes,
    # and the review's reasons (and so its TSV) would differ from one run to the next.
    facts.held = {p: sorted(h, key=lambda x: (x.start, x.role, x.end, x.kind)) for p, h in held.items()}
    dates: dict[Any, set[tuple[str, str, str]]] = defaultdict(set)
    for person, what, start, end in _rows(kg, "candidates-our-person-dates"):
        dates[person].add((str(what), str(start), str(end or start)))
    facts.our_dates = {p: sorted(d, key=lambda x: (x[1], x[0], x[2])) for p, d in dates.items()}
    return facts


__all__ = [
    "KINDS",
    "NOT_ENTITIES",
    "SCHEME_NAMES",
    "Facts",
    "Held",
    "gather",
    "import_identifiers",
    "kind_of",
    "labelled",
    "lifetimes",
    "our_identifiers",
]

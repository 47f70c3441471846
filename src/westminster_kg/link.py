"""Links out and datasets in: check the linkset, import other datasets, propose links, describe the whole.

Four parts, each a public function the CLI calls:

* ``check_links``: every link in ``graph/links/`` is well-formed for its scheme (Wikidata, GOV.UK,
  UK Parliament, Institute for Government) and carries its provenance; with ``online=True`` each
  link is resolved and the remote label compared with ours. Base URLs are injectable, so tests run
  the very same code against a loopback server that serves recorded answers.
* ``import_dataset`` / ``drop_import``: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML or CSV
  (with a column mapping) into its own named graph ``.../graph/import/NAME``, written to
  ``imports/NAME.nq`` only after the whole file parsed, and atomically.
* ``link_candidates`` / ``accept_candidates``: ``skos:closeMatch`` proposals between our entities
  and an imported graph's, by label similarity and type; accepted ones go to the linkset.
* ``void_description``: VoID + DCAT for the dataset, every count computed from the data.

A link is stored twice, like a claim: the plain triple (``wmr:x owl:sameAs wd:Q…``) and an
``rdf:Statement`` node with ``rdf:subject/predicate/object``, ``dcterms:source`` (where the
identifier was found), ``dcterms:date`` (when it was checked), ``dcterms:identifier`` (the bare id)
and a ``skos:note``. Institute for Government ids are UUIDs without a web address of their own: they
are written as ``urn:uuid:`` IRIs (RFC 4122), so an imported IfG table whose rows are named the same
way joins with our entities without any extra step.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from westminster_kg.errors import InputError
from westminster_kg.namespaces import (
    GRAPH_ARTICLE,
    GRAPH_BASE,
    GRAPH_IMPORT,
    GRAPH_LINKS,
    GRAPH_ONTOLOGY,
    PREFIXES,
    VOID,
    WMR,
)
from westminster_kg.project import Project

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
SD = "http://www.w3.org/ns/sparql-service-description#"

LINK_PREDICATES = (
    OWL.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
ACCEPTED_CANDIDATES_FILE = "graph/links/candidates-accepted.ttl"
DATASET_IRI = URIRef("https://w3id.org/westminster-kg/dataset")
LOCAL_SPARQL_ENDPOINT = URIRef("http://127.0.0.1:8000/sparql")


# --- schemes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkScheme:
    """One kind of external identifier: how its IRIs look and where they resolve."""

    name: str
    title: str
    detect: re.Pattern[str]  # which IRIs claim to be of this scheme
    pattern: re.Pattern[str]  # what a well-formed one looks like; group 1 is the bare identifier
    example: str
    homepage: str
    uri_space: str
    default_base_url: str | None = None  # None: no public API to resolve against
    identity_allowed: bool = False  # owl:sameAs may point here (an item about the thing itself)


SCHEMES: dict[str, LinkScheme] = {
    s.name: s
    for s in (
        LinkScheme(
            "wikidata",
            "Wikidata",
            re.compile(r"^https?://(www\.)?wikidata\.org/"),
            re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9]\d*)$"),
            "http://www.wikidata.org/entity/Q7416",
            "https://www.wikidata.org/",
            "http://www.wikidata.org/entity/",
            "https://www.wikidata.org",
            identity_allowed=True,
        ),
        LinkScheme(
            "govuk",
            "GOV.UK organisations",
            re.compile(r"^https?://(www\.)?gov\.uk/"),
            re.compile(r"^https://www\.gov\.uk/government/organisations/([a-z0-9]+(?:-[a-z0-9]+)*)$"),
            "https://www.gov.uk/government/organisations/cabinet-office",
            "https://www.gov.uk/government/organisations",
            "https://www.gov.uk/government/organisations/",
            "https://www.gov.uk",
        ),
        LinkScheme(
            "parliament",
            "UK Parliament members",
            re.compile(r"^https?://([a-z-]+\.)?parliament\.uk/"),
            re.compile(r"^https://members\.parliament\.uk/member/([1-9]\d*)$"),
            "https://members.parliament.uk/member/953",
            "https://members.parliament.uk/",
            "https://members.parliament.uk/member/",
            "https://members-api.parliament.uk",
        ),
        LinkScheme(
            "ifg",
            "Institute for Government ministers database",
            re.compile(r"^urn:uuid:", re.IGNORECASE),
            re.compile(r"^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"),
            "urn:uuid:9e834e4d-a739-42df-9f5a-8a660cb612a7",
            "https://github.com/instituteforgov/ifg-ministers-database-public",
            "urn:uuid:",
        ),
    )
}
_ANY_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|^`\\]+$")


def scheme_of(target: str) -> LinkScheme | None:
    """The scheme an external IRI claims to belong to (``None`` for any other IRI)."""
    for scheme in SCHEMES.values():
        if scheme.detect.match(target):
            return scheme
    return None


def identifier_of(target: str) -> str | None:
    """The bare identifier (``Q7416``, ``cabinet-office``, ``953``, a UUID) of a well-formed link."""
    scheme = scheme_of(target)
    if scheme is None:
        return None
    match = scheme.pattern.match(target)
    return match.group(1) if match else None


# --- the linkset as stored ----------------------------------------------------------------------


@dataclass
class Link:
    """One link of ours to an external IRI, with its provenance node (if any)."""

    entity: URIRef
    predicate: URIRef
    target: URIRef
    statement: URIRef | BNode | None = None
    sources: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file: str = ""
    orphan: bool = False  # a provenance node whose link triple is missing

    @property
    def scheme(self) -> LinkScheme | None:
        """The target's scheme."""
        return scheme_of(str(self.target))

    def describe(self) -> str:
        """``wmr:x owl:sameAs <target>`` for messages."""
        return f"{_curie(self.entity)} {_curie(self.predicate)} <{self.target}>"


def _curie(iri: object) -> str:
    text = str(iri)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(namespace) and prefix != "wd":
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def _values(predicates: Iterable[URIRef]) -> str:
    return " ".join(f"<{p}>" for p in predicates)


def stored_links(kg: KnowledgeGraph) -> list[Link]:
    """Every link in the links graph, with its provenance, sorted by entity and target."""
    plain = kg.store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_LINKS}> {{ ?s ?p ?o }} VALUES ?p {{ {_values(LINK_PREDICATES)} }} }}"
    ).rows
    links: dict[tuple[Any, Any, Any], Link] = {}
    for s, p, o in plain:
        links[(s, p, o)] = Link(s, p, o)
    reified = kg.store.query(
        f"""PREFIX rdf: <{RDF}> PREFIX dcterms: <{DCTERMS}> PREFIX prov: <{PROV}> PREFIX skos: <{SKOS}>
        SELECT ?st ?s ?p ?o ?source ?date ?id ?note WHERE {{ GRAPH <{GRAPH_LINKS}> {{
          ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          OPTIONAL {{ ?st dcterms:source ?source }}
          OPTIONAL {{ ?st dcterms:date|prov:generatedAtTime ?date }}
          OPTIONAL {{ ?st dcterms:identifier ?id }}
          OPTIONAL {{ ?st skos:note ?note }}
        }} VALUES ?p {{ {_values(LINK_PREDICATES)} }} }}"""
    ).rows
    for st, s, p, o, source, date, ident, note in reified:
        link = links.get((s, p, o))
        if link is None:
            link = links[(s, p, o)] = Link(s, p, o, statement=st, orphan=True)
        link.statement = st
        for bucket, value in (
            (link.sources, source),
            (link.dates, date),
            (link.identifiers, ident),
            (link.notes, note),
        ):
            if value is not None and str(value) not in bucket:
                bucket.append(str(value))
    files = _files_of_links(kg.project)
    for key, link in links.items():
        link.file = files.get(("statement", link.statement) if link.orphan else key, "")
    return sorted(links.values(), key=lambda x: (str(x.entity), str(x.target), str(x.predicate)))


def _files_of_links(project: Project) -> dict[Any, str]:
    """Which file of ``graph/links/`` holds each triple (for messages)."""
    where: dict[Any, str] = {}
    for path in sorted((project.root / "graph" / "links").glob("*.ttl")):
        try:
            graph = Graph().parse(path, format="turtle")
        except Exception:  # noqa: BLE001, S112 - the store already parsed it; a name is only a nicety
            continue
        name = project.relative(path)
        for s, p, o in graph:
            where.setdefault((s, p, o), name)
            if p == RDF.type and o == RDF.Statement:
                where.setdefault(("statement", s), name)
    return where


# --- checking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkFinding:
    """The outcome for one link: ``ok``, ``close`` (labels differ only in extra words),
    ``mismatch`` (remote label differs), ``error`` (malformed, no provenance, unreachable) or
    ``skipped`` (no public API to resolve against)."""

    level: str
    link: str
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.link}: {self.message}"


@dataclass
class LinkReport:
    """Everything ``check_links`` found."""

    links: int = 0
    online: bool = False
    findings: list[LinkFinding] = field(default_factory=list)
    by_scheme: Counter[str] = field(default_factory=Counter)

    def of(self, *levels: str) -> list[LinkFinding]:
        """Findings of these levels."""
        return [f for f in self.findings if f.level in levels]

    @property
    def ok(self) -> bool:
        """True when no link is malformed, unproven, unresolvable or mismatched."""
        return not self.of("error", "mismatch")


def check_links(
    kg: KnowledgeGraph,
    *,
    online: bool = False,
    base_urls: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> LinkReport:
    """Check every link: well-formed and proven (offline), and resolving to our label (online).

    Args:
        kg: the loaded knowledge graph.
        online: also resolve each link and compare the remote label with ours.
        base_urls: per scheme (``wikidata``, ``govuk``, ``parliament``), the API base URL to use
            instead of the public one (tests point these at a loopback server).
        timeout: seconds per HTTP request.

    Returns:
        The report; ``report.ok`` is false when any link failed.
    """
    report = LinkReport(online=online)
    links = stored_links(kg)
    report.links = len(links)
    typed = {
        row[0]
        for row in kg.store.query(f'SELECT DISTINCT ?s WHERE {{ ?s a ?c . FILTER(STRSTARTS(STR(?s), "{WMR}")) }}').rows
    }
    well_formed: list[Link] = []
    for link in links:
        problems = _offline_problems(link, typed)
        report.by_scheme[link.scheme.name if link.scheme else "other"] += 1
        for problem in problems:
            report.findings.append(LinkFinding("error", link.describe(), problem, link.file))
        if not problems:
            well_formed.append(link)
    if online:
        _check_online(kg, well_formed, dict(base_urls or {}), timeout, report)
    return report


def _offline_problems(link: Link, typed: set[Any]) -> list[str]:
    problems = []
    target = str(link.target)
    scheme = link.scheme
    if not str(link.entity).startswith(str(WMR)):
        problems.append("links start from our own entities (wmr:)")
    elif link.entity not in typed:
        problems.append(f"{_curie(link.entity)} is not an entity of the graph (no rdf:type)")
    if scheme is None:
        if not _ANY_IRI.match(target):
            problems.append(f"malformed IRI {target!r}")
    elif not scheme.pattern.match(target):
        problems.append(f"malformed {scheme.title} identifier {target!r} (expected the form {scheme.example})")
    elif link.identifiers and identifier_of(target) not in link.identifiers:
        problems.append(
            f"dcterms:identifier {', '.join(link.identifiers)!s} does not match the link's "
            f"identifier {identifier_of(target)}"
        )
    if link.predicate == OWL.sameAs and (scheme is None or not scheme.identity_allowed):
        problems.append(
            "owl:sameAs is for identity with an item about the thing itself (Wikidata); "
            "use skos:exactMatch or skos:closeMatch"
        )
    if link.statement is None:
        problems.append("no provenance: no rdf:Statement node with dcterms:source and dcterms:date")
    else:
        if not link.sources:
            problems.append("provenance without dcterms:source")
        if not link.dates:
            problems.append("provenance without dcterms:date (when it was checked)")
        if link.orphan:
            problems.append("a provenance node whose link triple is missing")
    return problems


class RemoteError(Exception):
    """One request failed; the message names the URL."""


def _check_online(
    kg: KnowledgeGraph, links: list[Link], base_urls: dict[str, str], timeout: float, report: LinkReport
) -> None:
    import httpx

    labels = _labels(kg)
    unreachable: dict[str, str] = {}
    headers = {
        "User-Agent": "westminster-kg link checker (https://w3id.org/westminster-kg)",
        "Accept": "application/json",
    }
    with httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client:
        for link in links:
            scheme = link.scheme
            described = link.describe()
            if scheme is None or scheme.default_base_url is None:
                title = scheme.title if scheme else "this target"
                report.findings.append(
                    LinkFinding("skipped", described, f"{title} has no public API: checked offline only", link.file)
                )
                continue
            base = base_urls.get(scheme.name, scheme.default_base_url).rstrip("/")
            if base in unreachable:
                report.findings.append(LinkFinding("error", described, f"not checked: {unreachable[base]}", link.file))
                continue
            identifier = identifier_of(str(link.target)) or ""
            try:
                remote = RESOLVERS[scheme.name](client, base, identifier)
            except RemoteError as exc:
                message = str(exc)
                if message.startswith("cannot reach"):
                    unreachable[base] = message
                report.findings.append(LinkFinding("error", described, message, link.file))
                continue
            ours = labels.get(link.entity, [])
            verdict = compare_labels(ours, remote)
            shown_ours = ours[0] if ours else "(no label)"
            shown_remote = remote[0] if remote else "(no label)"
            if verdict == "ok":
                message = f"label agrees: {shown_remote!r}"
            elif verdict == "close":
                message = f"labels differ only in extra words: ours {shown_ours!r}, remote {shown_remote!r}"
            else:
                message = f"label mismatch: ours {shown_ours!r}, remote {shown_remote!r}"
            report.findings.append(LinkFinding(verdict, described, message, link.file))


def _labels(kg: KnowledgeGraph) -> dict[Any, list[str]]:
    rows = kg.store.query(f"SELECT ?s ?l WHERE {{ ?s <{RDFS.label}>|<{SKOS.prefLabel}> ?l }} ORDER BY ?s ?l").rows
    labels: dict[Any, list[str]] = defaultdict(list)
    for s, label in rows:
        labels[s].append(str(label))
    return labels


def _get_json(client: Any, url: str) -> Any:
    import httpx

    try:
        response = client.get(url)
    except httpx.TimeoutException:
        raise RemoteError(f"cannot reach {url}: timed out") from None
    except httpx.HTTPError as exc:
        reason = str(exc).split("\n")[0] or type(exc).__name__
        raise RemoteError(f"cannot reach {url}: {reason}") from None
    if response.status_code == 404:
        raise RemoteError(f"{url}: 404 Not Found (the identifier does not exist there)")
    if response.status_code >= 400:
        raise RemoteError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
    try:
        return response.json()
    except ValueError as exc:
        raise RemoteError(f"{url}: the answer is not valid JSON ({str(exc).split(':')[0]})") from None


def _resolve_wikidata(client: Any, base: str, qid: str) -> list[str]:
    url = f"{base}/wiki/Special:EntityData/{qid}.json"
    data = _get_json(client, url)
    try:
        entities = data["entities"]
        entity = entities.get(qid) or next(iter(entities.values()))
    except (KeyError, TypeError, AttributeError, StopIteration):
        raise RemoteError(f"{url}: no 'entities' object in the answer") from None
    if isinstance(entity, dict) and entity.get("id") not in (None, qid):
        raise RemoteError(f"{url}: {qid} redirects to {entity.get('id')}")
    try:
        labels = [entity["labels"]["en"]["value"]]
    except (KeyError, TypeError):
        raise RemoteError(f"{url}: no English label in the answer") from None
    aliases = entity.get("aliases", {}).get("en", []) if isinstance(entity.get("aliases"), dict) else []
    return labels + [a["value"] for a in aliases if isinstance(a, dict) and "value" in a]


def _resolve_govuk(client: Any, base: str, slug: str) -> list[str]:
    url = f"{base}/api/organisations/{slug}"
    data = _get_json(client, url)
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise RemoteError(f"{url}: no 'title' in the answer")
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    if details.get("slug") not in (None, slug):
        raise RemoteError(f"{url}: {slug} now resolves to {details['slug']} ({data['title']!r})")
    return [data["title"]]


def _resolve_parliament(client: Any, base: str, member_id: str) -> list[str]:
    url = f"{base}/api/Members/{member_id}"
    data = _get_json(client, url)
    value = data.get("value") if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise RemoteError(f"{url}: no 'value' object in the answer")
    names = [
        value[k]
        for k in ("nameDisplayAs", "nameListAs", "nameFullTitle", "nameAddressAs")
        if isinstance(value.get(k), str)
    ]
    if not names:
        raise RemoteError(f"{url}: no name in the answer")
    return names


RESOLVERS = {"wikidata": _resolve_wikidata, "govuk": _resolve_govuk, "parliament": _resolve_parliament}


# --- label similarity -------------------------------------------------------------------------

# Words that say how someone is addressed, not who they are.
_HONORIFICS = {
    "the",
    "rt",
    "hon",
    "right",
    "honourable",
    "mp",
    "baroness",
    "baron",
    "lord",
    "lady",
    "sir",
    "dame",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "of",
    "lg",
    "om",
    "frs",
    "kg",
    "ch",
    "qc",
    "kc",
    "viscount",
}
_STOPWORDS = {"the", "of", "and", "for", "a", "an", "in", "on"}


def normalise_label(label: str) -> str:
    """Lower case, accents and punctuation removed, ``&`` as ``and``, white space collapsed."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _tokens(label: str, drop: set[str]) -> set[str]:
    return {t for t in normalise_label(label).split() if t not in drop}


def compare_labels(ours: list[str], remote: list[str]) -> str:
    """``ok`` when a label of ours equals a remote one (normalised), ``close`` when one's words are
    all among the other's (titles such as "Baroness" ignored), else ``mismatch``."""
    if not ours or not remote:
        return "mismatch"
    normal_ours = {normalise_label(x) for x in ours}
    if normal_ours & {normalise_label(x) for x in remote}:
        return "ok"
    for a in ours:
        for b in remote:
            ta, tb = _tokens(a, _HONORIFICS), _tokens(b, _HONORIFICS)
            if ta and tb and (ta <= tb or tb <= ta):
                return "close"
    return "mismatch"


def label_similarity(a: str, b: str) -> float:
    """0..1: the mean of the token Dice coefficient (shared words) and the character ratio of the
    sorted words (spelling variants), after ``normalise_label`` and without words such as "of"."""
    ta, tb = _tokens(a, _STOPWORDS), _tokens(b, _STOPWORDS)
    if not ta or not tb:
        return 0.0
    dice = 2 * len(ta & tb) / (len(ta) + len(tb))
    ratio = difflib.SequenceMatcher(None, " ".join(sorted(ta)), " ".join(sorted(tb))).ratio()
    return round((dice + ratio) / 2, 3)


# --- importing ------------------------------------------------------------------------------------

IMPORT_FORMATS: dict[str, ox.RdfFormat | None] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "csv": None,
}
_SUFFIXES = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".csv": "csv",
}
_GRAPH_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote."""

    name: str
    graph: str
    path: Path
    triples: int
    replaced: bool


def import_graph_iri(name: str) -> str:
    """The named graph of import ``name`` (the name is checked first)."""
    check_graph_name(name)
    return GRAPH_IMPORT + name


def check_graph_name(name: str) -> str:
    """``name`` when it is a lower-case slug of at most 64 characters, else an ``InputError``."""
    if not _GRAPH_NAME.match(name or "") or len(name) > 64:
        raise InputError(f"graph name {name!r}: use lower-case letters, digits and single hyphens (e.g. ifg-ministers)")
    return name


def detect_format(path: Path, fmt: str | None) -> str:
    """The import format: ``fmt`` if given (checked), else from the file's suffix."""
    if fmt is not None:
        key = fmt.lower().replace("-", "").replace("_", "")
        key = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json": "jsonld", "xml": "rdfxml"}.get(key, key)
        if key not in IMPORT_FORMATS:
            raise InputError(f"unknown import format {fmt!r}: use {', '.join(IMPORT_FORMATS)}")
        return key
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}: give --format")
    return _SUFFIXES[suffix]


def import_dataset(
    project: Project,
    file: Path | str,
    graph_name: str,
    *,
    fmt: str | None = None,
    mapping: Path | str | None = None,
) -> ImportResult:
    """Import a dataset into its own named graph, all or nothing.

    The whole file is parsed first; a syntax error names the file and line (for CSV the row and
    column). Only then is ``imports/NAME.nq`` written, atomically (a temporary file renamed over
    the old one), so a crash at any moment leaves the previous import intact. Data addressed to one
    of our own graphs (ontology, article, links or another import) is refused.

    Args:
        project: the project whose ``imports/`` folder receives the file.
        file: the dataset.
        graph_name: a lower-case slug; the graph is ``https://w3id.org/westminster-kg/graph/import/NAME``.
        fmt: turtle, ntriples, nquads, trig, jsonld, rdfxml or csv (default: from the suffix).
        mapping: for CSV, a TOML or JSON column mapping (see ``CsvMapping``).

    Returns:
        What was written.
    """
    from westminster_kg.turtle import write_atomically

    path = Path(file)
    name = check_graph_name(graph_name)
    graph = ox.NamedNode(GRAPH_IMPORT + name)
    kind = detect_format(path, fmt)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if kind == "csv":
        if mapping is None:
            raise InputError(f"{path}: a CSV import needs --mapping FILE (TOML or JSON: subject, class, columns)")
        triples = CsvMapping.load(Path(mapping)).triples(path)
        quads = [ox.Quad(s, p, o, graph) for s, p, o in triples]
    else:
        if mapping is not None:
            raise InputError(f"--mapping applies to CSV only, not to {kind}")
        quads = _parse_rdf(path, kind, graph)
    if not quads:
        raise InputError(f"{path}: no triples to import")
    data = ox.serialize(sorted(set(quads), key=str), format=ox.RdfFormat.N_QUADS)
    target = project.imports_dir / f"{name}.nq"
    replaced = target.exists()
    write_atomically(target, data if isinstance(data, bytes) else str(data).encode("utf-8"))
    return ImportResult(name, str(graph.value), target, len(set(quads)), replaced)


def _parse_rdf(path: Path, kind: str, graph: ox.NamedNode) -> list[ox.Quad]:
    fmt = IMPORT_FORMATS[kind]
    quads: list[ox.Quad] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
            name = quad.graph_name
            if isinstance(name, ox.NamedNode) and name != graph and name.value.startswith(GRAPH_BASE):
                raise InputError(
                    f"{path}: data for our own graph <{name.value}> is refused: an import goes only "
                    f"to its own graph <{graph.value}>"
                )
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    except SyntaxError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        location = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else ()
        line = location[1] if len(location) > 1 else None
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD contexts are not fetched: put the @context in the file"
        message = re.sub(r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ", "", message)
        raise InputError(f"{path}:{line}: {message}" if line else f"{path}: {message}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return quads


def drop_import(project: Project, name: str) -> Path:
    """Remove import ``name`` (its ``imports/NAME.nq``); an unknown name lists the known ones."""
    check_graph_name(name)
    target = project.imports_dir / f"{name}.nq"
    if not target.exists():
        known = ", ".join(list_imports(project)) or "none"
        raise InputError(f"no import named {name!r} (imports: {known})")
    target.unlink()
    return target


def list_imports(project: Project) -> list[str]:
    """The names of the imported graphs."""
    if not project.imports_dir.is_dir():
        return []
    return sorted(p.stem for p in project.imports_dir.glob("*.nq"))


# --- CSV mapping ------------------------------------------------------------------------------

_IRI_SCHEMES = {"http", "https", "urn", "tag", "mailto", "file", "ftp", "did", "info", "doi", "ark"}
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}$")
_CHECKS: dict[str, Any] = {
    str(XSD.integer): lambda v: re.fullmatch(r"[+-]?\d+", v) is not None,
    str(XSD.decimal): lambda v: re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", v) is not None,
    str(XSD.double): lambda v: _is_float(v),
    str(XSD.boolean): lambda v: v in ("true", "false", "1", "0"),
    str(XSD.date): lambda v: _is_date(v),
    str(XSD.dateTime): lambda v: _is_datetime(v),
    str(XSD.gYear): lambda v: re.fullmatch(r"-?\d{4}", v) is not None,
    str(XSD.anyURI): lambda v: _ANY_IRI.match(v) is not None,
}


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


@dataclass(frozen=True)
class PropertyMapping:
    """One object per row: from a ``column`` or a ``template``, as an IRI or a (typed) literal."""

    predicate: str
    column: str | None = None
    template: str | None = None
    iri: bool = False
    datatype: str | None = None
    lang: str | None = None
    required: bool = False


@dataclass(frozen=True)
class ResourceMapping:
    """One resource per row: its IRI template, classes and properties."""

    subject: str
    classes: tuple[str, ...]
    properties: tuple[PropertyMapping, ...]


@dataclass(frozen=True)
class CsvMapping:
    """How CSV rows become triples. TOML (or the same structure as JSON)::

    [prefixes]                       # besides the standard ones (rdfs, org, schema, ...)
    ex = "https://example.org/ministers/"

    [[resources]]                    # one or more resources per row
    subject = "ex:appointment/{id}"  # {column} is replaced by the cell, percent-encoded
    class = "org:Membership"         # or a list

    [[resources.properties]]
    predicate = "org:organization"
    template = "urn:uuid:{organisation_id}"
    iri = true                       # an IRI object; otherwise a literal
    [[resources.properties]]
    predicate = "schema:startDate"
    column = "start_date"
    datatype = "xsd:date"            # checked per cell; or lang = "en"
    required = true                  # an empty cell is an error (otherwise it is skipped)
    """

    path: Path
    prefixes: dict[str, str]
    resources: tuple[ResourceMapping, ...]

    @classmethod
    def load(cls, path: Path) -> CsvMapping:
        """Read and check a mapping file; errors name the file (and line for TOML syntax)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from None
        if path.suffix.lower() == ".json":
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{exc.lineno}: {exc.msg}") from None
        else:
            import tomllib

            try:
                raw = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                line = re.search(r"line (\d+)", str(exc))
                where = f"{path}:{line.group(1)}" if line else str(path)
                raise InputError(f"{where}: {str(exc).split(' (at line')[0]}") from None
        return cls._from_dict(path, raw)

    @classmethod
    def _from_dict(cls, path: Path, raw: Any) -> CsvMapping:
        def fail(message: str) -> InputError:
            return InputError(f"{path}: {message}")

        if not isinstance(raw, dict) or not isinstance(raw.get("resources"), list) or not raw["resources"]:
            raise fail("the mapping needs at least one [[resources]] entry with a subject template")
        prefixes = dict(PREFIXES)
        for key, value in (raw.get("prefixes") or {}).items():
            if not isinstance(value, str) or not _ANY_IRI.match(value):
                raise fail(f"prefix {key!r} must map to an IRI")
            prefixes[key] = value
        mapping = cls(path, prefixes, ())
        resources = []
        for number, entry in enumerate(raw["resources"], start=1):
            where = f"resources #{number}"
            if not isinstance(entry, dict) or not isinstance(entry.get("subject"), str):
                raise fail(f'{where}: needs subject = "...{{column}}..."')
            classes = entry.get("class", [])
            classes = [classes] if isinstance(classes, str) else list(classes)
            properties = []
            for index, prop in enumerate(entry.get("properties", []), start=1):
                here = f"{where}, property #{index}"
                if not isinstance(prop, dict) or not isinstance(prop.get("predicate"), str):
                    raise fail(f'{here}: needs predicate = "prefix:name"')
                if ("column" in prop) == ("template" in prop):
                    raise fail(f"{here}: give exactly one of column or template")
                if prop.get("iri") and (prop.get("datatype") or prop.get("lang")):
                    raise fail(f"{here}: an IRI object takes no datatype or lang")
                properties.append(
                    PropertyMapping(
                        predicate=mapping.expand(prop["predicate"], here),
                        column=prop.get("column"),
                        template=prop.get("template"),
                        iri=bool(prop.get("iri", False)),
                        datatype=mapping.expand(prop["datatype"], here) if prop.get("datatype") else None,
                        lang=prop.get("lang"),
                        required=bool(prop.get("required", False)),
                    )
                )
            resources.append(
                ResourceMapping(entry["subject"], tuple(mapping.expand(c, where) for c in classes), tuple(properties))
            )
        return cls(path, prefixes, tuple(resources))

    def expand(self, text: str, where: str = "") -> str:
        """A CURIE with a known prefix as a full IRI; an IRI as it is."""
        prefix, sep, local = text.partition(":")
        if sep and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        # A typo in a prefix would otherwise pass as an IRI of an unheard-of scheme ("nope:1").
        if prefix.lower() in _IRI_SCHEMES and _ANY_IRI.match(text.replace("{", "").replace("}", "")):
            return text
        raise InputError(
            f"{self.path}: {where}: {text!r} is neither a known prefix:name nor an IRI "
            f"(prefixes: {', '.join(sorted(self.prefixes))})"
        )

    def columns(self) -> set[str]:
        """Every column the mapping reads."""
        used = set()
        for resource in self.resources:
            used |= set(re.findall(r"\{([^{}]+)\}", resource.subject))
            for prop in resource.properties:
                if prop.column:
                    used.add(prop.column)
                if prop.template:
                    used |= set(re.findall(r"\{([^{}]+)\}", prop.template))
        return used

    def triples(self, csv_path: Path) -> list[tuple[ox.NamedNode, ox.NamedNode, Any]]:
        """Every row as triples; the first bad cell raises an ``InputError`` naming row and column."""
        try:
            text = csv_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{csv_path}: cannot read: {exc}") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = sorted(self.columns() - set(header))
        if missing:
            raise InputError(
                f"{self.path}: the mapping reads column(s) {', '.join(missing)} that {csv_path.name} "
                f"lacks (its columns: {', '.join(header) or 'none'})"
            )
        out: list[tuple[ox.NamedNode, ox.NamedNode, Any]] = []
        for number, row in enumerate(reader, start=1):
            where = f"{csv_path}:{reader.line_num}: row {number}"
            if None in row or any(v is None for v in row.values()):
                raise InputError(f"{where}: {len(header)} columns expected, the row has a different count")
            for resource in self.resources:
                subject = ox.NamedNode(self._fill(resource.subject, row, where, iri=True))
                for cls in resource.classes:
                    out.append((subject, ox.NamedNode(str(RDF.type)), ox.NamedNode(cls)))
                for prop in resource.properties:
                    term = self._object(prop, row, where)
                    if term is not None:
                        out.append((subject, ox.NamedNode(prop.predicate), term))
        return out

    def _fill(self, template: str, row: dict[str, str], where: str, *, iri: bool) -> str:
        def cell(match: re.Match[str]) -> str:
            column = match.group(1)
            value = (row.get(column) or "").strip()
            if not value:
                raise InputError(f"{where}, column {column!r}: empty, but the template {template!r} needs it")
            return quote(value, safe="-._~") if iri else value

        text = re.sub(r"\{([^{}]+)\}", cell, template)
        if iri:
            text = self.expand(text, where)
            if not _ANY_IRI.match(text):
                raise InputError(f"{where}: {text!r} is not a valid IRI")
        return text

    def _object(self, prop: PropertyMapping, row: dict[str, str], where: str) -> Any:
        if prop.column is not None:
            value = (row.get(prop.column) or "").strip()
            if not value:
                if prop.required:
                    raise InputError(f"{where}, column {prop.column!r}: empty, but required")
                return None
            if prop.iri:
                iri = self.expand(value, f"{where}, column {prop.column!r}")
                return ox.NamedNode(iri)
        else:
            assert prop.template is not None
            if not all((row.get(c) or "").strip() for c in re.findall(r"\{([^{}]+)\}", prop.template)):
                if prop.required:
                    raise InputError(f"{where}: the template {prop.template!r} needs a cell that is empty")
                return None
            value = self._fill(prop.template, row, where, iri=prop.iri)
            if prop.iri:
                return ox.NamedNode(value)
        if prop.datatype:
            check = _CHECKS.get(prop.datatype)
            if check is not None and not check(value):
                column = f", column {prop.column!r}" if prop.column else ""
                raise InputError(f"{where}{column}: {value!r} is not a valid {_curie(prop.datatype)}")
            return ox.Literal(value, datatype=ox.NamedNode(prop.datatype))
        if prop.lang:
            return ox.Literal(value, language=prop.lang)
        return ox.Literal(value)


# --- link candidates ------------------------------------------------------------------------------

# Coarse kinds, so a person is never proposed as the same as a department, nor a department as
# the same as a publication named after it. An entity of no known kind may match any kind.
_WM = "https://w3id.org/westminster-kg/ontology#"
_QB = "http://purl.org/linked-data/cube#"
_FABIO = "http://purl.org/spar/fabio/"
_KINDS = {
    "person": {str(FOAF.Person), SCHEMA + "Person"},
    "organisation": {
        ORG + "Organization",
        ORG + "FormalOrganization",
        ORG + "OrganizationalUnit",
        str(FOAF.Organization),
        SCHEMA + "Organization",
        SCHEMA + "GovernmentOrganization",
        SCHEMA + "PoliticalParty",
        _WM + "Department",
        _WM + "Unit",
        _WM + "PoliticalParty",
        _WM + "Committee",
    },
    "post": {ORG + "Post", ORG + "Role", SCHEMA + "Role"},
    "work": {
        _WM + "Publication",
        _WM + "Report",
        _WM + "Document",
        _WM + "LegalCase",
        SCHEMA + "CreativeWork",
        _FABIO + "JournalArticle",
        _FABIO + "Book",
        _FABIO + "Report",
    },
    "idea": {
        str(SKOS.Concept),
        _WM + "Idea",
        _WM + "Theory",
        _WM + "Principle",
        _WM + "Convention",
        _WM + "Doctrine",
        _WM + "Norm",
        _WM + "Ideology",
        _WM + "ModelOfGovernment",
        _WM + "Pathology",
        _WM + "Lesson",
    },
    "event": {_WM + "Reform", _WM + "Government", _WM + "Period"},
    "data": {
        _QB + "Observation",
        _QB + "DataSet",
        _QB + "DimensionProperty",
        _QB + "MeasureProperty",
        _QB + "AttributeProperty",
        _QB + "CodedProperty",
        _WM + "StatisticalObservation",
        _WM + "SourceInconsistency",
        _WM + "RhetoricalClaim",
    },
}
_CANDIDATE_LABELS = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name, URIRef(SCHEMA + "name"), DCTERMS.title)
_NOT_ENTITIES = (
    "https://w3id.org/westminster-kg/ontology#Claim",
    "https://w3id.org/westminster-kg/ontology#Evidence",
    "https://w3id.org/westminster-kg/ontology#Section",
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
        f"OPTIONAL {{ ?s a ?t }} }} VALUES ?p {{ {_values(_CANDIDATE_LABELS)} }} }}"
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
    linked = {
        (row[0], row[1])
        for row in kg.store.query(f"SELECT ?s ?o WHERE {{ ?s ?p ?o VALUES ?p {{ {_values(LINK_PREDICATES)} }} }}").rows
    }
    # With no word in common the score is at most 0.5 (Dice 0), so above that only pairs sharing a
    # word can qualify: an index by word keeps a large import from costing ours x theirs comparisons.
    by_word: dict[str, set[Any]] = defaultdict(set)
    for their, (their_labels, _types) in theirs.items():
        for label in their_labels:
            for word in _tokens(label, _STOPWORDS):
                by_word[word].add(their)
    candidates = []
    for our, (our_labels, our_types) in ours.items():
        our_kind = _kind(our_types)
        if threshold > 0.5:
            pool = set().union(*(by_word.get(w, set()) for label in our_labels for w in _tokens(label, _STOPWORDS)))
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
        if not ours.startswith(str(WMR)) or not _ANY_IRI.match(ours):
            raise InputError(f"{where}: 'ours' must be one of our entities (wmr:), not {ours!r}")
        if not _ANY_IRI.match(theirs):
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
    ours = {row[0] for row in kg.store.query("SELECT DISTINCT ?s WHERE { ?s a ?c }").rows}
    theirs = {
        row[0] for row in kg.store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}").rows
    }
    for candidate in accepted:
        if candidate.ours not in ours:
            raise InputError(f"{reviewed}: {_curie(candidate.ours)} is not an entity of the graph")
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


# --- VoID + DCAT ----------------------------------------------------------------------------------


def void_description(kg: KnowledgeGraph) -> Graph:
    """VoID and DCAT for the published dataset (ontology, article and links graphs).

    Every number — triples, entities, per-class and per-property partitions, links per linkset — is
    counted from the loaded data; title, licence, version and publisher come from the ontology's
    header, so nothing here is typed by hand twice. Imports are users' own data and not described.
    """
    graph = Graph()
    for prefix in ("dcat", "dcterms", "foaf", "rdfs", "skos", "void", "wmr", "xsd", "owl", "prov"):
        graph.bind(prefix, PREFIXES[prefix], override=True)
    published = (GRAPH_ONTOLOGY, GRAPH_ARTICLE, GRAPH_LINKS)
    # GRAPH + VALUES rather than FROM: rdflib would try to fetch FROM graphs from the web.
    in_published = "VALUES ?g { " + " ".join(f"<{g}>" for g in published) + " }"

    def distinct_triples(pattern: str) -> str:
        return f"{{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ {pattern} }} {in_published} }} }}"

    def count(sparql: str) -> int:
        rows = kg.store.query(sparql).rows
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    dataset = DATASET_IRI
    header = _ontology_header(kg)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add(
        (
            dataset,
            DCTERMS.title,
            Literal("Westminster KG: the Westminster Model article as an evidence-backed knowledge graph", lang="en"),
        )
    )
    if header.get("description"):
        graph.add((dataset, DCTERMS.description, header["description"]))
    if header.get("license"):
        graph.add((dataset, DCTERMS.license, header["license"]))
    from westminster_kg import __version__

    graph.add((dataset, OWL.versionInfo, Literal(__version__)))
    graph.add((dataset, URIRef(str(DCAT) + "version"), Literal(__version__)))  # DCAT 3
    publisher = BNode("publisher")
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(str(header.get("creator", "westminster-kg developers")))))
    graph.add((dataset, DCTERMS.source, WMR.article))
    graph.add((dataset, DCTERMS.conformsTo, URIRef("https://w3id.org/westminster-kg/ontology")))
    graph.add((dataset, VOID.uriSpace, Literal(str(WMR))))
    graph.add((dataset, VOID.sparqlEndpoint, LOCAL_SPARQL_ENDPOINT))
    service = URIRef(str(dataset) + "/sparql-service")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL endpoint of `wmkg serve`", lang="en")))
    graph.add((service, DCAT.endpointURL, LOCAL_SPARQL_ENDPOINT))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add(
        (
            service,
            SKOS.note,
            Literal(
                "The local default: `wmkg serve` listens on 127.0.0.1:8000; there is no public endpoint.", lang="en"
            ),
        )
    )

    triples = count(f"SELECT (COUNT(*) AS ?n) WHERE {distinct_triples('?s ?p ?o')}")
    graph.add((dataset, VOID.triples, Literal(triples)))
    entity_filter = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{WMR}"))'
    graph.add(
        (
            dataset,
            VOID.entities,
            Literal(
                count(
                    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE "
                    f"{{ GRAPH ?g {{ ?s a ?c }} {in_published} {entity_filter} }}"
                )
            ),
        )
    )
    graph.add(
        (
            dataset,
            VOID.distinctSubjects,
            Literal(count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {in_published} }}")),
        )
    )
    graph.add(
        (
            dataset,
            VOID.properties,
            Literal(count(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {in_published} }}")),
        )
    )

    for name, iri in (("ontology", GRAPH_ONTOLOGY), ("article", GRAPH_ARTICLE), ("links", GRAPH_LINKS)):
        subset = URIRef(f"{dataset}/graph/{name}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, DCTERMS.title, Literal(f"the {name} graph", lang="en")))
        graph.add((subset, URIRef(SD + "name"), URIRef(iri)))
        graph.add(
            (subset, VOID.triples, Literal(count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")))
        )

    classes = kg.store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} {in_published} {entity_filter} }} "
        "GROUP BY ?c ORDER BY ?c"
    ).rows
    for cls, n in classes:
        part = URIRef(f"{dataset}/class/{_partition_slug(cls)}")
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], cls))
        graph.add((part, VOID.entities, Literal(int(n))))
    properties = kg.store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {distinct_triples('?s ?p ?o')} GROUP BY ?p ORDER BY ?p"
    ).rows
    vocabularies: set[str] = set()
    for prop, n in properties:
        part = URIRef(f"{dataset}/property/{_partition_slug(prop)}")
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, prop))
        graph.add((part, VOID.triples, Literal(int(n))))
        vocabularies.add(_namespace_of(str(prop)))
    for cls, _n in classes:
        vocabularies.add(_namespace_of(str(cls)))
    for namespace in sorted(v for v in vocabularies if v and v != str(WMR)):
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))

    for example in _example_resources(kg):
        graph.add((dataset, VOID.exampleResource, example))

    links = stored_links(kg)
    per_scheme: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        # Accepted candidates form a linkset per import, whatever their IRIs look like.
        imported = [src[len(GRAPH_IMPORT) :] for src in link.sources if src.startswith(GRAPH_IMPORT)]
        key = f"import-{imported[0]}" if imported else (link.scheme.name if link.scheme else "other")
        per_scheme[key].append(link)
    for name, members in sorted(per_scheme.items()):
        linkset = URIRef(f"{dataset}/linkset/{name}")
        graph.add((dataset, VOID.subset, linkset))
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, VOID.subjectsTarget, dataset))
        graph.add((linkset, VOID.triples, Literal(len(members))))
        for predicate in sorted({m.predicate for m in members}):
            graph.add((linkset, VOID.linkPredicate, predicate))
        scheme = SCHEMES.get(name)
        if scheme is not None:
            target = URIRef(scheme.homepage)
            graph.add((linkset, DCTERMS.title, Literal(f"links to {scheme.title}", lang="en")))
            graph.add((linkset, VOID.objectsTarget, target))
            graph.add((target, RDF.type, VOID.Dataset))
            graph.add((target, DCTERMS.title, Literal(scheme.title, lang="en")))
            graph.add((target, VOID.uriSpace, Literal(scheme.uri_space)))
        elif name.startswith("import-"):
            graph.add((linkset, DCTERMS.title, Literal(f"accepted links to the import {name[7:]!r}", lang="en")))
            graph.add((linkset, VOID.objectsTarget, URIRef(GRAPH_IMPORT + name[7:])))
        else:
            graph.add((linkset, DCTERMS.title, Literal("links to other datasets", lang="en")))
    return graph


def _ontology_header(kg: KnowledgeGraph) -> dict[str, Any]:
    rows = kg.store.query(
        f"SELECT ?description ?license ?creator WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ "
        f"?o a <{OWL.Ontology}> FILTER(?o = <https://w3id.org/westminster-kg/ontology>) "
        f"OPTIONAL {{ ?o <{DCTERMS.description}> ?description }} "
        f"OPTIONAL {{ ?o <{DCTERMS.license}> ?license }} OPTIONAL {{ ?o <{DCTERMS.creator}> ?creator }} }} }}"
    ).rows
    if not rows:
        return {}
    description, license_, creator = rows[0]
    return {
        k: v for k, v in (("description", description), ("license", license_), ("creator", creator)) if v is not None
    }


def _example_resources(kg: KnowledgeGraph, limit: int = 3) -> list[URIRef]:
    """The entities most often the subject or object of a claim (ties broken by IRI)."""
    rows = kg.store.query(
        f"SELECT ?e (COUNT(?c) AS ?n) WHERE {{ GRAPH <{GRAPH_ARTICLE}> {{ "
        "?c a <https://w3id.org/westminster-kg/ontology#Claim> ; "
        f"<{RDF.subject}>|<{RDF.object}> ?e }} FILTER(isIRI(?e)) }} GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT {limit}"
    ).rows
    return [row[0] for row in rows]


def _namespace_of(iri: str) -> str:
    for namespace in sorted(PREFIXES.values(), key=len, reverse=True):
        if iri.startswith(namespace):
            return namespace
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else ""


def _partition_slug(iri: Any) -> str:
    curie = _curie(iri)
    if curie != str(iri):
        return curie.replace(":", "-")
    return hashlib.sha256(str(iri).encode()).hexdigest()[:12]


def void_turtle(kg: KnowledgeGraph) -> str:
    """The VoID description as Turtle (with the ``sd:`` prefix, which ``PREFIXES`` lacks)."""
    graph = void_description(kg)
    graph.bind("sd", SD, override=True)
    return graph.serialize(format="turtle")


__all__ = [
    "Candidate",
    "CsvMapping",
    "ImportResult",
    "Link",
    "LinkFinding",
    "LinkReport",
    "SCHEMES",
    "accept_candidates",
    "candidates_graph",
    "candidates_tsv",
    "check_links",
    "drop_import",
    "import_dataset",
    "link_candidates",
    "list_imports",
    "read_candidates",
    "stored_links",
    "void_description",
]

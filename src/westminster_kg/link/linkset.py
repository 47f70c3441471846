"""The linkset: our links to external identifiers, as stored, and their check.

A link is stored twice, like a claim: the plain triple (``wmr:x owl:sameAs wd:Q…``) and an
``rdf:Statement`` node with its provenance. ``check_links`` checks every link offline (well-formed
for its scheme, proven) and, with ``online=True``, resolves it and compares the remote label with
ours. Base URLs are injectable, so tests run the very same code against a loopback server.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from westminster_kg.internal_queries import internal_query
from westminster_kg.link.labels import compare_labels
from westminster_kg.namespaces import WD, WMR, curie
from westminster_kg.project import Project

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph


LINK_PREDICATES = (
    OWL.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)


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
            str(WD),
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
ANY_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|^`\\]+$")


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
        return f"{curie(self.entity)} {curie(self.predicate)} <{self.target}>"


def values_of(predicates: Iterable[URIRef]) -> str:
    return " ".join(f"<{p}>" for p in predicates)


def stored_links(kg: KnowledgeGraph) -> list[Link]:
    """Every link in the links graph, with its provenance, sorted by entity and target."""
    plain = kg.store.query(internal_query("links-plain")).rows
    links: dict[tuple[Any, Any, Any], Link] = {}
    for s, p, o in plain:
        links[(s, p, o)] = Link(s, p, o)
    reified = kg.store.query(internal_query("links-provenance")).rows
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
    typed = {row[0] for row in kg.store.query(internal_query("links-typed-entities")).rows}
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
        problems.append(f"{curie(link.entity)} is not an entity of the graph (no rdf:type)")
    if scheme is None:
        if not ANY_IRI.match(target):
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
    rows = kg.store.query(internal_query("links-labels")).rows
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


__all__ = [
    "ANY_IRI",
    "LINK_PREDICATES",
    "SCHEMES",
    "Link",
    "LinkFinding",
    "LinkReport",
    "LinkScheme",
    "check_links",
    "identifier_of",
    "scheme_of",
    "stored_links",
    "values_of",
]

"""``wmkg validate``: SHACL, the violation and warning queries, and the quote checks.

Violations fail validation; warnings (e.g. a total the article prints that its cells do not add up
to) are shown and never fail. Each finding names the file, the entity and what is wrong.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH

from westminster_kg.catalogue import parse_named_query
from westminster_kg.evidence import Article, leftovers, normalised, section_at, sections_from
from westminster_kg.namespaces import OA, WM, WMR, WMSH, curie
from westminster_kg.project import Project
from westminster_kg.store.oxigraph import OxigraphStore

PROV_DERIVED = PROV.wasDerivedFrom


@dataclass(frozen=True)
class Finding:
    """One problem found: where (file, entity), what, and how serious."""

    level: str  # "violation" or "warning"
    check: str
    message: str
    entity: str = ""
    file: str = ""

    def __str__(self) -> str:
        where = ": ".join(x for x in (self.file, self.entity) if x)
        return f"{where}: {self.message} [{self.check}]" if where else f"{self.message} [{self.check}]"


@dataclass
class ValidationReport:
    """Everything ``validate`` found."""

    findings: list[Finding] = field(default_factory=list)
    quotes_checked: int = 0
    # SHACL findings that restate a check query's finding for the same entity (shown once, not twice).
    shadowed: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        """Findings that fail validation."""
        return [f for f in self.findings if f.level == "violation"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings shown but not failing."""
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no violation."""
        return not self.violations


class _Locator:
    """Which file describes which subject, to name files in findings."""

    def __init__(self, project: Project, per_file: dict[Path, Graph]) -> None:
        self.files: dict[object, str] = {}
        self.graph = Graph()
        for path, graph in per_file.items():
            name = project.relative(path)
            for subject in set(graph.subjects()):
                if isinstance(subject, URIRef):
                    self.files.setdefault(subject, name)
            self.graph += graph
        self.per_file = {project.relative(p): g for p, g in per_file.items()}

    def owner(self, node: object) -> object:
        """The IRI that holds ``node`` (a blank node's nearest IRI ancestor)."""
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parents = list(self.graph.subjects(None, node))
            if not parents:
                break
            node = parents[0]
        return node

    def where(self, node: object) -> tuple[str, str]:
        """(file, entity) for a node."""
        owner = self.owner(node)
        entity = curie(owner, brackets=True) if isinstance(owner, URIRef) else ""
        return self.files.get(owner, ""), entity


def validate(project: Project, *, reuse: bool = False) -> ValidationReport:
    """Run every check over the project's files (parse errors raise ``InputError`` first).

    Args:
        project: the files to check.
        reuse: keep the report in the user's cache folder, keyed by everything it depends on (the
            files, shapes, check queries, article, this package's code and the checkers' versions),
            and return the kept one while none of that changed. SHACL alone takes seconds.
    """
    if not reuse:
        return _validate(project)
    import json

    from westminster_kg.store.user_cache import cache_home
    from westminster_kg.turtle import write_atomically

    kept = cache_home() / "validate" / f"{_inputs_fingerprint(project)}.json"
    try:
        saved = json.loads(kept.read_text(encoding="utf-8"))
        return ValidationReport([Finding(*f) for f in saved["findings"]], saved["quotes_checked"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not kept yet (or unreadable): validate and keep it
    report = _validate(project)
    saved = {"findings": [list(vars(f).values()) for f in report.findings], "quotes_checked": report.quotes_checked}
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(kept, json.dumps(saved).encode("utf-8"))
        for old in sorted(kept.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[16:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # no cache folder: the report is still right, only not kept
    return report


def _inputs_fingerprint(project: Project) -> str:
    """SHA-256 over everything a validation report depends on."""
    from importlib.metadata import version

    digest = hashlib.sha256(project.fingerprint().encode())
    package = Path(__file__).parent
    inputs = [project.shapes_path, project.article_path, *sorted((project.queries_dir / "checks").glob("*.rq"))]
    # Names relative to their folders: two checkouts with the same files share one report.
    for folder, path in [
        *((project.root, p) for p in inputs),
        *((package, p) for p in sorted(package.glob("**/*.py"))),
    ]:
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"-")
    for dependency in ("pyshacl", "rdflib", "pyoxigraph"):
        digest.update(version(dependency).encode())
    return digest.hexdigest()


def _validate(project: Project) -> ValidationReport:
    report = ValidationReport()
    # The check queries run on Oxigraph: on rdflib they took 80% of validation's 12 s.
    store = OxigraphStore()
    sources = project.source_files(include_imports=False)
    store.load(sources, project)
    per_file: dict[Path, Graph] = {}
    for source in sources:
        # Parsed again per file (already known to parse) so findings can name their file.
        per_file[source.path] = Graph().parse(source.path, format="turtle")
    locator = _Locator(project, per_file)
    data = locator.graph

    _check_article_hash(project, data, report)
    _check_quotes(project, data, locator, report)
    _check_hedge_cues(data, locator, report)
    _check_sentences(project, store, locator, report)
    _run_check_queries(project, store, locator, report)
    _run_shacl(project, data, per_file, locator, report)
    _check_imports(project, report)
    return report


def _check_imports(project: Project, report: ValidationReport) -> None:
    """Each ``imports/*.nq`` under the rules ``wmkg import`` applies (westminster_kg.import_rules): about
    its own resources only; blank nodes (from before imports named them by IRIs) are a warning."""
    import pyoxigraph as ox

    from westminster_kg.errors import InputError
    from westminster_kg.import_rules import check_import, evidenced_relations

    relations = evidenced_relations(project.root / "ontology" / "westminster.ttl")
    for source in project.source_files():
        if not source.path.is_relative_to(project.imports_dir):
            continue
        where = project.relative(source.path)
        quads, lines = [], {}
        with source.path.open("rb") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip() or line.lstrip().startswith(b"#"):
                    continue
                try:
                    parsed = list(ox.parse(line, format=ox.RdfFormat.N_QUADS))
                except SyntaxError as exc:
                    report.findings.append(Finding("violation", "import-rule", f"line {number}: {exc}", "", where))
                    break
                for quad in parsed:
                    quads.append(quad)
                    lines[quad] = number
        try:
            check_import(quads, relations, where, lines.get, source.path.stem)
        except InputError as exc:
            located, _, message = str(exc).partition(": ")  # "imports/NAME.nq:LINE", the rest
            report.findings.append(Finding("violation", "import-rule", message, "", located))
        blank = sum(1 for q in quads if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode))
        if blank:
            report.findings.append(
                Finding(
                    "warning",
                    "import-blank-nodes",
                    f"{blank} statement(s) use blank nodes, which dumps must name by RDFC-1.0 (exponential for "
                    f"look-alikes): import the file again (`wmkg import {where} --graph {source.path.stem}`) "
                    "to give them IRIs",
                    "",
                    where,
                )
            )


def _check_article_hash(project: Project, data: Graph, report: ValidationReport) -> None:
    recorded = data.value(WMR.article, WM.sha256)
    actual = hashlib.sha256(project.article_path.read_bytes()).hexdigest()
    if recorded is None:
        report.findings.append(
            Finding(
                "violation", "article-hash", "wmr:article has no wm:sha256", "wmr:article", "graph/sources/article.ttl"
            )
        )
    elif str(recorded) != actual:
        report.findings.append(
            Finding(
                "violation",
                "article-hash",
                f"the article text's SHA-256 is {actual}, but wm:sha256 records {recorded}: "
                "the quotes were checked against another text",
                "wmr:article",
                "graph/sources/article.ttl",
            )
        )


def _check_quotes(project: Project, data: Graph, locator: _Locator, report: ValidationReport) -> None:
    article = Article(project.article_text())
    hidden = leftovers(article.text)
    sections = sections_from(data)
    for selector, exact in data.subject_objects(OA.exact):
        for evidence in data.subjects(OA.hasSelector, selector):
            report.quotes_checked += 1
            file, entity = locator.where(evidence)
            quote = str(exact)
            short = repr(quote if len(quote) < 70 else quote[:69] + "…")
            positions = [
                (data.value(s, OA.start), data.value(s, OA.end))
                for s in data.objects(evidence, OA.hasSelector)
                if (s, RDF.type, OA.TextPositionSelector) in data
            ]
            if not article.find(quote):
                report.findings.append(
                    Finding("violation", "quote-verbatim", f"quote not found in the article: {short}", entity, file)
                )
                continue
            for start, end in positions:
                if start is None or end is None:
                    continue
                if not article.matches(quote, int(start), int(end)):
                    report.findings.append(
                        Finding(
                            "violation",
                            "quote-offsets",
                            f"the article at {start}..{end} does not say {short} (run `wmkg evidence locate`)",
                            entity,
                            file,
                        )
                    )
                    continue
                # What /article shows has the leftovers taken out: a quote must read the same there.
                inside = [(a, b) for a, b in hidden if a < int(end) and b > int(start)]
                if inside:
                    a, b = inside[0]
                    report.findings.append(
                        Finding(
                            "violation",
                            "quote-shown",
                            f"the quote at {start}..{end} includes {article.text[a:b]!r}, which the article reader "
                            f"does not show: quote the words around it as two spans",
                            entity,
                            file,
                        )
                    )
                section = data.value(evidence, WM.section)
                expected = section_at(sections, int(start))
                if section is not None and expected is not None and section != expected.iri:
                    report.findings.append(
                        Finding(
                            "violation",
                            "quote-section",
                            f"quote at {start} sits under {expected.label!r}, not {curie(section, brackets=True)}",
                            entity,
                            file,
                        )
                    )


def _check_hedge_cues(data: Graph, locator: _Locator, report: ValidationReport) -> None:
    """Every wm:hedgeCue must be words the claim's own quotes contain (matched as quotes are)."""
    for claim, cue in data.subject_objects(WM.hedgeCue):
        quotes = [
            normalised(str(exact))
            for evidence in data.objects(claim, PROV_DERIVED)
            for selector in data.objects(evidence, OA.hasSelector)
            for exact in data.objects(selector, OA.exact)
        ]
        needle = normalised(str(cue))
        if needle and any(needle in quote for quote in quotes):
            continue
        file, entity = locator.where(claim)
        report.findings.append(
            Finding(
                "violation",
                "hedge-cue-in-quote",
                f"the hedge cue {str(cue)!r} is not inside any of the claim's quotes",
                entity,
                file,
            )
        )


def _check_sentences(project: Project, store: OxigraphStore, locator: _Locator, report: ValidationReport) -> None:
    """Every body sentence of a triaged section is claim-backed or role-marked; passages are sentences.

    Rules ``sentence-untriaged`` (named by offsets, section and the file that declares the section
    triaged), ``passage-not-a-sentence`` and ``passage-claim-overlap`` (a role-marked sentence that
    claims also back, without ``wm:overlapReason``). See ``westminster_kg.sentences``.
    """
    from westminster_kg.sentences import sentence_inputs, triage

    sections, spans, passages, triaged = sentence_inputs(store)
    article = project.article_text()
    result = triage(article, sections, spans, [(p.start, p.end) for p in passages])
    declared = {
        str(section): name
        for name, graph in locator.per_file.items()
        for section in graph.subjects(WM.triaged, None)
        if graph.value(section, WM.triaged).toPython() is True
    }
    for row in result.sections.values():
        for sentence in row.untriaged:
            section = str(sentence.section.iri) if sentence.section else ""
            if section not in triaged:
                continue
            text = sentence.text(article)
            short = repr(text if len(text) < 70 else text[:69] + "…")
            report.findings.append(
                Finding(
                    "violation",
                    "sentence-untriaged",
                    f"body sentence at {sentence.start}..{sentence.end} in {row.label!r} is neither inside a "
                    f"claim's evidence nor role-marked (wm:Passage): {short}",
                    curie(URIRef(section), brackets=True),
                    declared.get(section, ""),
                )
            )
    stray, overlapping = set(result.stray_passages), set(result.overlapping)
    for passage in passages:
        file, entity = locator.where(URIRef(passage.iri))
        key = (passage.start, passage.end)
        if key in stray:
            message = f"the passage's offsets {passage.start}..{passage.end} are not those of one body sentence"
            report.findings.append(Finding("violation", "passage-not-a-sentence", message, entity, file))
        elif key in overlapping and not passage.overlap_reason:
            message = (
                f"the sentence at {passage.start}..{passage.end} is role-marked and inside claims' evidence too; "
                "say why with wm:overlapReason, or drop one"
            )
            report.findings.append(Finding("violation", "passage-claim-overlap", message, entity, file))


def _run_check_queries(project: Project, store: OxigraphStore, locator: _Locator, report: ValidationReport) -> None:
    for path in sorted((project.queries_dir / "checks").glob("*.rq")):
        level = "warning" if path.stem.endswith("-warning") else "violation"
        named = parse_named_query(path)
        result = store.query(named.sparql)
        for row in result.to_dicts():
            node = row.get("entity")
            file, entity = locator.where(node) if node is not None else ("", "")
            details = ", ".join(f"{k}={_show(v)}" for k, v in row.items() if k != "entity" and v is not None)
            message = named.title + (f" ({details})" if details else "")
            report.findings.append(Finding(level, path.stem, message, entity, file))


def _show(value: object) -> str:
    if isinstance(value, URIRef):
        return curie(value, brackets=True)
    if isinstance(value, Literal) and isinstance(value.toPython(), int | float | Decimal):
        return str(value)
    text = str(value)
    return repr(text if len(text) < 80 else text[:79] + "…")


class _PreparedQueries(Graph):
    """A graph that parses and translates each SPARQL text once.

    pyshacl runs a SPARQL constraint once per focus node, always the same text with a different
    ``$this`` binding, and rdflib parses the text every time: on the whole graph that parsing was
    about three quarters of ``wmkg validate``. A prepared query with ``initBindings`` is rdflib's
    own way to run one text many times.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201 - rdflib's signature
        if isinstance(query_object, str) and not kwargs.get("initNs") and not kwargs.get("base"):
            from rdflib.plugins.sparql import prepareQuery

            if query_object not in self._prepared:
                self._prepared[query_object] = prepareQuery(query_object)
            query_object = self._prepared[query_object]
        return super().query(query_object, *args, **kwargs)


def _run_shacl(
    project: Project,
    data: Graph,
    per_file: dict[Path, Graph],
    locator: _Locator,
    report: ValidationReport,
) -> None:
    """Findings named after the shape that fired (``shacl:claim-stance``), each problem once.

    A shape marked ``wmsh:mirrors "NAME"`` restates the check query ``NAME``; its finding is kept
    aside in ``report.shadowed`` when that query already reported the same entity.
    """
    if not project.shapes_path.is_file():
        return
    from pyshacl import validate as shacl_validate

    shapes = Graph().parse(project.shapes_path, format="turtle")
    # pyshacl would copy the data anyway (advanced mode); our copy parses each SPARQL text once.
    target = _PreparedQueries()
    target += data
    conforms, results_graph, _ = shacl_validate(
        target, shacl_graph=shapes, advanced=True, allow_warnings=True, inplace=True
    )
    if conforms:
        return
    reported = {(f.check, f.entity) for f in report.findings}
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in results_graph:
            continue  # reported through the result it details
        focus = results_graph.value(result, SH.focusNode)
        value = results_graph.value(result, SH.value)
        # A nested shape (sh:node) failed: name the innermost shape, which says what is wrong.
        cause = result
        while (detail := results_graph.value(cause, SH.detail)) is not None:
            cause = detail
        shape = results_graph.value(cause, SH.sourceConstraint) or results_graph.value(cause, SH.sourceShape)
        if not isinstance(shape, URIRef) or (shape, RDF.type, SH.SPARQLConstraint) not in shapes:
            shape = results_graph.value(cause, SH.sourceShape)
        message = results_graph.value(cause, SH.resultMessage)
        file, entity = locator.where(focus)
        if value is not None and isinstance(value, URIRef):
            vfile, ventity = locator.where(value)
            file, entity = vfile or file, f"{ventity} ({entity})"
        check = "shacl:" + (str(shape).rsplit("#", 1)[-1] if isinstance(shape, URIRef) else "shape")
        finding = Finding("violation", check, str(message), entity, file)
        mirrored = shapes.value(shape, WMSH.mirrors) if shape is not None else None
        entities = {locator.where(node)[1] for node in (focus, value) if node is not None}
        if mirrored is not None and any((str(mirrored), e) in reported for e in entities):
            report.shadowed.append(finding)
        else:
            report.findings.append(finding)


__all__ = ["Finding", "ValidationReport", "validate"]

"""The checks ``wmkg validate`` runs in Python: the article's hash, every quote and hedge cue, the triage of
the article's sentences, and the rules imports follow."""

from __future__ import annotations

import hashlib

from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from westminster_kg.evidence import Article, leftovers, normalised, section_at, sections_from
from westminster_kg.namespaces import OA, WM, WMR, curie
from westminster_kg.project import Project
from westminster_kg.validate.dataset import GraphView, ProjectData
from westminster_kg.validate.report import Finding, ValidationReport

# Each attribute of an rdflib namespace is a new IRI, built and checked on every use: the terms the
# per-quote loops use are built once here.
PROV_DERIVED = PROV.wasDerivedFrom
EXACT, HAS_SELECTOR, START, END = OA.exact, OA.hasSelector, OA.start, OA.end
POSITION_SELECTOR, SECTION, HEDGE_CUE, TYPE = OA.TextPositionSelector, WM.section, WM.hedgeCue, RDF.type


def check_imports(project: Project, report: ValidationReport) -> None:
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


def check_article_hash(project: Project, data: GraphView, report: ValidationReport) -> None:
    """``wmr:article``'s ``wm:sha256`` is the article text's: each one recorded, when there are several."""
    recorded = sorted(str(value) for value in data.objects(WMR.article, WM.sha256))
    actual = hashlib.sha256(project.article_path.read_bytes()).hexdigest()
    where = ("wmr:article", "graph/sources/article.ttl")
    if not recorded:
        report.findings.append(Finding("violation", "article-hash", "wmr:article has no wm:sha256", *where))
    for value in recorded:
        if value != actual:
            message = (
                f"the article text's SHA-256 is {actual}, but wm:sha256 records {value}: "
                "the quotes were checked against another text"
            )
            report.findings.append(Finding("violation", "article-hash", message, *where))


def check_quotes(project: Project, data: GraphView, locator: ProjectData, report: ValidationReport) -> None:
    """Every quote is the article's words, at its offsets, shown by the reader, under its section."""
    article = Article(project.article_text())
    hidden = leftovers(article.text)
    sections = sections_from(data)
    for selector, exact in data.subject_objects(EXACT):
        for evidence in data.subjects(HAS_SELECTOR, selector):
            report.quotes_checked += 1
            problems = _quote_problems(data, article, hidden, sections, evidence, str(exact))
            if problems:
                file, entity = locator.where(evidence)  # looked up only for a finding
                report.findings += [Finding("violation", check, message, entity, file) for check, message in problems]


def _quote_problems(
    data: GraphView, article: Article, hidden: list[tuple[int, int]], sections: list, evidence: object, quote: str
) -> list[tuple[str, str]]:
    """(check, message) for each problem of one evidence span's quote."""
    short = repr(quote if len(quote) < 70 else quote[:69] + "…")
    if not article.find(quote):
        return [("quote-verbatim", f"quote not found in the article: {short}")]
    problems = []
    positions = [
        (data.value(s, START), data.value(s, END))
        for s in data.objects(evidence, HAS_SELECTOR)
        if (s, TYPE, POSITION_SELECTOR) in data
    ]
    for start, end in positions:
        if start is None or end is None:
            continue
        if not article.matches(quote, int(start), int(end)):
            problems.append(
                ("quote-offsets", f"the article at {start}..{end} does not say {short} (run `wmkg evidence locate`)")
            )
            continue
        # What /article shows has the leftovers taken out: a quote must read the same there.
        inside = [(a, b) for a, b in hidden if a < int(end) and b > int(start)]
        if inside:
            a, b = inside[0]
            problems.append(
                (
                    "quote-shown",
                    f"the quote at {start}..{end} includes {article.text[a:b]!r}, which the article reader "
                    f"does not show: quote the words around it as two spans",
                )
            )
        section = data.value(evidence, SECTION)
        expected = section_at(sections, int(start))
        if section is not None and expected is not None and section != expected.iri:
            shown = curie(section, brackets=True)
            problems.append(("quote-section", f"quote at {start} sits under {expected.label!r}, not {shown}"))
    return problems


def check_hedge_cues(data: GraphView, locator: ProjectData, report: ValidationReport) -> None:
    """Every wm:hedgeCue must be words the claim's own quotes contain (matched as quotes are)."""
    for claim, cue in data.subject_objects(HEDGE_CUE):
        quotes = [
            normalised(str(exact))
            for evidence in data.objects(claim, PROV_DERIVED)
            for selector in data.objects(evidence, HAS_SELECTOR)
            for exact in data.objects(selector, EXACT)
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


def check_sentences(project: Project, locator: ProjectData, report: ValidationReport) -> None:
    """Every body sentence of a triaged section is claim-backed or role-marked; passages are sentences.

    Rules ``sentence-untriaged`` (named by offsets, section and the file that declares the section
    triaged), ``passage-not-a-sentence`` and ``passage-claim-overlap`` (a role-marked sentence that
    claims also back, without ``wm:overlapReason``). See ``westminster_kg.sentences``.
    """
    from westminster_kg.sentences import sentence_inputs, triage

    sections, spans, passages, triaged = sentence_inputs(locator.store)
    article = project.article_text()
    result = triage(article, sections, spans, [(p.start, p.end) for p in passages])
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
                    locator.triaged_in().get(section, ""),
                )
            )
    stray, overlapping = set(result.stray_passages), set(result.overlapping)
    for passage in passages:
        key = (passage.start, passage.end)
        if key in stray:
            check = "passage-not-a-sentence"
            message = f"the passage's offsets {passage.start}..{passage.end} are not those of one body sentence"
        elif key in overlapping and not passage.overlap_reason:
            check = "passage-claim-overlap"
            message = (
                f"the sentence at {passage.start}..{passage.end} is role-marked and inside claims' evidence too; "
                "say why with wm:overlapReason, or drop one"
            )
        else:
            continue
        file, entity = locator.where(URIRef(passage.iri))
        report.findings.append(Finding("violation", check, message, entity, file))


__all__ = ["check_article_hash", "check_hedge_cues", "check_imports", "check_quotes", "check_sentences"]

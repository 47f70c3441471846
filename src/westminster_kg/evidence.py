"""Quotes and their place in the article: matching, offsets, sections and coverage.

Matching rule (the one fixed way): every run of white space becomes one space, and typographic
single quotes (‘ ’ ‚ ‛) become ' and double quotes (“ ” „) become ", in both the quote and the
article. Nothing else is normalised: spelling, case, dashes and ellipses must match exactly.
Offsets are ``str`` indices (Unicode code points) into the article text, end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from westminster_kg.errors import InputError
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import GRAPH_ONTOLOGY, OA, WM, WMR
from westminster_kg.project import Project
from westminster_kg.turtle import canonical_turtle, write_atomically

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
# What the article's conversion from Word left in the text ("[bookmark: n84]"): kept in the source
# file, so every offset stays what it is, but never shown to a reader and never part of a quote.
CONVERSION_LEFTOVER = re.compile(r"\[bookmark: [^\]\n]*\]")


def leftovers(text: str) -> list[tuple[int, int]]:
    """(start, end) of every conversion leftover in ``text``, in order."""
    return [match.span() for match in CONVERSION_LEFTOVER.finditer(text)]


def shown_text(text: str) -> str:
    """``text`` as the article reader shows it: the conversion leftovers taken out."""
    return CONVERSION_LEFTOVER.sub("", text)


_SPACES = re.compile(r"\s+")  # runs of str.isspace() characters (re's \s is the same test)
_RUNS = re.compile(r"\s+|\S+")


def normalise(text: str) -> tuple[str, list[int]]:
    """The text normalised for matching, and for each of its characters the source index.

    Curly quotes become straight ones and each run of white space one space (at the run's first index).
    """
    chars: list[str] = []
    index: list[int] = []
    # By runs rather than by character: the article is normalised on every validate.
    for run in _RUNS.finditer(text.translate(_QUOTES)):
        start, end = run.span()
        if run.group()[0].isspace():
            chars.append(" ")
            index.append(start)
        else:
            chars.append(run.group())
            index.extend(range(start, end))
    return "".join(chars), index


def normalised(text: str) -> str:
    """Only the normalised text (see ``normalise``), stripped."""
    # What normalise gives without its index, without a Python loop over each character: validate
    # normalises every quote three times.
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


@lru_cache(maxsize=4)
def _normalised_article(text: str) -> tuple[str, tuple[int, ...]]:
    # The article is the same text on every validate (a notebook's, a test suite's): normalised once.
    norm, index = normalise(text)
    return norm, tuple(index)


class Article:
    """The article text with its normalised form, for fast repeated quote look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.index = _normalised_article(text)

    def find(self, quote: str) -> list[tuple[int, int]]:
        """Every (start, end) in the source text where ``quote`` occurs (after normalising)."""
        needle = normalised(quote)
        if not needle:
            return []
        spans = []
        start = self.norm.find(needle)
        while start >= 0:
            end_norm = start + len(needle) - 1
            spans.append((self.index[start], self.index[end_norm] + 1))
            start = self.norm.find(needle, start + 1)
        return spans

    def matches(self, quote: str, start: int, end: int) -> bool:
        """Whether ``quote`` is what the article says at ``start``..``end``."""
        if not (0 <= start < end <= len(self.text)):
            return False
        return normalised(self.text[start:end]) == normalised(quote)


@dataclass(frozen=True)
class Section:
    """A headed section of the article."""

    iri: URIRef
    label: str
    start: int
    end: int
    order: int


def sections_from(graph: Graph) -> list[Section]:
    """The article's sections as recorded in ``graph/sources/article.ttl``, in order."""
    out = []
    for section in graph.subjects(RDF.type, WM.Section):
        selector = graph.value(section, OA.hasSelector)
        start = graph.value(selector, OA.start)
        end = graph.value(selector, OA.end)
        if start is None or end is None:
            continue
        out.append(
            Section(
                URIRef(section),
                str(graph.value(section, RDFS.label)),
                int(start),
                int(end),
                int(graph.value(section, WM.order) or 0),
            )
        )
    return sorted(out, key=lambda s: s.start)


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The section holding ``offset``."""
    for section in sections:
        if section.start <= offset < section.end:
            return section
    return None


@dataclass
class LocateReport:
    """What ``locate`` did."""

    located: int = 0
    changed_files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _load_curated(project: Project) -> dict[Path, Graph]:
    graphs = {}
    for source in project.curated_files():
        if source.graph == GRAPH_ONTOLOGY:
            continue
        graph = Graph()
        try:
            graph.parse(source.path, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for bad syntax
            line = getattr(exc, "lines", None)
            where = (
                f"{project.relative(source.path)}:{line + 1}"
                if isinstance(line, int)
                else (project.relative(source.path))
            )
            raise InputError(f"{where}: {getattr(exc, '_why', None) or exc}") from exc
        graphs[source.path] = graph
    return graphs


def _owner(graph: Graph, evidence: BNode | URIRef) -> URIRef | None:
    for subject in graph.subjects(PROV.wasDerivedFrom, evidence):
        if isinstance(subject, URIRef):
            return subject
    return None


def locate(project: Project, *, write: bool = True) -> LocateReport:
    """Fill in offsets, sections and claim labels for every quote in the curated files.

    Curators write only ``oa:exact``; this computes the ``oa:TextPositionSelector``, the
    ``wm:section`` and, for claims without a label, "subject relation object". A quote that is
    not in the article, or is ambiguous with no prefix/suffix or position to decide, is reported.
    Files are rewritten (canonically, atomically) only when something changed.
    """
    article = Article(project.article_text())
    graphs = _load_curated(project)
    union = Graph()
    for graph in graphs.values():
        union += graph
    ontology = Graph()
    for source in project.curated_files():
        if source.graph == GRAPH_ONTOLOGY:
            ontology.parse(source.path, format="turtle")
    sections = sections_from(union)
    labels = {}
    for g in (union, ontology):
        for s, o in g.subject_objects(RDFS.label):
            labels.setdefault(s, str(o))
        for s, o in g.subject_objects(SKOS.prefLabel):
            labels.setdefault(s, str(o))
    report = LocateReport()
    for path, graph in graphs.items():
        before = set(graph)
        where = project.relative(path)
        for selector, exact in list(graph.subject_objects(OA.exact)):
            evidences = list(graph.subjects(OA.hasSelector, selector))
            if not evidences:
                continue
            evidence = evidences[0]
            owner = _owner(graph, evidence)
            name = owner.n3(graph.namespace_manager) if owner else "(evidence)"
            spans = article.find(str(exact))
            if not spans:
                report.errors.append(f"{where}: {name}: quote not found in the article: {_short(exact)}")
                continue
            position = _position_selector(graph, evidence)
            current = None
            if position is not None:
                start, end = graph.value(position, OA.start), graph.value(position, OA.end)
                if start is not None and end is not None:
                    current = (int(start), int(end))
            chosen = _choose(graph, selector, spans, current, article)
            if chosen is None:
                report.errors.append(
                    f"{where}: {name}: quote occurs {len(spans)} times; add oa:prefix or oa:suffix "
                    f"to say which: {_short(exact)}"
                )
                continue
            if position is None:
                position = BNode()
                graph.add((evidence, OA.hasSelector, position))
                graph.add((position, RDF.type, OA.TextPositionSelector))
            graph.set((position, OA.start, Literal(chosen[0], datatype=XSD.integer)))
            graph.set((position, OA.end, Literal(chosen[1], datatype=XSD.integer)))
            if (evidence, OA.hasSource, None) not in graph:
                graph.add((evidence, OA.hasSource, WMR.article))
            if (evidence, RDF.type, None) not in graph:
                graph.add((evidence, RDF.type, WM.Evidence))
            section = section_at(sections, chosen[0])
            if section is not None:
                graph.set((evidence, WM.section, section.iri))
            report.located += 1
        for claim in graph.subjects(RDF.type, WM.Claim):
            if (claim, RDFS.label, None) in graph:
                continue
            parts = [graph.value(claim, p) for p in (RDF.subject, RDF.predicate, RDF.object)]
            if all(parts):
                text = " ".join(labels.get(p, str(p).rsplit("/", 1)[-1]) for p in parts)
                graph.add((claim, RDFS.label, Literal(text, lang="en")))
        if set(graph) != before:
            report.changed_files.append(where)
            if write:
                write_atomically(path, canonical_turtle(graph).encode("utf-8"))
    return report


def _position_selector(graph: Graph, evidence: BNode | URIRef) -> BNode | URIRef | None:
    for selector in graph.objects(evidence, OA.hasSelector):
        if (selector, RDF.type, OA.TextPositionSelector) in graph:
            return selector
    return None


def _choose(
    graph: Graph,
    selector: BNode | URIRef,
    spans: list[tuple[int, int]],
    current: tuple[int, int] | None,
    article: Article,
) -> tuple[int, int] | None:
    if len(spans) == 1:
        return spans[0]
    if current in spans:
        return current
    prefix = graph.value(selector, OA.prefix)
    suffix = graph.value(selector, OA.suffix)
    fitting = []
    for start, end in spans:
        ok = True
        if prefix is not None:
            ok &= normalised(article.text[max(0, start - 200) : start]).endswith(normalised(str(prefix)))
        if suffix is not None:
            ok &= normalised(article.text[end : end + 200]).startswith(normalised(str(suffix)))
        if ok:
            fitting.append((start, end))
    if (prefix is not None or suffix is not None) and len(fitting) == 1:
        return fitting[0]
    return None


def _short(text: object, limit: int = 70) -> str:
    value = str(text).replace("\n", " ")
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


# --- coverage ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: one line of the article that is argument, not heading or table cell."""

    start: int
    end: int
    section: Section | None

    def text(self, article: str) -> str:
        """Its text."""
        return article[self.start : self.end]


_TABLE_CAPTION = re.compile(r"^\s*Table \d+[.:]")


def body_paragraphs(article: str, sections: list[Section]) -> list[Paragraph]:
    """The body paragraphs: lines that are not blank, not headings, titles or table cells.

    Table cells are the lines from a "Table N" caption up to the next long paragraph (column
    headers with inline endnotes included); they are data, covered by the tables, not argument.
    """
    # A section's first line is its heading only when it reads as the heading: the Introduction has
    # none, and its first paragraph (the article's dilemma) is body text.
    heads = {s.start: s.label.strip() for s in sections}
    paragraphs = []
    offset = 0
    in_table = False
    for line in article.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        text = line.strip()
        if not text:
            continue
        section = section_at(sections, start)
        if heads.get(start) == text or (section is not None and section.order == 0):
            continue
        if _TABLE_CAPTION.match(line):
            in_table = True
            continue
        if in_table:
            # Column headers carry their endnotes inline and can be long; prose ends the table.
            if len(text) < 120 or "[endnoteRef" in text:
                continue
            in_table = False
        lead = len(line) - len(line.lstrip())
        paragraphs.append(Paragraph(start + lead, end, section))
    return paragraphs


@dataclass
class CoverageReport:
    """Per-section coverage of body paragraphs by evidence spans."""

    rows: list[tuple[str, int, int]]  # section label, covered, total
    uncovered: list[Paragraph]

    @property
    def covered(self) -> int:
        """Covered paragraphs in all."""
        return sum(r[1] for r in self.rows)

    @property
    def total(self) -> int:
        """Body paragraphs in all."""
        return sum(r[2] for r in self.rows)

    @property
    def share(self) -> float:
        """Covered share, 0..1."""
        return self.covered / self.total if self.total else 0.0


def coverage(article: str, sections: list[Section], spans: list[tuple[int, int]]) -> CoverageReport:
    """How many body paragraphs of each section hold at least one evidence span."""
    paragraphs = body_paragraphs(article, sections)
    rows: dict[str, list[int]] = {}
    uncovered = []
    for paragraph in paragraphs:
        label = paragraph.section.label if paragraph.section else "(no section)"
        counts = rows.setdefault(label, [0, 0])
        counts[1] += 1
        if any(s < paragraph.end and e > paragraph.start for s, e in spans):
            counts[0] += 1
        else:
            uncovered.append(paragraph)
    return CoverageReport([(k, v[0], v[1]) for k, v in rows.items()], uncovered)


def coverage_report(kg: KnowledgeGraph) -> tuple[CoverageReport, str]:
    """Coverage of the article by the evidence in ``kg``, with the article text."""
    sections = sorted(
        (
            Section(URIRef(s), str(label), int(start), int(end), int(order))
            for s, label, start, end, order in kg.store.query(internal_query("coverage-sections")).rows
        ),
        key=lambda s: s.start,
    )
    spans = [(int(s), int(e)) for s, e in kg.store.query(internal_query("coverage-spans")).rows]
    article = kg.project.article_text()
    return coverage(article, sections, spans), article

"""Claims as the scholarly exports read them: triple or proposition, stance, modality, and each quote
placed in the article (exact text, prefix, suffix, offsets, section); the dataset's citation facts.

Every export and the claim pages build on ``load_claims``, which refuses (``InputError``, naming the
claim, its file and line) a claim without evidence, a quote without offsets, or offsets that do not
give the quote: such a claim is reported, never exported half.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef

from westminster_kg.bound import BoundQuery, internal, run
from westminster_kg.errors import InputError
from westminster_kg.evidence import normalised
from westminster_kg.link.void import DATASET_IRI, DATASET_TITLE
from westminster_kg.namespaces import WMR, curie, local_name

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.store import QueryResult

# Characters of context on each side of a quote (what Hypothesis's client keeps in its selectors).
CONTEXT = 32

Ask = Callable[[BoundQuery], "QueryResult"]


def store_asker(kg: KnowledgeGraph) -> Ask:
    """``Ask`` answered in this process from ``kg``'s store (the CLI; the web app passes its pool)."""
    return lambda query: run(kg.store, query)


@dataclass(frozen=True)
class DatasetInfo:
    """What a citation of the dataset says: title, version, date, licence, creator, source article."""

    title: str
    version: str
    issued: str
    license: str
    creator: str
    description: str
    article_title: str
    article_sha256: str
    iri: str = str(DATASET_IRI)


def dataset_info(ask: Ask) -> DatasetInfo:
    """The dataset's citation facts: the ontology's header (as VoID reads it) and the article's title."""
    from westminster_kg import __version__

    rows = ask(internal("scholarly-dataset")).to_dicts()
    row = rows[0] if rows else {}

    def text(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value)

    return DatasetInfo(
        title=DATASET_TITLE,
        version=__version__,  # as VoID states it: the package's version is the dataset's
        issued=text("issued"),
        license=text("license"),
        creator=text("creator"),
        description=text("description"),
        article_title=text("articleTitle"),
        article_sha256=text("articleSha256"),
    )


@dataclass(frozen=True)
class Span:
    """One quote in its place: ``exact`` is the article's own characters ``[start, end)``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    section: str = ""
    section_label: str = ""


@dataclass
class ClaimRecord:
    """One claim (a reified triple, or a proposition without one) with everything the exports carry."""

    iri: str
    label: str = ""
    subject: str = ""
    relation: str = ""
    object: str = ""
    relation_label: str = ""
    proposition: bool = False
    stance: str = ""
    stance_label: str = ""
    modality: str = ""
    modality_label: str = ""
    cues: list[str] = field(default_factory=list)
    attributed: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)
    temporal: list[str] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # labels of the IRIs above
    spans: list[Span] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """The claim's ``wmr:`` slug: its page is ``/id/SLUG``, its passage ``/article#SLUG``."""
        return self.iri[len(str(WMR)) :] if self.iri.startswith(str(WMR)) else local_name(self.iri)

    @property
    def has_triple(self) -> bool:
        """Whether the claim reifies a triple (a proposition does not)."""
        return bool(self.subject and self.relation and self.object)

    def name(self, iri: str) -> str:
        """The label of one of the claim's IRIs, else its CURIE."""
        return self.labels.get(iri) or curie(iri)


def span_at(text: str, start: int, end: int, **section: str) -> Span:
    """The quote ``text[start:end]`` with ``CONTEXT`` characters of prefix and suffix."""
    return Span(
        start, end, text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT], **section
    )


def load_claims(ask: Ask, text: str, root: Any = None, claims: Iterable[URIRef] | None = None) -> list[ClaimRecord]:
    """Every claim (or only ``claims``) with its facts and spans, in IRI order.

    Args:
        ask: how queries are answered (``store_asker(kg)``, or the web app's worker pool).
        text: the article's text, into which the offsets point.
        root: the project folder, to name a faulty claim's file and line (optional).
        claims: only these claims (a claim page); all when ``None``.

    Raises:
        InputError: a claim without a quote, a quote without offsets, or offsets that do not give the
            quote (``wmkg validate`` fails on all three); nothing is exported then.
    """
    only = {"claim": tuple(claims)} if claims is not None else {}
    records: dict[str, ClaimRecord] = {}
    for row in ask(internal("scholarly-claims", **only)).to_dicts():
        record = ClaimRecord(
            str(row["claim"]),
            label=_text(row["label"]),
            subject=_text(row["subject"]),
            relation=_text(row["relation"]),
            object=_text(row["object"]),
            relation_label=_text(row["relationLabel"]),
            proposition=_true(row["proposition"]),
            stance=_text(row["stance"]),
            stance_label=_text(row["stanceLabel"]),
            modality=_text(row["modality"]),
            modality_label=_text(row["modalityLabel"]),
        )
        record = records.setdefault(record.iri, record)
        for end in ("subject", "object"):  # one label each (a second label in a row is the same entity's)
            if row[end] is not None and row[end + "Label"] is not None:
                record.labels.setdefault(str(row[end]), str(row[end + "Label"]))
    for row in ask(internal("scholarly-claim-links", **only)).to_dicts():
        record = records.get(str(row["claim"]))
        if record is None:
            continue
        values = getattr(record, {"cue": "cues"}.get(str(row["key"]), str(row["key"])))
        value = str(row["value"])
        if value not in values:
            values.append(value)
        if row["valueLabel"] is not None:
            record.labels[value] = str(row["valueLabel"])
    problems: list[str] = []
    for row in ask(internal("scholarly-claim-evidence", **only)).to_dicts():
        record = records.get(str(row["claim"]))
        if record is None:
            continue
        problem = _add_span(record, row, text)
        if problem:
            problems.append(_where(root, record.iri) + problem)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{problems[0]}{more}: run `wmkg evidence locate` and `wmkg validate`; nothing exported")
    for record in records.values():
        record.spans.sort(key=lambda s: (s.start, s.end))
    return sorted(records.values(), key=lambda r: r.iri)


def _add_span(record: ClaimRecord, row: dict[str, Any], text: str) -> str:
    """Add the row's span to ``record``; the problem with it, if any, as words."""
    claim = curie(record.iri)
    if row["evidence"] is None:
        return f"claim {claim} has no evidence (no quote)"
    if row["quote"] is None:
        return f"claim {claim} has evidence without a quote (oa:exact)"
    start, end = _int(row["start"]), _int(row["end"])
    if start is None or end is None:
        return f"claim {claim}: the quote {_short(str(row['quote']))!r} has no offsets (oa:start/oa:end)"
    if not (0 <= start < end <= len(text)) or normalised(text[start:end]) != normalised(str(row["quote"])):
        return f"claim {claim}: offsets {start}-{end} do not give the quote {_short(str(row['quote']))!r}"
    span = span_at(text, start, end, section=_text(row["section"]), section_label=_text(row["sectionLabel"]))
    if span not in record.spans:
        record.spans.append(span)
    return ""


def _where(root: Any, iri: str) -> str:
    """``graph/claims/x.ttl:12: `` for the block that defines ``iri`` in the project, else nothing."""
    if root is None:
        return ""
    from pathlib import Path

    head = curie(iri) + " "
    for path in sorted(Path(root).glob("graph/**/*.ttl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith(head):
                return f"{path.relative_to(root)}:{number}: "
    return ""


def _text(term: Any) -> str:
    return "" if term is None else str(term)


def _true(term: Any) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def _int(term: Any) -> int | None:
    try:
        return int(str(term)) if term is not None else None
    except ValueError:
        return None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "CONTEXT",
    "Ask",
    "ClaimRecord",
    "DatasetInfo",
    "Span",
    "dataset_info",
    "load_claims",
    "span_at",
    "store_asker",
]

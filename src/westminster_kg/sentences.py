"""The article's body sentences and their triage: claim-backed, role-marked or untriaged.

**Body sentences** (the one definition; ``docs/curation.md`` says why): the article's text after its
title line, to the end — the abstract, every section, the quoted block passages and the endnotes —
less the headings and the table cells (``evidence.body_paragraphs``). Each paragraph is cut into
segments first: an endnote's text (``[2: The Carltona Doctrine …]``) is a segment of its own, and the
editing marks ``[endnoteRef:N]`` and ``[bookmark: …]`` are not text. Each segment is split into
sentences by pysbd (rule-based sentence boundary detection, English rules); a bare list number
("7.") is joined to the sentence it numbers; a piece with no letter ("]") is not a sentence. Every
sentence counts, however short: a 31-character rhetorical question is a sentence to triage too.

**Claim-backed**: every letter and digit of the sentence lies inside the quote span of some
``wm:Claim`` (several claims' spans may together cover it), leaving out only parenthesised
citations that hold a year ("(see Richards 2008; Diamond 2013)"). A sentence one of whose clauses no
claim quotes is not claim-backed, however much of it is.

**Role-marked**: a ``wm:Passage`` has exactly the sentence's offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from westminster_kg.evidence import Section, body_paragraphs, section_at
from westminster_kg.internal_queries import internal_query

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

# Editing marks of the source file, not the article's words: blanked (offsets kept).
_MARKS = re.compile(r"\[endnoteRef:\d+\]|\[bookmark: [^\]]*\]")
_ENDNOTE_OPEN = re.compile(r"\[(\d+):")
_LIST_NUMBER = re.compile(r"^\d+\.$")
_CITATION = re.compile(r"\([^()]*\b(?:1[89]|20)\d\d[a-z]?\b[^()]*\)")
_CONTENT = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Sentence:
    """One body sentence: its offsets (end exclusive) and section."""

    start: int
    end: int
    section: Section | None

    def text(self, article: str) -> str:
        """The sentence as the article prints it."""
        return article[self.start : self.end]


@lru_cache(maxsize=1)
def _segmenter():  # noqa: ANN202 - pysbd has no type hints
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _segments(article: str, start: int, end: int) -> list[tuple[int, int]]:
    """The paragraph ``start..end`` cut into prose and endnote texts (each endnote on its own)."""
    text = article[start:end]
    pieces: list[tuple[int, int]] = []
    cursor = 0
    for match in _ENDNOTE_OPEN.finditer(text):
        if match.start() < cursor:
            continue  # an endnote inside an endnote's text (none in the article)
        depth, close = 0, len(text)
        for i in range(match.start(), len(text)):
            depth += {"[": 1, "]": -1}.get(text[i], 0)
            if depth == 0:
                close = i
                break
        pieces.append((start + cursor, start + match.start()))
        pieces.append((start + match.end(), start + close))
        cursor = close + 1
    pieces.append((start + cursor, end))
    return [(a, b) for a, b in pieces if article[a:b].strip()]


def segment_spans(text: str) -> list[tuple[int, int]]:
    """pysbd's sentences of ``text`` as (start, end), as ``Segmenter.segment`` places them.

    ``segment`` finds each sentence in the text by a regular expression made of the sentence itself
    (the first match after the previous sentence, with the white space that follows): one more
    pattern compiled per sentence, a third of the time validate spent segmenting. Here ``str.find``
    does the same search (tests/test_sentences.py compares the two on the whole article).
    """
    if not text:
        return []
    spans: list[tuple[int, int]] = []
    previous_end = 0
    for sentence in _segmenter().processor(text).process():
        position = 0
        while (found := text.find(sentence, position)) >= 0:
            end = found + len(sentence)
            while end < len(text) and text[end].isspace():  # the expression's trailing \s*
                end += 1
            if end > previous_end:
                spans.append((found, end))
                previous_end = end
                break
            position = end if end > found else found + 1  # matches never overlap
    return spans


def _split(article: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence offsets in ``start..end`` (stripped of white space, marks blanked)."""
    text = _MARKS.sub(lambda m: " " * len(m.group()), article[start:end])
    spans: list[tuple[int, int]] = []
    for piece_start, piece_end in segment_spans(text):
        raw = text[piece_start:piece_end]
        lead = len(raw) - len(raw.lstrip())
        a, b = start + piece_start + lead, start + piece_start + len(raw.rstrip())
        if b <= a:
            continue
        if spans and _LIST_NUMBER.match(article[spans[-1][0] : spans[-1][1]]):
            a = spans.pop()[0]  # "7." numbers the sentence after it
        spans.append((a, b))
    return [(a, b) for a, b in spans if re.search(r"[^\W\d_]", _MARKS.sub("", article[a:b]))]


def body_sentences(article: str, sections: list[Section]) -> list[Sentence]:
    """Every body sentence of the article, in order (see the module docstring)."""
    return list(_body_sentences(article, tuple(sections)))


@lru_cache(maxsize=4)
def _body_sentences(article: str, sections: tuple[Section, ...]) -> tuple[Sentence, ...]:
    # Segmenting takes a few tenths of a second; validate and the reader ask for the same text often.
    out: list[Sentence] = []
    for paragraph in body_paragraphs(article, list(sections)):
        for seg_start, seg_end in _segments(article, paragraph.start, paragraph.end):
            for a, b in _split(article, seg_start, seg_end):
                out.append(Sentence(a, b, section_at(list(sections), a)))
    return tuple(out)


def content_offsets(article: str, sentence: Sentence) -> list[int]:
    """The offsets of the sentence's letters and digits that a claim must quote to back it."""
    text = _MARKS.sub(lambda m: " " * len(m.group()), sentence.text(article))
    text = _CITATION.sub(lambda m: " " * len(m.group()), text)
    return [sentence.start + m.start() for m in _CONTENT.finditer(text)]


@lru_cache(maxsize=4)
def _content_offsets(article: str, sections: tuple[Section, ...]) -> tuple[list[int], ...]:
    # Each body sentence's content offsets, as _body_sentences gives them: the same on every triage
    # of the same article (each validate), whatever the claims.
    return tuple(content_offsets(article, sentence) for sentence in _body_sentences(article, sections))


def covered_by(offsets: list[int], spans: Iterable[tuple[int, int]]) -> bool:
    """Whether every offset lies inside one of ``spans`` (end exclusive)."""
    merged: list[list[int]] = []  # the spans' union, as disjoint runs in order
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    starts = [start for start, _ in merged]
    for offset in offsets:
        run = bisect_right(starts, offset) - 1
        if run < 0 or offset >= merged[run][1]:
            return False
    return True


@dataclass
class SectionTriage:
    """One section's sentences by state."""

    label: str
    claim_backed: list[Sentence] = field(default_factory=list)
    role_marked: list[Sentence] = field(default_factory=list)
    untriaged: list[Sentence] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Body sentences in the section."""
        return len(self.claim_backed) + len(self.role_marked) + len(self.untriaged)


@dataclass
class Triage:
    """Every body sentence in one of three states, by section, and the passages that fit none."""

    sections: dict[str, SectionTriage]
    states: dict[tuple[int, int], str]  # (start, end) → "claim", "role" or "untriaged"
    overlapping: list[tuple[int, int]]  # role-marked sentences that are claim-backed too
    stray_passages: list[tuple[int, int]]  # passage offsets that are no body sentence's

    def count(self, state: str) -> int:
        """How many sentences are in ``state``."""
        return sum(1 for s in self.states.values() if s == state)

    @property
    def total(self) -> int:
        """Body sentences in all."""
        return len(self.states)


def triage(
    article: str,
    sections: list[Section],
    claim_spans: Iterable[tuple[int, int]],
    passage_spans: Iterable[tuple[int, int]],
) -> Triage:
    """Each body sentence's state: claim-backed wins over role-marked (an overlap is reported)."""
    claims = sorted(set(claim_spans))
    passages = set(passage_spans)
    sentences = _body_sentences(article, tuple(sections))
    by_section: dict[str, SectionTriage] = {}
    states: dict[tuple[int, int], str] = {}
    overlapping = []
    for sentence, offsets in zip(sentences, _content_offsets(article, tuple(sections)), strict=True):
        label = sentence.section.label if sentence.section else "(no section)"
        row = by_section.setdefault(label, SectionTriage(label))
        key = (sentence.start, sentence.end)
        # A sentence that is only a citation ("(Cabinet Office 2012)") has nothing a claim could quote.
        backed = bool(offsets) and covered_by(offsets, _near(claims, sentence))
        if backed:
            row.claim_backed.append(sentence)
            states[key] = "claim"
            if key in passages:
                overlapping.append(key)
        elif key in passages:
            row.role_marked.append(sentence)
            states[key] = "role"
        else:
            row.untriaged.append(sentence)
            states[key] = "untriaged"
    stray = sorted(p for p in passages if p not in states)
    return Triage(by_section, states, overlapping, stray)


def _near(spans: list[tuple[int, int]], sentence: Sentence) -> list[tuple[int, int]]:
    return [(s, e) for s, e in spans if s < sentence.end and e > sentence.start]


@dataclass(frozen=True)
class PassageRow:
    """A role-marked passage as the store holds it."""

    iri: str
    start: int
    end: int
    role: str
    reason: str
    overlap_reason: str


def sentence_inputs(store: Any) -> tuple[list[Section], list[tuple[int, int]], list[PassageRow], set[str]]:
    """Sections, claim quote spans, passages and triaged sections, from any store with ``query``."""
    sections = sorted(
        (
            Section(URIRef(s), str(label), int(start), int(end), int(order))
            for s, label, start, end, order in store.query(internal_query("coverage-sections")).rows
        ),
        key=lambda s: s.start,
    )
    spans = [(int(s), int(e)) for s, e in store.query(internal_query("sentence-claim-spans")).rows]
    passages = [
        PassageRow(str(p), int(s), int(e), str(role or ""), str(reason or ""), str(overlap or ""))
        for p, s, e, role, reason, overlap in store.query(internal_query("sentence-passages")).rows
    ]
    triaged = {str(row[0]) for row in store.query(internal_query("sentence-triaged-sections")).rows}
    return sections, spans, passages, triaged


def sentence_triage(kg: KnowledgeGraph) -> tuple[Triage, str]:
    """The triage of every body sentence in ``kg``, with the article text."""
    sections, spans, passages, _triaged = sentence_inputs(kg.store)
    article = kg.project.article_text()
    return triage(article, sections, spans, [(p.start, p.end) for p in passages]), article


__all__ = [
    "PassageRow",
    "SectionTriage",
    "Sentence",
    "Triage",
    "body_sentences",
    "segment_spans",
    "sentence_triage",
    "triage",
]

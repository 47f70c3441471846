"""Search that finds: whole words in labels, aliases and the article's quotes, every match ranked.

A needle matches a text when its words stand in the text as words, in order and next to each other
("Sir Humphrey" is not found inside "desire"); its last word may be the start of a longer word of at
least four letters ("haldan" finds "Haldane"), so a half-typed name still finds. Texts and needles are
compared as the resolver compares names (``westminster_kg.resolve.normalise``): case, accents,
typographic quotes and dashes folded, a leading "the" dropped ("the Delivery Unit"); a plural "s" is
not a different word ("special advisers" finds "Special adviser").

Matches are ranked: an entity whose label is the needle, then whose alias is, then labels and aliases
that contain it, then quotes that contain it, each with the claim (or the entity) it is evidence of.
Nothing is skipped: the caller lists every match, and jumps straight to a page only when there is
exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from westminster_kg.bound import BoundQuery, internal
from westminster_kg.namespaces import WMR, local_name
from westminster_kg.resolve import normalise

if TYPE_CHECKING:
    from westminster_kg.store import QueryResult

MIN_PREFIX = 4  # letters a half-typed last word needs before it may match the start of a longer word

# Ranks, best first: what matched and how.
LABEL_EXACT, ALIAS_EXACT, LABEL_PHRASE, ALIAS_PHRASE, QUOTE_PHRASE = range(5)
RANK_WORDS = {
    LABEL_EXACT: "its name",
    ALIAS_EXACT: "also called",
    LABEL_PHRASE: "in its name",
    ALIAS_PHRASE: "also called",
    QUOTE_PHRASE: "in a quote",
}


def stem(word: str) -> str:
    """A word without its plural "s" ("advisers" and "adviser" are one word to a reader)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def text_words(text: str) -> list[str]:
    """The words of a text as search compares them (normalised letters and digits, plurals as singulars)."""
    return [stem(w) for w in re.findall(r"[^\W_]+", normalise(text))]


def phrase_at(words: list[str], needle: list[str]) -> int:
    """Where ``needle`` stands in ``words`` as whole words (the last one may be a prefix), else -1."""
    if not needle or len(needle) > len(words):
        return -1
    *whole, last = needle
    for i in range(len(words) - len(needle) + 1):
        if words[i : i + len(whole)] == whole:
            word = words[i + len(whole)]
            if word == last or (len(last) >= MIN_PREFIX and word.startswith(last)):
                return i
    return -1


@dataclass(frozen=True)
class Text:
    """One searchable text and what it belongs to."""

    thing: str
    kind: str  # "label", "alias" or "quote"
    text: str
    words: tuple[str, ...]
    start: int | None = None  # a quote's offset in the article
    statement: tuple[str, str, str] | None = None  # a claim's subject, relation, object


@dataclass
class EntityMatch:
    """An entity found by its label or an alias."""

    iri: str
    label: str
    rank: int
    matched: str  # the label or alias that matched


@dataclass
class QuoteMatch:
    """A quote that has the words, with the claim (or entity) it is evidence of."""

    thing: str
    quote: str
    start: int | None
    statement: tuple[str, str, str] | None  # (subject, relation, object) IRIs when ``thing`` is a claim
    labels: dict[str, str] = field(default_factory=dict)  # IRI → label for the statement and the thing


@dataclass
class SearchResult:
    """Every match of one needle, ranked."""

    needle: str
    entities: list[EntityMatch]
    quotes: list[QuoteMatch]

    def __len__(self) -> int:
        return len(self.entities) + len(self.quotes)


class SearchIndex:
    """The searchable texts of one graph, built once (one query) and searched in memory."""

    def __init__(self, texts: list[Text], labels: dict[str, str]) -> None:
        self.texts = texts
        self.labels = labels

    @classmethod
    def build(cls, run: Callable[[BoundQuery], QueryResult]) -> SearchIndex:
        """Index every label, alias and quote (one query, answered by ``run``: ``view.entity.local_runner``
        in this process, ``WebBase.ask`` in the web app)."""
        texts: list[Text] = []
        labels: dict[str, str] = {}
        for thing, kind, text, start, subject, relation, obj in run(internal("search-texts")).rows:
            statement = (str(subject), str(relation), str(obj)) if subject is not None else None
            offset = int(start) if start is not None and str(start).isdigit() else None
            if str(kind) == "label" and (str(thing) not in labels or getattr(text, "language", None) == "en"):
                labels[str(thing)] = str(text)
            if str(thing).startswith(str(WMR)):
                texts.append(Text(str(thing), str(kind), str(text), tuple(text_words(str(text))), offset, statement))
        return cls(texts, labels)

    def label(self, iri: str) -> str:
        """The label shown for ``iri``."""
        return self.labels.get(iri) or local_name(iri)

    def search(self, needle: str) -> SearchResult:
        """Every entity and quote that has the needle's words, ranked (see the module docstring)."""
        wanted = text_words(needle)
        entities: dict[str, EntityMatch] = {}
        quotes: dict[tuple[str, str], QuoteMatch] = {}
        if not wanted:
            return SearchResult(needle, [], [])
        for item in self.texts:
            at = phrase_at(list(item.words), wanted)
            if at < 0:
                continue
            if item.kind == "quote":
                key = (item.thing, item.text)
                if key not in quotes:
                    ends = item.statement or ()
                    labels = {iri: self.label(iri) for iri in (item.thing, *ends)}
                    quotes[key] = QuoteMatch(item.thing, item.text, item.start, item.statement, labels)
                continue
            exact = list(item.words) == wanted
            rank = (LABEL_EXACT if exact else LABEL_PHRASE) if item.kind == "label" else ALIAS_EXACT
            if item.kind == "alias" and not exact:
                rank = ALIAS_PHRASE
            old = entities.get(item.thing)
            if old is None or rank < old.rank:
                entities[item.thing] = EntityMatch(item.thing, self.label(item.thing), rank, item.text)
        ranked = sorted(entities.values(), key=lambda m: (m.rank, m.label.casefold(), m.iri))
        found = sorted(quotes.values(), key=lambda q: (q.start if q.start is not None else 1 << 62, q.thing))
        return SearchResult(needle, ranked, found)


def rank_words(rank: int) -> str:
    """How an entity matched, for readers: "its name", "also called", "in its name"."""
    return RANK_WORDS[rank]


def search_context(result: SearchResult, entity_page: Callable[[Any], str]) -> dict[str, Any]:
    """What ``templates/search.html`` shows for ``result``: entities then quotes, each with its page."""
    entities = [
        {
            "label": m.label,
            "page": entity_page(m.iri),
            "how": rank_words(m.rank),
            "matched": m.matched if m.matched != m.label else "",
        }
        for m in result.entities
    ]
    quotes = []
    for q in result.quotes:
        item: dict[str, Any] = {"quote": q.quote, "thing": q.thing, "page": entity_page(q.thing)}
        if q.statement:
            item["statement"] = [(iri, q.labels.get(iri, local_name(iri)), entity_page(iri)) for iri in q.statement]
        else:
            item["entity"] = (q.labels.get(q.thing, local_name(q.thing)), entity_page(q.thing))
        quotes.append(item)
    return {"entities": entities, "quotes": quotes}


__all__ = ["SearchIndex", "SearchResult", "phrase_at", "rank_words", "search_context", "text_words"]

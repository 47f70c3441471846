"""One resolver for every value a person types: CLI ``-p``, ``/api/queries``, the ``/query`` page, view filters.

A value names an entity by its full IRI, a CURIE (``wmr:haldane-convention``), a ``wmr:`` slug
(``coalition-government-2010-2015``) or a label (``rdfs:label``, ``skos:prefLabel`` or
``skos:altLabel``: "Coalition", "New Labour", "Haldane"). Labels are compared case- and
accent-insensitively, with typographic quotes and dashes folded and a leading "the" ignored.

A value can never silently become an IRI of nothing: an IRI, CURIE or slug must occur in the
graph; an unknown value is a ``ResolveError`` with the closest labels ("did you mean"), and an
ambiguous one lists its candidates with their labels. The labels are indexed once per store
(``Resolver.build``), not per request.

Where a parameter is named after a class (``government`` → ``wm:Government``, ``convention`` →
``wm:Convention``), members of that class win a tie, a partial label is looked up among them first,
and a value that names something else which members of the class point to ("Tory" → the
Conservative Party, which governments have as ``wm:party``) lists those members instead of
quietly matching nothing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import URIRef

from westminster_kg.bound import BoundQuery, internal, run
from westminster_kg.errors import ParameterError
from westminster_kg.internal_queries import internal_query
from westminster_kg.namespaces import PREFIXES, WM, WMR, curie, local_name
from westminster_kg.naming import shown_labels

if TYPE_CHECKING:
    from collections.abc import Callable

    from westminster_kg.store import QueryResult, Store

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_BAD_IRI = re.compile(r"[\x00-\x20<>\"{}|^`\\]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(//|urn:)?")
# Typographic quotes, primes and dashes people paste from the article or a word processor.
_FOLD = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "−": "-",
    }
)


class ResolveError(ParameterError):
    """A typed value names nothing in the graph, or more than one thing (a usage error: exit 2)."""

    exit_code = 2

    def __init__(self, message: str, candidates: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []  # (IRI, label): "did you mean" or the ambiguous ones


def normalise(text: str) -> str:
    """``text`` as labels are compared: no accents, quotes folded, case-folded, dashes as spaces, one space.

    A leading "the" is dropped, so "the Coalition" and "Coalition" are the same name.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Hyphens and underscores count as spaces: "Whitehall-model" is the label "Whitehall model".
    folded = " ".join(re.sub(r"[-_]", " ", plain.casefold()).split())
    return re.sub(r"^the\s+", "", folded)


def words(text: str) -> frozenset[str]:
    """The words of a normalised label (letters and digits), for partial matches."""
    return frozenset(re.findall(r"[^\W_]+", text))


@dataclass
class Resolver:
    """The label index of one store and the rules that turn a typed value into one of its IRIs."""

    store: Store
    # How a bound query is answered: in this process by default; the web app answers in its workers.
    runner: Callable[[BoundQuery], QueryResult] | None = field(default=None, repr=False)
    by_name: dict[str, set[str]] = field(default_factory=dict)  # normalised label -> IRIs
    preferred: dict[str, set[str]] = field(default_factory=dict)  # same, rdfs:label/prefLabel only
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> its label to show
    classes: dict[str, set[str]] = field(default_factory=dict)  # IRI -> its classes and their superclasses
    # Derived once, not per lookup: the words of each label, the members of each class asked for.
    name_words: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _members: dict[str, set[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, store: Store) -> Resolver:
        """Index every labelled entity of ``store`` (two queries; call once per store)."""
        resolver = cls(store)
        by_name: dict[str, set[str]] = defaultdict(set)
        preferred: dict[str, set[str]] = defaultdict(set)
        labelled = []
        for entity, label, alt in store.query(internal_query("label-lookup")).rows:
            iri, name = str(entity), normalise(str(label))
            is_alt = str(alt) == "true"
            by_name[name].add(iri)
            if not is_alt:
                preferred[name].add(iri)
            labelled.append((iri, str(label), getattr(label, "language", None), is_alt))
        classes: dict[str, set[str]] = defaultdict(set)
        for entity, klass in store.query(internal_query("label-lookup-classes")).rows:
            classes[str(entity)].add(str(klass))
        resolver.by_name, resolver.preferred = dict(by_name), dict(preferred)
        resolver.name_words = {name: words(name) for name in by_name}
        resolver.labels = shown_labels(labelled)  # the English rdfs:label where there is one
        resolver.classes = dict(classes)
        return resolver

    # --- looking up -----------------------------------------------------------------------------

    def exists(self, iri: str) -> bool:
        """Whether the graph says anything about ``iri`` (as subject or object)."""
        if iri in self.labels:
            return True
        return bool(self._run(internal("entity-exists", entity=URIRef(iri))).boolean)

    def _run(self, query: BoundQuery) -> QueryResult:
        return self.runner(query) if self.runner is not None else run(self.store, query)

    def label(self, iri: str) -> str:
        """The label shown for ``iri`` (its local name when it has none)."""
        return self.labels.get(iri) or local_name(iri)

    def find(self, text: str) -> list[URIRef]:
        """Entities whose label is ``text`` (normalised), else has every word of it, else contains it."""
        needle = normalise(text)
        if not needle:
            return []
        exact = self.preferred.get(needle) or self.by_name.get(needle)
        if exact:
            return sorted(URIRef(i) for i in exact)
        # Then labels with every word of it; then, for search boxes, labels containing it ("haldan").
        found = self._partial(needle) or {i for name, iris in self.by_name.items() if needle in name for i in iris}
        return sorted(URIRef(i) for i in found)

    def _partial(self, needle: str) -> set[str]:
        wanted = words(needle)
        if not wanted:
            return set()
        return {iri for name, iris in self.by_name.items() if wanted <= self.name_words[name] for iri in iris}

    def suggest(self, text: str, limit: int = 5, within: set[str] | None = None) -> list[tuple[str, str]]:
        """(IRI, label) of the labels closest to ``text`` (difflib), for "did you mean"."""
        needle = normalise(text)
        names = [n for n, iris in self.by_name.items() if within is None or iris & within]
        close = difflib.get_close_matches(needle, names, n=limit * 2, cutoff=0.6)
        # Labels that contain the value, or that the value starts, are close too ("haldan" -> "haldane").
        close += sorted(n for n in names if len(needle) >= 3 and (needle in n or n.startswith(needle)))
        found: dict[str, str] = {}
        for name in close:
            for iri in sorted(self.by_name[name]):
                if within is None or iri in within:
                    found.setdefault(iri, self.label(iri))
        return list(found.items())[:limit]

    # --- resolving ------------------------------------------------------------------------------

    def members(self, name: str) -> set[str]:
        """Labelled entities of the ``wm:`` class called ``name`` (any case: ``government``), or of a subclass."""
        key = name.casefold()
        if key not in self._members:
            named = {c for cs in self.classes.values() for c in cs if c.startswith(str(WM))}
            wanted = {c for c in named if local_name(c).casefold() == key}
            self._members[key] = {iri for iri, classes in self.classes.items() if classes & wanted}
        return self._members[key]

    def resolve(self, raw: str, what: str = "value") -> URIRef:
        """The IRI that ``raw`` names, for the parameter or option called ``what``.

        Args:
            raw: an IRI (``<...>`` or bare), a CURIE, a ``wmr:`` slug or a label.
            what: the parameter's name; when it names a class (``government``), members of that
                class are preferred and looked for first.

        Returns:
            An IRI that occurs in the graph.

        Raises:
            ResolveError: nothing is called ``raw`` (with "did you mean"), or several things are.
        """
        text = raw.strip()
        if not text:
            raise ResolveError(f"{what}: an empty value names nothing")
        iri = self._as_iri(text)
        if iri is not None and _BAD_IRI.search(iri):
            raise ResolveError(f'{what}: {text!r} is not a valid IRI (spaces and <>"{{}}|^`\\ are not allowed)')
        if iri is not None:
            if self.exists(iri):
                return URIRef(iri)
            if not _SLUG.fullmatch(text):
                raise ResolveError(f"{what}: {text!r} is an IRI of nothing in the graph{self._did_you_mean(text)}")
        # A slug that names nothing ("coalition") is tried as a label: people type either.
        hinted = self.members(what)
        exact = self.preferred.get(normalise(text)) or self.by_name.get(normalise(text), set())
        # An exact label beats a partial one: "Coalition" for a period is the Coalition government,
        # not the Table 2 period whose label merely contains the word.
        partial = self._partial(normalise(text))
        for candidates in (exact & hinted, exact, partial & hinted, partial):
            if candidates:
                return self._one(text, what, candidates, hinted)
        hint = self._did_you_mean(text, hinted or None) or self._did_you_mean(text)
        raise ResolveError(
            f"{what}: nothing is labelled {text!r}{hint or ' (give a label, a wmr: slug or an IRI)'}",
            self.suggest(text),
        )

    def _as_iri(self, text: str) -> str | None:
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//") and " " not in local:
            return PREFIXES[prefix] + local
        if _SCHEME.match(text) and " " not in text:
            return text
        if _SLUG.fullmatch(text):
            return str(WMR[text])
        return None

    def _one(self, text: str, what: str, candidates: set[str], hinted: set[str]) -> URIRef:
        if len(candidates) > 1 and candidates & hinted:
            candidates = candidates & hinted
        if len(candidates) == 1:
            (iri,) = candidates
            if hinted and iri not in hinted:
                self._refuse_other_kind(text, what, iri, hinted)
            return URIRef(iri)
        shown = sorted((self.label(i), i) for i in candidates)
        listed = "; ".join(f"{label} ({curie(i, brackets=True)})" for label, i in shown[:8])
        more = f" and {len(shown) - 8} more" if len(shown) > 8 else ""
        raise ResolveError(
            f"{what}: {text!r} is ambiguous: {listed}{more}; give one of these", [(i, lab) for lab, i in shown]
        )

    def _refuse_other_kind(self, text: str, what: str, iri: str, hinted: set[str]) -> None:
        """Refuse ``iri`` for a class-named parameter when it is another kind of thing that members point to.

        "Tory" names the Conservative Party; a ``government`` parameter bound to a party would match
        no reform and answer with nothing, so the party's governments are offered instead. A value
        that shares a class with the members (a model given for a convention: both concepts) passes.
        """
        kinds = set().union(*(self.classes.get(i, set()) for i in hinted))
        if self.classes.get(iri, set()) & kinds:
            return  # a kind of the same thing ("convention" given the Whitehall model: both concepts)
        pointing = {str(row[0]) for row in self._run(internal("entity-pointing", entity=URIRef(iri))).rows}
        linked = sorted((self.label(i), i) for i in pointing & hinted)
        if not linked:
            return
        listed = "; ".join(f"{label} ({curie(i, brackets=True)})" for label, i in linked[:8])
        raise ResolveError(
            f"{what}: {text!r} is {self.label(iri)}, not a {what}; {what}s linked to it: {listed}",
            [(i, lab) for lab, i in linked],
        )

    def _did_you_mean(self, text: str, within: set[str] | None = None) -> str:
        close = self.suggest(text, within=within)
        if not close:
            return ""
        return "; did you mean " + " or ".join(f"{label!r} ({curie(iri, brackets=True)})" for iri, label in close) + "?"


__all__ = ["ResolveError", "Resolver", "normalise", "words"]

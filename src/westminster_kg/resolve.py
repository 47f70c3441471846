"""One resolver for every value a person types: CLI ``-p``, ``/api/queries``, the ``/query`` page, view filters.

A value names an entity by its full IRI, a CURIE (``wmr:haldane-convention``), a ``wmr:`` slug
(``coalition-government-2010-2015``) or a label (``rdfs:label``, ``skos:prefLabel`` or
``skos:altLabel``: "Coalition", "New Labour", "Haldane"). Labels are compared case- and
accent-insensitively, with typographic quotes and dashes folded and a leading "the" ignored.

A value can never silently become an IRI of nothing: an IRI, CURIE or slug must occur in the
graph; an unknown value is a ``ResolveError`` with the closest labels ("did you mean"), and an
ambiguous one lists its candidates with their labels. The labels are indexed once per store
(``Resolver.build``), not per request.

A catalogue parameter declares the kinds it takes (``# param: government iri optional
wm:Government ...``: classes, or concept schemes whose concepts it takes). Members of those kinds win
a tie and a partial label is looked up among them first; a value of another kind is refused with
its own kind and the nearest values of the right kind ("'NPM' is an idea (New Public Management),
not a government; the governments are: ..."), those linked to it first ("Tory" → the Conservative
Party's governments). Where no kind is declared (an ad-hoc query), a parameter named after a class
(``government``) prefers its members in the same way and refuses another kind only when members
are linked to it.

Governments nest (``wm:partOfGovernment``, a background fact): ``nest`` gives a government with
the governments it is part of and those part of it, and a note that says so.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

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


def _starts_a_word(needle: str, name: str) -> bool:
    """Whether ``needle`` occurs in ``name`` where a word of ``name`` begins."""
    at = name.find(needle)
    while at >= 0:
        if at == 0 or not name[at - 1].isalnum():
            return True
        at = name.find(needle, at + 1)
    return False


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
    types: dict[str, set[str]] = field(default_factory=dict)  # IRI -> the classes (schemes) it is typed with
    superclasses: dict[str, set[str]] = field(default_factory=dict)  # class -> itself and its superclasses
    wholes: dict[str, set[str]] = field(default_factory=dict)  # government -> governments it is part of
    # Derived once, not per lookup: the words of each label, the members of each class asked for.
    name_words: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _members: dict[str, set[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, store: Store) -> Resolver:
        """Index every labelled entity of ``store`` (three queries; call once per store)."""
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
        types: dict[str, set[str]] = defaultdict(set)
        superclasses: dict[str, set[str]] = defaultdict(set)
        for entity, kind, klass in store.query(internal_query("label-lookup-classes")).rows:
            classes[str(entity)].add(str(klass))
            types[str(entity)].add(str(kind))
            superclasses[str(kind)].add(str(klass))
        wholes: dict[str, set[str]] = defaultdict(set)
        for part, whole in store.query(internal_query("government-parts")).rows:
            wholes[str(part)].add(str(whole))
        resolver.by_name, resolver.preferred = dict(by_name), dict(preferred)
        resolver.name_words = {name: words(name) for name in by_name}
        resolver.labels = shown_labels(labelled)  # the English rdfs:label where there is one
        resolver.classes, resolver.types = dict(classes), dict(types)
        resolver.superclasses, resolver.wholes = dict(superclasses), dict(wholes)
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
        # Then labels with every word of it; then, for search boxes, labels with a word that starts
        # it ("haldan" finds "haldane"; "sir" does not find "desire").
        found = self._partial(needle) or {
            i for name, iris in self.by_name.items() if _starts_a_word(needle, name) for i in iris
        }
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

    # --- kinds ----------------------------------------------------------------------------------

    def members(self, name: str) -> set[str]:
        """Labelled entities of the ``wm:`` class called ``name`` (any case: ``government``), or of a subclass."""
        key = name.casefold()
        if key not in self._members:
            named = {c for cs in self.classes.values() for c in cs if c.startswith(str(WM))}
            wanted = {c for c in named if local_name(c).casefold() == key}
            self._members[key] = {iri for iri, classes in self.classes.items() if classes & wanted}
        return self._members[key]

    def members_of(self, kinds: Iterable[str]) -> set[str]:
        """Labelled entities of any of ``kinds`` (class or concept scheme IRIs), subclasses included."""
        wanted = set(kinds)
        key = "\n".join(sorted(wanted))
        if key not in self._members:
            self._members[key] = {iri for iri, classes in self.classes.items() if classes & wanted}
        return self._members[key]

    def kind_of(self, iri: str) -> str:
        """What ``iri`` is, in words: its most specific class ("idea", "person"), or "entity"."""
        typed = self.types.get(iri, set())
        specific = [t for t in typed if not any(t in self.superclasses.get(o, ()) for o in typed - {t})]
        ours = sorted(t for t in specific if t.startswith(str(WM))) or sorted(specific)
        return kind_name(ours[0]) if ours else "entity"

    # --- resolving ------------------------------------------------------------------------------

    def resolve(self, raw: str, what: str = "value", kinds: Iterable[str] | None = None) -> URIRef:
        """The IRI that ``raw`` names, for the parameter or option called ``what``.

        Args:
            raw: an IRI (``<...>`` or bare), a CURIE, a ``wmr:`` slug or a label.
            what: the parameter's name; without ``kinds``, when it names a class (``government``),
                members of that class are preferred and looked for first.
            kinds: the classes (or concept schemes) a value must belong to, as a catalogue
                parameter declares them; ``None`` or empty for any entity.

        Returns:
            An IRI that occurs in the graph (of one of ``kinds``, when given).

        Raises:
            ResolveError: nothing is called ``raw`` (with "did you mean"), several things are, or
                what it names is of another kind (with the nearest values of the right kind).
        """
        text = raw.strip()
        if not text:
            raise ResolveError(f"{what}: an empty value names nothing")
        wanted = tuple(kinds or ())
        hinted = self.members_of(wanted) if wanted else self.members(what)
        iri = self._as_iri(text)
        if iri is not None and _BAD_IRI.search(iri):
            raise ResolveError(f'{what}: {text!r} is not a valid IRI (spaces and <>"{{}}|^`\\ are not allowed)')
        if iri is not None:
            if self.exists(iri):
                if wanted and iri not in hinted and iri in self.types:
                    self._refuse_kind(text, what, [iri], wanted, hinted)
                return URIRef(iri)
            if not _SLUG.fullmatch(text):
                raise ResolveError(f"{what}: {text!r} is an IRI of nothing in the graph{self._did_you_mean(text)}")
        # A slug that names nothing ("coalition") is tried as a label: people type either.
        exact = self.preferred.get(normalise(text)) or self.by_name.get(normalise(text), set())
        # An exact label beats a partial one: "Coalition" for a period is the Coalition government,
        # not the Table 2 period whose label merely contains the word.
        partial = self._partial(normalise(text))
        # With declared kinds, a partial label of the right kind beats an exact one of another:
        # "Blair" for a government is the Blair Government, not Tony Blair.
        order = (
            (exact & hinted, partial & hinted, exact, partial)
            if wanted
            else (exact & hinted, exact, partial & hinted, partial)
        )
        for candidates in order:
            if candidates:
                return self._one(text, what, candidates, hinted, wanted)
        if wanted:
            self._refuse_unknown(text, what, wanted, hinted)
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

    def _one(self, text: str, what: str, candidates: set[str], hinted: set[str], wanted: tuple[str, ...]) -> URIRef:
        if candidates & hinted:
            candidates = candidates & hinted
        elif wanted:
            self._refuse_kind(text, what, sorted(candidates), wanted, hinted)
        if len(candidates) == 1:
            (iri,) = candidates
            if hinted and iri not in hinted:
                self._refuse_other_kind(text, what, iri, hinted)
            return URIRef(iri)
        ours = [i for i in candidates if i.startswith(str(WMR))]
        if len(ours) == 1 and candidates - {ours[0]} <= self._same(ours[0]):
            return URIRef(ours[0])  # the others are an import's records linked to ours as the same thing
        shown = sorted((self.label(i), i) for i in candidates)
        raise ResolveError(
            f"{what}: {text!r} is ambiguous: {self._listed(i for _, i in shown)}; give one of these",
            [(i, lab) for lab, i in shown],
        )

    def _refuse_kind(
        self, text: str, what: str, found: list[str], wanted: tuple[str, ...], hinted: set[str]
    ) -> NoReturn:
        """Refuse a value that names only things of another kind, offering the nearest of the right kind.

        "NPM" for a government names an idea: bound as it is, it would match no reform and answer
        with nothing. Members linked to what it names come first (a party's governments, a prime
        minister's), then the members whose labels are closest to the value.
        """
        expected, many = kinds_phrase(wanted), kinds_phrase(wanted, many=True)
        if len(found) == 1 and normalise(self.label(found[0])) == normalise(text):
            what_it_is = article(self.kind_of(found[0]))
        elif len(found) == 1:
            what_it_is = f"{article(self.kind_of(found[0]))} ({self.label(found[0])})"
        else:
            what_it_is = " and ".join(f"{self.label(i)} ({article(self.kind_of(i))})" for i in found[:4])
        linked = sorted(set().union(*(self._linked(i) for i in found)) & hinted, key=self.label)
        if linked:
            offer, lead = linked, f"{many} linked to {'it' if len(found) == 1 else 'them'}"
        else:
            offer, lead = self._nearest(text, hinted), self._kind_lead(many, hinted)
        verb = "is" if len(found) == 1 else "names"
        raise ResolveError(
            f"{what}: {text!r} {verb} {what_it_is}, not {article(expected)}; {lead}: {self._listed(offer)}",
            [(i, self.label(i)) for i in offer],
        )

    def _refuse_unknown(self, text: str, what: str, wanted: tuple[str, ...], hinted: set[str]) -> NoReturn:
        """Refuse a value that names nothing, with the values of the right kind it most likely means.

        "Cameron government" names nothing, but "Cameron" is a person whom governments are linked
        to; failing that, the closest labels of the right kind; failing that, the kind's values.
        """
        many = kinds_phrase(wanted, many=True)
        # The value without the kind's own words ("Cameron government" -> "cameron"); one-letter
        # words ("Cameron's" -> "cameron", "s") say nothing.
        generic = words(normalise(kinds_phrase(wanted))) | words(normalise(many)) | {"administration", "ministry"}
        own = {w for w in words(normalise(text)) if len(w) > 1} - generic
        named = self._partial(" ".join(sorted(own))) if own else set()
        # What the rest names, closest label first ("David Cameron" before a quote of his).
        needle = " ".join(sorted(own))
        ranked = sorted(
            named, key=lambda i: (-difflib.SequenceMatcher(None, needle, normalise(self.label(i))).ratio(), i)
        )
        source = next((i for i in ranked if self._linked(i) & hinted), None)
        if source is not None:
            offer = sorted(self._linked(source) & hinted, key=self.label)
            lead = f"{many} linked to {self.label(source)}"
        elif close := [iri for iri, _ in self.suggest(text, within=hinted)]:
            offer, lead = close, "did you mean"
        else:
            offer, lead = self._nearest(text, hinted), self._kind_lead(many, hinted)
        raise ResolveError(
            f"{what}: nothing is labelled {text!r}; {lead}: {self._listed(offer)}",
            [(i, self.label(i)) for i in offer],
        )

    def _kind_lead(self, many: str, hinted: set[str]) -> str:
        return f"the {many} are" if len(hinted) <= 8 else f"the nearest of {len(hinted)} {many}"

    def _nearest(self, text: str, hinted: set[str], limit: int = 8) -> list[str]:
        """Up to ``limit`` members, closest label first (all of them, by label, when there are few)."""
        if len(hinted) <= limit:
            return sorted(hinted, key=self.label)
        needle = normalise(text)
        wanted = words(needle)

        def closeness(iri: str) -> tuple[int, float]:  # words in common first, then how alike the letters are
            name = normalise(self.label(iri))
            return len(wanted & words(name)), difflib.SequenceMatcher(None, needle, name).ratio()

        score = {iri: closeness(iri) for iri in hinted}
        return sorted(hinted, key=lambda iri: (-score[iri][0], -score[iri][1], self.label(iri)))[:limit]

    def _same(self, iri: str) -> set[str]:
        rows = self._run(internal("same-entities", target=URIRef(iri))).rows
        return {str(row[0]) for row in rows}

    def _linked(self, iri: str) -> set[str]:
        rows = self._run(internal("linked-entities", target=URIRef(iri))).rows
        return {str(row[0]) for row in rows}

    def _listed(self, iris: Iterable[str], limit: int = 8) -> str:
        shown = list(iris)
        listed = "; ".join(f"{self.label(i)} ({curie(i, brackets=True)})" for i in shown[:limit])
        return listed + (f" and {len(shown) - limit} more" if len(shown) > limit else "")

    def _refuse_other_kind(self, text: str, what: str, iri: str, hinted: set[str]) -> None:
        """Without declared kinds: refuse ``iri`` for a class-named parameter when members are linked to it.

        "Tory" names the Conservative Party; a ``government`` parameter bound to a party would match
        no reform and answer with nothing, so the party's governments are offered instead. A value
        that shares a class with the members (a model given for a convention: both concepts) passes.
        """
        kinds = set().union(*(self.classes.get(i, set()) for i in hinted))
        if self.classes.get(iri, set()) & kinds:
            return  # a kind of the same thing ("convention" given the Whitehall model: both concepts)
        linked = sorted(self._linked(iri) & hinted, key=self.label)
        if not linked:
            return
        raise ResolveError(
            f"{what}: {text!r} is {self.label(iri)}, not a {what}; {what}s linked to it: {self._listed(linked)}",
            [(i, self.label(i)) for i in linked],
        )

    def _did_you_mean(self, text: str, within: set[str] | None = None) -> str:
        close = self.suggest(text, within=within)
        if not close:
            return ""
        return "; did you mean " + " or ".join(f"{label!r} ({curie(iri, brackets=True)})" for iri, label in close) + "?"

    # --- governments within governments ---------------------------------------------------------

    def nest(self, iri: str) -> tuple[tuple[URIRef, ...], str | None]:
        """``iri`` with the governments it is part of and those part of it, and a note that says so.

        Returns:
            The IRIs to bind (``iri`` first), and ``None`` when it has neither wholes nor parts.
        """
        wholes = self._closure(iri, self.wholes)
        parts_of: dict[str, set[str]] = defaultdict(set)
        for part, its_wholes in self.wholes.items():
            for whole in its_wholes:
                parts_of[whole].add(part)
        parts = self._closure(iri, parts_of)
        if not wholes and not parts:
            return (URIRef(iri),), None
        notes = []
        if wholes:
            named = " and ".join(self.label(w) for w in wholes)
            notes.append(
                f"{self.label(iri)} is part of {named}: the article attributes these to {named} as a whole, "
                "and they are included"
            )
        if parts:
            named = " and ".join(self.label(p) for p in parts)
            notes.append(f"{self.label(iri)} includes {named}: what the article attributes to them is included")
        return tuple(URIRef(i) for i in [iri, *wholes, *parts]), "; ".join(notes)

    def _closure(self, iri: str, edges: dict[str, set[str]]) -> list[str]:
        found: list[str] = []
        todo = sorted(edges.get(iri, ()))
        while todo:
            step = todo.pop(0)
            if step != iri and step not in found:
                found.append(step)
                todo += sorted(edges.get(step, ()))
        return sorted(found, key=self.label)


def kind_name(iri: str) -> str:
    """A class or concept scheme in words: ``wm:ModelOfGovernment`` "model of government",
    ``wm:ModalityScheme`` "modality", ``foaf:Person`` "person"."""
    name = re.sub(r"Scheme$", "", local_name(iri)) or local_name(iri)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def kinds_phrase(kinds: Iterable[str], *, many: bool = False) -> str:
    """The kinds a parameter takes, in words: "government", "government or period" (``many``: "governments")."""
    names = list(dict.fromkeys(kind_name(k) for k in kinds))
    names = [plural(n) for n in names] if many else names
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def article(phrase: str) -> str:
    """``phrase`` with "a" or "an" before it ("an idea", "a unit")."""
    return ("an " if re.match(r"[aeio]|u(?!ni|s[eu])", phrase) else "a ") + phrase


def plural(name: str) -> str:
    """The plural of a kind's name: "governments", "political parties", "models of government"."""
    head, sep, tail = name.partition(" of ")
    if re.search(r"[^aeiou]y$", head):
        head = head[:-1] + "ies"
    elif re.search(r"(s|x|ch|sh)$", head):
        head += "es"
    else:
        head += "s"
    return head + sep + tail


__all__ = ["ResolveError", "Resolver", "article", "kind_name", "kinds_phrase", "normalise", "plural", "words"]

"""Link candidates: proposals between our entities and an imported graph's, with a score and reasons.

Proposed by shared identifiers first (Wikidata, GOV.UK, Parliament, IfG: the import's identifiers
and links against our verified linkset), then by names (normalised, ``skos:altLabel`` included,
HM/Her Majesty's, "Dept."/"Department for/of" set aside), only between things of one kind. For
people, the dates the article gives (their quotes, the governments they led) are compared with the
posts the imported person held: a namesake who held no post then is a near miss, not a link. What
the import says about its posts decides too: an organisation whose members are shadow ministers, or
a committee, is never proposed as one of our departments; it is set aside, with the reason.

A review (``review_candidates``) keeps what falls short in sections of its own: near misses below
the threshold with why, pairs set aside, and what stayed unmatched on either side; nothing is dropped
silently. ``link.review`` writes and reads it as a TSV and accepts the reviewed rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import URIRef
from rdflib.namespace import ORG, SKOS

from westminster_kg.errors import InputError
from westminster_kg.link.candidate_facts import Facts, gather, kind_of
from westminster_kg.link.importers import import_graph_iri, list_imports
from westminster_kg.link.importers.posts import (
    GOVERNMENT,
    KIND_NAMES,
    OPPOSITION,
    PARLIAMENTARY,
    PARTY,
    UNCLASSIFIED,
)
from westminster_kg.link.labels import (
    HONORIFICS,
    STOPWORDS,
    label_similarity,
    label_tokens,
    name_words,
    normalise_label,
    organisation_key,
    similarity_at_most,
)
from westminster_kg.link.linkset import SCHEMES
from westminster_kg.namespaces import GRAPH_ARTICLE, WM

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph


# A score at or above this says "the same thing" (same identifier, or the same name once spelling
# conventions are set aside, corroborated where the article gives dates): accepted as skos:exactMatch.
EXACT_SCORE = 0.97
# Words a pool of candidates is not built on (``_pool``).
_NOT_NAMING = STOPWORDS | HONORIFICS
# How far below the threshold a pair is still shown, as a near miss with the reason it fell short.
NEAR_MISS_BAND = 0.25
NEAR_MISSES_PER_ENTITY = 3
# The kinds of imported post each of our classes may be linked to (any other is set aside).
_ALLOWED_KINDS = {
    str(WM.Department): {GOVERNMENT, UNCLASSIFIED},
    str(WM.Unit): {GOVERNMENT, UNCLASSIFIED},
    str(ORG.Post): {GOVERNMENT, UNCLASSIFIED},
    str(WM.Committee): {PARLIAMENTARY, UNCLASSIFIED},
    str(WM.PoliticalParty): {PARTY, UNCLASSIFIED},
}
_KIND_AS_BODY = {
    OPPOSITION: "an opposition portfolio or post (shadow ministers, spokespersons)",
    PARLIAMENTARY: "a committee or other parliamentary post",
    PARTY: "a party post",
}
_CLASS_NAMES = {
    str(WM.Department): "department",
    str(WM.Unit): "government unit",
    str(ORG.Post): "office",
    str(WM.Committee): "committee",
    str(WM.PoliticalParty): "party",
}


@dataclass(frozen=True)
class Candidate:
    """A proposed link between one of our entities and one of the imported graph's."""

    score: float
    ours: URIRef
    our_label: str
    theirs: URIRef
    their_label: str
    kind: str  # "person", "organisation", "post", ... or "" when a side has no known kind
    reasons: str = ""
    match: str = ""  # "exact" or "close" when a curator said so; "" decides by the score

    @property
    def predicate(self) -> URIRef:
        """``skos:exactMatch`` for a shared identifier or the same name, else ``skos:closeMatch``."""
        if self.match:
            return SKOS.exactMatch if self.match == "exact" else SKOS.closeMatch
        return SKOS.exactMatch if self.score >= EXACT_SCORE else SKOS.closeMatch

    def row(self) -> list[str]:
        """The TSV cells (``accept`` left empty for the curator)."""
        match = "exact" if self.predicate == SKOS.exactMatch else "close"
        cells = [str(self.ours), self.our_label, str(self.theirs), self.their_label, self.kind, match, self.reasons]
        return [f"{self.score:.3f}", *cells, ""]


@dataclass
class Review:
    """Everything a curator reviews for one import: what is proposed and everything that is not."""

    graph_name: str
    threshold: float
    proposed: list[Candidate] = field(default_factory=list)
    near_misses: list[Candidate] = field(default_factory=list)
    set_aside: list[Candidate] = field(default_factory=list)
    already_linked: int = 0
    unmatched_ours: list[str] = field(default_factory=list)
    ours_in_scope: int = 0
    unmatched_theirs: Counter[str] = field(default_factory=Counter)
    theirs_in_scope: int = 0

    def summary(self) -> str:
        """One line: proposed, below the threshold, set aside, already linked, unmatched on each side."""
        theirs = ", ".join(f"{n:,} {kind or 'other'}" for kind, n in sorted(self.unmatched_theirs.items()))
        shown = ", ".join(self.unmatched_ours[:8]) + (", ..." if len(self.unmatched_ours) > 8 else "")
        return (
            f"{len(self.proposed):,} proposed at or above {self.threshold:.2f}, {len(self.near_misses):,} below it "
            f"(near misses), {len(self.set_aside):,} set aside, {self.already_linked:,} already linked; unmatched: "
            f"{len(self.unmatched_ours):,} of our {self.ours_in_scope:,} ({shown or 'none'}), "
            f"{sum(self.unmatched_theirs.values()):,} of the import's {self.theirs_in_scope:,} ({theirs or 'none'})"
        )


def _name_score(
    our_labels: list[str], their_labels: list[str], person: bool, floor: float = 0.0
) -> tuple[float, str, str, str]:
    """The best (score, our label, their label, reason) over every pair of names.

    A pair whose similarity provably stays below ``floor``, or at most the best found so far, is not
    measured (``similarity_at_most``): the best is the same, or is below ``floor`` either way.
    """
    best = (0.0, our_labels[0], their_labels[0], "")
    for x in our_labels:
        for y in their_labels:
            if normalise_label(x) == normalise_label(y):
                found = (1.0, x, y, f"same name {y!r} (case, punctuation and & set aside)")
            elif person and name_words(x) == name_words(y) != frozenset():
                found = (1.0, x, y, f"same name {x!r} ~ {y!r} once titles (Lord, Baroness, Sir...) are set aside")
            elif not person and organisation_key(x) and organisation_key(x) == organisation_key(y):
                reason = f"same name {x!r} ~ {y!r} once HM/Her Majesty's, Dept. and Department for/of are set aside"
                found = (EXACT_SCORE, x, y, reason)
            else:
                bound = similarity_at_most(x, y, max(floor, best[0]))
                if bound < floor or bound <= best[0]:
                    continue
                similarity = label_similarity(x, y)
                found = (similarity, x, y, f"label similarity {similarity:.3f} between {x!r} and {y!r}")
            if found[0] > best[0]:
                best = found
    return best


def _apart(a: tuple[str | None, str | None] | None, b: tuple[str | None, str | None] | None) -> str:
    """A reason when two bodies' known years of existence do not overlap, else ``""``."""
    if not a or not b:
        return ""
    if a[1] and b[0] and a[1] < b[0]:
        return f"ours ended {a[1]}, theirs began {b[0]}"
    if b[1] and a[0] and b[1] < a[0]:
        return f"theirs ended {b[1]}, ours began {a[0]}"
    return ""


def _ruled_out(facts: Facts, our: Any, their: Any, our_types: set[str]) -> str:
    """Why a pair may never be linked, however alike the names (``""`` when it may)."""
    mine, ids = facts.our_ids.get(our, {}), facts.their_ids.get(their, {})
    for scheme, target in ids.items():
        if mine.get(scheme, target) != target:
            return f"both have a {SCHEMES[scheme].title} id and they differ (ours {mine[scheme]}, theirs {target})"
    if apart := _apart(facts.lifetimes.get(our), facts.lifetimes.get(their)):
        return f"they never existed at the same time ({apart})"
    kind = facts.their_kinds.get(their)
    if kind == OPPOSITION and kind_of(our_types) in ("organisation", "post"):
        return f"the import types theirs as {_KIND_AS_BODY[kind]} (from its and its holders' roles): nothing of ours is"
    for cls, allowed in _ALLOWED_KINDS.items():
        if cls in our_types and kind and kind not in allowed:
            what = _KIND_AS_BODY.get(kind, KIND_NAMES.get(kind, kind))
            return f"the import types theirs as {what} (from its and its holders' roles), not our {_CLASS_NAMES[cls]}"
    return ""


def _person_evidence(facts: Facts, our: Any, their: Any, score: float) -> tuple[float, str]:
    """The dates the article gives for our person against the posts theirs held: corroborated (kept at
    0.98), contradicted (0.75, a near miss), or nothing to compare (at most 0.9, a close match)."""
    dates, held = facts.our_dates.get(our, []), facts.held.get(their, [])
    if not dates or not held:
        missing = "the article gives no date for ours" if not dates else "theirs held no dated post in the import"
        return min(score, 0.9), f"nothing else to compare ({missing})"
    hits = [(what, post) for what, start, end in dates for post in held if post.covers(start, end)]
    if hits:
        shown = "; ".join(f"{what}: {post.describe()}" for what, post in hits[:2])
        more = f" (and {len(hits) - 2} more)" if len(hits) > 2 else ""
        return min(score, 0.98), f"in office at a date the article gives for ours ({shown}{more})"
    span = f"{held[0].start[:4]}–{(held[-1].end or 'on')[:4]}"
    when = ", ".join(sorted({start[:7] for _, start, _ in dates})[:4])
    return min(
        score, 0.75
    ), f"but none of their {len(held)} post(s) ({span}) covers a date the article gives for ours ({when})"


def _score(facts: Facts, our: Any, their: Any, person: bool, floor: float) -> tuple[float, str, str, str]:
    """The pair's score, labels and reasons; a score below ``floor`` is only known to be below it."""
    our_labels, their_labels = facts.ours[our][0], facts.theirs[their][0]
    mine, ids = facts.our_ids.get(our, {}), facts.their_ids.get(their, {})
    shared = sorted(scheme for scheme, target in ids.items() if mine.get(scheme) == target)
    # A shared id scores 1.0 and shows the best name pair whatever it is; else dates only lower a score.
    score, a, b, reason = _name_score(our_labels, their_labels, person, 0.0 if shared else floor)
    evidence = ""
    if person:
        found, evidence = _person_evidence(facts, our, their, score)
        score = score if shared else found  # a shared identifier outweighs dates; they are still shown
    if shared:
        score = 1.0
        reason = "; ".join([*(f"same {SCHEMES[x].title} id {ids[x]}" for x in shared), reason])
    return score, a, b, "; ".join(r for r in (reason, evidence) if r)


def _pool(facts: Facts, threshold: float) -> dict[Any, set[Any]]:
    """For each of ours, the import's resources worth scoring: sharing a word of a name, or an id.

    With no word in common the name score is at most 0.5 (Dice 0), so above that only pairs sharing
    a word (or an identifier) can qualify: an index keeps a large import from costing ours x theirs.
    """
    by_word: dict[str, set[Any]] = defaultdict(set)
    by_target: dict[str, set[Any]] = defaultdict(set)
    for their, (labels, _types) in facts.theirs.items():
        for label in labels:
            for word in label_tokens(organisation_key(label), _NOT_NAMING):
                by_word[word].add(their)
    for their, ids in facts.their_ids.items():
        for target in ids.values():
            by_target[target].add(their)
    pools = {}
    for our, (labels, _types) in facts.ours.items():
        if threshold - NEAR_MISS_BAND > 0.5:
            words = {w for label in labels for w in label_tokens(organisation_key(label), _NOT_NAMING)}
            pool = set().union(*(by_word.get(w, set()) for w in words))
        else:
            pool = set(facts.theirs)
        pools[our] = pool | set().union(*(by_target.get(t, set()) for t in facts.our_ids.get(our, {}).values()))
    return pools


def review_candidates(kg: KnowledgeGraph, graph_name: str, *, threshold: float = 0.85) -> Review:
    """Every proposal for one import and everything that fell short, each with its reasons.

    Args:
        kg: the knowledge graph with the import loaded.
        graph_name: the import's name (``wmkg import ... --graph NAME``).
        threshold: the lowest score proposed (0..1); pairs up to 0.25 below it are near misses.

    Returns:
        The review: proposed (best first), near misses, pairs set aside, and the unmatched.
    """
    graph = import_graph_iri(graph_name)
    facts = gather(kg, graph, GRAPH_ARTICLE)
    if not facts.theirs:
        raise InputError(
            f"the import {graph_name!r} is not loaded or labels nothing "
            f"(imports: {', '.join(list_imports(kg.project)) or 'none'})"
        )
    review = Review(graph_name, threshold)
    review.already_linked = sum(1 for our, their in facts.linked if their in facts.theirs and our in facts.ours)
    near: dict[Any, list[Candidate]] = defaultdict(list)
    touched: set[Any] = {pair[i] for pair in facts.linked for i in (0, 1)}
    for our, pool in _pools_sorted(facts, threshold):
        our_types = facts.ours[our][1]
        our_kind = kind_of(our_types)
        for their in pool:
            if (our, their) in facts.linked:
                continue
            their_kind = kind_of(facts.theirs[their][1])
            if our_kind and their_kind and our_kind != their_kind:
                continue  # a person is never a department, a department never a publication
            person = our_kind == "person" and their_kind == "person"
            score, a, b, reason = _score(facts, our, their, person, threshold - NEAR_MISS_BAND)
            kind = our_kind if our_kind == their_kind else ""
            if kind:
                reason += f"; both of kind {kind}"
            if score < threshold - NEAR_MISS_BAND:
                continue
            touched |= {our, their}
            if why := _ruled_out(facts, our, their, our_types):
                if score >= threshold:
                    review.set_aside.append(Candidate(score, our, a, their, b, kind, f"set aside: {why}; {reason}"))
                continue
            if score >= threshold:
                review.proposed.append(Candidate(score, our, a, their, b, kind, reason))
            else:
                short = f"below the threshold {threshold:.2f}: {reason}"
                near[our].append(Candidate(score, our, a, their, b, kind, short))
    review.near_misses = [c for found in near.values() for c in _best(found)[:NEAR_MISSES_PER_ENTITY]]
    _unmatched(review, facts, touched)
    order = lambda c: (-c.score, str(c.ours), str(c.theirs))  # noqa: E731
    review.proposed.sort(key=order)
    review.near_misses.sort(key=order)
    review.set_aside.sort(key=order)
    return review


def _pools_sorted(facts: Facts, threshold: float) -> list[tuple[Any, list[Any]]]:
    pools = _pool(facts, threshold)
    return [(our, sorted((t for t in pools[our] if t in facts.theirs), key=str)) for our in sorted(pools, key=str)]


def _best(found: list[Candidate]) -> list[Candidate]:
    return sorted(found, key=lambda c: (-c.score, str(c.theirs)))


def _unmatched(review: Review, facts: Facts, touched: set[Any]) -> None:
    """What no candidate (of any section) and no existing link reaches, among kinds both sides have."""
    their_kinds = {kind_of(types) for _, types in facts.theirs.values()} - {""}
    our_kinds = {kind_of(types) for _, types in facts.ours.values()} - {""}
    shared = their_kinds & our_kinds
    ours = [(labels[0], our) for our, (labels, types) in facts.ours.items() if kind_of(types) in shared]
    review.ours_in_scope = len(ours)
    review.unmatched_ours = sorted(label for label, our in ours if our not in touched)
    theirs = [(kind_of(types), their) for their, (_, types) in facts.theirs.items() if kind_of(types) in shared]
    review.theirs_in_scope = len(theirs)
    review.unmatched_theirs = Counter(kind for kind, their in theirs if their not in touched)


def link_candidates(kg: KnowledgeGraph, graph_name: str, *, threshold: float = 0.85) -> list[Candidate]:
    """Propose links from our entities to the imported graph's, best first, each with its reasons.

    A pair scores 1.0 when both sides carry the same external identifier (Wikidata, GOV.UK,
    Parliament, IfG); otherwise by its best pair of names (``rdfs:label``, ``skos:prefLabel``,
    ``skos:altLabel``, ``foaf:name``): 1.0 for the same normalised name, 0.97 for the same name once
    HM/Her Majesty's and "Department for/of" are set aside, else ``label_similarity``; a person's
    score is checked against the dates the article gives for ours (``review_candidates``). Pairs of
    different kinds, with different ids of the same scheme, whose years of existence do not overlap,
    or whose imported side is an opposition, parliamentary or party post where ours is a department
    or office are left out, as are pairs already linked.

    Args:
        kg: the knowledge graph with the import loaded.
        graph_name: the import's name (``wmkg import ... --graph NAME``).
        threshold: the lowest score proposed (0..1).

    Returns:
        The candidates, highest score first.
    """
    return review_candidates(kg, graph_name, threshold=threshold).proposed


__all__ = ["EXACT_SCORE", "Candidate", "Review", "link_candidates", "review_candidates"]

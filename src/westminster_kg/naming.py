"""Which of an entity's labels is shown: one rule for the resolver and for the cold ``wmkg query``.

An entity may have an ``rdfs:label``, a ``skos:prefLabel`` and any number of ``skos:altLabel`` s, in
several languages. The one shown beside its IRI (a ``_label`` column, a page title) is the best by
``rank``: a label before an alias, English or untagged before another language, then alphabetical.
"""

from __future__ import annotations

from collections.abc import Iterable


def rank(is_alias: bool, language: str | None) -> int:
    """Lower is better: a label before an alias, English (or no language) before another language."""
    return (2 if is_alias else 0) + (0 if language in (None, "", "en") else 1)


def shown_labels(rows: Iterable[tuple[str, str, str | None, bool]]) -> dict[str, str]:
    """The label shown for each IRI, from ``(iri, label, language, is_alias)`` rows (``label-lookup.rq``)."""
    best: dict[str, tuple[int, str]] = {}
    for iri, label, language, is_alias in rows:
        candidate = (rank(is_alias, language), label)
        if iri not in best or candidate < best[iri]:
            best[iri] = candidate
    return {iri: label for iri, (_, label) in best.items()}


__all__ = ["rank", "shown_labels"]

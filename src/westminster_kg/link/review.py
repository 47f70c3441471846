"""The candidates file a person reviews, and accepting what they marked into the import's link set.

The TSV lists the proposals, then the near misses below the threshold (each with why it fell short;
a curator may still accept one), then, as comment lines that cannot be accepted, the pairs set aside
(an opposition portfolio named like a department) and a summary: how many were proposed, fell
short, were set aside or already linked, and what stayed unmatched on either side.

A reviewed file is checked before anything is written: it must be UTF-8, every score a number from 0
to 1, every IRI one of ours or of the import, and every label one the graph gives that resource.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from westminster_kg.bound import internal, run
from westminster_kg.errors import InputError
from westminster_kg.link.candidate_facts import labelled
from westminster_kg.link.candidates import Candidate, Review
from westminster_kg.link.importers import import_graph_iri
from westminster_kg.link.linkset import ANY_IRI
from westminster_kg.namespaces import GRAPH_ARTICLE, WMR, curie

if TYPE_CHECKING:
    from westminster_kg.knowledge_graph import KnowledgeGraph

CANDIDATE_COLUMNS = ["score", "ours", "our_label", "theirs", "their_label", "kind", "match", "reasons", "accept"]
_REQUIRED_COLUMNS = ["score", "ours", "theirs", "accept"]
_YES = ("yes", "y", "x", "true", "1", "exact", "close")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_CELL = 4_000


def import_linkset_file(graph_name: str) -> str:
    """Where the links accepted for import ``graph_name`` are kept (relative to the root)."""
    return f"graph/links/import-{graph_name}.ttl"


def _rows(candidates: list[Candidate]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    for candidate in candidates:
        writer.writerow(candidate.row())
    return buffer.getvalue()


def candidates_tsv(candidates: list[Candidate]) -> str:
    """The candidates as a TSV for review: set ``accept`` to ``yes`` on the rows to keep."""
    return "\t".join(CANDIDATE_COLUMNS) + "\n" + _rows(candidates)


def review_tsv(review: Review) -> str:
    """The whole review as a TSV: proposals, near misses (acceptable), then pairs set aside and the
    summary as ``#`` comment lines."""
    parts = [candidates_tsv(review.proposed)]
    if review.near_misses:
        parts.append(
            f"# near misses: below the threshold {review.threshold:.2f}, not proposed; each says why it fell short "
            "(write yes in accept to take one anyway)\n"
        )
        parts.append(_rows(review.near_misses))
    if review.set_aside:
        parts.append(
            "# set aside, never proposed: named like one of ours, but ruled out (these lines cannot be accepted)\n"
        )
        parts.append("".join(f"# {line}\n" for line in _rows(review.set_aside).splitlines()))
    parts.append(f"# summary: {review.summary()}\n")
    return "".join(parts)


def candidates_graph(candidates: list[Candidate], graph_name: str, *, accepted_on: str | None = None) -> Graph:
    """The candidates as link triples with provenance nodes (proposed, or accepted on a date)."""
    graph = Graph()
    source = URIRef(import_graph_iri(graph_name))
    for candidate in candidates:
        predicate = candidate.predicate
        graph.add((candidate.ours, predicate, candidate.theirs))
        digest = hashlib.sha256(f"{candidate.ours} {candidate.theirs}".encode()).hexdigest()[:8]
        slug = str(candidate.ours)[len(str(WMR)) :]
        node = WMR[f"link-{slug}-{graph_name}-{digest}"]
        label = f"link: {candidate.our_label} to {candidate.their_label} ({graph_name})"
        graph.add((node, RDF.type, RDF.Statement))
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, RDF.subject, candidate.ours))
        graph.add((node, RDF.predicate, predicate))
        graph.add((node, RDF.object, candidate.theirs))
        graph.add((node, DCTERMS.source, source))
        why = f"score {candidate.score:.3f}: {candidate.reasons or 'no reason recorded'}"
        if accepted_on:
            graph.add((node, DCTERMS.date, Literal(accepted_on, datatype=XSD.date)))
            note = f"Accepted by curator, {accepted_on}; proposed by `wmkg link --candidates`, {why}."
        else:
            note = f"Candidate proposed by `wmkg link --candidates`, not yet reviewed, {why}."
        graph.add((node, SKOS.note, Literal(note, lang="en")))
    return graph


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte {exc.start}): save the TSV as UTF-8") from None


def _score(cell: str | None, where: str) -> float:
    try:
        score = float(cell or "")
    except ValueError:
        raise InputError(f"{where}: score {cell!r} is not a number") from None
    if not math.isfinite(score) or not 0.0 <= score <= 1.0:
        raise InputError(f"{where}: score {cell!r} is not a number from 0 to 1")
    return score


def read_candidates(path: Path) -> list[Candidate]:
    """The rows of a reviewed candidates TSV whose ``accept`` cell says yes (or exact, or close).

    Lines starting with ``#`` (section headings, pairs set aside, the summary) are skipped; every
    accepted row is checked (UTF-8, a score from 0 to 1, IRIs, no control characters).
    """
    return [candidate for _, candidate in _accepted_rows(path)]


def _accepted_rows(path: Path) -> list[tuple[str, Candidate]]:
    """``(file:line, candidate)`` for every accepted row (see ``read_candidates``)."""
    text = _text(path)
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.startswith("#")]
    if not lines:
        raise InputError(f"{path}: empty: not a candidates TSV")
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in lines)), delimiter="\t")
    missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: not a candidates TSV (missing column(s) {', '.join(missing)})")
    accepted = []
    for row in reader:
        where = f"{path}:{lines[reader.line_num - 1][0]}"
        verdict = (row.get("accept") or "").strip().lower()
        if verdict not in _YES:
            continue
        for column, cell in row.items():
            if isinstance(cell, str) and (_CONTROL.search(cell) or len(cell) > MAX_CELL):
                raise InputError(f"{where}: column {column!r} has control characters or is over {MAX_CELL:,} long")
        score = _score(row.get("score"), where)
        ours, theirs = (row.get("ours") or "").strip(), (row.get("theirs") or "").strip()
        if not ours.startswith(str(WMR)) or not ANY_IRI.match(ours):
            raise InputError(f"{where}: 'ours' must be one of our entities (wmr:), not {ours[:200]!r}")
        if not ANY_IRI.match(theirs):
            raise InputError(f"{where}: 'theirs' is not an IRI: {theirs[:200]!r}")
        match = verdict if verdict in ("exact", "close") else ""
        accepted.append(
            (
                where,
                Candidate(
                    score,
                    URIRef(ours),
                    row.get("our_label") or "",
                    URIRef(theirs),
                    row.get("their_label") or "",
                    row.get("kind") or "",
                    row.get("reasons") or "",
                    match,
                ),
            )
        )
    return accepted


def _check_against_graph(kg: KnowledgeGraph, graph_name: str, accepted: list[tuple[str, Candidate]]) -> None:
    """Every accepted row names our entity and the import's resource, with labels the graph gives them."""
    graph_iri = import_graph_iri(graph_name)
    ours = {row[0] for row in run(kg.store, internal("typed-subjects")).rows}
    theirs = {row[0] for row in run(kg.store, internal("import-subjects", graph=URIRef(graph_iri))).rows}
    names: dict[Any, list[str]] = {}
    for graph in (GRAPH_ARTICLE, graph_iri):
        names.update({s: labels for s, (labels, _types) in labelled(kg, graph).items()})
    for where, candidate in accepted:
        if candidate.ours not in ours:
            raise InputError(f"{where}: {curie(candidate.ours)} is not an entity of the graph")
        if candidate.theirs not in theirs:
            raise InputError(f"{where}: <{candidate.theirs}> is not in the import {graph_name!r}")
        for side, label, iri in (
            ("our", candidate.our_label, candidate.ours),
            ("their", candidate.their_label, candidate.theirs),
        ):
            known = names.get(iri, [])
            if label and label not in known:
                shown = ", ".join(repr(k) for k in known[:3]) or "none"
                raise InputError(
                    f"{where}: {side}_label {label[:100]!r} is not a label of <{iri}> (its labels: {shown})"
                )


def accept_candidates(
    kg: KnowledgeGraph,
    graph_name: str,
    reviewed: Path | list[Candidate],
    *,
    today: str | None = None,
) -> tuple[int, Path]:
    """Add accepted candidates to the import's own link set, ``graph/links/import-NAME.ttl``.

    Args:
        kg: the knowledge graph with the import loaded.
        graph_name: the import's name.
        reviewed: a reviewed candidates TSV (rows with accept=yes/exact/close), or the candidates
            themselves (``wmkg link --accept-above SCORE``).
        today: the acceptance date recorded (default: today).

    Returns:
        The number of links added (links already there are not added twice) and the file.
    """
    from westminster_kg.turtle import canonical_turtle, write_atomically

    rows = _accepted_rows(reviewed) if isinstance(reviewed, Path) else [("--accept-above", c) for c in reviewed]
    _check_against_graph(kg, graph_name, rows)
    accepted = [candidate for _, candidate in rows]
    target = kg.project.root / import_linkset_file(graph_name)
    existing = Graph()
    if target.exists():
        existing.parse(target, format="turtle")
    date = today or dt.date.today().isoformat()
    new = [
        c for c in accepted if not any((c.ours, p, c.theirs) in existing for p in (SKOS.exactMatch, SKOS.closeMatch))
    ]
    if new:
        existing += candidates_graph(new, graph_name, accepted_on=date)
        write_atomically(target, canonical_turtle(existing).encode("utf-8"), create_parents=True)
    return len(new), target


__all__ = [
    "CANDIDATE_COLUMNS",
    "accept_candidates",
    "candidates_graph",
    "candidates_tsv",
    "import_linkset_file",
    "read_candidates",
    "review_tsv",
]

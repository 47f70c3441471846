"""Small facts the pictures share: governments and periods with their dates, claim details, labels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from westminster_kg.internal_queries import internal_query

if TYPE_CHECKING:
    import networkx as nx

    from westminster_kg.knowledge_graph import KnowledgeGraph


@dataclass(frozen=True)
class Span:
    """A government or period with the dates the graph gives (background facts, marked as such)."""

    iri: str
    label: str
    kind: str  # "government" or "period"
    start: dt.date | None
    end: dt.date | None


def _date(value: Any) -> dt.date | None:
    """A date from an ``xsd:date``/``xsd:gYear``/text literal; ``None`` when there is none."""
    if value is None:
        return None
    python = value.toPython() if hasattr(value, "toPython") else value
    if isinstance(python, dt.datetime):
        return python.date()
    if isinstance(python, dt.date):
        return python
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value))
    if not match:
        return None
    year, month, day = match.groups()
    return dt.date(int(year), int(month or 1), int(day or 1))


def year_from_label(label: str) -> tuple[int | None, int | None]:
    """The years a label names: ``"since 1997"`` → (1997, None), ``"1979-97"`` → (1979, 1997)."""
    years = [int(y) for y in re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", label)]
    short = re.search(r"(?<!\d)(1[89]\d\d|20\d\d)\s*[-–]\s*(\d\d)(?!\d)", label)
    if short:
        first = int(short.group(1))
        return first, (first // 100) * 100 + int(short.group(2))
    if not years:
        return None, None
    return years[0], (years[1] if len(years) > 1 else None)


def spans(kg: KnowledgeGraph) -> dict[str, Span]:
    """Every government and period, with dates from ``wm:startDate``/``wm:endDate`` (or its label)."""
    found: dict[str, Span] = {}
    for iri, kind, label, start, end in kg.store.query(internal_query("view-time-spans")).rows:
        key = str(iri)
        text = str(label) if label is not None else key.rsplit("/", 1)[-1]
        start_date, end_date = _date(start), _date(end)
        if start_date is None:
            first, last = year_from_label(text)
            start_date = dt.date(first, 1, 1) if first else None
            end_date = end_date or (dt.date(last, 12, 31) if last else None)
        old = found.get(key)
        if old is None or (old.start is None and start_date is not None):
            found[key] = Span(key, text, str(kind), start_date, end_date)
    return found


def sort_key(span: Span | None) -> tuple[int, str]:
    """Spans in time order; undated ones last."""
    if span is None:
        return (99999, "")
    return (span.start.toordinal() if span.start else 99999, span.label.casefold())


def hedge_note(modality: Any, label: Any = None, cue: Any = None) -> str:
    """How a claim's quote hedges it, for a reader: ``possible — hedge: “potentially”``.

    Wherever a claim is shown, its article's hedge must be too: a claim is never shown more
    certain than its words. Asserted claims (and claims without a modality) need no note.

    Args:
        modality: the modality IRI or CURIE (``wm:Possible``), or ``None``.
        label: its label (``possible``); the IRI's local name, lower-cased, when ``None``.
        cue: the hedge words as they stand in the quote, or ``None``.

    Returns:
        The note, or ``""`` for an asserted claim.
    """
    if modality is None or not str(modality):
        return ""
    name = re.split(r"[#/:]", str(modality))[-1]
    if name == "Asserted":
        return ""
    note = str(label) if label is not None and str(label) else name.lower()
    return f"{note} — hedge: “{cue}”" if cue is not None and str(cue) else note


def distinct_labels(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Each node's label, told apart from any other node's that reads the same.

    Two entities may share a label (the Coalition's non-executive boards are both a ``wm:Reform``,
    the act of setting them up, and a ``wm:Unit``, the boards): a list that shows only labels would
    name one thing twice. Such labels get their class (``Non-executive boards — unit``), or their
    IRI's last segment when the class is shared too; all other labels are left as they are.

    Args:
        graph: a network from ``build_network`` (nodes carry ``label`` and ``cls``).

    Returns:
        Node → label shown for it.
    """
    from westminster_kg.view.style import human_name

    labels = {node: str(data["label"]) for node, data in graph.nodes(data=True)}
    groups: dict[str, list[str]] = {}
    for node, label in labels.items():
        groups.setdefault(label.casefold(), []).append(node)
    for nodes in groups.values():
        if len(nodes) < 2:
            continue
        classes = [human_name(str(graph.nodes[n]["cls"])).lower() for n in nodes]
        for node, cls in zip(nodes, classes, strict=True):
            qualifier = cls if classes.count(cls) == 1 else node.rstrip("/").rsplit("/", 1)[-1]
            labels[node] = f"{labels[node]} — {qualifier}"
    return labels

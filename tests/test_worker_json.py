"""A worker writes a SELECT answer in JSON with Oxigraph's own serialiser, and still cuts it at the limits.

The serialiser cannot stop at a row count, so the worker watches what it writes and, once the answer may
be past ``max_rows`` or ``max_bytes``, reads it again row by row. Either way the client must get the
bytes the row-by-row writer (``web.writers``) gives, and the same ``truncated`` flag.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from westminster_kg.web import worker, writers
from westminster_kg.web.jobs import Body, Limits, QueryJob

JSON = "application/sparql-results+json"
EX = "http://example.org/"
# Values that hold the separator the worker counts rows by, quotes, escapes and non-ASCII text.
AWKWARD = ['},{"', "},{", '"}]}', "\\", "line\nbreak", "é 𝄞 \u2028", "\x01", ""]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i in range(300):
        subject = ox.NamedNode(f"{EX}s{i:03d}")
        value = AWKWARD[i % len(AWKWARD)] * (1 + i % 5)
        store.add(ox.Quad(subject, ox.NamedNode(EX + "p"), ox.Literal(value)))
        if i % 3 == 0:
            store.add(ox.Quad(subject, ox.NamedNode(EX + "lang"), ox.Literal(f"v{i}", language="en-gb")))
        if i % 7 == 0:
            store.add(ox.Quad(subject, ox.NamedNode(EX + "blank"), ox.BlankNode(f"b{i}")))
    return store


def expected(store: ox.Store, query: str, limits: Limits) -> Body:
    """The answer as the row-by-row writer gives it, cut where the worker's limits say."""
    solutions = store.query(query)
    variables = [v.value for v in solutions.variables]
    rows, size, truncated = [], 0, False
    for solution in solutions:
        row = tuple(solution[v] for v in variables)
        size += sum(0 if t is None else len(t.value) + 16 for t in row)
        if len(rows) == limits.max_rows or size > limits.max_bytes:
            truncated = True
            break
        rows.append(row)
    return Body(writers.solutions_json(variables, rows), JSON, truncated)


QUERIES = {
    "literals": f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s",
    "optional": f"SELECT ?s ?l ?b WHERE {{ ?s <{EX}p> ?o OPTIONAL {{ ?s <{EX}lang> ?l }} "
    f"OPTIONAL {{ ?s <{EX}blank> ?b }} }} ORDER BY ?s",
    "unbound": f"SELECT ?s ?none WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s",
    "no variables": f"SELECT * WHERE {{ ?s <{EX}p> ?o FILTER(false) }}",
    "empty solutions": f"SELECT ?none WHERE {{ ?s <{EX}p> ?o }}",
}
LIMITS = {
    "roomy": Limits(),
    "rows at the answer's size": Limits(max_rows=300),
    "one row fewer": Limits(max_rows=299),
    "few rows": Limits(max_rows=7),
    "one row": Limits(max_rows=1),
    "bytes": Limits(max_bytes=3_000),
    "bytes past one chunk": Limits(max_bytes=12_000),
}


@pytest.mark.parametrize("limits", LIMITS.values(), ids=LIMITS.keys())
def test_a_json_answer_is_the_row_by_row_writers_and_cut_at_the_same_place(store: ox.Store, limits: Limits) -> None:
    worker.ISOLATED = True  # this process is not a worker: only its query-mentions-SERVICE rule cares
    for name, query in QUERIES.items():
        outcome = worker.answer(store, QueryJob(query, accept=JSON, limits=limits))
        assert outcome == expected(store, query, limits), name


def test_the_limits_are_reached_in_these_cases() -> None:
    # Not a vacuous comparison: some of the answers above are cut, some are not.
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("x")))
    worker.ISOLATED = True
    query = "SELECT ?o WHERE { VALUES ?o { 1 2 3 } }"
    cut = worker.answer(store, QueryJob(query, accept=JSON, limits=Limits(max_rows=2)))
    whole = worker.answer(store, QueryJob(query, accept=JSON, limits=Limits(max_rows=3)))
    assert isinstance(cut, Body) and cut.truncated and cut.data.count(b'"type"') == 2
    assert isinstance(whole, Body) and not whole.truncated and whole.data.count(b'"type"') == 3

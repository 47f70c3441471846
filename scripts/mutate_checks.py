"""Prove that every validation gate bites: silence each one in turn and see the tests fail.

For each ``queries/checks/*.rq`` the mutant adds ``FILTER(false)`` at the top of the query's
outermost ``WHERE`` group, so the check returns nothing; for each named shape in
``ontology/shapes.ttl`` the mutant unhooks it from its node shape, so it never fires. Then the
validation tests (``tests/test_validate.py``) run against the mutant: the fixture tests for that
check first, the whole file when they pass. A mutation is *caught* when the tests fail. The script
prints one line per mutation and exits 1 when any survived. Before any mutation the fixture tests
pass; the whole file is run unmutated too, once, as soon as a mutant gets past its fixture tests (its
failure against the mutant would prove nothing otherwise).

The mutants are written into scratch copies of the files the tests read (pyproject.toml, tests/,
queries/, ontology/, graph/sources/), never into the checkout: an interrupted run (Ctrl-C, a CI
timeout's SIGTERM) leaves nothing to restore, and a test run in the checkout at the same moment
never sees a mutant. ``--jobs`` mutants (2 by default) are tested at once, each in a copy of its own
(``scripts/scratch_runs.py``). The copies are removed on exit.

Usage: ``python scripts/mutate_checks.py [--only NAME ...] [--no-shapes] [--jobs N]``
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from scratch_runs import ScratchRuns, unwind_on_sigterm

from westminster_kg.namespaces import PREFIXES
from westminster_kg.sparql_text import code_outside_literals

TESTS = "tests/test_validate.py"
FIXTURE_TEST = "test_each_invalid_example_trips_exactly_its_check"
COPIED = ("pyproject.toml", "tests", "queries", "ontology", "graph/sources")


def silence_query(sparql: str) -> str:
    """The query with ``FILTER(false)`` opening its outermost WHERE group: it returns no row."""
    match = re.search(r"(?<![\w:?$])WHERE\s*\{", code_outside_literals(sparql), re.IGNORECASE)
    if match is None:
        raise SystemExit("a check query without an explicit 'WHERE {' cannot be mutated")
    mutant = sparql[: match.end()] + " FILTER(false) " + sparql[match.end() :]
    prepareQuery(mutant, initNs=PREFIXES)  # a mutant that does not parse would prove nothing
    return mutant


def silence_shape(shapes: Graph, shape: URIRef) -> Graph:
    """The shapes graph with ``shape`` unhooked from the node shape that uses it: it never fires."""
    mutant = Graph()
    for prefix, namespace in shapes.namespaces():
        mutant.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] in (SH.property, SH.sparql) and triple[2] == shape:
            continue
        mutant.add(triple)
    return mutant


def fixtures_for(copy: Path, check: str) -> list[str]:
    """Test ids of the fixtures whose header names ``check`` (as the check, or among its shapes)."""
    ids = []
    for path in sorted((copy / "tests" / "data" / "invalid").glob("*.ttl")):
        header = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            header.append(line)
        if any(check in line.split() for line in header):
            ids.append(f"{TESTS}::{FIXTURE_TEST}[{path.stem}]")
    return ids


def run_tests(runs: ScratchRuns, copy: Path, selection: list[str]) -> str | None:
    """Run ``selection`` of the validation tests in ``copy``; the node id that failed, or ``None`` when all passed."""
    code, output = runs.pytest(copy, selection)
    if code not in (0, 1):
        raise SystemExit(f"pytest could not run the validation tests (exit {code}):\n{output}")
    if code == 0:
        return None
    failed = re.search(r"^FAILED (\S+)", output, re.MULTILINE)
    return failed.group(1) if failed else " ".join(selection)


class WholeFile:
    """Whether the whole of ``TESTS`` passes before any mutation: asked (once) only when a mutant gets past
    its fixture tests and the whole file is run against it, so that the file's failure proves something."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: str | None | bool = False  # False: not run yet

    def passes(self, runs: ScratchRuns, copy: Path) -> None:
        """Run the whole file in ``copy`` (as it is in the checkout) the first time; exit when it fails."""
        with self._lock:
            if self._failed is False:
                self._failed = run_tests(runs, copy, [TESTS])
        if self._failed is not None:
            raise SystemExit(f"the validation tests fail before any mutation ({self._failed}): fix them first")


def test_mutant(runs: ScratchRuns, whole: WholeFile, name: str, relative: Path, mutant: str) -> str | None:
    """Write ``mutant`` (the file at ``relative`` with ``name`` silenced) into a free copy and run its
    tests there: the fixture tests of ``name``, then the whole file when they pass (or there are none).
    The test that caught it, or ``None``. The copy is put back as it was."""
    with runs.borrow() as copy:
        path = copy / relative
        original = path.read_text(encoding="utf-8")
        path.write_text(mutant, encoding="utf-8")
        try:
            first = fixtures_for(copy, name)
            if first and (failed := run_tests(runs, copy, first)) is not None:
                return failed
            failed = run_tests(runs, copy, [TESTS])
        finally:
            path.write_text(original, encoding="utf-8")
        if failed is not None:
            whole.passes(runs, copy)
            return f"{failed} (the whole file: its fixture tests pass)"
        return None


def mutations(copy: Path, shapes: bool, only: set[str]) -> list[tuple[str, Path, Callable[[str], str]]]:
    """(name, file, rewrite) for each mutation to try."""
    found: list[tuple[str, Path, Callable[[str], str]]] = []
    for path in sorted((copy / "queries" / "checks").glob("*.rq")):
        found.append((path.stem, path, silence_query))
    if shapes:
        shapes_path = copy / "ontology" / "shapes.ttl"
        graph = Graph().parse(shapes_path, format="turtle")
        named = sorted({s for kind in (SH.PropertyShape, SH.SPARQLConstraint) for s in graph.subjects(RDF.type, kind)})
        for shape in named:
            name = "shacl:" + str(shape).rsplit("#", 1)[-1]

            def rewrite(text: str, shape: URIRef = shape) -> str:
                return silence_shape(Graph().parse(data=text, format="turtle"), shape).serialize(format="turtle")

            found.append((name, shapes_path, rewrite))
    return [m for m in found if not only or m[0] in only]


def main(argv: list[str] | None = None) -> int:
    """Run every mutation; exit 1 when the tests did not catch one of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="only these checks (file stems, or shacl:NAME)")
    parser.add_argument("--no-shapes", action="store_true", help="mutate the check queries only")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once, each in a copy of its own")
    args = parser.parse_args(argv)

    unwind_on_sigterm()  # a CI timeout unwinds like Ctrl-C, so the scratch copies are removed either way
    started = time.monotonic()
    survived: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="wmkg-mutants-") as scratch,
        ScratchRuns(Path(scratch), COPIED, args.jobs) as runs,
    ):
        todo = mutations(runs.copies[0], not args.no_shapes, set(args.only))
        if not todo:
            print("no mutation to run", file=sys.stderr)
            return 1
        # Before any mutation the fixture tests pass (the whole file, when a mutant comes to it: WholeFile).
        with runs.borrow() as copy:
            if run_tests(runs, copy, [f"{TESTS}::{FIXTURE_TEST}"]) is not None:
                print("the validation tests fail before any mutation: fix them first", file=sys.stderr)
                return 1
        # The mutants are written here, before any thread runs: rdflib's SPARQL parser (which checks
        # that each one parses) is not safe to call from two threads at once.
        whole = WholeFile()
        mutants = [(name, path.relative_to(runs.copies[0]), rewrite(path.read_text())) for name, path, rewrite in todo]
        for (name, *_), future in runs.each(lambda mutant: test_mutant(runs, whole, *mutant), mutants):
            failed = future.result()
            if failed is None:
                survived.append(name)
                print(f"SURVIVED  {name}: the validation tests pass with it silenced", flush=True)
            else:
                print(f"caught    {name}: {failed}", flush=True)
    print(
        f"{len(todo) - len(survived)} of {len(todo)} mutations caught "
        f"in {time.monotonic() - started:.0f} s, {max(1, args.jobs)} at a time"
        + (f"; survived: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())

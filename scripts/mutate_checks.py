"""Prove that every validation gate bites: silence each one in turn and see the tests fail.

For each ``queries/checks/*.rq`` the mutant adds ``FILTER(false)`` at the top of the query's
outermost ``WHERE`` group, so the check returns nothing; for each named shape in
``ontology/shapes.ttl`` the mutant unhooks it from its node shape, so it never fires. Then the
validation tests (``tests/test_validate.py``) run against the mutant: the fixture tests for that
check first, the whole file when they pass. A mutation is *caught* when the tests fail. The script
prints one line per mutation and exits 1 when any survived.

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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
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


def tests_fail(runs: ScratchRuns, copy: Path, first: list[str]) -> str | None:
    """Run the validation tests in ``copy``: the fixture tests ``first``, then the whole file when they pass;
    the node id that failed, or ``None`` when all passed."""
    for selection in ([*first] if first else [], [TESTS]):
        if not selection:
            continue
        code, output = runs.pytest(copy, selection)
        if code not in (0, 1):
            raise SystemExit(f"pytest could not run the validation tests (exit {code}):\n{output}")
        if code == 1:
            failed = re.search(r"^FAILED (\S+)", output, re.MULTILINE)
            return failed.group(1) if failed else " ".join(selection)
    return None


def test_mutant(runs: ScratchRuns, name: str, relative: Path, mutant: str) -> str | None:
    """Write ``mutant`` (the file at ``relative`` with ``name`` silenced) into a free copy and run its
    tests there; the test that caught it, or ``None``. The copy is put back as it was."""
    with runs.borrow() as copy:
        path = copy / relative
        original = path.read_text(encoding="utf-8")
        path.write_text(mutant, encoding="utf-8")
        try:
            return tests_fail(runs, copy, fixtures_for(copy, name))
        finally:
            path.write_text(original, encoding="utf-8")


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
    with tempfile.TemporaryDirectory(prefix="wmkg-mutants-") as scratch:
        runs = ScratchRuns(Path(scratch), COPIED, args.jobs)
        todo = mutations(runs.copies[0], not args.no_shapes, set(args.only))
        if not todo:
            print("no mutation to run", file=sys.stderr)
            return 1
        try:
            with runs.borrow() as copy:
                if tests_fail(runs, copy, []) is not None:
                    print("the validation tests fail before any mutation: fix them first", file=sys.stderr)
                    return 1
            # The mutants are written here, before any thread runs: rdflib's SPARQL parser (which checks
            # that each one parses) is not safe to call from two threads at once.
            mutants = [
                (name, path.relative_to(runs.copies[0]), rewrite(path.read_text())) for name, path, rewrite in todo
            ]
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:
                futures = {pool.submit(test_mutant, runs, *mutant): mutant[0] for mutant in mutants}
                for future in as_completed(futures):
                    name, failed = futures[future], future.result()
                    if failed is None:
                        survived.append(name)
                        print(f"SURVIVED  {name}: the validation tests pass with it silenced", flush=True)
                    else:
                        print(f"caught    {name}: {failed}", flush=True)
        except BaseException:
            runs.stop()
            raise
    print(
        f"{len(todo) - len(survived)} of {len(todo)} mutations caught "
        f"in {time.monotonic() - started:.0f} s, {max(1, args.jobs)} at a time"
        + (f"; survived: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())

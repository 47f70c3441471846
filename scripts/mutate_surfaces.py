"""Prove that the surface oracle bites: flip a direction, drop a hedge, swap a stance, and see it fail.

Each mutation rewrites one spot of what a surface is made of, either in a template or script (how it
is shown) or in the data the surface is built from (the SPARQL it runs, the Python that shapes its
data), so that a relation is shown the wrong way round, a hedged claim is shown as certain, or a
claim is given another voice. Then the oracle tests of that surface (``tests/test_oracle_*.py``,
``tests/test_browser_oracle.py``), which compare it with the graph through SPARQL of their own, run
against the mutant. A mutation is *caught* when they fail. The script prints one line per mutation
and exits 1 when any survived, or when a mutation no longer applies (its text is gone from the file:
update the list below with the code).

The mutants are written into scratch copies of the checkout (src/, tests/, queries/, ontology/,
graph/, pyproject.toml), imported through ``PYTHONPATH`` ahead of the installed package, never into
the checkout: an interrupted run leaves nothing to restore. ``--jobs`` mutants (2 by default) are
tested at once, each in a copy of its own made once at the start; a mutation is undone in its copy
once its tests have run. Only the named oracle tests run for each mutant, stopping at the first
failure. The copies are removed on exit.

Usage: ``python scripts/mutate_surfaces.py [--only NAME ...] [--fast] [--jobs N]`` (``--fast``: leave
out the mutation whose tests start Chromium).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scratch_runs import ScratchRuns, unwind_on_sigterm

COPIED = ("pyproject.toml", "src", "tests", "queries", "ontology", "graph")

PAGES = "tests/test_oracle_pages.py"
PICTURES = "tests/test_oracle_pictures.py"
WEB = "tests/test_oracle_web.py"
ANSWERS = "tests/test_oracle_answers.py"
BROWSER = "tests/test_browser_oracle.py"


@dataclass(frozen=True)
class Mutation:
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``path``; ``tests`` must then fail."""

    name: str
    kind: str  # "direction", "hedge" or "stance"
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    slow: bool = False  # its tests start Chromium


MUTATIONS = (
    # --- templates and scripts: how a surface shows what it is given -----------------------------------
    Mutation(
        "entity page template: subject and object swapped",
        "direction",
        "src/westminster_kg/templates/entity.html",
        '<span class="wmkg-subject">{{ end(c.subject, c.subject_label) }}</span>',
        '<span class="wmkg-subject">{{ end(c.object, c.object_label) }}</span>',
        (PAGES, "-k", "shows_each_claim_naming_it"),
    ),
    Mutation(
        "entity page template: every claim shown as asserted",
        "hedge",
        "src/westminster_kg/templates/entity.html",
        '{{ c.hedge or "asserted" }}</p>',
        "asserted</p>",
        (PAGES, "-k", "shows_each_claim_naming_it"),
    ),
    Mutation(
        "entity page template: every claim in the authors' voice",
        "stance",
        "src/westminster_kg/templates/entity.html",
        '<td><span class="wmkg-stance">{{ c.stance_label }}</span>',
        '<td><span class="wmkg-stance">author\'s argument</span>',
        (PAGES, "-k", "shows_each_claim_naming_it"),
    ),
    Mutation(
        "entity page template: the claims a quote supports shown without their hedge",
        "hedge",
        "src/westminster_kg/templates/entity.html",
        '<span class="wmkg-modality">{{ c.hedge or "asserted" }}</span>',
        '<span class="wmkg-modality">asserted</span>',
        (PAGES, "-k", "lists_the_words"),
    ),
    Mutation(
        "overview script: lines drawn from their 'to' end",
        "direction",
        "src/westminster_kg/static/overview.js",
        "id: e.id, from: e.from, to: e.to,",
        "id: e.id, from: e.to, to: e.from,",
        (BROWSER, "-k", "draws_each_line"),
        slow=True,
    ),
    # --- the data a surface is built from: its queries and the Python that shapes them -----------------
    Mutation(
        "entity page query: subject and object swapped",
        "direction",
        "queries/internal/entity-claims.rq",
        "rdf:subject ?subject ; rdf:predicate ?relation ; rdf:object ?object ;",
        "rdf:subject ?object ; rdf:predicate ?relation ; rdf:object ?subject ;",
        (PAGES, "-k", "shows_each_claim_naming_it"),
    ),
    Mutation(
        "entity page query: the hedge cue dropped",
        "hedge",
        "queries/internal/entity-claims.rq",
        "  OPTIONAL { ?claim wm:hedgeCue ?hedgeCue }\n",
        "",
        (PAGES, "-k", "shows_each_claim_naming_it"),
    ),
    Mutation(
        "entity page query: every claim's stance the authors' argument",
        "stance",
        "queries/internal/entity-claims.rq",
        "OPTIONAL { ?claim wm:stance ?stance .",
        "OPTIONAL { BIND(wm:AuthorArgument AS ?stance)",
        (PAGES, "-k", "shows_each_claim_naming_it"),
    ),
    Mutation(
        "words query: the hedge of a supported claim dropped",
        "hedge",
        "queries/internal/entity-word-supports.rq",
        "  OPTIONAL { ?claim wm:hedgeCue ?hedgeCue }\n",
        "",
        (PAGES, "-k", "lists_the_words"),
    ),
    Mutation(
        "words query: a supported claim's stance the authors' argument",
        "stance",
        "queries/internal/entity-word-supports.rq",
        "OPTIONAL { ?claim wm:stance ?stance .",
        "OPTIONAL { BIND(wm:AuthorArgument AS ?stance)",
        (PAGES, "-k", "lists_the_words"),
    ),
    Mutation(
        "network projection: every edge turned round",
        "direction",
        "queries/internal/network-edges.rq",
        "SELECT ?subject ?relation ?object ?claim WHERE {",
        "SELECT ?object ?relation ?subject ?claim WHERE {",
        (PICTURES, "-k", "every_network_line or every_overview_line"),
    ),
    Mutation(
        "network projection: hedge cues dropped",
        "hedge",
        "queries/internal/network-claim-modalities.rq",
        "  OPTIONAL { ?claim wm:hedgeCue ?cue }\n",
        "",
        (PICTURES, "-k", "every_network_line or every_overview_line"),
    ),
    Mutation(
        "network projection: one stance for every claim",
        "stance",
        "queries/internal/network-claim-stances.rq",
        "?claim a wm:Claim ; wm:stance ?stance .",
        "?claim a wm:Claim . BIND(wm:AuthorArgument AS ?stance)",
        (PICTURES, "-k", "every_network_line or every_overview_line"),
    ),
    Mutation(
        "overview data: the inverse drawn the graph's way round",
        "direction",
        "src/westminster_kg/view/overview.py",
        '"from": v if inverse else u,',
        '"from": u,',
        (PICTURES, "-k", "every_overview_line"),
    ),
    Mutation(
        "neighbourhood picture: tooltips turned round",
        "direction",
        "src/westminster_kg/view/neighbourhood.py",
        'other, direction = (v, "out") if u == iri else (u, "in")',
        'other, direction = (v, "in") if u == iri else (u, "out")',
        (PAGES, "-k", "neighbourhood"),
    ),
    Mutation(
        "timeline: an undated reform over every government it touches",
        "direction",
        "src/westminster_kg/view/timeline.py",
        "times = [t for t in own.get(node, ()) if t in time_spans]",
        'times = [t for t in data["governments"] if t in time_spans]',
        (PICTURES, "-k", "timeline"),
    ),
    Mutation(
        "article reader: actors' words marked as the authors'",
        "stance",
        "src/westminster_kg/view/article.py",
        '"wm:ActorClaim": "actor",',
        '"wm:ActorClaim": "author",',
        (PICTURES, "-k", "each_mark"),
    ),
    Mutation(
        "article reader: hedged claims marked as certain",
        "hedge",
        "src/westminster_kg/view/article.py",
        'classes.append("weak")',
        "pass",
        (PICTURES, "-k", "each_mark"),
    ),
    Mutation(
        "article reader: the claim panel's hedge cue dropped",
        "hedge",
        "src/westminster_kg/view/article.py",
        '"cue": ", ".join(t for _, t in claim.details.get("cue", [])),',
        '"cue": "",',
        (PICTURES, "-k", "claim_panels"),
    ),
    Mutation(
        "entity description (RDF): hedge cues left out",
        "hedge",
        "queries/internal/entity-describe.rq",
        "UNION { ?s a wm:Claim ; rdf:subject|rdf:object ?entity . ?s ?p ?o }",
        "UNION { ?s a wm:Claim ; rdf:subject|rdf:object ?entity . ?s ?p ?o FILTER(?p != wm:hedgeCue) }",
        (WEB, "-k", "every_rdf_format and ministers"),
    ),
    Mutation(
        "catalogue 'entity' (CLI, /api): directions swapped",
        "direction",
        "queries/entity.rq",
        'BIND("out" AS ?direction)',
        'BIND("in" AS ?direction)',
        (ANSWERS, "-k", "api_gives_each_relation and haldane"),
    ),
    Mutation(
        "catalogue 'reforms-eroding-conventions' (CLI, /api, query page): hedge cues dropped",
        "hedge",
        "queries/reforms-eroding-conventions.rq",
        "  OPTIONAL { ?claim wm:hedgeCue ?hedgeCue }\n",
        "",
        (ANSWERS, "-k", "coalitions_erosions"),
    ),
    Mutation(
        "catalogue 'reforms-eroding-conventions': one stance for every row",
        "stance",
        "queries/reforms-eroding-conventions.rq",
        "wm:stance ?stance ; prov:wasDerivedFrom ?evidence .",
        "prov:wasDerivedFrom ?evidence . BIND(wm:AuthorArgument AS ?stance)",
        (WEB, "-k", "query_page_shows"),
    ),
)


def test_mutant(runs: ScratchRuns, selection: tuple[str, ...], mutation: Mutation | None = None) -> str | None:
    """Run ``selection`` in a free copy (with ``mutation`` applied there for the run); the failing test's
    id, or ``None`` when all pass.

    Raises:
        StaleMutationError: the mutation's text is not once in its file.
    """
    with runs.borrow() as copy:
        if mutation is None:
            return _outcome(selection, *runs.pytest(copy, selection, src=True))
        path = copy / mutation.path
        original = path.read_text(encoding="utf-8")
        if original.count(mutation.old) != 1:
            raise StaleMutationError(mutation.name)
        path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
        try:
            return _outcome(selection, *runs.pytest(copy, selection, src=True))
        finally:
            path.write_text(original, encoding="utf-8")


def _outcome(selection: tuple[str, ...], code: int, output: str) -> str | None:
    if code == 5:
        raise SystemExit(f"no test selected by {' '.join(selection)}: update scripts/mutate_surfaces.py")
    if code not in (0, 1):
        raise SystemExit(f"pytest could not run {' '.join(selection)} (exit {code}):\n{output[-3000:]}")
    if code == 0:
        return None
    failed = re.search(r"^FAILED (\S+)", output, re.MULTILINE)
    return failed.group(1) if failed else " ".join(selection)


class StaleMutationError(Exception):
    """A mutation whose text is no longer once in its file."""


def baseline_selections(todo: list[Mutation]) -> list[tuple[str, ...]]:
    """One selection per test file: every test some mutation of ``todo`` runs there (its -k's or'ed)."""
    by_file: dict[str, list[str]] = {}
    for mutation in todo:
        test_file, *rest = mutation.tests
        keywords = by_file.setdefault(test_file, [])
        if rest[:1] == ["-k"] and keywords is not None:
            keywords.append(f"({rest[1]})")
        else:
            by_file[test_file] = None  # the whole file
    return [(f, "-k", " or ".join(dict.fromkeys(k))) if k else (f,) for f, k in by_file.items()]


def run_all(runs: ScratchRuns, todo: list[Mutation]) -> list[str]:
    """Every mutation of ``todo`` against its tests, ``jobs`` at a time; the names of those not caught."""
    survived: list[str] = []
    for mutation, future in runs.each(lambda m: test_mutant(runs, m.tests, m), todo):
        try:
            failed = future.result()
        except StaleMutationError:
            survived.append(mutation.name)
            print(f"STALE     {mutation.name}: its text is not once in {mutation.path}; update the mutation")
            continue
        if failed is None:
            survived.append(mutation.name)
            print(f"SURVIVED  [{mutation.kind}] {mutation.name}: the oracle tests pass with it")
        else:
            print(f"caught    [{mutation.kind}] {mutation.name}: {failed}", flush=True)
    return survived


def main(argv: list[str] | None = None) -> int:
    """Run every mutation; exit 1 when one survived or no longer applies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="only mutations whose name contains one of these")
    parser.add_argument("--fast", action="store_true", help="leave out mutations whose tests start Chromium")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once, each in a copy of its own")
    args = parser.parse_args(argv)
    todo = [
        m
        for m in MUTATIONS
        if (not args.only or any(word in m.name for word in args.only)) and not (args.fast and m.slow)
    ]
    if not todo:
        print("no mutation to run", file=sys.stderr)
        return 1
    unwind_on_sigterm()
    started = time.monotonic()
    jobs = max(1, min(args.jobs, len(todo)))
    with (
        tempfile.TemporaryDirectory(prefix="wmkg-surface-mutants-") as scratch,
        ScratchRuns(Path(scratch), COPIED, jobs) as runs,
    ):
        # Before any mutation the oracle tests pass: otherwise a failure would prove nothing.
        baseline = runs.each(lambda selection: test_mutant(runs, selection), baseline_selections(todo))
        failures = [failed for _, future in baseline if (failed := future.result()) is not None]
        if failures:
            print(f"the oracle tests fail before any mutation ({failures[0]}): fix them first", file=sys.stderr)
            return 1
        survived = run_all(runs, todo)
    kinds = {kind: sum(m.kind == kind for m in todo) for kind in ("direction", "hedge", "stance")}
    print(
        f"{len(todo) - len(survived)} of {len(todo)} mutations caught "
        f"({', '.join(f'{n} {k}' for k, n in kinds.items())}) in {time.monotonic() - started:.0f} s, "
        f"{jobs} at a time" + (f"; survived: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())

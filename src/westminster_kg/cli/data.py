"""Data in and links out: ``import``, ``link`` and ``links check``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from westminster_kg.cli.shell import app, escape, links_app, load_kg, open_project
from westminster_kg.console import err, out, working
from westminster_kg.errors import ParameterError


@app.command(
    "import",
    epilog="Example: wmkg import appointment.csv post.csv organisation.csv --persons person.csv --graph ifg",
)
def import_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, CSV or Popolo JSON; several make one dataset."
        ),
    ] = None,
    graph: Annotated[str | None, typer.Option(help="Name of the import's own graph (lower-case slug).")] = None,
    persons: Annotated[
        list[Path] | None,
        typer.Option(
            "--persons",
            help="A file of the people the memberships name (parlparse's people.xml or people.json, a CSV).",
        ),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="turtle, ntriples, nquads, trig, jsonld, rdfxml, csv, popolo.")
    ] = None,
    mapping: Annotated[
        list[Path] | None,
        typer.Option(help="CSV: a column mapping (TOML or JSON), one per CSV in order; else columns are recognised."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first unreadable record (else it is left out and listed).")
    ] = False,
    drop: Annotated[str | None, typer.Option(help="Remove the import of this name instead.")] = None,
    base: Annotated[
        str | None, typer.Option(help="IRI that relative IRIs in FILE resolve against (else they are an error).")
    ] = None,
) -> None:
    """Import a dataset into its own named graph (all or nothing), or --drop one."""
    from westminster_kg.link import drop_import, import_dataset

    project = open_project()
    if drop is not None:
        if files or graph is not None:
            raise ParameterError("--drop NAME takes no FILE or --graph")
        removed = drop_import(project, drop)
        out.print(f"dropped import {drop!r} ({project.relative(removed)})")
        return
    if not (files or persons) or graph is None:
        raise ParameterError("give FILE... --graph NAME (or --persons FILE --graph NAME, or --drop NAME)")
    with working(f"importing {', '.join(str(f) for f in (files or persons or []))}"):
        result = import_dataset(
            project, files or [], graph, fmt=fmt, mapping=mapping, base=base, persons=persons or [], strict=strict
        )
    for note in result.notes:
        err.print(escape(note))
    for written in result.mappings:
        err.print(f"the mapping used is in {escape(project.relative(written))} (edit it, reuse it with --mapping)")
    for warning in result.warnings:
        shown = escape(warning)
        err.print(shown if warning.startswith(" ") else f"[yellow]warning[/]: {shown}")
    verb = "replaced" if result.replaced else "wrote"
    out.print(f"{verb} {project.relative(result.path)}: {result.triples} triples in <{result.graph}>")


@links_app.command("check", epilog="Example: wmkg links check")
def links_check_command(
    online: Annotated[
        bool, typer.Option("--online", help="Resolve each link and compare the remote label with ours.")
    ] = False,
    wikidata_url: Annotated[
        str | None, typer.Option(help="Wikidata base URL (default https://www.wikidata.org).")
    ] = None,
    govuk_url: Annotated[str | None, typer.Option(help="GOV.UK base URL (default https://www.gov.uk).")] = None,
    parliament_url: Annotated[
        str | None, typer.Option(help="Members API base URL (default https://members-api.parliament.uk).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per HTTP request.")] = 10.0,
) -> None:
    """Check every link: well-formed for its scheme and with provenance; --online: resolves, same label."""
    from westminster_kg.link import check_links

    bases = {k: v for k, v in (("wikidata", wikidata_url), ("govuk", govuk_url), ("parliament", parliament_url)) if v}
    report = check_links(load_kg(), online=online, base_urls=bases, timeout=timeout)
    colours = {"error": "red", "mismatch": "red", "close": "yellow", "skipped": "dim", "ok": "green"}
    for finding in report.findings:
        if finding.level == "ok":
            continue
        err.print(f"[{colours[finding.level]}]{finding.level}[/]: {escape(str(finding))}")
    counts = ", ".join(f"{n} {scheme}" for scheme, n in sorted(report.by_scheme.items()))
    levels = ", ".join(
        f"{len(report.of(level))} {level}"
        for level in ("ok", "close", "mismatch", "error", "skipped")
        if report.of(level)
    )
    summary = f"{report.links} link(s) ({counts}){' checked online: ' + levels if online else ''}"
    if not report.ok:
        err.print(f"links check failed: {summary}; {len(report.of('error', 'mismatch'))} problem(s)")
        raise typer.Exit(1)
    out.print(f"links ok: {summary}")


@app.command("link", epilog="Example: wmkg link --candidates --graph ministers -o candidates.tsv")
def link_command(
    candidates: Annotated[
        bool, typer.Option("--candidates", help="Propose links, each with a score and reasons.")
    ] = False,
    graph: Annotated[str | None, typer.Option(help="The imported graph to link to.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here: .ttl as Turtle, else TSV (default stdout).")
    ] = None,
    accept: Annotated[
        Path | None,
        typer.Option(
            help="A reviewed candidates TSV: rows with accept=yes (or exact/close) join the import's link set."
        ),
    ] = None,
    accept_above: Annotated[
        float | None, typer.Option(help="Accept every candidate scoring at least this (0..1), without review.")
    ] = None,
    threshold: Annotated[float, typer.Option(help="Lowest score proposed (0..1).")] = 0.85,
) -> None:
    """Propose links between our entities and an imported dataset's, or accept reviewed ones."""
    from westminster_kg.link import accept_candidates, candidates_graph, link_candidates, review_candidates, review_tsv

    if not candidates or graph is None:
        raise ParameterError(
            "use: wmkg link --candidates --graph NAME [-o FILE] [--accept FILE | --accept-above SCORE]"
        )
    if accept is not None and accept_above is not None:
        raise ParameterError("give --accept FILE or --accept-above SCORE, not both")
    for name, value in (("--threshold", threshold), ("--accept-above", accept_above)):
        if value is not None and not 0.0 <= value <= 1.0:  # NaN fails this too
            raise ParameterError(f"{name} {value}: a score is between 0 and 1")
    kg = load_kg()
    if accept is not None or accept_above is not None:
        chosen = accept if accept is not None else link_candidates(kg, graph, threshold=accept_above or 0.0)
        added, target = accept_candidates(kg, graph, chosen)
        out.print(f"accepted {added} link(s) into {kg.project.relative(target)}")
        return
    review = review_candidates(kg, graph, threshold=threshold)
    if output is not None and output.suffix.lower() == ".ttl":
        from westminster_kg.turtle import canonical_turtle

        text = canonical_turtle(candidates_graph(review.proposed, graph))
    else:
        text = review_tsv(review)
    if output is None:
        from westminster_kg.naming import visible

        sys.stdout.write(visible(text))  # imported labels: no control character reaches the terminal
    else:
        from westminster_kg.turtle import write_atomically

        write_atomically(output, text.encode("utf-8"))
        err.print(f"wrote {len(review.proposed)} candidate(s) to {escape(str(output))}")
        err.print(escape(review.summary()))

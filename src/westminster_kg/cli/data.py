"""Data in and links out: ``import``, ``link`` and ``links check``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from westminster_kg.cli.shell import app, escape, links_app, load_kg, open_project
from westminster_kg.console import err, out, working
from westminster_kg.errors import ParameterError


@app.command("import", epilog="Example: wmkg import ministers.csv --graph ministers --mapping ministers.toml")
def import_command(
    file: Annotated[
        Path | None, typer.Argument(help="Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, CSV or Popolo JSON.")
    ] = None,
    graph: Annotated[str | None, typer.Option(help="Name of the import's own graph (lower-case slug).")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="turtle, ntriples, nquads, trig, jsonld, rdfxml, csv, popolo.")
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="CSV only: the column mapping (TOML or JSON).")] = None,
    drop: Annotated[str | None, typer.Option(help="Remove the import of this name instead.")] = None,
    base: Annotated[
        str | None, typer.Option(help="IRI that relative IRIs in FILE resolve against (else they are an error).")
    ] = None,
) -> None:
    """Import a dataset into its own named graph (all or nothing), or --drop one."""
    from westminster_kg.link import drop_import, import_dataset

    project = open_project()
    if drop is not None:
        if file is not None or graph is not None:
            raise ParameterError("--drop NAME takes no FILE or --graph")
        removed = drop_import(project, drop)
        out.print(f"dropped import {drop!r} ({project.relative(removed)})")
        return
    if file is None or graph is None:
        raise ParameterError("give FILE --graph NAME (or --drop NAME)")
    with working(f"importing {file}"):
        result = import_dataset(project, file, graph, fmt=fmt, mapping=mapping, base=base)
    for warning in result.warnings:
        err.print(f"[yellow]warning[/]: {escape(warning)}")
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
    from westminster_kg.link import accept_candidates, candidates_graph, candidates_tsv, link_candidates

    if not candidates or graph is None:
        raise ParameterError(
            "use: wmkg link --candidates --graph NAME [-o FILE] [--accept FILE | --accept-above SCORE]"
        )
    if accept is not None and accept_above is not None:
        raise ParameterError("give --accept FILE or --accept-above SCORE, not both")
    for name, value in (("--threshold", threshold), ("--accept-above", accept_above)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise ParameterError(f"{name} {value}: a score is between 0 and 1")
    kg = load_kg()
    if accept is not None or accept_above is not None:
        chosen = accept if accept is not None else link_candidates(kg, graph, threshold=accept_above or 0.0)
        added, target = accept_candidates(kg, graph, chosen)
        out.print(f"accepted {added} link(s) into {kg.project.relative(target)}")
        return
    found = link_candidates(kg, graph, threshold=threshold)
    if output is not None and output.suffix.lower() == ".ttl":
        from westminster_kg.turtle import canonical_turtle

        text = canonical_turtle(candidates_graph(found, graph))
    else:
        text = candidates_tsv(found)
    if output is None:
        from westminster_kg.naming import visible

        sys.stdout.write(visible(text))  # imported labels: no control character reaches the terminal
    else:
        from westminster_kg.turtle import write_atomically

        write_atomically(output, text.encode("utf-8"))
        err.print(f"wrote {len(found)} candidate(s) to {output}")

"""The whole graph out: ``stats``, ``export``, ``view``, ``docs`` and ``void``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from westminster_kg.cli.shell import app, escape, load_kg
from westminster_kg.console import Table, err, out, working


@app.command("stats", epilog="Example: wmkg stats")
def stats_command() -> None:
    """Counts of entities by class and of relations by kind."""
    stats = load_kg().stats()
    table = Table("class", "count", title="classes")
    for key, count in sorted(stats["classes"].items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(key, str(count))
    out.print(table)
    # Evidence is counted in distinct quotes: one general sentence applied to four governments is one quote.
    table = Table("relation", "plain triples", "claim nodes", "distinct quotes", title="relations")
    for key in sorted(set(stats["relations"]) | set(stats["claims"]), key=lambda k: (-stats["relations"][k], k)):
        table.add_row(key, str(stats["relations"][key]), str(stats["claims"][key]), str(stats["quotes"][key]))
    out.print(table)
    evidence = stats["evidence"]
    out.print(f"evidence: {evidence['distinct quotes']} distinct quotes behind {evidence['claim nodes']} claim nodes")
    out.print(f"quads: {stats['triples']['quads']}")


EXPORT_HELP = (
    "turtle, nt, nquads, trig, jsonld, graphml, csv, aif; web-annotation, nanopub, bibtex, csl-json; "
    "ro-crate (a folder: -o DIR)"
)


@app.command("export", epilog="Example: wmkg export -f nquads -o westminster.nq; wmkg export -f ro-crate -o crate")
def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help=EXPORT_HELP)] = "turtle",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout); a new or empty folder for ro-crate.")
    ] = None,
) -> None:
    """Export the whole knowledge graph (ontology and data), its evidence, references or an RO-Crate."""
    import warnings

    from westminster_kg.errors import InputError
    from westminster_kg.knowledge_graph import EXPORT_FOLDERS
    from westminster_kg.store.canonical import BlankNodesNotCanonical

    if fmt in EXPORT_FOLDERS:
        if output is None:
            raise InputError(f"-f {fmt} writes a folder: give it with -o DIR (a new or empty folder)")
        with working(f"exporting {fmt}"):
            written = load_kg().export_folder(fmt, output)
        err.print(f"wrote {output}: {len(written)} files")
        return
    with working(f"exporting {fmt}"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BlankNodesNotCanonical)
        data = load_kg().export(fmt, output)
    for warning in caught:
        if issubclass(warning.category, BlankNodesNotCanonical):
            err.print(f"[yellow]warning[/]: {escape(str(warning.message))}")
    if output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
    else:
        err.print(f"wrote {output}")


@app.command("view", epilog="Example: wmkg view --government Coalition -o coalition.html")
def view_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")] = Path("wmkg-view.html"),
    focus: Annotated[str | None, typer.Option(help="Only the neighbourhood of this entity (label or slug).")] = None,
    depth: Annotated[int | None, typer.Option(help="Hops around --focus (default 1).")] = None,
    relations: Annotated[str | None, typer.Option(help="Only these relations: erodes,institutionalises,...")] = None,
    government: Annotated[str | None, typer.Option(help="Only edges under this government or period.")] = None,
    network: Annotated[bool, typer.Option("--network", help="The network explorer, not the overview.")] = False,
    timeline: Annotated[bool, typer.Option("--timeline", help="The timeline (SVG; HTML for .html).")] = False,
) -> None:
    """Write a self-contained view: the overview, the explorer (--network or a filter) or the timeline."""
    from westminster_kg.view import write_requested

    filters = {"focus": focus, "depth": depth, "relations": relations, "government": government, "network": network}
    kg = load_kg()
    err.print(f"wrote {write_requested(kg, output, timeline=timeline, **filters)}")
    if government is not None:
        from westminster_kg.network import government_filter

        for note in government_filter(kg, government)[1]:
            err.print(f"note: {note}", markup=False)


@app.command("docs", epilog="Example: wmkg docs -o site")
def docs_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="A folder.", metavar="FOLDER")] = Path("wmkg-docs"),
) -> None:
    """Write the ontology documentation (index.html) and the ontology as Turtle into a folder."""
    from westminster_kg.view.ontology_docs import write_docs

    err.print("\n".join(f"wrote {path}" for path in write_docs(load_kg(), output)))


@app.command("void", epilog="Example: wmkg void --endpoint https://kg.example.org/sparql -o void.ttl")
def void_command(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout).")] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(help="The SPARQL endpoint's public address (default: wmkg serve's http://127.0.0.1:8000/sparql)."),
    ] = None,
) -> None:
    """The VoID + DCAT description of the dataset, every count computed from the data."""
    from westminster_kg.link import void_turtle

    text = void_turtle(load_kg(), endpoint)
    if output is None:
        sys.stdout.write(text)
    else:
        from westminster_kg.turtle import write_atomically

        write_atomically(output, text.encode("utf-8"))
        err.print(f"wrote {output}")

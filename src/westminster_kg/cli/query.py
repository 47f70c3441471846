"""``wmkg queries`` and ``wmkg query``: the named query catalogue and running queries."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from westminster_kg.cli.shell import app, load_kg, open_project, parse_params
from westminster_kg.console import Table, out, print_result
from westminster_kg.errors import QueryError


@app.command("queries", epilog="Example: wmkg queries")
def list_queries(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the catalogue as Markdown (docs/queries.md).")
    ] = False,
) -> None:
    """List the named queries with their parameters."""
    from westminster_kg.catalogue import catalogue_markdown, load_catalogue

    if markdown:
        sys.stdout.write(catalogue_markdown(load_catalogue(open_project().queries_dir)))
        return
    from rich import box

    catalogue = load_catalogue(open_project().queries_dir)
    # Names are what people copy: never cut. Titles and parameters wrap within the terminal's width.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("name", no_wrap=True, min_width=max((len(n) for n in catalogue), default=4))
    table.add_column("title", ratio=3)
    table.add_column("parameters (? optional)", ratio=2)
    for name, named in catalogue.items():
        table.add_row(name, named.title, ", ".join(f"{p.name}{'' if p.required else '?'}" for p in named.parameters))
    out.print(table)
    out.print(f"{len(catalogue)} queries (docs/queries.md: what each parameter takes)")


@app.command("query", epilog="Example: wmkg query reforms-eroding-conventions -p government=Coalition -f csv")
def query(
    name: Annotated[str | None, typer.Argument(help="A named query (see `wmkg queries`).")] = None,
    param: Annotated[list[str], typer.Option("--param", "-p", help="key=value; repeat for several.")] = [],  # noqa: B006 - typer reads the default, it is never mutated
    file: Annotated[Path | None, typer.Option(help="Run the SPARQL in this file.")] = None,
    sparql: Annotated[str | None, typer.Option(help="Run this SPARQL text.")] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table; csv, tsv (plain, for spreadsheets: values and labels); json, xml, sparql-csv, "
            "sparql-tsv (SPARQL 1.1 results); turtle, nt, jsonld for CONSTRUCT/DESCRIBE.",
        ),
    ] = "table",
    raw: Annotated[bool, typer.Option("--raw", help="CSV/TSV: do not neutralise formula-like cells.")] = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="table: every column, uncut (by default the key columns that fit).")
    ] = False,
    allow_service: Annotated[list[str], typer.Option(help="Let SERVICE call this URL (repeat).")] = [],  # noqa: B006
) -> None:
    """Run a named query, a query file or SPARQL text, and print the result."""
    from westminster_kg.plain import QUERY_FORMATS

    if fmt not in QUERY_FORMATS:
        raise QueryError(f"unknown format {fmt!r}: use {', '.join(QUERY_FORMATS)}")
    given = [x for x in (name, file, sparql) if x is not None]
    if len(given) != 1:
        raise QueryError("give exactly one of NAME, --file F.rq or --sparql '...'")
    text = ""
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"{file}: cannot read: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            line = file.read_bytes()[: exc.start].count(b"\n") + 1
            byte = exc.object[exc.start]
            raise QueryError(f"{file}:{line}: not UTF-8 (byte 0x{byte:02x}); save it as UTF-8") from None
    elif sparql is not None:
        text = sparql
    # Federation leaves this machine: off unless each endpoint is named, as on `wmkg serve`.
    from westminster_kg.web.guard import service_targets

    for target in service_targets(text) if text else []:
        if target not in allow_service:
            where = str(file) if file is not None else "--sparql"
            raise QueryError(
                f"{where}: SERVICE {target} is refused: federation is off unless allowed (--allow-service URL)"
            )
    kg = load_kg(reuse=True)
    values = parse_params(param)
    if name is not None:
        result = kg.query(name, **values)
    else:
        result = kg.run(text, {k: kg.resolve_value(k, v) for k, v in values.items()})
    print_result(result, fmt, raw=raw, label=lambda iri: kg.resolver.labels.get(iri), wide=wide)

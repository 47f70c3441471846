"""``wmkg``: a thin command-line shell over the Python API.

Every error a user can cause is a ``WmkgError``: it is printed as one line on stderr and the
command exits non-zero. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from westminster_kg.console import Table, err, out, print_result, working
from westminster_kg.errors import ParameterError, QueryError, StoreError, WmkgError

app = typer.Typer(
    name="wmkg",
    help="The Westminster Model article as an evidence-backed knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
evidence_app = typer.Typer(help="Quotes and their offsets in the article.", no_args_is_help=True)
dev_app = typer.Typer(help="Maintainers' commands.", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")
app.add_typer(dev_app, name="dev")


@dataclass
class Options:
    """Options shared by every command."""

    root: Path | None = None
    backend: str = "oxigraph"
    store: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    debug: bool = False


OPTIONS = Options()


@app.callback()
def common(
    root: Annotated[
        Path | None, typer.Option(help="Folder with ontology/, graph/, queries/ (default: this checkout).")
    ] = None,
    backend: Annotated[
        str, typer.Option(help="Store: oxigraph (default, fast) or memory (rdflib, the reference).")
    ] = "oxigraph",
    store: Annotated[Path | None, typer.Option(help="Keep the Oxigraph store on disk in this folder.")] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(help="Query this SPARQL 1.1 endpoint instead of a local store (user:password@ allowed)."),
    ] = None,
    update_endpoint: Annotated[
        str | None,
        typer.Option(help="SPARQL Update endpoint: replace the project's graphs there before the command."),
    ] = None,
    endpoint_deadline: Annotated[
        float, typer.Option(help="Seconds one --endpoint request may take in all, however slowly it answers.")
    ] = 120.0,
    endpoint_max_bytes: Annotated[int, typer.Option(help="Bytes of one --endpoint answer read at most.")] = 256
    * 1024
    * 1024,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Options for every command."""
    OPTIONS.root, OPTIONS.backend, OPTIONS.store, OPTIONS.debug = root, backend, store, debug
    OPTIONS.endpoint, OPTIONS.update_endpoint = endpoint, update_endpoint
    if endpoint is not None or update_endpoint is not None:
        from westminster_kg.store.endpoint import EndpointStore

        EndpointStore.deadline, EndpointStore.max_response_bytes = endpoint_deadline, endpoint_max_bytes


def load_kg(*, reuse: bool = False) -> Any:
    """The knowledge graph as the common options ask.

    Args:
        reuse: for commands that only read: without ``--store``, reopen the store kept in the user's
            cache folder for these very files (``westminster_kg.store.user_cache``) instead of parsing.
    """
    from westminster_kg.knowledge_graph import KnowledgeGraph

    # The store speaks of its own parameters; the flags that set them are named here.
    if OPTIONS.endpoint is not None and OPTIONS.store is not None:
        raise StoreError("--store and --endpoint exclude each other: the endpoint keeps the data")
    if OPTIONS.update_endpoint is not None and OPTIONS.endpoint is None:
        raise StoreError("--update-endpoint needs --endpoint (the URL queries go to)")
    if OPTIONS.backend == "memory" and OPTIONS.store is not None:
        raise StoreError("the memory backend keeps nothing on disk: drop --store or use oxigraph")
    store_dir = OPTIONS.store
    if reuse and store_dir is None and OPTIONS.endpoint is None and OPTIONS.backend == "oxigraph":
        from westminster_kg.store.user_cache import cached_store_dir

        store_dir = cached_store_dir(open_project())
    return KnowledgeGraph.load(
        OPTIONS.root,
        backend=OPTIONS.backend,
        store_dir=store_dir,
        endpoint=OPTIONS.endpoint,
        update_endpoint=OPTIONS.update_endpoint,
    )


def open_project() -> Any:
    """The project folder as the common options ask."""
    from westminster_kg.project import Project

    return Project.open(OPTIONS.root)


# --- queries ---------------------------------------------------------------------------------


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
    table = Table("name", "title", "parameters", show_lines=False)
    for name, named in load_catalogue(open_project().queries_dir).items():
        params = ", ".join(f"{p.name}{'' if p.required else '?'} ({p.kind})" for p in named.parameters)
        table.add_row(name, named.title, params)
    out.print(table)


def _parse_params(params: list[str]) -> dict[str, str]:
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"--param takes key=value, not {item!r}")
        values[key.strip()] = value
    return values


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
    values = _parse_params(param)
    if name is not None:
        result = kg.query(name, **values)
    else:
        result = kg.run(text, {k: kg.resolve_value(k, v) for k, v in values.items()})
    print_result(result, fmt, raw=raw, label=lambda iri: kg.resolver.labels.get(iri))


# --- validation, evidence, formatting --------------------------------------------------------


@app.command("validate", epilog="Example: wmkg validate")
def validate_command() -> None:
    """Check SHACL shapes, violation queries and every quote against the article."""
    from westminster_kg.validate import validate

    with working("validating: SHACL shapes, check queries, quotes"):
        report = validate(open_project(), reuse=True)
    for finding in report.warnings:
        err.print(f"[yellow]warning[/]: {_escape(str(finding))}")
    for finding in report.violations:
        err.print(f"[red]violation[/]: {_escape(str(finding))}")
    summary = (
        f"{report.quotes_checked} quotes checked, {len(report.violations)} violation(s), "
        f"{len(report.warnings)} warning(s)"
    )
    if not report.ok:
        err.print(summary)
        raise typer.Exit(1)
    out.print(f"valid: {summary}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@evidence_app.command("locate", epilog="Example: wmkg evidence locate --check")
def evidence_locate(
    check: Annotated[bool, typer.Option("--check", help="Only report; write nothing.")] = False,
) -> None:
    """Compute offsets, sections and claim labels for every quote (curators write only quotes)."""
    from westminster_kg.evidence import locate

    report = locate(open_project(), write=not check)
    for message in report.errors:
        err.print(f"[red]error[/]: {_escape(message)}")
    verb = "would change" if check else "changed"
    out.print(f"{report.located} quote(s) located; {verb} {len(report.changed_files)} file(s)")
    for name in report.changed_files:
        out.print(f"  {name}")
    if report.errors or (check and report.changed_files):
        raise typer.Exit(1)


@app.command("coverage", epilog="Example: wmkg coverage --minimum 0.9 --no-show-uncovered")
def coverage_command(
    minimum: Annotated[float, typer.Option(help="Fail below this share (0..1).")] = 0.0,
    show_uncovered: Annotated[bool, typer.Option(help="List uncovered paragraphs.")] = True,
) -> None:
    """Share of body paragraphs, per section, with at least one evidence quote."""
    from westminster_kg.evidence import coverage_report

    with working("measuring coverage"):
        report, article = coverage_report(load_kg())
    table = Table("section", "covered", "paragraphs", "share")
    for label, covered, total in report.rows:
        table.add_row(_escape(label), str(covered), str(total), f"{covered / total:.0%}")
    table.add_row("[b]all[/]", str(report.covered), str(report.total), f"[b]{report.share:.1%}[/]")
    out.print(table)
    if show_uncovered and report.uncovered:
        out.print("uncovered paragraphs:")
        for paragraph in report.uncovered:
            text = paragraph.text(article)
            out.print(f"  {paragraph.start}: {_escape(text[:90])}…")
    if report.share < minimum:
        err.print(f"coverage {report.share:.1%} is below {minimum:.0%}")
        raise typer.Exit(1)


@app.command("fmt", epilog="Example: wmkg fmt --check")
def fmt_command(
    check: Annotated[bool, typer.Option("--check", help="Only report files that would change.")] = False,
) -> None:
    """Rewrite the curated Turtle canonically (sorted blocks; the graph never changes)."""
    from westminster_kg.turtle import format_project

    changed = format_project(open_project(), write=not check)
    for name in changed:
        out.print(("would reformat " if check else "reformatted ") + name)
    if check and changed:
        err.print(f"{len(changed)} file(s) not in canonical form: run `wmkg fmt`")
        raise typer.Exit(1)
    out.print(f"{len(changed)} file(s) {'to reformat' if check else 'reformatted'}")


# --- whole graph -----------------------------------------------------------------------------


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


@app.command("export", epilog="Example: wmkg export -f nquads -o westminster.nq")
def export_command(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="turtle, nt, nquads, trig, jsonld, graphml, csv")
    ] = "turtle",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default: stdout).")] = None,
) -> None:
    """Export the whole knowledge graph (ontology and data)."""
    with working(f"exporting {fmt}"):
        data = load_kg().export(fmt, output)
    if output is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
    else:
        err.print(f"wrote {output}")


# --- network view and web app (westminster_kg.view, westminster_kg.web) ----------------------


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
    err.print(f"wrote {write_requested(load_kg(), output, timeline=timeline, **filters)}")


@app.command("docs", epilog="Example: wmkg docs -o site")
def docs_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="A folder.", metavar="FOLDER")] = Path("wmkg-docs"),
) -> None:
    """Write the ontology documentation (index.html) and the ontology as Turtle into a folder."""
    from westminster_kg.view.ontology_docs import write_docs

    err.print("\n".join(f"wrote {path}" for path in write_docs(load_kg(), output)))


@app.command("serve", epilog="Example: wmkg serve --port 8000   (then open http://127.0.0.1:8000/)")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless you mean it).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    query_timeout: Annotated[float, typer.Option(help="Seconds a SPARQL query may run.")] = 10.0,
    max_rows: Annotated[int, typer.Option(help="Rows (or triples) a query returns at most.")] = 10_000,
    max_body: Annotated[int, typer.Option(help="Bytes of request body accepted.")] = 1_000_000,
    cors: Annotated[list[str], typer.Option(help="Allow this origin to call the app (repeat).")] = [],  # noqa: B006
    allow_service: Annotated[list[str], typer.Option(help="Let SERVICE call this URL (repeat).")] = [],  # noqa: B006
    workers: Annotated[int | None, typer.Option(help="Query worker processes (default: one per CPU).")] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="The public address (behind a proxy), for the service description; default: as reached."),
    ] = None,
    reload_interval: Annotated[
        float, typer.Option(help="Seconds between looks for changed files or imports (0: never reload).")
    ] = 1.0,
    max_query_bytes: Annotated[int, typer.Option(help="Bytes of SPARQL query text accepted.")] = 100_000,
    max_result_bytes: Annotated[
        int, typer.Option(help="Bytes of RDF terms one answer carries at most (then truncated, and says so).")
    ] = 16 * 1024 * 1024,
    public_name: Annotated[
        list[str], typer.Option(help="Also answer requests for this Host name, e.g. a reverse proxy's (repeat).")
    ] = [],  # noqa: B006 - typer reads the default, it is never mutated
) -> None:
    """Serve the network view, entity pages, the ontology, a SPARQL endpoint and the JSON API.

    The data stays live: a finished `wmkg import` or an edited file is picked up without a restart.
    """
    from westminster_kg.web import Settings, serve
    from westminster_kg.web.workers import default_workers

    settings = Settings(
        query_timeout=query_timeout,
        max_rows=max_rows,
        max_body=max_body,
        cors_origins=list(cors),
        allowed_services=list(allow_service),
        workers=workers or default_workers(),
        base_url=base_url,
        reload_interval=reload_interval,
        max_query_bytes=max_query_bytes,
        max_result_bytes=max_result_bytes,
    )
    serve(load_kg(), host=host, port=port, settings=settings, public_names=list(public_name))


@dev_app.command("vocab", epilog="Example: wmkg dev vocab --check")
def dev_vocab(
    check: Annotated[bool, typer.Option("--check", help="Fail if vocab.py is out of date.")] = False,
) -> None:
    """Regenerate src/westminster_kg/vocab.py (the closed wm: namespace) from the ontology."""
    from westminster_kg.namespaces import render_vocab_module

    project = open_project()
    target = Path(__file__).with_name("vocab.py")
    text = render_vocab_module(str(project.root / "ontology" / "westminster.ttl"))
    if target.read_text(encoding="utf-8") == text:
        out.print("vocab.py is up to date")
        return
    if check:
        err.print("vocab.py is out of date: run `wmkg dev vocab`")
        raise typer.Exit(1)
    target.write_text(text, encoding="utf-8")
    out.print("vocab.py regenerated")


# --- links out, imports, VoID (westminster_kg.link) ----------------------------------------

links_app = typer.Typer(help="The linkset to Wikidata, GOV.UK, UK Parliament and IfG.", no_args_is_help=True)
app.add_typer(links_app, name="links")


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
        err.print(f"[yellow]warning[/]: {_escape(warning)}")
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
        err.print(f"[{colours[finding.level]}]{finding.level}[/]: {_escape(str(finding))}")
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
        sys.stdout.write(text)
    else:
        from westminster_kg.turtle import write_atomically

        write_atomically(output, text.encode("utf-8"))
        err.print(f"wrote {len(found)} candidate(s) to {output}")


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


def main() -> None:
    """Entry point of the ``wmkg`` command."""
    try:
        app(prog_name="wmkg")
    except WmkgError as exc:
        if OPTIONS.debug:
            raise
        err.print(f"[red]error[/]: {_escape(str(exc))}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()

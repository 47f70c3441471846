"""``wmkg serve``: the web app and its SPARQL endpoint."""

from __future__ import annotations

from typing import Annotated

import typer

from westminster_kg.cli.shell import app, load_kg


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
    worker_memory: Annotated[
        int,
        typer.Option(help="MiB of memory one query worker may use; a query that needs more gets 503 (0: no limit)."),
    ] = 1024,
    forwarded_allow_ips: Annotated[
        list[str],
        typer.Option(help="Trust X-Forwarded-Proto/-For from this proxy address (repeat); none by default."),
    ] = [],  # noqa: B006 - typer reads the default, it is never mutated
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
        worker_memory=worker_memory,
        forwarded_allow_ips=list(forwarded_allow_ips),
    )
    serve(load_kg(), host=host, port=port, settings=settings, public_names=list(public_name))

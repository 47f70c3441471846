"""The CLI's shell: the typer app, the options every command shares, and loading the graph.

Every error a user can cause is a ``WmkgError``: ``westminster_kg.cli.main`` prints it as one line on
stderr and exits non-zero. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from westminster_kg.errors import ParameterError, StoreError

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
links_app = typer.Typer(help="The linkset to Wikidata, GOV.UK, UK Parliament and IfG.", no_args_is_help=True)
app.add_typer(links_app, name="links")


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


def escape(text: str) -> str:
    """``text`` with rich markup escaped and control characters shown (``naming.visible``), to print as it is."""
    from rich.markup import escape as rich_escape

    from westminster_kg.naming import visible

    return rich_escape(visible(text))


def parse_params(params: list[str]) -> dict[str, str]:
    """``-p key=value`` items as a dict (``ParameterError`` for an item without ``=``)."""
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"--param takes key=value, not {item!r}")
        values[key.strip()] = value
    return values

"""``wmkg serve``: the web app and its SPARQL endpoint; its options come from ``web.settings.Settings``."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Annotated, Any

import typer

from westminster_kg.cli.shell import app, load_kg


def _settings_options() -> list[inspect.Parameter]:
    """A keyword parameter, typed and helped as typer reads it, for each ``Settings`` field that is an option."""
    from westminster_kg.web.settings import Settings

    hints = typing.get_type_hints(Settings)
    parameters = []
    for setting in dataclasses.fields(Settings):
        if "help" not in setting.metadata:
            continue
        kind = hints[setting.name]
        flag = setting.metadata["flag"] or "--" + setting.name.replace("_", "-")
        if setting.default_factory is list:  # type: ignore[comparison-overlap]
            default: Any = []
        elif setting.default_factory is not dataclasses.MISSING:
            default, kind = None, kind | None  # computed when the command runs (one worker per CPU)
        else:
            default = setting.default
        option = typer.Option(flag, help=setting.metadata["help"], metavar=setting.metadata["metavar"])
        parameters.append(
            inspect.Parameter(
                setting.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, option]
            )
        )
    return parameters


def serve_command(
    host: str = "127.0.0.1", port: int = 8000, public_name: list[str] | None = None, **chosen: Any
) -> None:
    """Serve the network view, entity pages, the ontology, a SPARQL endpoint and the JSON API.

    The data stays live: a finished `wmkg import` or an edited file is picked up without a restart.
    """
    from westminster_kg.web import Settings, serve

    given = {name: value for name, value in chosen.items() if value is not None}
    settings = Settings(**{k: list(v) if isinstance(v, list | tuple) else v for k, v in given.items()})
    serve(load_kg(), host=host, port=port, settings=settings, public_names=list(public_name or []))


serve_command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            "host",
            inspect.Parameter.KEYWORD_ONLY,
            default="127.0.0.1",
            annotation=Annotated[str, typer.Option(help="Address to listen on (loopback unless you mean it).")],
        ),
        inspect.Parameter(
            "port",
            inspect.Parameter.KEYWORD_ONLY,
            default=8000,
            annotation=Annotated[int, typer.Option(help="Port to listen on.")],
        ),
        *_settings_options(),
        inspect.Parameter(
            "public_name",
            inspect.Parameter.KEYWORD_ONLY,
            default=[],
            annotation=Annotated[
                list[str],
                typer.Option(help="Also answer requests for this Host name, e.g. a reverse proxy's (repeat)."),
            ],
        ),
    ]
)
app.command("serve", epilog="Example: wmkg serve --port 8000   (then open http://127.0.0.1:8000/)")(serve_command)

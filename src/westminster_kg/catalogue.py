"""The named query catalogue: one competency question per ``queries/*.rq`` file.

A file starts with a comment header::

    # title: Reforms eroding conventions
    # description: Which reforms eroded which conventions, under which government, on what evidence.
    # param: government iri optional The government that introduced the reform.

Parameters are bound as RDF terms through a ``VALUES`` block placed at the top of the query's
outermost ``WHERE`` group, never pasted into the query text as strings. The same binding works
on every store (rdflib, Oxigraph, a remote endpoint) and pre-binds the variable before any
grouping, unlike a trailing ``VALUES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from westminster_kg.errors import ParameterError, QueryError
from westminster_kg.iris import PREFIXES, WMR_IRI, XSD_IRI
from westminster_kg.sparql_text import (  # re-exported
    bind,
    declared_prefixes,
    fill,
    insert_update,
    used_prefixes,
    with_prefixes,
)

PARAM_KINDS = ("iri", "literal", "integer", "year")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query, bound to the variable of the same name."""

    name: str
    kind: str = "iri"
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """One catalogue entry."""

    name: str
    title: str
    description: str
    sparql: str
    path: Path | None = None
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    examples: tuple[str, ...] = field(default_factory=tuple)  # "-p key=value ..." from "# example:"

    def example_parameters(self) -> dict[str, str]:
        """The first example's parameter values: what tests and benchmarks run the query with."""
        import shlex

        words = shlex.split(self.examples[0]) if self.examples else []
        values: dict[str, str] = {}
        for flag, item in zip(words, words[1:], strict=False):
            if flag in ("-p", "--param"):
                key, _, value = item.partition("=")
                values[key] = value
        return values

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``, or a ``ParameterError`` listing the known ones."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file with its header."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    parameters: list[Parameter] = []
    examples: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*(title|description|param|example):\s*(.*)$", line)
        if not match:
            continue
        key, value = match.groups()
        if key == "example":
            examples.append(value.strip())
        elif key == "param":
            parts = value.split(None, 3)
            if len(parts) < 2 or parts[1] not in PARAM_KINDS or not _VARIABLE.match(parts[0]):
                raise QueryError(
                    f"{path}:{number}: a param line reads '# param: NAME KIND [required|optional] "
                    f"DESCRIPTION' with KIND one of {', '.join(PARAM_KINDS)}"
                )
            required = len(parts) > 2 and parts[2] == "required"
            rest = parts[3] if len(parts) > 3 else ""
            if len(parts) > 2 and parts[2] not in ("required", "optional"):
                rest = " ".join(parts[2:])
            parameters.append(Parameter(parts[0], parts[1], required, rest))
        else:
            header[key] = (header.get(key, "") + " " + value).strip()
    if "title" not in header:
        raise QueryError(f"{path}:1: the header needs a '# title: ...' line")
    return NamedQuery(
        name=path.stem,
        title=header["title"],
        description=header.get("description", ""),
        sparql=text,
        path=path,
        parameters=tuple(parameters),
        examples=tuple(examples),
    )


def load_catalogue(folder: Path) -> dict[str, NamedQuery]:
    """Every named query in ``folder`` (not its ``checks/``), by name."""
    catalogue = {}
    for path in sorted(folder.glob("*.rq")):
        if not _NAME.match(path.stem):
            raise QueryError(f"{path}: query names are lower-case words joined by hyphens")
        catalogue[path.stem] = parse_named_query(path)
    return catalogue


if TYPE_CHECKING:  # rdflib is imported only where values become terms (cold commands never need it)
    from rdflib import Literal, URIRef


def parse_value(parameter: Parameter, raw: str) -> URIRef | Literal | str:
    """A term for a non-IRI parameter; for ``iri`` parameters, an IRI or a label to look up."""
    from rdflib import Literal, URIRef

    if parameter.kind == "literal":
        return Literal(raw)
    if parameter.kind in ("integer", "year"):
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise ParameterError(f"parameter {parameter.name!r} takes a whole number, not {raw!r}")
        if parameter.kind == "year":
            return Literal(raw.strip(), datatype=URIRef(XSD_IRI + "gYear"))
        return Literal(int(raw.strip()))
    text = raw.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://", text):
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and " " not in local:
        return URIRef(PREFIXES[prefix] + local)
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text):
        return URIRef(WMR_IRI + text)
    return text  # a label: resolved against the graph by the caller


__all__ = [
    "NamedQuery",
    "Parameter",
    "bind",
    "fill",
    "insert_update",
    "declared_prefixes",
    "load_catalogue",
    "parse_named_query",
    "parse_value",
    "used_prefixes",
    "with_prefixes",
]


def catalogue_markdown(catalogue: dict[str, NamedQuery]) -> str:
    """The catalogue as Markdown: every query's title, description, parameters and an example command.

    ``docs/queries.md`` is this text (``wmkg queries --markdown``); a test regenerates it and fails
    when the file is out of date, so the documentation cannot drift from ``queries/``. A query's
    header may carry ``# example: -p key=value ...`` lines; without one, the example names each
    required parameter as a placeholder.

    Args:
        catalogue: named queries by name, as ``load_catalogue`` returns them.

    Returns:
        The Markdown document, ending with a newline.
    """
    lines = [
        "# Query catalogue",
        "",
        "<!-- Generated by `wmkg queries --markdown > docs/queries.md` from the headers in queries/*.rq;",
        "     tests/test_queries.py fails when this file is out of date. Do not edit by hand. -->",
        "",
        f"{len(catalogue)} named queries, one competency question each. Run one with "
        "`wmkg query NAME [-p key=value]...`; add `-f csv` (or tsv, json, xml) for a file, "
        "`--backend memory` for the rdflib reference store. An `iri` parameter takes a label "
        "(`-p government=Coalition`), a `wmr:` slug or a full IRI.",
        "",
    ]
    lines += [f"- [`{name}`](#{name}): {named.title}" for name, named in sorted(catalogue.items())]
    for name, named in sorted(catalogue.items()):
        lines += ["", f"## {name}", "", f"**{named.title}**", ""]
        if named.description:
            lines += [named.description, ""]
        if named.parameters:
            lines += ["| parameter | kind | | description |", "|---|---|---|---|"]
            lines += [
                f"| `{p.name}` | {p.kind} | {'required' if p.required else 'optional'} | {p.description} |"
                for p in named.parameters
            ]
            lines.append("")
        examples = [f"wmkg query {name} {example}".rstrip() for example in named.examples]
        if not examples:
            placeholders = " ".join(f"-p {p.name}={p.name.upper()}" for p in named.parameters if p.required)
            examples.append(f"wmkg query {name} {placeholders}".rstrip())
        lines += ["```bash", *examples, "```"]
    return "\n".join(lines) + "\n"


__all__ += ["catalogue_markdown"]

"""The named query catalogue: one competency question per ``queries/*.rq`` file.

A file starts with a comment header::

    # title: Reforms eroding conventions
    # description: Which reforms eroded which conventions, under which government, on what evidence.
    # param: government iri optional wm:Government The government that introduced the reform.

A parameter line reads ``NAME KIND [required|optional] [CLASSES] DESCRIPTION``. ``CLASSES`` says what
an ``iri`` parameter takes: one CURIE or several joined by ``|`` (``wm:Norm|wm:ModelOfGovernment``);
a class, or a SKOS concept scheme whose concepts it takes (``wm:ModalityScheme``); ``rdfs:Resource``
for anything. A value of another kind is refused with the values of the right kind
(``westminster_kg.resolve``). Lines without classes, as written before, still read.

Parameters are bound as RDF terms through a ``VALUES`` block placed at the top of the query's
outermost ``WHERE`` group, never pasted into the query text as strings. The same binding works
on every store (rdflib, Oxigraph, a remote endpoint) and pre-binds the variable before any
grouping, unlike a trailing ``VALUES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
_CLASS = r"[a-z][a-z0-9]*:[A-Za-z][A-Za-z0-9_-]*"
_PARAM_LINE = re.compile(
    rf"^(?P<name>\S+)\s+(?P<kind>\S+)(?:\s+(?P<need>required|optional)(?=\s|$))?"
    rf"(?:\s+(?P<classes>{_CLASS}(?:\|{_CLASS})*)(?=\s|$))?\s*(?P<rest>.*)$"
)
ANY_CLASS = PREFIXES["rdfs"] + "Resource"  # a parameter that takes any entity


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query, bound to the variable of the same name."""

    name: str
    kind: str = "iri"
    required: bool = False
    description: str = ""
    classes: tuple[str, ...] = ()  # IRIs of the classes (or concept schemes) an iri value must belong to

    @property
    def takes(self) -> tuple[str, ...]:
        """The classes a value must belong to; empty when any entity will do (or none were declared)."""
        return () if ANY_CLASS in self.classes else self.classes


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


@dataclass
class PreparedQuery:
    """A named query with its parameters resolved: the terms to bind, and what to say about them.

    ``filters`` are the parameters as the answer reports them (name, label); ``notes`` say how a
    value was read (a government that is part of another). ``finish`` puts both on the result.
    """

    named: NamedQuery
    values: dict[str, BoundValue] = field(default_factory=dict)
    filters: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sparql(self) -> str:
        """The query text with every value bound (``bind``)."""
        return bind(self.named.sparql, self.values)

    def finish(self, result: Any) -> Any:
        """``result`` with the filters and notes on it.

        A variable bound to several governments at once and not selected would repeat a row once
        for each it matches: such repeats are dropped, keeping the first of each.
        """
        result.filters, result.notes = list(self.filters), list(self.notes)
        several = [name for name, terms in self.values.items() if isinstance(terms, tuple) and len(terms) > 1]
        if result.kind == "select" and any(name not in result.variables for name in several):
            result.rows = list(dict.fromkeys(result.rows))
        return result


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
            parameters.append(_parse_param(value.strip(), f"{path}:{number}"))
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


def _parse_param(text: str, where: str) -> Parameter:
    """One ``# param:`` line: ``NAME KIND [required|optional] [CLASSES] DESCRIPTION``."""
    match = _PARAM_LINE.match(text)
    if not match or match["kind"] not in PARAM_KINDS or not _VARIABLE.match(match["name"]):
        raise QueryError(
            f"{where}: a param line reads '# param: NAME KIND [required|optional] [CLASS|CLASS...] "
            f"DESCRIPTION' with KIND one of {', '.join(PARAM_KINDS)}"
        )
    classes: list[str] = []
    for token in (match["classes"] or "").split("|") if match["classes"] else []:
        prefix, _, local = token.partition(":")
        if prefix not in PREFIXES:
            raise QueryError(
                f"{where}: unknown prefix {prefix!r} in the class {token!r} (known: {', '.join(PREFIXES)})"
            )
        classes.append(PREFIXES[prefix] + local)
    if classes and match["kind"] != "iri":
        raise QueryError(f"{where}: only an iri parameter takes a class, not a {match['kind']} one")
    return Parameter(match["name"], match["kind"], match["need"] == "required", match["rest"], tuple(classes))


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

    BoundValue = URIRef | Literal | tuple[URIRef | Literal, ...]


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
    "PreparedQuery",
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
        "(`-p government=Coalition`), a `wmr:` slug or a full IRI of the kind in its *takes* column "
        "(a class, or a concept scheme whose concepts it takes); a value of another kind is an error "
        "that lists values of the right kind. A government includes the governments it is part of "
        "and those that are part of it (Blair's and Brown's within New Labour), and the answer says so.",
        "",
    ]
    lines += [f"- [`{name}`](#{name}): {named.title}" for name, named in sorted(catalogue.items())]
    for name, named in sorted(catalogue.items()):
        lines += ["", f"## {name}", "", f"**{named.title}**", ""]
        if named.description:
            lines += [named.description, ""]
        if named.parameters:
            lines += ["| parameter | kind | | takes | description |", "|---|---|---|---|---|"]
            for p in named.parameters:
                need = "required" if p.required else "optional"
                lines.append(f"| `{p.name}` | {p.kind} | {need} | {_takes(p)} | {p.description} |")
            lines.append("")
        examples = [f"wmkg query {name} {example}".rstrip() for example in named.examples]
        if not examples:
            placeholders = " ".join(f"-p {p.name}={p.name.upper()}" for p in named.parameters if p.required)
            examples.append(f"wmkg query {name} {placeholders}".rstrip())
        lines += ["```bash", *examples, "```"]
    return "\n".join(lines) + "\n"


__all__ += ["catalogue_markdown"]


def _takes(parameter: Parameter) -> str:
    """The classes a parameter takes, as CURIEs for the catalogue's table."""
    from westminster_kg.namespaces import curie

    if not parameter.classes:
        return ""
    return " or ".join(f"`{curie(c)}`" for c in parameter.classes) if parameter.takes else "any entity"

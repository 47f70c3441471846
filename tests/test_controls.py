"""Control and bidi characters in imported labels never reach a terminal (issue 23 item 9): every
CLI output shows them as escapes, in the format's own lossless escape where it has one."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from support import run_wmkg, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import QueryError
from westminster_kg.link import import_dataset
from westminster_kg.plain import CONTROLS, render, to_json, visible
from westminster_kg.project import Project

EVIL = "http://example.org/evil"
# An OSC sequence that retitles the terminal, a bell, a C1 CSI, a lone carriage return, U+202E.
LABEL = "Evil \x1b]0;pwned\x07 \x9b31m \rover \u202eeman"
LABEL_NT = "Evil \\u001B]0;pwned\\u0007 \\u009B31m \\rover \\u202Eeman"  # as N-Triples spells it
SHOWN = "Evil \\x1b]0;pwned\\x07 \\x9b31m \\x0dover \\u202eeman"
QUERY = f"SELECT ?thing ?name WHERE {{ BIND(<{EVIL}> AS ?thing) ?thing rdfs:label ?name }}"
GRAPH_QUERY = f"CONSTRUCT {{ ?s rdfs:label ?o }} WHERE {{ BIND(<{EVIL}> AS ?s) ?s rdfs:label ?o }}"


@pytest.fixture(scope="module")
def evil_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from support import DATA, make_project

    root = make_project(tmp_path_factory.mktemp("controls") / "root", DATA / "valid" / "slice.ttl")
    data = root.parent / "evil.nt"
    data.write_text(f'<{EVIL}> <http://www.w3.org/2000/01/rdf-schema#label> "{LABEL_NT}" .\n', encoding="utf-8")
    import_dataset(Project.open(root), data, "evil")
    return root


@pytest.fixture(scope="module")
def evil(evil_root: Path) -> KnowledgeGraph:
    return KnowledgeGraph.load(evil_root)


def test_the_import_kept_the_label_as_it_was(evil: KnowledgeGraph) -> None:
    assert [str(row[1]) for row in evil.run(QUERY).rows] == [LABEL]


def test_visible_shows_every_control_and_bidi_character_and_nothing_else() -> None:
    assert visible(LABEL) == SHOWN
    assert (
        visible("tab\tand\nline feed, CR LF\r\n, ünïcödé, “quotes”")
        == "tab\tand\nline feed, CR LF\r\n, ünïcödé, “quotes”"
    )
    every = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x61C, 0x200E, 0x200F, *range(0x202A, 0x202F)]))
    assert not CONTROLS.search(
        visible(every + "".join(map(chr, range(0x2066, 0x206A)))).replace("\t", "").replace("\n", "")
    )


@pytest.mark.parametrize("fmt", ["csv", "tsv", "sparql-csv"])
def test_plain_formats_show_the_escapes(evil: KnowledgeGraph, fmt: str) -> None:
    text = render(evil.run(QUERY), fmt, lambda iri: LABEL if iri == EVIL else None)
    assert not CONTROLS.search(text)
    assert SHOWN in text or SHOWN.replace("\\x0d", " ") in text  # TSV turns line breaks into spaces


def test_json_formats_escape_losslessly(evil: KnowledgeGraph) -> None:
    result = evil.run(QUERY)
    flat = to_json(result, lambda iri: None)  # /api/queries/NAME?format=json
    sparql = render(result, "sparql-json", lambda iri: None)
    for text in (flat, sparql):
        assert not CONTROLS.search(text)
    assert json.loads(flat)[0]["name"] == LABEL
    assert json.loads(sparql)["results"]["bindings"][0]["name"]["value"] == LABEL


def test_xml_refuses_what_it_cannot_carry_and_references_the_rest(evil: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="U\\+001B, which XML 1.0 cannot carry"):
        render(evil.run(QUERY), "xml", lambda iri: None)
    bidi = evil.run('SELECT ?name WHERE { BIND("a\\u202Eb\\u009Bc" AS ?name) }')
    text = render(bidi, "xml", lambda iri: None)
    assert not CONTROLS.search(text) and "&#x202E;" in text
    assert ET.fromstring(text).find(".//{*}literal").text == "a\u202eb\x9bc"


@pytest.mark.parametrize(
    ("fmt", "parser"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("table", "turtle")]
)
def test_graph_formats_escape_losslessly(evil: KnowledgeGraph, fmt: str, parser: str) -> None:
    text = render(evil.run(GRAPH_QUERY), fmt, lambda iri: None)
    assert not CONTROLS.search(text)
    parsed = Graph().parse(data=text, format=parser)
    assert {str(o) for o in parsed.objects(URIRef(EVIL), None)} == {LABEL}


def test_sparql_tsv_writes_turtle_escapes_that_keep_the_value(evil: KnowledgeGraph) -> None:
    text = render(evil.run(QUERY), "sparql-tsv", lambda iri: None)
    assert not CONTROLS.search(text)
    cell = text.split("\n", 1)[1].split("\t")[1]
    parsed = Graph().parse(data=f"<{EVIL}> <http://example.org/p> {cell.strip()} .", format="turtle")
    assert {str(o) for o in parsed.objects()} == {LABEL}


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "sparql-csv", "sparql-tsv", "sparql-json"])
def test_wmkg_query_never_writes_a_control_character(evil: KnowledgeGraph, fmt: str) -> None:
    # In process over the loaded graph: the subject is what each writer puts on stdout (the error
    # test below runs the real process, whose stderr is written by main).
    wide = ["--wide"] if fmt == "table" else []  # the fitted table cuts long text: show it whole
    done = wmkg("query", "--sparql", QUERY, "-f", fmt, *wide, kg=evil)
    assert done.returncode == 0, done.stderr
    assert not CONTROLS.search(done.stdout + done.stderr)
    assert "pwned" in done.stdout


@pytest.mark.slow  # the CLI in a subprocess
def test_an_error_line_shows_the_control_characters_it_quotes(evil_root: Path) -> None:
    done = run_wmkg("--root", str(evil_root), "query", "entity", "-p", f"entity=nothing like {LABEL}")
    assert done.returncode != 0 and "\\x1b]0;pwned\\x07" in done.stderr
    assert not CONTROLS.search(done.stderr)


@pytest.mark.slow  # the CLI in subprocesses
def test_the_cold_query_path_writes_the_same_escapes_as_the_full_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib
    import io

    from support import DATA, make_project

    from westminster_kg.launch import quick_answer

    root = make_project(tmp_path / "root", DATA / "valid" / "slice.ttl")
    (root / "graph" / "entities").mkdir(exist_ok=True)
    (root / "graph" / "entities" / "evil.ttl").write_text(
        "@prefix wm: <https://w3id.org/westminster-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://w3id.org/westminster-kg/id/evil-government> a wm:Government ; rdfs:label "{LABEL_NT}" .\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WMKG_ROOT", str(root))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for fmt in ("csv", "tsv"):
        full = run_wmkg("query", "governments", "-f", fmt)  # the full CLI (python -m): it keeps the store
        assert full.returncode == 0, full.stderr
        written = io.StringIO()
        with contextlib.redirect_stdout(written):
            assert quick_answer(["query", "governments", "-f", fmt]) == 0  # answered by the cold path
        cold = written.getvalue()
        assert not CONTROLS.search(cold) and (SHOWN in cold or SHOWN.replace("\\x0d", " ") in cold)
        assert not CONTROLS.search(full.stdout) and cold.replace("\r\n", "\n") == full.stdout.replace("\r\n", "\n")

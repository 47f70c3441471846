"""Nothing lost on the way through: awkward graphs survive every store and every RDF format.

Generated datasets hold every literal kind (language tags, datatypes, long strings, newlines,
quotes, emoji, right-to-left text, triple quotes), blank nodes and several named graphs. Each is
written as an import file, loaded into each store, exported in each format and parsed back; the
result must be isomorphic to the input. GraphML and CSV are projections of the relation network,
not RDF, and are tested for what they promise elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from westminster_kg import KnowledgeGraph
from westminster_kg.namespaces import GRAPH_IMPORT
from westminster_kg.turtle import canonical_turtle

GRAPHS = [URIRef(GRAPH_IMPORT + name) for name in ("alpha", "beta")]
AWKWARD = [
    '"""',
    'ends with a quote"',
    "a'b\"c",
    "line\nbreak\r\nwindows",
    "tab\there",
    "😀 emoji",
    "مرحبا بالعالم",
    "\u202eright-to-left override",
    "back\\slash",
    "<b>&amp;</b>",
    "=1+2",
    " leading and trailing ",
    "",
    "x" * 5000,
    "\u2028line separator",
    "#not a comment",
]

text = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        max_size=30,
    ),
)
literals = st.one_of(
    text.map(Literal),
    st.tuples(text, st.sampled_from(["en", "fr", "cy", "ar", "en-gb", "zh-hant"])).map(
        lambda pair: Literal(pair[0], lang=pair[1])
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(lambda i: Literal(str(i), datatype=XSD.integer)),
    st.booleans().map(lambda b: Literal("true" if b else "false", datatype=XSD.boolean)),
    st.dates().map(lambda d: Literal(d.isoformat(), datatype=XSD.date)),
    text.map(lambda t: Literal(t, datatype=URIRef("http://example.org/datatype#custom"))),
)
iris = st.sampled_from([URIRef(f"http://example.org/thing/{i}") for i in range(6)])
predicates = st.sampled_from([URIRef(f"http://example.org/p/{name}") for name in ("label", "note", "relates", "value")])


# Hypothesis-generated datasets through every store and format: the slow tier.
pytestmark = pytest.mark.slow


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    dataset = Dataset()
    for graph_name in GRAPHS:
        graph = dataset.graph(graph_name)
        blanks = [BNode() for _ in range(draw(st.integers(0, 3)))]
        subjects = st.one_of(iris, st.sampled_from(blanks)) if blanks else iris
        objects = st.one_of(literals, iris, st.sampled_from(blanks)) if blanks else st.one_of(literals, iris)
        for _ in range(draw(st.integers(1, 8))):
            graph.add((draw(subjects), draw(predicates), draw(objects)))
    return dataset


def per_graph(quads: list[tuple]) -> dict[URIRef, Graph]:
    graphs: dict[URIRef, Graph] = {name: Graph() for name in GRAPHS}
    for s, p, o, g in quads:
        if g in graphs:
            graphs[g].add((s, p, o))
    return graphs


def project_with(tmp_path: Path, dataset: Dataset) -> Path:
    root = tmp_path / "roundtrip"
    (root / "graph").mkdir(parents=True, exist_ok=True)
    (root / "imports").mkdir(exist_ok=True)
    for old in (root / "imports").glob("*.nq"):
        old.unlink()
    # One import file per graph, as `wmkg import` writes them.
    for name in GRAPHS:
        single = Dataset()
        for triple in dataset.graph(name):
            single.graph(name).add(triple)
        stem = str(name).rsplit("/", 1)[-1]
        (root / "imports" / f"{stem}.nq").write_text(single.serialize(format="nquads"), encoding="utf-8")
    return root


def expected(dataset: Dataset) -> dict[URIRef, Graph]:
    return {name: dataset.graph(name) for name in GRAPHS}


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("backend", ["oxigraph", "memory", "oxigraph-disk"])
@SETTINGS
@given(dataset=datasets())
def test_every_store_gives_back_the_graphs_it_was_given(
    tmp_path_factory: pytest.TempPathFactory, backend: str, dataset: Dataset
) -> None:
    tmp = tmp_path_factory.mktemp("store")
    root = project_with(tmp, dataset)
    if backend == "oxigraph-disk":
        kg = KnowledgeGraph.load(root, store_dir=tmp / "store")
    else:
        kg = KnowledgeGraph.load(root, backend=backend)
    got = per_graph(list(kg.store.quads()))
    for name, graph in expected(dataset).items():
        assert isomorphic(got[name], graph), name


QUAD_FORMATS = {"nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}
TRIPLE_FORMATS = {"turtle": "turtle", "nt": "nt"}


@pytest.mark.parametrize("fmt", [*QUAD_FORMATS, *TRIPLE_FORMATS])
@SETTINGS
@given(dataset=datasets())
def test_every_export_format_parses_back_to_the_same_graphs(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, dataset: Dataset
) -> None:
    tmp = tmp_path_factory.mktemp("export")
    kg = KnowledgeGraph.load(project_with(tmp, dataset))
    data = kg.export(fmt)
    if fmt in QUAD_FORMATS:
        parsed = Dataset()
        parsed.parse(data=data, format=QUAD_FORMATS[fmt])
        got = per_graph([(s, p, o, g) for s, p, o, g in parsed.quads((None, None, None, None))])
        for name, graph in expected(dataset).items():
            assert isomorphic(got[name], graph), name
    else:
        parsed_graph = Graph().parse(data=data, format=TRIPLE_FORMATS[fmt])
        union = Graph()
        for graph in expected(dataset).values():
            union += graph
        assert isomorphic(parsed_graph, union)


@SETTINGS
@given(dataset=datasets())
def test_nquads_exports_parse_in_oxigraph_too(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> None:
    kg = KnowledgeGraph.load(project_with(tmp_path_factory.mktemp("ox"), dataset))
    data = kg.export("nquads")
    quads = list(ox.parse(data.encode("utf-8") if isinstance(data, str) else data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == sum(len(g) for g in expected(dataset).values())


@SETTINGS
@given(dataset=datasets())
def test_canonical_turtle_never_changes_a_graph_and_is_stable(dataset: Dataset) -> None:
    union = Graph()
    for graph in expected(dataset).values():
        union += graph
    first = canonical_turtle(union)
    reparsed = Graph().parse(data=first, format="turtle")
    assert isomorphic(reparsed, union)
    assert canonical_turtle(reparsed) == first

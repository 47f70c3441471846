"""`wmkg fmt`: canonical Turtle whose bytes depend on the graph alone, and never change it.

The rule (``westminster_kg.turtle``): blocks sorted by subject IRI; in a file about claims, each
claim's plain triple right after its claim; a stable order of predicates and objects; formatting
twice gives the same bytes.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, RDFS
from support import REPO, wmkg

from westminster_kg.errors import InputError
from westminster_kg.namespaces import OA, WMR
from westminster_kg.project import Project
from westminster_kg.turtle import canonical_turtle, format_project, parse_turtle, same_graph
from westminster_kg.vocab import WM

# --- a random graph: entities, claims with their plain triples, nested and shared blank nodes ---------

SLUGS = st.sampled_from(["npm", "haldane-convention", "impartiality", "coalition", "a-b", "z9"])
RELATIONS = st.sampled_from([WM.erodes, WM.introducedBy, WM.underpins, WM.replaces])
LITERALS = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12).map(
        lambda t: Literal(t, lang="en")
    ),
    st.text(max_size=8).map(Literal),
    st.integers(-5, 10**6).map(Literal),
    st.dates().map(lambda d: Literal(d.isoformat(), datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))),
    st.sampled_from(['with "quotes"', "line\nbreak", "tab\t", "back\\slash"]).map(Literal),
)


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    graph = Graph()
    for _ in range(draw(st.integers(0, 6))):
        subject, relation, obj = draw(SLUGS), draw(RELATIONS), draw(SLUGS)
        graph.add((WMR[subject], relation, WMR[obj]))
        if draw(st.booleans()):
            claim = WMR[f"claim-{subject}-{relation.split('#')[-1]}-{obj}"]
            graph.add((claim, RDF.type, WM.Claim))
            graph.add((claim, RDF.subject, WMR[subject]))
            graph.add((claim, RDF.predicate, relation))
            graph.add((claim, RDF.object, WMR[obj]))
            for _ in range(draw(st.integers(1, 2))):
                evidence, selector = BNode(), BNode()
                graph.add((claim, PROV.wasDerivedFrom, evidence))
                graph.add((evidence, RDF.type, WM.Evidence))
                graph.add((evidence, WM.section, WMR["section-" + draw(SLUGS)]))
                graph.add((selector, RDF.value, draw(LITERALS)))
                graph.add((evidence, OA.hasSelector, selector))
    for _ in range(draw(st.integers(0, 5))):
        graph.add((WMR[draw(SLUGS)], draw(st.sampled_from([RDFS.label, RDFS.comment, WM.startDate])), draw(LITERALS)))
    if draw(st.booleans()):  # a blank node used twice gets a block and a label of its own
        shared = BNode()
        graph.add((WMR[draw(SLUGS)], RDFS.seeAlso, shared))
        graph.add((WMR[draw(SLUGS)], RDFS.seeAlso, shared))
        graph.add((shared, RDFS.label, draw(LITERALS)))
    return graph


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shuffled(graph: Graph, seed: int) -> Graph:
    triples = list(graph)
    random.Random(seed).shuffle(triples)
    out = Graph()
    for triple in triples:
        out.add(triple)
    return out


@pytest.mark.slow
@SETTINGS
@given(graph=graphs(), seed=st.integers(0, 1000))
def test_canonical_turtle_keeps_the_graph_is_byte_stable_and_ignores_insertion_order(graph: Graph, seed: int) -> None:
    text = canonical_turtle(graph)
    reparsed = Graph().parse(data=text, format="turtle")
    assert isomorphic(reparsed, graph)
    assert same_graph(reparsed, graph)
    assert canonical_turtle(reparsed) == text  # fmt twice: the same bytes
    assert canonical_turtle(shuffled(graph, seed)) == text  # whatever order the triples came in


def test_same_graph_tells_a_changed_nested_value_from_the_same_graph() -> None:
    # The fast isomorphism check the formatter relies on must also say "different".
    def evidence(quote: str, start: int) -> Graph:
        graph, node, selector = Graph(), BNode(), BNode()
        graph.add((WMR.claim, PROV.wasDerivedFrom, node))
        graph.add((node, OA.hasSelector, selector))
        graph.add((selector, OA.exact, Literal(quote)))
        graph.add((selector, OA.start, Literal(start)))
        return graph

    assert same_graph(evidence("a quote", 1), evidence("a quote", 1))
    assert not same_graph(evidence("a quote", 1), evidence("a quote", 2))
    assert not same_graph(evidence("a quote", 1), evidence("another", 1))


# --- the rule, on small examples --------------------------------------------------------------


def blocks(text: str) -> list[str]:
    """The first line of every statement (prefixes aside)."""
    return [line for line in text.splitlines() if line and not line.startswith((" ", "@prefix"))]


def claim_graph(*edges: tuple[str, str, str]) -> Graph:
    graph = Graph()
    for subject, relation, obj in edges:
        claim = WMR[f"claim-{subject}-{relation}-{obj}"]
        graph.add((WMR[subject], WM[relation], WMR[obj]))
        for p, o in ((RDF.type, WM.Claim), (RDF.subject, WMR[subject]), (RDF.predicate, WM[relation])):
            graph.add((claim, p, o))
        graph.add((claim, RDF.object, WMR[obj]))
        graph.add((WMR[subject], RDFS.label, Literal(subject, lang="en")))
    return graph


def test_each_claim_is_followed_by_its_plain_triple_then_the_other_blocks_by_iri() -> None:
    text = canonical_turtle(claim_graph(("npm", "erodes", "impartiality"), ("b-reform", "erodes", "impartiality")))
    assert blocks(text) == [
        "wmr:claim-b-reform-erodes-impartiality a wm:Claim ;",
        "wmr:b-reform wm:erodes wmr:impartiality .",
        "wmr:claim-npm-erodes-impartiality a wm:Claim ;",
        "wmr:npm wm:erodes wmr:impartiality .",
        'wmr:b-reform rdfs:label "b-reform"@en .',
        'wmr:npm rdfs:label "npm"@en .',
    ]
    # The plain triple sits right under its claim; a blank line parts each pair from the next.
    assert "rdf:object wmr:impartiality .\nwmr:npm wm:erodes wmr:impartiality .\n\nwmr:b-reform rdfs:label" in text


def test_blocks_without_claims_are_sorted_by_iri_whatever_references_them() -> None:
    graph = Graph()
    for slug in ("c", "a", "b"):
        graph.add((WMR[slug], RDFS.label, Literal(slug)))
    before = blocks(canonical_turtle(graph))
    # rdflib's own writer puts the most referenced subject last: one new reference moved a block.
    graph.add((WMR.a, RDFS.seeAlso, WMR.c))
    graph.add((WMR.b, RDFS.seeAlso, WMR.c))
    after = blocks(canonical_turtle(graph))
    assert [line.split()[0] for line in before] == [line.split()[0] for line in after] == ["wmr:a", "wmr:b", "wmr:c"]


def test_predicates_lead_with_type_and_label_and_objects_are_sorted() -> None:
    graph = Graph()
    reform = WMR.reform
    for p, o in (
        (WM.erodes, WMR.z),
        (WM.erodes, WMR.a),
        (RDFS.label, Literal("reform", lang="en")),
        (RDF.type, WM.Reform),
        (RDFS.comment, Literal("b")),
        (RDFS.comment, Literal("a")),
    ):
        graph.add((reform, p, o))
    text = canonical_turtle(graph)
    body = text.split("\n\n", 1)[1]
    assert body.index(" a wm:Reform") < body.index("rdfs:label") < body.index("rdfs:comment") < body.index("wm:erodes")
    assert body.index('"a"') < body.index('"b"') and body.index("wmr:a") < body.index("wmr:z")


# --- the repository's own files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo") / "repo"
    for folder in ("graph", "ontology", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.mark.slow
def test_fmt_puts_every_scrambled_repository_file_back_byte_for_byte(repo_copy: Path) -> None:
    # The committed files are canonical (CI runs `wmkg fmt --check`): with their statements in
    # reverse order, fmt must give back exactly those bytes, so exactly their graphs.
    project = Project.open(repo_copy)
    scrambled = []
    for source in project.curated_files():
        # A statement starts a line with a CURIE or an IRI (a blank line inside a long literal does not).
        head, *blocks = re.split(r"\n\n(?=[a-z][\w-]*:|<)", source.path.read_text(encoding="utf-8").rstrip("\n"))
        if source.format != "turtle" or source.path.name == "shapes.ttl" or len(blocks) < 2:
            continue
        source.path.write_text("\n\n".join([head, *reversed(blocks)]) + "\n", encoding="utf-8")
        scrambled.append(project.relative(source.path))
    assert len(scrambled) > 20
    assert sorted(format_project(project)) == sorted(scrambled)  # raises InputError if a graph would change
    for name in scrambled:
        assert (repo_copy / name).read_bytes() == (REPO / name).read_bytes(), name


@pytest.mark.slow
def test_fmt_check_lists_the_files_that_would_change_and_exits_1(mini_root: Path) -> None:
    untidy = mini_root / "graph" / "claims" / "untidy.ttl"
    untidy.write_text(
        "@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'wmr:z rdfs:label "z"@en . wmr:a rdfs:label "a"@en .\n',
        encoding="utf-8",
    )
    before = untidy.read_bytes()
    check = wmkg("--root", str(mini_root), "fmt", "--check")  # in process (support.cli): exit code and output
    assert check.returncode == 1
    assert "graph/claims/untidy.ttl" in check.stdout
    assert untidy.read_bytes() == before  # --check writes nothing
    assert wmkg("--root", str(mini_root), "fmt").returncode == 0
    again = wmkg("--root", str(mini_root), "fmt", "--check")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("wmr:a wmr:b wmr:c ;\n  .\n]\n", 6, "not a valid"),  # a stray bracket
        ('wmr:a rdfs:label "x"@1en .\n', 4, "language"),  # rdflib raised a ValueError
        ('wmr:a rdfs:label "\\uZZZZ" .\n', 4, "escape"),  # rdflib read it (and fmt would have rewritten it)
        ("<http://a b> rdfs:label <http://c> .\n", 4, "IRI"),  # rdflib failed only when writing
        ("undeclared:a rdfs:label wmr:c .\n", 4, "prefix"),
    ],
)
def test_a_text_that_is_not_turtle_is_named_with_its_line(body: str, line: int, words: str) -> None:
    header = "@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n"
    header += "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
    with pytest.raises(InputError) as raised:
        parse_turtle(header + body, "graph/claims/broken.ttl")
    assert str(raised.value).startswith(f"graph/claims/broken.ttl:{line}: ") and words in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.slow  # formats the ontology and sources of a project
def test_fmt_of_a_project_with_a_broken_file_says_where_in_one_line_and_writes_nothing(mini_root: Path) -> None:
    untidy = mini_root / "graph" / "claims" / "a-untidy.ttl"  # read and formatted before the broken file
    untidy.write_text('@prefix wmr: <https://w3id.org/westminster-kg/id/> .\nwmr:z wmr:p "z" . wmr:a wmr:p "a" .\n')
    broken = mini_root / "graph" / "claims" / "broken.ttl"
    broken.write_text('@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n\nwmr:a wmr:p "\\uZZZZ" .\n')
    before = {path: path.read_bytes() for path in (untidy, broken)}
    done = wmkg("--root", str(mini_root), "fmt")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "graph/claims/broken.ttl:3:" in done.stderr and "escape" in done.stderr, done.stderr
    assert {path: path.read_bytes() for path in before} == before  # nothing written, the untidy file neither


def test_a_language_tag_keeps_the_capitals_its_curator_wrote() -> None:
    text = '@prefix wmr: <https://w3id.org/westminster-kg/id/> .\nwmr:a wmr:p "colour"@en-GB , "color"@en .\n'
    graph = parse_turtle(text, "graph/claims/tags.ttl")
    assert sorted(o.language for o in graph.objects()) == ["en", "en-GB"]
    assert '"colour"@en-GB' in canonical_turtle(graph)

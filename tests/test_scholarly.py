"""The scholarly exports, each read back by its ecosystem's own library and compared with the graph.

Web Annotations by rdflib's JSON-LD parser (with the W3C context as published, vendored beside the
tests), nanopublications by the ``nanopub`` library, BibTeX by ``bibtexparser``, CSL-JSON by
``citeproc-py``. What each reader finds is compared with the graph, computed here by SPARQL: a claim
left out, a stance swapped or a hedge dropped makes a test fail.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from support import DATA, REPO, make_project

from westminster_kg import KnowledgeGraph
from westminster_kg.errors import InputError

ARTICLE = (REPO / "graph" / "sources" / "westminster-model-article.txt").read_text(encoding="utf-8")
SCHOLARLY = DATA / "scholarly"
# The W3C Web Annotation JSON-LD context, as served at http://www.w3.org/ns/anno.jsonld: from
# w3c/web-annotation, jsonld/anno.jsonld at 74992e5d3ca3ac10b3289f6c855c876cc9b024a1 (W3C Document License).
ANNO_CONTEXT = json.loads((SCHOLARLY / "anno.jsonld").read_text(encoding="utf-8"))["@context"]
PREFIXES = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX wm: <https://w3id.org/westminster-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX np: <http://www.nanopub.org/nschema#>
PREFIX cito: <http://purl.org/spar/cito/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Each claim's quote places and what it says about them, as the graph holds them.
CLAIM_SPANS = (
    PREFIXES
    + """SELECT ?claim ?start ?end ?stance ?modality ?relation WHERE {
  ?claim a wm:Claim ; prov:wasDerivedFrom ?e ; wm:stance ?stance ; wm:modality ?modality .
  ?e oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end .
  OPTIONAL { ?claim rdf:predicate ?relation } }"""
)
CLAIM_CUES = PREFIXES + "SELECT ?claim ?cue WHERE { ?claim a wm:Claim ; wm:hedgeCue ?cue }"


def rows(result) -> set[tuple]:  # noqa: ANN001 - an rdflib or westminster_kg result
    return {
        tuple(None if t is None else (int(t) if isinstance(t, Literal) and t.isnumeric() else str(t)) for t in r)
        for r in result
    }


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


@pytest.fixture(scope="module")
def annotations(kg: KnowledgeGraph) -> tuple[dict, Graph]:
    document = json.loads(kg.export("web-annotation"))
    readable = dict(document)
    assert document["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    readable["@context"] = [ANNO_CONTEXT, *document["@context"][1:]]  # the published context, offline
    return document, Graph().parse(data=json.dumps(readable), format="json-ld")


@pytest.fixture(scope="module")
def annotation_store(annotations: tuple[dict, Graph]) -> ox.Store:
    """The triples rdflib's JSON-LD parser read, in Oxigraph, for the joins (rdflib took 15 s on the first)."""
    from westminster_kg.store.oxigraph import to_ox

    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in annotations[1])
    assert len(store) == len(annotations[1])
    return store


# --- Web Annotations -------------------------------------------------------------------------------


@pytest.mark.slow  # rdflib's JSON-LD parser takes about 2 s over the 860 kB collection
def test_every_claims_quote_is_an_annotation_whose_body_is_that_claim_with_its_stance_modality_and_relation(
    kg, annotation_store
):
    exported = ox_rows(
        annotation_store,
        PREFIXES
        + """SELECT ?claim ?start ?end ?stance ?modality ?relation WHERE {
        ?a a oa:Annotation ; oa:hasBody ?claim ; oa:hasTarget ?t .
        ?claim a wm:Claim ; wm:stance ?stance ; wm:modality ?modality .
        ?t oa:hasSource <https://w3id.org/westminster-kg/id/article> ; oa:hasSelector ?p .
        ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end
        OPTIONAL { ?claim rdf:predicate ?relation } }""",
    )
    expected = rows(kg.run(CLAIM_SPANS).rows)
    assert len(expected) > 300
    assert exported == expected
    cues = ox_rows(
        annotation_store,
        PREFIXES + "SELECT DISTINCT ?claim ?cue WHERE { ?a oa:hasBody ?claim . ?claim wm:hedgeCue ?cue }",
    )
    assert cues == rows(kg.run(CLAIM_CUES).rows) and len(cues) > 10


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_each_position_selector_gives_exactly_the_quote_selectors_text_and_its_context(kg):
    document = json.loads(kg.export("web-annotation"))  # read as plain JSON: the fast tier's check
    targets = [a["target"] for a in document["first"]["items"]]
    assert len(targets) == document["total"] > 400
    for target in targets:
        assert target["source"] == "https://w3id.org/westminster-kg/id/article"
        by_type = {selector["type"]: selector for selector in target["selector"]}
        quote, position = by_type["TextQuoteSelector"], by_type["TextPositionSelector"]
        start, end = position["start"], position["end"]
        assert ARTICLE[start:end] == quote["exact"]
        prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
        assert ARTICLE[:start].endswith(prefix) and len(prefix) == min(32, start)
        assert ARTICLE[end:].startswith(suffix) and len(suffix) == min(32, len(ARTICLE) - end)


@pytest.mark.slow  # rdflib's JSON-LD reading, as above
def test_the_collection_counts_its_annotations_and_covers_every_quote_of_the_graph(kg, annotations):
    document, graph = annotations
    items = document["first"]["items"]
    assert document["type"] == "AnnotationCollection" and document["total"] == len(items)
    places = rows(
        kg.run(
            PREFIXES + "SELECT DISTINCT ?s ?e WHERE { ?x oa:hasSelector ?p , ?q . ?q oa:exact ?quote ."
            " ?p oa:start ?s ; oa:end ?e }"
        ).rows
    )
    annotated = rows(
        graph.query(
            PREFIXES + "SELECT DISTINCT ?s ?e WHERE { ?a a oa:Annotation ; oa:hasTarget/oa:hasSelector ?p ."
            " ?p oa:start ?s ; oa:end ?e }"
        )
    )
    # Every span the graph quotes (claims, entities' introductions, role-marked passages), once each.
    assert annotated == places and len(items) == len(places)


@pytest.mark.slow  # rdflib's JSON-LD reading, as above
def test_a_proposition_is_a_body_typed_proposition_with_what_it_is_about_and_no_triple(kg, annotations):
    _document, graph = annotations
    propositions = rows(
        kg.run(PREFIXES + "SELECT ?c ?about WHERE { ?c a wm:Proposition ; dcterms:subject ?about }").rows
    )
    exported = rows(
        graph.query(
            PREFIXES + "SELECT ?c ?about WHERE { ?a oa:hasBody ?c . ?c a wm:Proposition ; dcterms:subject ?about }"
        )
    )
    assert exported == propositions and propositions
    assert not graph.query(PREFIXES + "ASK { ?c a wm:Proposition ; rdf:predicate ?p }").askAnswer


# --- nanopublications -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanopub_text(kg: KnowledgeGraph) -> str:
    return kg.export("nanopub")


@pytest.fixture(scope="module")
def nanopubs(nanopub_text: str) -> ox.Store:
    """The nanopublications in Oxigraph, for the comparisons (rdflib's GRAPH joins take minutes here)."""
    store = ox.Store()
    store.load(nanopub_text.encode("utf-8"), format=ox.RdfFormat.TRIG)
    return store


def ox_rows(store: ox.Store, sparql: str) -> set[tuple]:
    def value(term):  # noqa: ANN001, ANN202
        if term is None:
            return None
        if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#integer", "#nonNegativeInteger")):
            return int(term.value)
        return term.value

    return {tuple(value(term) for term in solution) for solution in store.query(sparql)}


@pytest.fixture
def queries_prepared_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib parses and translates each distinct query text once, as ``prepareQuery`` lets a caller do.

    The nanopub library asks the same query of every nanopublication, twice (reading it, then
    ``is_valid``), and rdflib's parser (pyparsing) took about two thirds of the test's time parsing
    that one text 800 times. The algebra evaluated is the one rdflib makes from the text each time.
    """
    from rdflib.plugins.sparql import processor

    evaluate = processor.SPARQLProcessor.query
    prepared: dict[tuple, object] = {}

    def query(self, text, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: ANN001, ANN202, N803
        if isinstance(text, str):
            key = (text, base, tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(text), base, initNs)
            text = prepared[key]
        return evaluate(self, text, initBindings, initNs, base, DEBUG)

    monkeypatch.setattr(processor.SPARQLProcessor, "query", query)


@pytest.mark.slow  # the nanopub library reads 400 nanopublications one by one (about 10 s)
def test_each_claim_is_one_nanopublication_that_the_nanopub_library_reads_as_valid(
    kg, nanopub_text, queries_prepared_once
):
    from nanopub import Nanopub, NanopubConf
    from rdflib.namespace import RDF

    nanopubs = Dataset().parse(data=nanopub_text, format="trig")
    by_graph: dict[str, list] = defaultdict(list)
    heads = {}
    for s, p, o, g in nanopubs.quads((None, None, None, None)):
        by_graph[str(g)].append((s, p, o, g))
        if p == RDF.type and o == URIRef("http://www.nanopub.org/nschema#Nanopublication"):
            heads[str(s)] = str(g)
    claims = {str(c) for (c,) in kg.run(PREFIXES + "SELECT ?c WHERE { ?c a wm:Claim }").rows}
    assert len(heads) == len(claims) > 250
    read_claims = set()
    for np_iri in heads:
        from rdflib import ConjunctiveGraph  # the type Nanopub takes

        one = ConjunctiveGraph()
        for graph_iri, quads in by_graph.items():
            if graph_iri.startswith(np_iri + "#"):
                for s, p, o, g in quads:
                    one.add((s, p, o, URIRef(str(g))))
        publication = Nanopub(rdf=one, conf=NanopubConf())
        assert publication.is_valid
        assert len(publication.assertion) >= 1 and len(publication.pubinfo) >= 5
        (claim,) = {str(o) for _s, p, o in publication.pubinfo if str(p) == "http://www.w3.org/ns/prov#wasDerivedFrom"}
        read_claims.add(claim)
    assert read_claims == claims


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_nanopublications_assertion_is_its_claims_triple_or_its_proposition(kg, nanopubs):
    asserted = ox_rows(
        nanopubs,
        PREFIXES
        + """SELECT ?claim ?s ?p ?o WHERE {
            GRAPH ?pub { ?np prov:wasDerivedFrom ?claim }
            GRAPH ?head { ?np np:hasAssertion ?a ; np:hasPublicationInfo ?pub }
            GRAPH ?a { ?s ?p ?o } FILTER NOT EXISTS { GRAPH ?a { ?s a wm:Proposition } } }""",
    )
    triples = rows(
        kg.run(
            PREFIXES + "SELECT ?c ?s ?p ?o WHERE { ?c a wm:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }"
        ).rows
    )
    assert asserted == triples and len(triples) > 250
    propositions = ox_rows(
        nanopubs, PREFIXES + "SELECT ?c WHERE { GRAPH ?a { ?c a wm:Proposition } GRAPH ?h { ?np np:hasAssertion ?a } }"
    )
    assert propositions == rows(kg.run(PREFIXES + "SELECT ?c WHERE { ?c a wm:Proposition }").rows)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_nanopublications_provenance_keeps_the_stance_modality_hedge_and_quote_places(kg, nanopubs):
    provenance = ox_rows(
        nanopubs,
        PREFIXES
        + """SELECT ?claim ?start ?end ?stance ?modality ?relation WHERE {
            GRAPH ?pub { ?np prov:wasDerivedFrom ?claim }
            GRAPH ?h { ?np np:hasAssertion ?a ; np:hasProvenance ?pg ; np:hasPublicationInfo ?pub }
            GRAPH ?pg { ?a wm:stance ?stance ; wm:modality ?modality ; prov:wasDerivedFrom ?e .
                        ?e oa:hasSelector ?p ; oa:hasSelector ?q . ?p oa:start ?start ; oa:end ?end .
                        ?q oa:exact ?exact }
            OPTIONAL { GRAPH ?a { ?s ?relation ?o }
                       FILTER(?relation NOT IN (rdf:type, rdfs:label, dcterms:subject)) } }""",
    )
    assert provenance == rows(kg.run(CLAIM_SPANS).rows)
    cues = ox_rows(
        nanopubs,
        PREFIXES + "SELECT ?claim ?cue WHERE { GRAPH ?pub { ?np prov:wasDerivedFrom ?claim }"
        " GRAPH ?h { ?np np:hasProvenance ?pg ; np:hasPublicationInfo ?pub } GRAPH ?pg { ?a wm:hedgeCue ?cue } }",
    )
    assert cues == rows(kg.run(CLAIM_CUES).rows)
    for exact, start, end in ox_rows(
        nanopubs,
        PREFIXES + "SELECT ?x ?s ?e WHERE { GRAPH ?g { ?e0 oa:hasSelector ?q , ?p . ?q oa:exact ?x ."
        " ?p oa:start ?s ; oa:end ?e } }",
    ):
        assert ARTICLE[start:end] == exact


def test_every_nanopublication_names_the_dataset_and_its_version(nanopubs):
    from westminster_kg import __version__

    versions = {
        v
        for (v,) in ox_rows(
            nanopubs,
            "SELECT ?v WHERE { GRAPH ?g { ?np <http://purl.org/pav/version> ?v ;"
            " <http://purl.org/dc/terms/isPartOf> <https://w3id.org/westminster-kg/dataset> } }",
        )
    }
    assert versions == {__version__}


# --- references -------------------------------------------------------------------------------------

WORKS = (
    PREFIXES + "SELECT ?w ?label ?creator ?date ?title WHERE { ?w a wm:Publication ; rdfs:label ?label"
    " OPTIONAL { ?w dcterms:creator ?creator } OPTIONAL { ?w dcterms:date ?date }"
    " OPTIONAL { ?w dcterms:title ?title } }"
)


def graph_works(kg: KnowledgeGraph) -> dict[str, dict]:
    works: dict[str, dict] = {}
    for w, label, creator, date, title in kg.run(WORKS).rows:
        key = str(w).rsplit("/", 1)[-1].removeprefix("ref-")
        work = works.setdefault(
            key,
            {
                "label": str(label),
                "creators": set(),
                "year": str(date)[:4] if date else None,
                "title": str(title) if title else None,
            },
        )
        if creator is not None:
            work["creators"].add(str(creator))
    return works


def test_bibtexparser_reads_the_article_and_every_cited_work_with_only_what_the_graph_knows(kg):
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    library = bibtexparser.parse_string(kg.export("bibtex"), append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    works = graph_works(kg)
    entries = {entry.key: entry for entry in library.entries}
    assert len(works) == 84 and set(entries) == {*works, "westminster-model-article"}
    title = kg.run(PREFIXES + "SELECT ?t WHERE { <https://w3id.org/westminster-kg/id/article> dcterms:title ?t }").rows[
        0
    ][0]
    assert entries["westminster-model-article"].fields_dict["title"].value == str(title)
    for key, work in works.items():
        fields = entries[key].fields_dict
        assert set(fields) <= {"author", "year", "title", "note"}  # nothing the graph does not hold
        names = (
            [" ".join(part.strip("{}") for part in name.last) for name in fields["author"].value]
            if "author" in fields
            else []
        )
        assert set(names) == work["creators"], key
        # The printed order ("Hood and Dixon"), not the alphabetical one RDF would give.
        assert names == sorted(names, key=work["label"].find), key
        assert (fields["year"].value if "year" in fields else None) == work["year"]
        assert (fields["title"].value if "title" in fields else None) == work["title"]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_citeproc_reads_the_csl_json_and_renders_every_work_with_its_creators_and_year(kg):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(kg.export("csl-json"))
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(
        CitationStylesStyle("harvard-cite-them-right", validate=False), source, formatter.plain
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = {str(key): str(text) for key, text in zip(bibliography.keys, bibliography.bibliography(), strict=True)}
    works = graph_works(kg)
    assert len(rendered) == len(works) + 1
    for key, work in works.items():
        assert all(name in rendered[key] for name in work["creators"]), rendered[key]
        assert work["year"] is None or work["year"] in rendered[key]
        assert [a["literal"] for a in source[key].get("author", [])] == sorted(work["creators"], key=work["label"].find)


# --- bad input and the data it follows ------------------------------------------------------------


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_claim_without_offsets_is_reported_by_name_and_file_and_nothing_is_written(tmp_path):
    text = (DATA / "valid" / "slice.ttl").read_text(encoding="utf-8")
    cut = text.replace(
        """            oa:hasSelector [ a oa:TextPositionSelector ;
                    oa:end 4879 ;
                    oa:start 4787 ],
                [ a oa:TextQuoteSelector ;""",
        """            oa:hasSelector [ a oa:TextQuoteSelector ;""",
    )
    assert cut != text
    (tmp_path / "slice.ttl").write_text(cut, encoding="utf-8")
    root = make_project(tmp_path / "project", tmp_path / "slice.ttl")
    kg = KnowledgeGraph.load(root)
    for fmt in ("web-annotation", "nanopub"):
        target = tmp_path / f"out.{fmt}"
        with pytest.raises(
            InputError,
            match=r"graph/claims/slice\.ttl:\d+: claim "
            r"wmr:claim-civil-service-reform-plan-2012-claims-continuity-impartiality: .* has no offsets",
        ):
            kg.export(fmt, target)
        assert not target.exists()
    with pytest.raises(InputError, match="has no offsets"):
        kg.export_folder("ro-crate", tmp_path / "crate")
    assert not (tmp_path / "crate").exists() and not list(tmp_path.glob(".crate.*"))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("change", ["stance", "hedge"])
def test_the_exports_follow_the_data_a_swapped_stance_or_dropped_hedge_shows(tmp_path, change):
    text = (DATA / "valid" / "slice.ttl").read_text(encoding="utf-8")
    if change == "stance":
        edited = text.replace("wm:stance wm:ActorClaim", "wm:stance wm:AuthorArgument", 1)
    else:
        edited = text.replace('wm:hedgeCue "', 'rdfs:comment "', 1).replace(
            "wm:modality wm:Hedged", "wm:modality wm:Asserted", 1
        )
    assert edited != text
    (tmp_path / "slice.ttl").write_text(edited, encoding="utf-8")
    kg = KnowledgeGraph.load(make_project(tmp_path / "project", tmp_path / "slice.ttl"))
    document = json.loads(kg.export("web-annotation"))
    document["@context"] = [ANNO_CONTEXT, *document["@context"][1:]]
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    assert rows(
        graph.query(PREFIXES + "SELECT ?claim ?cue WHERE { ?a oa:hasBody ?claim . ?claim wm:hedgeCue ?cue }")
    ) == rows(kg.run(CLAIM_CUES).rows)
    exported = graph.query(
        PREFIXES + "SELECT ?claim ?stance ?modality WHERE { ?a oa:hasBody ?claim ."
        " ?claim wm:stance ?stance ; wm:modality ?modality }"
    )
    assert rows(exported) == rows(
        kg.run(PREFIXES + "SELECT ?c ?s ?m WHERE { ?c a wm:Claim ; wm:stance ?s ; wm:modality ?m }").rows
    )


def test_the_crate_folder_refuses_a_link_a_device_a_file_and_a_folder_with_files(kg, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    (tmp_path / "file").write_text("mine")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    for target, words in (
        (tmp_path / "link", "symbolic link"),
        (Path("/dev/null"), "device"),
        (tmp_path / "file", "file"),
        (tmp_path / "full", "not empty"),
        (tmp_path / "no" / "crate", "does not exist"),
    ):
        with pytest.raises(InputError, match=words):
            kg.export_folder("ro-crate", target)
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine" and (tmp_path / "file").read_text() == "mine"
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.docs
def test_the_readme_shows_the_datasets_citation_and_the_number_of_cited_works_as_they_are(kg):
    from westminster_kg.scholarly.citation import dataset_citation
    from westminster_kg.scholarly.claims import dataset_info, store_asker

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quoted = " ".join(line.removeprefix("> ") for line in readme.splitlines() if line.startswith("> "))
    assert dataset_citation(dataset_info(store_asker(kg))) in quoted
    (count,) = kg.run("SELECT (COUNT(?w) AS ?n) WHERE { ?w a wm:Publication }").rows[0]
    assert f"the {int(count)} works it cites" in readme

"""Cite from the web app: each claim's page cites the claim, its quotes and the dataset version and links
its highlighted passage; /download offers the dataset's citation, the RO-Crate and CITATION.cff; the home
page's head describes the dataset in schema.org terms that agree with its own VoID description.

A real server on loopback (httpx); what the pages say is compared with the graph by SPARQL.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from urllib.parse import urljoin

import pytest
from rdflib import Graph
from support import InProcessApp

from westminster_kg import KnowledgeGraph, __version__


@pytest.fixture(scope="module")
def kg(real_app: InProcessApp) -> KnowledgeGraph:
    """The graph the app serves, asked by SPARQL of its own."""
    return real_app.kg


@pytest.fixture(scope="module")
def server(real_app: InProcessApp) -> InProcessApp:
    """The app over the repository's graph, asked in this process (the run's ``real_app``)."""
    return real_app


def citation_of(page: str) -> str:
    found = re.search(r'<textarea id="wmkg-cite-text"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no citation on the page"
    return html.unescape(found.group(1))


# One claim of each kind the graph has: hedged, an actor's words, a proposition, cited literature.
KINDS = {
    "hedged": "?c wm:modality wm:Hedged ; wm:hedgeCue ?cue .",
    "actor": "?c wm:stance wm:ActorClaim .",
    "proposition": "?c a wm:Proposition .",
    "cited": "?c wm:stance wm:CitedLiterature .",
}


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_claims_page_cites_the_claim_its_quotes_stance_modality_and_the_dataset_version(kg, server, kind):
    query = f"""SELECT ?c ?stanceLabel ?modalityLabel WHERE {{ ?c a wm:Claim ; wm:stance ?s ; wm:modality ?m .
        ?s skos:prefLabel ?stanceLabel . ?m skos:prefLabel ?modalityLabel . {KINDS[kind]} }} ORDER BY ?c LIMIT 1"""
    claim, stance, modality = kg.run(query).rows[0]
    slug = str(claim).rsplit("/", 1)[-1]
    page = server.get(f"/id/{slug}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = citation_of(page.text)
    assert f"({stance}, {modality}" in text and f"version {__version__}" in text and str(claim) in text
    cues = [str(c) for (c,) in kg.run("SELECT ?cue WHERE { ?claim wm:hedgeCue ?cue }", {"claim": claim}).rows]
    assert all(f"“{cue}”" in text for cue in cues)
    spans = kg.run(
        "SELECT ?s ?e WHERE { ?claim prov:wasDerivedFrom ?ev . ?ev oa:hasSelector ?p . ?p oa:start ?s ; oa:end ?e }",
        {"claim": claim},
    ).rows
    article = kg.project.article_text()
    for start, end in spans:  # each quote with its offsets, as the article prints it
        assert f"“{article[int(start) : int(end)]}”" in text and f"characters {start}–{end}" in text
    bibtex = re.search(r'<textarea id="wmkg-cite-bibtex"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert bibtex and f"@misc{{{slug}," in html.unescape(bibtex.group(1))
    # Its passage: the article reader anchors this claim's first highlight with the same slug.
    assert f'href="/article#{slug}"' in page.text
    reader = server.get("/article").text
    assert re.search(rf'<mark data-claim="{re.escape(str(claim))}"[^>]* id="{re.escape(slug)}"', reader)


def test_an_entity_that_is_no_claim_has_no_claim_citation(server):
    page = server.get("/id/haldane-convention", headers={"Accept": "text/html"}).text
    assert "Cite this claim" not in page


@pytest.mark.slow  # /download's dumps, made by a child process
def test_download_offers_the_dataset_citation_the_crate_and_citation_cff(kg, server):
    page = server.get("/download").text
    citation = citation_of(page)
    (row,) = kg.run(
        "SELECT ?issued ?creator WHERE { <https://w3id.org/westminster-kg/ontology> dcterms:issued ?issued ;"
        " dcterms:creator ?creator }"
    ).rows
    assert citation.startswith(f"{row[1]} ({str(row[0])[:4]}).") and f"(version {__version__})" in citation
    for name in ("westminster-kg-ro-crate.zip", "CITATION.cff"):
        shown = re.search(
            rf'href="/download/{re.escape(name)}".*?<code class="wmkg-hash">([0-9a-f]{{64}})</code>', page, re.S
        )
        assert shown, name
        response = server.get(f"/download/{name}")
        assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == shown.group(1)
    archive = zipfile.ZipFile(io.BytesIO(server.get("/download/westminster-kg-ro-crate.zip").content))
    metadata = json.loads(archive.read("ro-crate-metadata.json"))
    described = {e["@id"]: e for e in metadata["@graph"] if e.get("@type") == "File"}
    assert set(described) == set(archive.namelist()) - {"ro-crate-metadata.json"}
    for name, entity in described.items():
        assert entity["sha256"] == hashlib.sha256(archive.read(name)).hexdigest()


@pytest.mark.slow  # /download's dumps, made by a child process
def test_the_home_pages_schema_org_dataset_agrees_with_the_void_description(server):
    page = server.get("/").text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found
    document = json.loads(found.group(1))
    assert document["@context"] == "https://schema.org/"
    # Read offline: schema.org's context maps these terms into its vocabulary.
    document["@context"] = {"@vocab": "https://schema.org/"}
    dataset = Graph().parse(data=json.dumps(document), format="json-ld", base=server.url + "/")
    void = Graph().parse(data=server.get("/.well-known/void").text, format="turtle")
    void_facts = void.query(
        """PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        SELECT ?d ?title ?description ?license ?version ?issued ?publisher WHERE {
          ?d dcterms:title ?title ; dcterms:description ?description ; dcterms:license ?license ;
             owl:versionInfo ?version ; dcterms:issued ?issued ; dcterms:publisher [ foaf:name ?publisher ] }"""
    )
    schema_facts = dataset.query(
        """PREFIX schema: <https://schema.org/>
        SELECT ?d ?name ?description ?license ?version ?published ?creator WHERE {
          ?d a schema:Dataset ; schema:name ?name ; schema:description ?description ; schema:license ?license ;
             schema:version ?version ; schema:datePublished ?published ; schema:creator [ schema:name ?creator ] }"""
    )
    as_text = lambda rows: {tuple(str(t) for t in row) for row in rows}  # noqa: E731
    assert as_text(schema_facts) == as_text(void_facts) and len(as_text(void_facts)) == 1
    downloads = {
        str(u)
        for (u,) in dataset.query(
            "SELECT ?u WHERE { ?d <https://schema.org/distribution> [ <https://schema.org/contentUrl> ?u ] }"
        )
    }
    assert "/download/westminster-kg-ro-crate.zip" in downloads and len(downloads) == 7
    for url in downloads:  # paths on this server: every file the page names is there
        assert server.head(urljoin(server.url + "/", url)).status_code == 200, url

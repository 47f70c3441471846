"""Links out: the real linkset checks clean offline, a malformed id fails by name, and the online
check (the same code, pointed at a loopback server with recorded answers) reports matches,
mismatches, 404s, malformed JSON and a server that is down, each naming its URL."""

from __future__ import annotations

import http.server
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from support import DATA, REPO, http_server_on_loopback, make_project, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.link import (
    SCHEMES,
    check_links,
    compare_labels,
    identifier_of,
    label_similarity,
    stored_links,
    void_description,
)
from westminster_kg.link.candidates import _name_score
from westminster_kg.link.labels import similarity_at_most
from westminster_kg.namespaces import VOID, WMR

RECORDED = DATA / "recorded"


# Recorded HTTP servers, copies of the repository and its whole graph: the slow tier.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def repo_kg() -> KnowledgeGraph:
    return KnowledgeGraph.load(REPO)


def copy_of_repo(target: Path) -> Path:
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, target / folder)
    return target


# --- offline -------------------------------------------------------------------------------------


def test_the_linkset_is_well_formed_and_every_link_has_its_provenance(repo_kg: KnowledgeGraph) -> None:
    report = check_links(repo_kg)
    assert report.ok, [str(f) for f in report.findings]
    assert report.links >= 40
    assert set(report.by_scheme) <= {"wikidata", "govuk", "parliament", "ifg", "other"}
    for link in stored_links(repo_kg):
        assert link.sources and link.dates and link.notes, link.describe()


def test_links_use_only_identifiers_recorded_in_external_ids(repo_kg: KnowledgeGraph) -> None:
    recorded = Path("/work/shared/data/external-ids.md")
    if not recorded.exists():
        pytest.skip("external-ids.md is not on this machine")
    text = recorded.read_text(encoding="utf-8")
    for link in stored_links(repo_kg):
        if link.scheme is not None:
            assert identifier_of(str(link.target)) in text, link.describe()


def test_thatcher_is_q7416_not_the_wrong_qids_of_careless_lists(repo_kg: KnowledgeGraph) -> None:
    targets = {str(link.target) for link in stored_links(repo_kg) if link.entity == WMR["margaret-thatcher"]}
    if not targets:
        pytest.skip("the curators have not added wmr:margaret-thatcher yet")
    assert "http://www.wikidata.org/entity/Q7416" in targets
    assert "http://www.wikidata.org/entity/Q7174" not in targets


def test_sameas_is_only_used_for_wikidata_items_and_dclg_is_a_close_match(repo_kg: KnowledgeGraph) -> None:
    links = stored_links(repo_kg)
    assert all(link.scheme is SCHEMES["wikidata"] for link in links if link.predicate == OWL.sameAs)
    dclg = [
        link
        for link in links
        if link.entity == WMR["department-for-communities-and-local-government"] and link.scheme is SCHEMES["wikidata"]
    ]
    assert all(link.predicate == SKOS.closeMatch for link in dclg)


def test_the_national_audit_office_has_no_govuk_link(repo_kg: KnowledgeGraph) -> None:
    assert not [
        link
        for link in stored_links(repo_kg)
        if link.entity == WMR["national-audit-office"] and link.scheme is SCHEMES["govuk"]
    ]


def test_a_malformed_wikidata_id_fails_the_check_naming_it(tmp_path: Path) -> None:
    root = copy_of_repo(tmp_path / "copy")
    path = root / "graph" / "links" / "wikidata.ttl"
    text = path.read_text(encoding="utf-8")
    assert "wd:Q9630" in text  # the Labour Party
    path.write_text(text.replace("wd:Q9630", "wd:Q09630"), encoding="utf-8")
    report = check_links(KnowledgeGraph.load(root))
    assert not report.ok
    messages = [str(f) for f in report.of("error")]
    assert any("http://www.wikidata.org/entity/Q09630" in m and "graph/links/wikidata.ttl" in m for m in messages)
    result = wmkg("--root", str(root), "links", "check")  # in process: any exception but a user error is raised
    assert result.returncode == 1
    assert "Q09630" in result.stderr


def test_a_link_without_provenance_and_a_sameas_to_a_web_page_are_both_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path / "mini", DATA / "links" / "online-entities.ttl")
    (root / "graph" / "links").mkdir(parents=True)
    (root / "graph" / "links" / "bare.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix wmr: <https://w3id.org/westminster-kg/id/> .\n"
        "wmr:cabinet-office owl:sameAs <https://www.gov.uk/government/organisations/cabinet-office> .\n",
        encoding="utf-8",
    )
    messages = " | ".join(str(f) for f in check_links(KnowledgeGraph.load(root)).of("error"))
    assert "no provenance" in messages
    assert "owl:sameAs is for identity" in messages


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://www.wikidata.org/entity/Q7416", "Q7416"),
        ("https://www.wikidata.org/wiki/Q7416", None),
        ("http://www.wikidata.org/entity/Q0", None),
        ("https://www.gov.uk/government/organisations/cabinet-office", "cabinet-office"),
        ("https://www.gov.uk/government/organisations/Cabinet_Office", None),
        ("https://members.parliament.uk/member/953", "953"),
        ("https://members.parliament.uk/member/95a", None),
        ("urn:uuid:9e834e4d-a739-42df-9f5a-8a660cb612a7", "9e834e4d-a739-42df-9f5a-8a660cb612a7"),
        ("urn:uuid:9e834e4d", None),
    ],
)
def test_each_scheme_accepts_only_its_own_identifier_shape(target: str, expected: str | None) -> None:
    assert identifier_of(target) == expected


def test_labels_compare_ignoring_case_punctuation_and_titles() -> None:
    assert compare_labels(["HM Revenue & Customs"], ["HM Revenue and Customs"]) == "ok"
    assert compare_labels(["Margaret Thatcher"], ["Baroness Thatcher"]) == "close"
    assert compare_labels(["Example Person"], ["John Major"]) == "mismatch"
    assert label_similarity("Department for Work and Pensions", "Department for Work & Pensions") == 1.0
    assert label_similarity("Cabinet Office", "Home Office") < 0.85


# Labels made of a few words, so that pairs share words, letters and near spellings.
LABELS = st.lists(
    st.sampled_from(["of", "the", "Lord", "Home", "Office", "Offices", "Cabinet", "HM", "Treasury", "Dept.", "&", "é"]),
    max_size=5,
).map(" ".join)


@given(LABELS, LABELS, st.floats(0, 1))
def test_the_bound_on_label_similarity_is_never_below_it(a: str, b: str, enough: float) -> None:
    assert similarity_at_most(a, b, enough) >= label_similarity(a, b)


@given(st.lists(LABELS, min_size=1, max_size=3), st.lists(LABELS, min_size=1, max_size=3), st.booleans())
def test_names_not_measured_below_the_floor_change_no_score_at_or_above_it(
    ours: list[str], theirs: list[str], person: bool
) -> None:
    every = _name_score(ours, theirs, person)
    for floor in (0.0, 0.5, 0.6, 0.72):
        found = _name_score(ours, theirs, person, floor)
        assert found == every if every[0] >= floor else found[0] < floor


# --- online, against recorded answers on loopback -----------------------------------------------


class RecordedAnswers(http.server.BaseHTTPRequestHandler):
    """Serves tests/data/recorded/ under the paths of the three real APIs; anything else is a 404."""

    routes = (
        ("/wiki/Special:EntityData/", ".json", "wikidata"),
        ("/api/organisations/", "", "govuk"),
        ("/api/Members/", "", "parliament"),
    )

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        for prefix, suffix, folder in self.routes:
            if self.path.startswith(prefix):
                key = self.path[len(prefix) :]
                key = key[: -len(suffix)] if suffix and key.endswith(suffix) else key
                path = RECORDED / folder / f"{key}.json"
                if "/" not in key and path.is_file():
                    body = path.read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorded_server() -> Iterator[str]:
    with http_server_on_loopback(RecordedAnswers) as url:
        yield url


@pytest.fixture
def online_root(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "online", DATA / "links" / "online-entities.ttl")
    (root / "graph" / "links").mkdir(parents=True)
    shutil.copy(DATA / "links" / "online-links.ttl", root / "graph" / "links" / "online-links.ttl")
    return root


def test_online_check_reports_matches_mismatches_404s_and_bad_json(online_root: Path, recorded_server: str) -> None:
    kg = KnowledgeGraph.load(online_root)
    assert check_links(kg).ok  # offline, every test link is well-formed
    base = {"wikidata": recorded_server, "govuk": recorded_server, "parliament": recorded_server}
    report = check_links(kg, online=True, base_urls=base)
    by_target = {f.link.rsplit(" ", 1)[-1].strip("<>"): f for f in report.findings}

    assert by_target["http://www.wikidata.org/entity/Q7416"].level == "ok"
    assert by_target["https://www.gov.uk/government/organisations/cabinet-office"].level == "ok"
    # The Members API calls her "Baroness Thatcher": the same person, with a title.
    assert by_target["https://members.parliament.uk/member/953"].level == "close"

    mismatch = by_target["http://www.wikidata.org/entity/Q9559"]
    assert mismatch.level == "mismatch"
    assert "'Example Person'" in mismatch.message and "'John Major'" in mismatch.message

    missing = by_target["https://www.gov.uk/government/organisations/example-department"]
    assert missing.level == "error"
    assert f"{recorded_server}/api/organisations/example-department: 404" in missing.message

    malformed = by_target["http://www.wikidata.org/entity/Q192"]
    assert malformed.level == "error"
    assert f"{recorded_server}/wiki/Special:EntityData/Q192.json" in malformed.message
    assert "not valid JSON" in malformed.message
    assert not report.ok


def test_online_check_from_the_command_line_names_the_url_without_traceback(
    online_root: Path, recorded_server: str
) -> None:
    result = wmkg(  # in process (support.cli): any exception but a user error is raised here
        "--root",
        str(online_root),
        "links",
        "check",
        "--online",
        "--wikidata-url",
        recorded_server,
        "--govuk-url",
        recorded_server,
        "--parliament-url",
        recorded_server,
    )
    assert result.returncode == 1
    assert "label mismatch: ours 'Example Person', remote 'John Major'" in result.stderr
    assert f"{recorded_server}/api/organisations/example-department: 404" in result.stderr


def test_a_server_that_is_down_is_named_once_per_link_without_traceback(online_root: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = f"http://127.0.0.1:{port}"
    report = check_links(
        KnowledgeGraph.load(online_root),
        online=True,
        timeout=2,
        base_urls={"wikidata": down, "govuk": down, "parliament": down},
    )
    errors = report.of("error")
    assert errors and all(down in f.message for f in errors)
    assert any(f"cannot reach {down}/" in f.message for f in errors)


# --- VoID -----------------------------------------------------------------------------------------


def test_void_counts_are_computed_from_the_data(repo_kg: KnowledgeGraph) -> None:
    void = void_description(repo_kg)
    dataset = URIRef("https://w3id.org/westminster-kg/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert void.value(dataset, DCTERMS.license) is not None
    assert (dataset, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:8000/sparql")) in void
    quads = {(s, p, o) for s, p, o, g in repo_kg.store.quads() if g is not None and "/import/" not in str(g)}
    assert int(void.value(dataset, VOID.triples)) == len(quads)
    links = stored_links(repo_kg)
    linksets = {str(ls): int(void.value(ls, VOID.triples)) for ls in void.subjects(RDF.type, VOID.Linkset)}
    assert sum(linksets.values()) == len(links)
    wikidata = sum(1 for link in links if link.scheme is SCHEMES["wikidata"])
    assert linksets["https://w3id.org/westminster-kg/dataset/linkset/wikidata"] == wikidata
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {"http://www.w3.org/ns/oa#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    persons = [
        p
        for p in void.objects(dataset, VOID.classPartition)
        if void.value(p, VOID["class"]) == URIRef("http://xmlns.com/foaf/0.1/Person")
    ]
    assert persons and int(void.value(persons[0], VOID.entities)) >= 1


def test_wmkg_void_writes_parseable_turtle(tmp_path: Path, repo_kg: KnowledgeGraph) -> None:
    target = tmp_path / "void.ttl"
    result = wmkg("void", "-o", str(target), kg=repo_kg)
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(target, format="turtle")) > 100

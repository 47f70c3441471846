"""``/reconcile``, the W3C Entity Reconciliation API 0.2, asked of the app in process: every answer
validated against the API's own JSON schemas (tests/data/reconcile/0.2), and the request sequence
OpenRefine 3.x sends (manifest, a batch of queries as a form POST, a preview)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from support import DATA, REPO, InProcessApp

SCHEMAS = DATA / "reconcile" / "0.2"


def validator(name: str) -> Draft7Validator:
    """A validator for one of the spec's schemas; their "type.json" references resolve offline."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource(contents=schema, specification=DRAFT7)))
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry)


def valid(name: str, instance: object) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=str)
    assert not errors, f"{name}: " + "; ".join(e.message for e in errors[:5])


@pytest.fixture(scope="module")
def server(real_app: InProcessApp) -> InProcessApp:
    """The app over the repository's graph, asked in this process (the run's ``real_app``)."""
    return real_app


def test_the_manifest_is_valid_and_points_at_our_pages(server: InProcessApp) -> None:
    manifest = server.get("/reconcile").json()
    valid("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/westminster-kg/id/"
    assert manifest["view"]["url"] == server.url + "/id/{{id}}"
    assert {"id": "wm:Department", "name": "government department"} in manifest["defaultTypes"]


class OpenRefine:
    """Requests as OpenRefine 3.x sends them (its User-Agent), to the app."""

    def __init__(self, app: InProcessApp) -> None:
        self.app = app

    def get(self, path: str, **options: object) -> object:
        return self.app.get(path, headers={"User-Agent": "OpenRefine/3.7"}, **options)

    def post(self, path: str, **options: object) -> object:
        return self.app.post(path, headers={"User-Agent": "OpenRefine/3.7"}, **options)


def test_openrefine_sequence_manifest_batch_preview(server: InProcessApp) -> None:
    client = OpenRefine(server)
    manifest = client.get("/reconcile").json()
    queries = {
        "q0": {"query": "Cabinet Office", "type": "wm:Department", "limit": 3, "type_strict": "should"},
        "q1": {"query": "Thatcher", "limit": 5},
        "q2": {"query": "special advisers", "limit": 5},
        "q3": {"query": "Her Majesty's Treasury", "type": ["wm:Department"]},
    }
    valid("reconciliation-query-batch", queries)
    answer = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    valid("reconciliation-result-batch", batch)
    assert set(batch) == set(queries)
    best = batch["q0"]["result"][0]
    assert best["id"] == "cabinet-office" and best["match"] is True and best["score"] == 100.0
    assert {"id": "wm:Department", "name": "government department"} in best["type"]
    assert "margaret-thatcher" in {r["id"] for r in batch["q1"]["result"]}
    assert all(r["match"] is False for r in batch["q1"]["result"])  # a surname is never certain
    assert batch["q2"]["result"], "special advisers found nothing"
    assert [(r["id"], r["score"]) for r in batch["q3"]["result"]][:1] == [("hm-treasury", 97.0)]

    preview_url = manifest["preview"]["url"].replace("{{id}}", "margaret-thatcher")
    preview = client.get(preview_url.replace(server.url, ""))
    assert preview.status_code == 200
    assert "Margaret Thatcher" in preview.text
    assert 'href="https://www.wikidata.org/wiki/Q7416"' in preview.text  # the verified QID
    view = client.get(manifest["view"]["url"].replace("{{id}}", best["id"]).replace(server.url, ""))
    assert view.status_code == 200


def test_a_get_batch_answers_the_same_as_a_post(server: InProcessApp) -> None:
    queries = json.dumps({"a": {"query": "Home Office"}})
    by_get = server.get("/reconcile", params={"queries": queries}).json()
    by_post = server.post("/reconcile", data={"queries": queries}).json()
    assert by_get == by_post and by_get["a"]["result"][0]["id"] == "home-office"


def test_properties_filter_the_candidates(server: InProcessApp) -> None:
    base = {"query": "Government", "limit": 50}
    everything = server.get("/reconcile", params={"queries": json.dumps({"q": base})}).json()
    filtered_query = {**base, "properties": [{"pid": "wm:primeMinister", "v": {"id": "margaret-thatcher"}}]}
    filtered = server.get("/reconcile", params={"queries": json.dumps({"q": filtered_query})}).json()
    valid("reconciliation-result-batch", filtered)
    ids = {r["id"] for r in filtered["q"]["result"]}
    assert ids and ids < {r["id"] for r in everything["q"]["result"]}
    assert ids == {"thatcher-government-1979-1990"}


@pytest.mark.parametrize(
    ("kind", "prefix", "expected", "schema"),
    [
        ("entity", "Cabinet", "cabinet-office", "suggest-entities-response"),
        ("type", "Depart", "wm:Department", "suggest-types-response"),
        ("property", "erodes", "wm:erodes", "suggest-properties-response"),
    ],
)
def test_suggest_services(server: InProcessApp, kind: str, prefix: str, expected: str, schema: str) -> None:
    answer = server.get(f"/reconcile/suggest/{kind}", params={"prefix": prefix})
    assert answer.status_code == 200
    valid(schema, answer.json())
    assert expected in {r["id"] for r in answer.json()["result"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"queries": ""}, "queries is empty"),
        ({"queries": "{not json"}, "queries is not JSON"),
        ({"queries": "[]"}, "non-empty JSON object"),
        ({"queries": json.dumps({"q0": {"query": ""}})}, "queries.q0.query: a non-empty string"),
        ({"queries": json.dumps({"q0": {"query": "x" * 501}})}, "queries.q0.query: 501 characters"),
        ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(101)})}, "at most 100 per batch"),
        ({"queries": json.dumps({"q0": {"query": "x", "limit": -1}})}, "queries.q0.limit"),
        ({"queries": json.dumps({"q0": {"query": "x", "type": "nope:Thing"}})}, "'nope:Thing' is not a known CURIE"),
        ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"v": 1}]}})}, "queries.q0.properties"),
    ],
)
def test_bad_batches_get_400_with_a_json_error(server: InProcessApp, params: dict, message: str) -> None:
    for answer in (
        server.get("/reconcile", params=params),
        server.post("/reconcile", data=params),
    ):
        assert answer.status_code == 400, answer.text
        assert message in answer.json()["error"]


def test_a_huge_body_and_a_post_without_queries_are_refused(server: InProcessApp) -> None:
    huge = server.post("/reconcile", data={"queries": "x" * (server.settings.max_body + 10_000)})
    assert huge.status_code == 413 and "limit" in huge.json()["error"]
    empty = server.post("/reconcile", data={"other": "1"})
    assert empty.status_code == 400 and "queries=" in empty.json()["error"]
    assert server.get("/reconcile/preview").status_code == 400
    assert server.get("/reconcile/preview", params={"id": "no-such-thing"}).status_code == 404
    assert server.get("/reconcile/suggest/entity").status_code == 400
    assert server.get("/reconcile/suggest/other", params={"prefix": "x"}).status_code == 404


def test_the_schemas_reject_a_broken_answer() -> None:
    # the validation above can fail: an answer without scores is refused
    broken = {"q0": {"result": [{"id": "cabinet-office", "name": "Cabinet Office"}]}}
    assert list(validator("reconciliation-result-batch").iter_errors(broken))


def test_schema_files_are_the_specs_own(tmp_path: Path) -> None:
    assert json.loads((SCHEMAS / "manifest.json").read_text())["$id"].startswith(
        "https://reconciliation-api.github.io/specs/0.2/"
    )


# --- Wikidata-ready output: external ids as CSV columns, federation only when allowed -------------------


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_external_ids_come_as_csv_columns(server: InProcessApp) -> None:
    # The CSV is the subject, not the process: the CLI in this process over the run's graph of the checkout.
    from support import wmkg

    args = ("--root", str(REPO), "query", "external-ids", "-p", "entity=margaret-thatcher", "-f", "csv")
    done = wmkg(*args, kg=server.kg)
    assert done.returncode == 0, done.stderr
    # read by column name: the CSV may also carry label columns for IRIs
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 1
    row = rows[0]
    assert {"entity", "label", "wikidata", "govuk", "parliament", "ifg"} <= set(row)
    assert row["entity"] == "https://w3id.org/westminster-kg/id/margaret-thatcher"
    assert row["wikidata"] == "http://www.wikidata.org/entity/Q7416"
    assert row["parliament"] == "https://members.parliament.uk/member/953"
    assert row["ifg"] == "urn:uuid:9e834e4d-a739-42df-9f5a-8a660cb612a7"
    assert row["govuk"] == ""  # people have no GOV.UK organisation page


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_federated_query_runs_only_with_its_endpoint_allowed() -> None:
    # The gate is the subject, not the process: the CLI in this process (its exit codes and error lines).
    from support import wmkg as run_wmkg

    example = REPO / "docs" / "examples" / "wikidata-dates-of-birth.rq"
    refused = run_wmkg("--root", str(REPO), "query", "--file", str(example))
    assert refused.returncode == 3
    assert "SERVICE https://query.wikidata.org/sparql is refused" in refused.stderr
    assert "--allow-service" in refused.stderr and "Traceback" not in refused.stderr
    other = run_wmkg(
        "--root", str(REPO), "query", "--file", str(example), "--allow-service", "https://example.org/sparql"
    )
    assert other.returncode == 3 and "is refused" in other.stderr
    # Allowed, the gate lets it through: shown without any remote call (there is no internet here) by
    # pointing at a folder that is no project, so the command stops at loading, after the gate.
    allowed = run_wmkg(
        "--root",
        str(REPO / "docs"),
        "query",
        "--file",
        str(example),
        "--allow-service",
        "https://query.wikidata.org/sparql",
    )
    assert allowed.returncode == 2 and "not a westminster-kg folder" in allowed.stderr
    assert "is refused" not in allowed.stderr

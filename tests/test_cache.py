"""Answers computed once: the response cache, ETags and Cache-Control, asked of the app in process (support.app)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from support import DATA, InProcessApp, app_in_process, make_project, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings
from westminster_kg.web.cache import CachedResponse, ResultCache, etag_for, matches
from westminster_kg.web.workers import QueryPool

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONVENTIONS = (
    "PREFIX wm: <https://w3id.org/westminster-kg/ontology#> SELECT ?c WHERE { ?c a wm:Convention } ORDER BY ?c"
)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("cache") / "mini", DATA / "valid" / "slice.ttl")


@pytest.fixture(scope="module")
def served(root: Path) -> Iterator[InProcessApp]:
    with app_in_process(KnowledgeGraph.load(root), Settings(workers=1, max_body=20_000)) as app:
        yield app


def _ask(app: InProcessApp, query: str, **headers: str) -> httpx.Response:
    return app.get("/sparql", params={"query": query}, headers={"Accept": "text/csv", **headers})


# --- the cache on its own -----------------------------------------------------------------------------


def test_garbage_if_none_match_matches_nothing():
    tag = etag_for(b"body")
    assert matches(tag.decode(), tag)
    assert matches(f'"nope", W/{tag.decode()}', tag)
    assert matches("*", tag)
    for garbage in ("", "garbage", '"', "W/", '""', "\x00\x01", tag.decode()[:-2] + '"'):
        assert not matches(garbage, tag), garbage


def test_the_cache_stays_within_its_bound_under_distinct_answers():
    cache = ResultCache(max_bytes=40_000)
    for n in range(500):
        body = str(n).encode() * (n % 50 + 1)
        cache.put("data", ("/sparql", (("query", f"SELECT {n}"),)), CachedResponse((), body, etag_for(body)))
        assert cache.size <= cache.max_bytes
    assert 0 < len(cache) < 500
    # The most recent answers are the ones kept.
    assert cache.get("data", ("/sparql", (("query", "SELECT 499"),))) is not None
    assert cache.get("data", ("/sparql", (("query", "SELECT 0"),))) is None


def test_an_answer_too_big_for_the_cache_is_not_kept():
    cache = ResultCache(max_bytes=8_000)
    body = b"x" * 2_000
    assert not cache.put("data", ("k",), CachedResponse((), body, etag_for(body)))
    assert len(cache) == 0 and cache.size == 0


def test_new_data_empties_the_cache():
    cache = ResultCache(max_bytes=100_000)
    cache.put("old", ("k",), CachedResponse((), b"old", etag_for(b"old")))
    assert cache.get("new", ("k",)) is None
    assert len(cache) == 0 and cache.size == 0


# --- through the server ----------------------------------------------------------------------------


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_bytes(served):
    first = _ask(served, CONVENTIONS + " # repeated")
    second = _ask(served, CONVENTIONS + " # repeated")
    assert first.status_code == second.status_code == 200
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert first.content == second.content and first.content.count(b"\n") > 1
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["content-type"] == second.headers["content-type"]
    assert second.headers["cache-control"] == "public, no-cache"


def test_a_form_post_shares_the_answer_of_the_same_get(served):
    query = CONVENTIONS + " # posted"
    got = _ask(served, query)
    posted = served.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    direct = served.post(
        "/sparql",
        content=query.encode(),
        headers={"Accept": "text/csv", "Content-Type": "application/sparql-query"},
    )
    assert posted.headers["x-cache"] == direct.headers["x-cache"] == "hit"
    assert got.content == posted.content == direct.content


def test_each_accepted_format_is_kept_apart(served):
    csv = _ask(served, CONVENTIONS + " # formats")
    json = served.get(
        "/sparql",
        params={"query": CONVENTIONS + " # formats"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert json.headers["content-type"].startswith("application/sparql-results+json")
    assert json.headers["x-cache"] == "miss" and csv.headers["etag"] != json.headers["etag"]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_clients_asking_the_same_at_once_get_one_computation(served):
    # A cross join slow enough that the eight requests overlap; each is a new query for the cache.
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } # at once"
    with ThreadPoolExecutor(8) as clients:
        answers = list(clients.map(lambda _: _ask(served, query), range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert sorted(a.headers["x-cache"] for a in answers) == ["hit"] * 7 + ["miss"]


def test_if_none_match_with_the_etag_gets_304_and_garbage_gets_the_full_answer(served):
    full = _ask(served, CONVENTIONS + " # etag")
    tag = full.headers["etag"]
    again = _ask(served, CONVENTIONS + " # etag", **{"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    for garbage in ("garbage", '"0000"', "W/", tag[:-2] + '"', '"' + "x" * 500 + '"'):
        answer = _ask(served, CONVENTIONS + " # etag", **{"If-None-Match": garbage})
        assert answer.status_code == 200 and answer.content == full.content, garbage


def test_a_first_request_with_a_matching_etag_gets_304_too(served):
    # ETags are hashes of the bytes: a client that kept one from an earlier server run revalidates.
    full = _ask(served, CONVENTIONS + " # cold etag")
    served.site.cache.clear()
    again = _ask(served, CONVENTIONS + " # cold etag", **{"If-None-Match": full.headers["etag"]})
    assert again.status_code == 304 and again.headers["x-cache"] == "miss"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("path", ["/", "/ontology", "/id/haldane-convention", "/api/queries", "/openapi.json"])
def test_every_page_gets_an_etag_and_cache_control_and_is_kept(served, path):
    first = served.get(path)
    second = served.get(path)
    assert first.status_code == 200
    assert second.headers["x-cache"] == "hit" and second.content == first.content
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    revalidated = served.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304


def test_errors_are_never_kept_and_never_stored_by_clients(served):
    for _ in range(2):
        bad = _ask(served, "SELECT ?x WHERE { ?x ?y }")
        assert bad.status_code == 400
        assert bad.headers["cache-control"] == "no-store" and "etag" not in bad.headers
        assert "x-cache" not in bad.headers
    missing = served.get("/id/no-such-entity")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"


@pytest.mark.slow  # an app and workers of its own, and 40 distinct queries
def test_cache_memory_stays_within_its_bound_under_a_stream_of_distinct_queries(root):
    bound = 60_000
    with app_in_process(KnowledgeGraph.load(root), Settings(workers=1, cache_bytes=bound)) as served:
        cache = served.site.cache
        answered = 0
        for n in range(40):
            answer = _ask(served, f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n + 20}")
            assert answer.status_code == 200
            assert cache.size <= bound
            answered += len(answer.content)
        assert answered > 2 * bound  # the answers would not all have fitted
        assert 0 < len(cache) < 40


@pytest.mark.slow  # an app of its own, the CLI and a second store
def test_new_data_is_never_answered_from_the_old_datas_cache(root, tmp_path):
    """Requests repeat while new data is imported and swapped in, as the live reload does."""
    count_url = "/sparql"
    with app_in_process(KnowledgeGraph.load(root), Settings(workers=1)) as served:
        web = served.site

        def count() -> int:
            answer = served.get(count_url, params={"query": COUNT}, headers={"Accept": "text/csv"})
            assert answer.status_code == 200
            return int(answer.text.split()[1])

        before = count()
        assert count() == before  # now kept
        extra = tmp_path / "extra.ttl"
        extra.write_text(
            "@prefix ex: <https://example.org/> .\n" + "".join(f"ex:s{i} ex:p ex:o{i} .\n" for i in range(7))
        )
        # The CLI in this process: the data it writes is the subject here, not the process.
        done = wmkg("--root", str(root), "import", str(extra), "--graph", "extra")
        assert done.returncode == 0, done.stderr
        new_kg = KnowledgeGraph.load(root)
        pool = QueryPool(new_kg, 1)
        swapped = threading.Event()
        seen_after: list[int] = []

        def hammer() -> None:
            while not swapped.is_set():
                count()
            for _ in range(20):
                seen_after.append(count())

        with ThreadPoolExecutor(4) as clients:
            futures = [clients.submit(hammer) for _ in range(4)]
            time.sleep(0.2)  # let the old answer be served from the cache meanwhile
            # What westminster_kg.web.reload does: new store and workers in, in one step.
            old_pool = web.swap(new_kg, pool)
            swapped.set()
            for future in futures:
                future.result()
        old_pool.close()
        assert seen_after and set(seen_after) == {before + 7}

"""The questions of ``tests/questions/pages-and-search.toml``, asked of every surface that answers them.

A stand-in until the shared harness (``tests/test_questions.py``, which runs every file of
``tests/questions/``) lands beside it: it then skips itself. A ``url`` question is asked of the web app
and its expected entities must be linked from the page it shows; a ``query`` question is asked of the
CLI (CSV), ``/api`` and the ``/query`` page.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import TESTS, run_wmkg
from test_web import RunningServer, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings

WMR = "https://w3id.org/westminster-kg/id/"
FILE = TESTS / "questions" / "pages-and-search.toml"
QUESTIONS = [
    {**q, "where": f"{FILE.name}#{n}"}
    for n, q in enumerate(tomllib.loads(FILE.read_text(encoding="utf-8"))["question"], 1)
]
pytestmark = [
    pytest.mark.slow,  # a real server on loopback, the CLI in subprocesses
    pytest.mark.skipif((TESTS / "test_questions.py").exists(), reason="tests/test_questions.py asks every file"),
]


def ids(questions: list[dict[str, Any]]) -> list[str]:
    return [f"{q['where']}: {q['words'][:40]}" for q in questions]


def test_there_are_at_least_15_questions_about_pages_search_people_and_the_timeline() -> None:
    assert len(QUESTIONS) >= 15 and len({q["words"] for q in QUESTIONS}) == len(QUESTIONS)
    for question in QUESTIONS:
        assert ("url" in question) != ("query" in question), question["where"]
        assert sum(k in question for k in ("expect_entities", "expect_error", "expect_rows")) == 1, question["where"]


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    yield from start_server(KnowledgeGraph.load(), Settings(workers=1, reload_interval=0))


def read(page: str) -> str:
    """What a reader reads: the page's text without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


PAGES = [q for q in QUESTIONS if "url" in q]
ASKED = [q for q in QUESTIONS if "query" in q]


@pytest.mark.parametrize("question", PAGES, ids=ids(PAGES))
def test_each_page_question_is_answered_by_the_page(server, question):
    response = httpx.get(server.url + question["url"], timeout=120, follow_redirects=True)
    assert response.status_code == 200, question["where"]
    for slug in question["expect_entities"]:
        assert f'href="/id/{slug}"' in response.text, f"{question['where']}: no link to {slug}"
    if "expect_note" in question:
        assert " ".join(question["expect_note"].split()) in read(response.text), question["where"]


@pytest.mark.parametrize("question", ASKED, ids=ids(ASKED))
def test_each_query_question_is_answered_by_the_cli_the_api_and_the_query_page(server, question):
    params = question.get("params", {})
    args = ["query", question["query"], *[a for k, v in params.items() for a in ("-p", f"{k}={v}")], "-f", "csv"]
    done = run_wmkg(*args)
    assert done.returncode == 0, done.stderr
    api = httpx.get(f"{server.url}/api/queries/{question['query']}", params=params, timeout=120)
    assert api.status_code == 200, api.text
    page = httpx.get(
        server.url + "/query",
        params={"name": question["query"], "run": "1", **{f"p.{k}": v for k, v in params.items()}},
        timeout=120,
    )
    assert page.status_code == 200
    for slug in question["expect_entities"]:
        assert WMR + slug in done.stdout, f"{question['where']}: {slug} not in the CLI's answer"
        assert json.dumps(WMR + slug) in api.text, f"{question['where']}: {slug} not in /api's answer"
        assert f'href="/id/{slug}"' in page.text, f"{question['where']}: {slug} not on the query page"

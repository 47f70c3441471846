"""Questions in a user's own words (``tests/questions/*.toml``), each asked of every surface that can answer it.

A question names a catalogue query with its parameters (asked of the CLI, the ``/query`` page and
``/api``) or a web path (asked of the web app), and says what a right answer holds: entities
(``expect_entities``, ``wmr:`` slugs), an error (``expect_error``: the CLI exits 2, the web answers 400),
or nothing (``expect_rows = 0``, which must say so: ``expect_note``). The CLI runs in this
process over one loaded graph (``support.cli.wmkg``: the real argument parsing, error handling and exit
status), and a question of each kind also as a subprocess; the web app is answered in this process
(``support.app``: its routes, middleware and query workers, without a socket).
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from typing import Any

import httpx
import pytest
from support import REPO, InProcessApp, run_wmkg, wmkg

from westminster_kg import KnowledgeGraph
from westminster_kg.namespaces import WMR

FOLDER = REPO / "tests" / "questions"
EXPECTATIONS = ("expect_entities", "expect_error", "expect_rows")


def load_questions() -> list[dict[str, Any]]:
    """Every question of every file, with the file and its place in it."""
    questions = []
    for path in sorted(FOLDER.glob("*.toml")):
        for number, question in enumerate(tomllib.loads(path.read_text(encoding="utf-8")).get("question", []), 1):
            questions.append({**question, "where": f"{path.name}#{number}"})
    return questions


QUESTIONS = load_questions()
ASKED = [q for q in QUESTIONS if "query" in q]
PAGES = [q for q in QUESTIONS if "url" in q]


def ids(questions: list[dict[str, Any]]) -> list[str]:
    return [f"{q['where']}: {q['words'][:50]}" for q in questions]


# --- the questions themselves -------------------------------------------------------------------------


def test_there_are_at_least_40_questions_in_users_words() -> None:
    assert len(QUESTIONS) >= 40, len(QUESTIONS)
    assert len({q["words"] for q in QUESTIONS}) == len(QUESTIONS), "a question is asked twice"


@pytest.mark.parametrize("question", QUESTIONS, ids=ids(QUESTIONS))
def test_each_question_is_well_formed(question: dict[str, Any]) -> None:
    assert question.get("words"), "words: what the user asked"
    assert ("query" in question) != ("url" in question), "either query (with params) or url"
    given = [key for key in EXPECTATIONS if key in question]
    assert len(given) == 1, f"exactly one of {EXPECTATIONS}, not {given}"
    if "expect_rows" in question:
        assert question["expect_rows"] == 0 and question.get("expect_note"), "expect_rows = 0 needs expect_note"
    if "url" in question:
        assert question["url"].startswith("/"), "url is a path on the web app"
    unknown = set(question) - {"words", "query", "params", "url", "expect_note", "where", *EXPECTATIONS}
    assert not unknown, f"unknown keys {unknown}"


@pytest.fixture(scope="module")
def kg(real_app: InProcessApp) -> KnowledgeGraph:
    """The repository's graph as the run's ``real_app`` loaded it (the web tests ask it too; read, never changed)."""
    return real_app.kg


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize(
    "question",
    [q for q in QUESTIONS if "expect_entities" in q],
    ids=ids([q for q in QUESTIONS if "expect_entities" in q]),
)
def test_each_expected_entity_exists_in_the_graph(kg: KnowledgeGraph, question: dict[str, Any]) -> None:
    missing = [slug for slug in question["expect_entities"] if not kg.resolver.exists(str(WMR[slug]))]
    assert not missing, f"{question['where']}: no such entity {missing}"


# --- the CLI, in this process -------------------------------------------------------------------------


def cli_args(question: dict[str, Any], fmt: str = "csv") -> list[str]:
    args = ["query", question["query"]]
    for key, value in question.get("params", {}).items():
        args += ["-p", f"{key}={value}"]
    return [*args, "-f", fmt]


def check_cli(question: dict[str, Any], code: int, stdout: str, stderr: str) -> None:
    where = f"{question['where']} ({question['words']})"
    if "expect_error" in question:
        assert code == 2, f"{where}: exit {code}: {stderr}"
        assert stdout == "" and question["expect_error"] in stderr, f"{where}: {stderr}"
        return
    assert code == 0, f"{where}: exit {code}: {stderr}"
    if "expect_rows" in question:
        assert len(stdout.strip().splitlines()) == 1, f"{where}: rows where none were expected:\n{stdout}"
    for slug in question.get("expect_entities", []):
        assert str(WMR[slug]) in stdout, f"{where}: {slug} not in the answer"
    if "expect_note" in question:
        assert question["expect_note"] in stderr, f"{where}: stderr lacks the note: {stderr!r}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("question", ASKED, ids=ids(ASKED))
def test_the_cli_answers_each_question(kg: KnowledgeGraph, question: dict[str, Any]) -> None:
    done = wmkg(*cli_args(question), kg=kg)
    check_cli(question, done.returncode, done.stdout, done.stderr)


@pytest.mark.slow  # the real wmkg in subprocesses
@pytest.mark.parametrize("kind", EXPECTATIONS)
def test_the_cli_in_a_subprocess_answers_a_question_of_each_kind(kind: str) -> None:
    question = next(q for q in ASKED if kind in q)
    done = run_wmkg(*cli_args(question))
    check_cli(question, done.returncode, done.stdout, done.stderr)


# --- the web app: /query, /api and its pages, answered in this process ------------------------------------


def check_page(question: dict[str, Any], response: httpx.Response) -> None:
    where = f"{question['where']} ({question['words']})"
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())  # what a reader reads
    if "expect_error" in question:
        assert response.status_code == 400, f"{where}: {response.status_code}"
        assert question["expect_error"] in text, where
        return
    assert response.status_code == 200, f"{where}: {response.status_code}: {text[:300]}"
    for slug in question.get("expect_entities", []):
        assert f'href="/id/{slug}"' in response.text, f"{where}: no link to {slug}"
    if "expect_rows" in question:
        assert "0 rows" in text and "<tbody>" not in response.text, where
    if "expect_note" in question:
        assert question["expect_note"] in text, f"{where}: the page lacks the note"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("question", ASKED, ids=ids(ASKED))
def test_the_query_page_answers_each_question(real_app: InProcessApp, question: dict[str, Any]) -> None:
    params = {"name": question["query"], "run": "1", **{f"p.{k}": v for k, v in question.get("params", {}).items()}}
    check_page(question, real_app.get("/query", params=params))


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("question", ASKED, ids=ids(ASKED))
def test_the_api_answers_each_question(real_app: InProcessApp, question: dict[str, Any]) -> None:
    where = f"{question['where']} ({question['words']})"
    response = real_app.get(f"/api/queries/{question['query']}", params=question.get("params", {}))
    if "expect_error" in question:
        assert response.status_code == 400, f"{where}: {response.status_code}"
        assert question["expect_error"] in response.json()["error"], where
        return
    assert response.status_code == 200, f"{where}: {response.text[:300]}"
    body = response.json()
    said = " ".join([body["wmkg"]["summary"], *body["wmkg"]["notes"]])
    if "expect_rows" in question:
        assert body["results"]["bindings"] == [] and body["wmkg"]["rows"] == 0, where
    values = json.dumps(body["results"]["bindings"])
    for slug in question.get("expect_entities", []):
        assert json.dumps(str(WMR[slug])) in values, f"{where}: {slug} not in the answer"
    if "expect_note" in question:
        assert question["expect_note"] in said, f"{where}: {said!r}"


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
@pytest.mark.parametrize("question", PAGES, ids=ids(PAGES))
def test_the_web_page_answers_each_question(real_app: InProcessApp, question: dict[str, Any]) -> None:
    check_page(question, real_app.get(question["url"], follow_redirects=True))

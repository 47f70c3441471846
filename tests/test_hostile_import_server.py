"""A real server on loopback over a hand-placed hostile import (issue 23): a clique of ten blank nodes
and a label carrying terminal and bidi controls. /download must not freeze the other routes, pages
show the controls instead of sending them, and a slug of 1,600 hyphens is a 404, not a 500."""

from __future__ import annotations

import hashlib
import html
import os
import re
import signal
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from support import DATA, RunningServer, make_project, start_server

from westminster_kg import KnowledgeGraph
from westminster_kg.plain import CONTROLS, visible
from westminster_kg.view.downloads import FORMATS, STEM
from westminster_kg.web import Settings

pytestmark = pytest.mark.slow  # a server, and /download's child process

GRAPH = "https://w3id.org/westminster-kg/graph/import/hostile"
EVIL = "http://example.org/evil"
# An OSC sequence that retitles a terminal, a bell, NUL-free C1 CSI, and U+202E (right-to-left override).
LABEL = "Evil \x1b]0;pwned\x07 \x9b31m \u202eeman"
PATIENCE = 600  # seconds: bounds on hangs, never measures of speed


def _hostile_nquads() -> str:
    nodes = [f"_:n{i}" for i in range(10)]
    lines = [f"{a} <http://example.org/knows> {b} <{GRAPH}> ." for a in nodes for b in nodes if a != b]
    escaped = LABEL.encode("unicode_escape").decode("ascii").replace("\\x", "\\u00")
    lines.append(f'<{EVIL}> <http://www.w3.org/2000/01/rdf-schema#label> "{escaped}" <{GRAPH}> .')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    root = make_project(tmp_path_factory.mktemp("hostile") / "root", DATA / "valid" / "slice.ttl")
    (root / "imports").mkdir()
    (root / "imports" / "hostile.nq").write_text(_hostile_nquads(), encoding="utf-8")
    settings = Settings(query_timeout=20, workers=1, reload_interval=0)
    yield from start_server(KnowledgeGraph.load(root), settings)


def _dump_children() -> list[int]:
    """Processes this test process started that make dumps (``view.downloads.dumps_from_store``)."""
    found, me = [], os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:  # the parent first: most processes are not ours
                if int(stat.read().rsplit(b")", 1)[-1].split()[1]) != me:
                    continue
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except OSError:
            continue
        if b"westminster_kg.view.downloads" in command:
            found.append(int(name))
    return found


def test_the_label_really_holds_the_controls(hostile: RunningServer) -> None:
    rows = hostile.kg.run(f"SELECT ?l WHERE {{ <{EVIL}> rdfs:label ?l }}").rows
    assert [str(r[0]) for r in rows] == [LABEL]


def test_while_the_dumps_are_made_every_other_route_answers(hostile: RunningServer) -> None:
    answer: dict[str, httpx.Response] = {}
    thread = threading.Thread(
        target=lambda: answer.setdefault("download", httpx.get(hostile.url + "/download", timeout=PATIENCE))
    )
    thread.start()
    deadline = time.monotonic() + 120
    while not (children := _dump_children()):
        assert time.monotonic() < deadline, "no child process makes the dumps: the server would make them itself"
        assert thread.is_alive(), "/download answered without a child process making the dumps"
        time.sleep(0.05)
    for child in children:
        os.kill(child, signal.SIGSTOP)  # the dumps cannot progress now: whatever answers, answers beside them
    try:
        for path in ("/api/queries", "/ontology", "/search?q=haldane", "/sparql?query=ASK%20%7B%7D"):
            assert httpx.get(hostile.url + path, timeout=PATIENCE).status_code == 200, path
        assert thread.is_alive()  # /download still waits for its stopped child
    finally:
        for child in children:
            os.kill(child, signal.SIGCONT)
    thread.join(PATIENCE)
    page = answer["download"]
    assert page.status_code == 200
    # The clique is over RDFC-1.0's work bound: the page says its checksums may change between loads.
    assert "look too much alike" in page.text and "hostile" in page.text
    rows = re.findall(
        r'href="/download/([^"]+)" download>.*?<code class="wmkg-hash">([0-9a-f]{64})</code>', page.text, re.S
    )
    assert {STEM + suffix for _, _, suffix, _, _ in FORMATS} <= {name for name, _ in rows}  # and the crate
    for name, digest in rows:
        assert (
            hashlib.sha256(httpx.get(hostile.url + "/download/" + name, timeout=PATIENCE).content).hexdigest() == digest
        )
    nquads = httpx.get(hostile.url + "/download/westminster-kg.nq", timeout=PATIENCE).text
    assert sum(1 for line in nquads.splitlines() if line.endswith(f"<{GRAPH}> .") and "knows" in line) == 90
    assert not _dump_children()  # made once per generation of the data: no second child
    assert httpx.get(hostile.url + "/download", timeout=PATIENCE).status_code == 200 and not _dump_children()


def test_a_page_shows_the_control_characters_of_a_label_instead_of_sending_them(hostile: RunningServer) -> None:
    label = str(hostile.kg.run(f"SELECT ?l WHERE {{ <{EVIL}> rdfs:label ?l }}").rows[0][0])
    query = f"SELECT ?label WHERE {{ <{EVIL}> rdfs:label ?label }}"
    page = httpx.get(hostile.url + "/query", params={"sparql": query, "run": "1"}, timeout=PATIENCE)
    assert page.status_code == 200
    assert not CONTROLS.search(page.text)
    assert html.escape(visible(label), quote=False) in page.text  # "Evil \x1b]0;pwned\x07 \x9b31m \u202eeman"
    assert "\\x1b]0;pwned\\x07" in page.text and "\\u202e" in page.text


def test_a_slug_of_1600_hyphens_is_a_404_in_one_line(hostile: RunningServer) -> None:
    slug = "a" + "-a" * 1600
    plain = httpx.get(hostile.url + "/id/" + slug, headers={"accept": "text/turtle"}, timeout=PATIENCE)
    assert plain.status_code == 404 and len(plain.text.strip().splitlines()) == 1
    page = httpx.get(hostile.url + "/id/" + "-" * 1600, headers={"accept": "text/html"}, timeout=PATIENCE)
    assert page.status_code == 404 and "Not found" in page.text

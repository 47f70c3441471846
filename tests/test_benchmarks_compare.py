"""benchmarks/compare.py's command line and report blocks (no timing: speed is measured only by running it)."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import compare  # noqa: E402
from compare_load import MARKER, Request, distinct_query, preflight, query_set, run_wrk  # noqa: E402
from compare_report import keep_blocks  # noqa: E402
from compare_servers import OxigraphServer  # noqa: E402


@pytest.mark.slow
def test_help_names_the_options_and_exits_zero() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for option in ("--quick", "--endpoint", "--stores", "--duration", "--root", "--store"):
        assert option in done.stdout


def test_quick_fills_in_short_defaults_and_explicit_values_win() -> None:
    quick = compare.parse_args(["--quick"])
    assert (quick.duration, quick.cli_runs, quick.rss_workers, quick.label) == (4.0, 5, [], "article")
    full = compare.parse_args(["--duration", "7", "--rss-workers", "1,4", "--stores", "wmkg,virtuoso"])
    assert (full.duration, full.rss_workers, full.stores) == (7.0, [1, 4], ["wmkg", "virtuoso"])


def test_endpoint_alone_is_accepted() -> None:
    args = compare.parse_args(["--stores", "none", "--endpoint", "http://127.0.0.1:8890/sparql"])
    assert args.stores == [] and args.endpoint == ["http://127.0.0.1:8890/sparql"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--stores", "none"], "needs at least one --endpoint"),
        (["--stores", "wmkg,fuseki"], "unknown store 'fuseki'"),
        (["--endpoint", "ftp://example.org/sparql"], "--endpoint 'ftp://example.org/sparql'"),
        (["--rss-workers", "two"], "--rss-workers 'two'"),
        (["--duration", "0"], "--duration must be positive"),
        (["--root", "/nonexistent-wmkg-root"], "not a project folder"),
    ],
)
def test_bad_options_fail_with_one_clear_line(argv: list[str], says: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), *argv], capture_output=True, text=True)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_run_py_keeps_the_compare_sections_when_it_rewrites_the_file() -> None:
    block = "<!-- compare:article:begin -->\n## Side by side\n\nnumbers\n<!-- compare:article:end -->\n"
    old = "# Benchmarks\n\n" + block + "\n## Targets\n\nold\n"
    new = "# Benchmarks\n\nintro\n\n## Targets\n\nnew\n"
    merged = keep_blocks(old, new)
    assert merged.count(block) == 1
    assert merged.index("intro") < merged.index(block) < merged.index("## Targets\n\nnew")
    assert keep_blocks(merged, merged) == merged


# --- the distinct-query row: new text every request, same rows --------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> str:
    """The catalogue query exactly as compare.py sends it to every store."""
    return compare.catalogue_text(compare.parse_args([]))


@pytest.fixture(scope="module")
def engine() -> Any:
    """The project's data in an in-memory Oxigraph store."""
    import pyoxigraph as ox

    from westminster_kg.knowledge_graph import KnowledgeGraph
    from westminster_kg.store.oxigraph import ox_quads

    store = ox.Store()
    store.bulk_extend(ox_quads(KnowledgeGraph.load().store))
    return store


def rows(engine: Any, sparql: str) -> list[tuple[str, ...]]:
    """The query's rows as text, in the order it gives them (the catalogue query has an ORDER BY)."""
    answer = engine.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    return [tuple(str(solution[name]) for name in names) for solution in answer]


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_distinct_query_has_new_text_and_the_same_rows(catalogue: str, engine: Any) -> None:
    first, second = distinct_query(catalogue, "t1-1"), distinct_query(catalogue, "t2-1")
    assert len({catalogue, first, second}) == 3
    assert "FILTER(?claim != <urn:wmkg:bench:distinct:t1-1>)" in first
    expected = rows(engine, catalogue)
    assert len(expected) > 10
    assert rows(engine, first) == expected and rows(engine, second) == expected
    with pytest.raises(ValueError, match=r"\?claim"):
        distinct_query("SELECT ?s WHERE { ?s ?p ?o }")


def test_the_query_set_has_the_distinct_row_checked_against_the_repeated_one(catalogue: str) -> None:
    requests = {r.key: r for r in query_set(catalogue, 100)}
    distinct = requests["catalogue-distinct"]
    assert distinct.distinct and distinct.same_rows_as == "catalogue-sparql"
    assert MARKER in distinct.sparql and MARKER not in distinct.example
    assert distinct.example == distinct_query(catalogue, "preflight")
    assert not requests["catalogue-sparql"].distinct and requests["catalogue-sparql"].example == catalogue


class _BodyRecorder(http.server.BaseHTTPRequestHandler):
    """Keeps the body of every POST (HTTP/1.1 keep-alive, as wrk expects) and answers an empty result."""

    protocol_version = "HTTP/1.1"
    bodies: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's interface
        self.bodies.append(self.rfile.read(int(self.headers["content-length"])))
        answer = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
        self.send_response(200)
        self.send_header("content-type", "application/sparql-results+json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # wrk drops its connections when its time is up


@pytest.mark.slow
def test_wrk_sends_a_new_valid_query_in_every_request(catalogue: str, engine: Any, tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed (scripts/test.sh installs it)")
    request = next(r for r in query_set(catalogue, 100) if r.key == "catalogue-distinct")
    server = _QuietServer(("127.0.0.1", 0), _BodyRecorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _BodyRecorder.bodies = []
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        load = run_wrk(
            request, url, url + "/sparql", threads=2, connections=4, seconds=1, timeout=5, log=tmp_path / "w.txt"
        )
    finally:
        server.shutdown()
        server.server_close()
    bodies = list(_BodyRecorder.bodies)
    assert load["requests"] >= 10 and len(bodies) >= load["requests"]
    assert len(set(bodies)) == len(bodies), "two requests carried the same query text"
    queries = [parse_qs(body.decode("ascii"), strict_parsing=True)["query"][0] for body in bodies]
    tokens = [re.search(r"<urn:wmkg:bench:distinct:(t\d+-\d+)>", q).group(1) for q in queries]  # type: ignore[union-attr]
    assert {t.split("-")[0] for t in tokens} == {"t1", "t2"}  # both of wrk's threads, numbered apart
    assert all(q == distinct_query(catalogue, t) for q, t in zip(queries, tokens, strict=True))
    expected = rows(engine, catalogue)
    for query in queries[:2] + queries[-2:]:
        assert rows(engine, query) == expected
    assert (tmp_path / "w.lua").exists() and "w.lua" in load["command"]


# --- the Oxigraph server as a peer ---------------------------------------------------------------


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``wmkg export -f nquads`` of this checkout, as compare.py makes it for the stores it loads."""
    target = tmp_path_factory.mktemp("export") / "export.nq"
    return Path(compare.export_nquads(compare.parse_args(["--label", "test"]), target)["file"])


@pytest.mark.slow
@pytest.mark.parametrize("memory", [False, True], ids=["on-disk", "in-memory"])
def test_the_oxigraph_server_answers_the_distinct_query_with_the_repeated_rows(
    catalogue: str, export: Path, tmp_path: Path, memory: bool
) -> None:
    requests = {r.key: r for r in query_set(catalogue, 100)}
    short = Request(
        "short", "the catalogue query cut short", sparql=catalogue + " LIMIT 5", same_rows_as="catalogue-sparql"
    )
    server = OxigraphServer(export, tmp_path / "oxigraph", 60, memory=memory)
    try:
        assert server.load_s and server.sparql.endswith("/query") and "--union-default-graph" in server.command
        assert ("serve-read-only" in server.command) is not memory
        done: dict[str, Any] = {}
        for key in ("catalogue-sparql", "catalogue-distinct"):
            done[key] = {"check": preflight(requests[key], server.base, server.sparql)}
            compare._check_same_rows(done[key]["check"], requests[key], done)
        checked = preflight(short, server.base, server.sparql)
        compare._check_same_rows(checked, short, done)
        memory = server.memory()
    finally:
        server.stop()
    repeated, distinct = done["catalogue-sparql"]["check"], done["catalogue-distinct"]["check"]
    assert repeated["ok"] and distinct["ok"], (repeated, distinct)
    assert repeated["rows"] > 10 and distinct["rows_digest"] == repeated["rows_digest"]
    assert not checked["ok"] and "5 rows that differ" in checked["problem"]
    assert memory and memory["peak_mb"] > 0
    assert server.process.poll() is not None and not (tmp_path / "oxigraph").exists()


# --- the report: ratios side by side, targets, commands -------------------------------------------


def _load(rps: float, p50: float, p99: float, store: str, key: str) -> dict[str, Any]:
    return {
        "requests": int(rps * 4),
        "seconds": 4.0,
        "rps": rps,
        "p50_ms": p50,
        "p90_ms": p99,
        "p99_ms": p99,
        "errors": 0,
        "errors_by_kind": {},
        "command": f"wrk -t2 -c8 -d4s --timeout=30s --latency -s out/logs/wrk-{store}-{key}.lua http://127.0.0.1:1/q",
    }


def _store(kind: str, loads: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": kind,
        "version": "1",
        "command": kind,
        "start_s": 1.0,
        "load_s": None,
        "memory": {"peak_mb": 100.0, "rss_mb": 90.0, "processes": 1},
        "requests": {k: {"check": {"ok": True, "rows": 53, "seconds": 0.01}, "load": v} for k, v in loads.items()},
    }


def run_results() -> dict[str, Any]:
    """A run's results as compare.py writes them: wmkg at half Oxigraph's distinct speed, 20× Virtuoso cached."""
    figures = {
        "wmkg": {"catalogue-sparql": (1000, 5, 9), "catalogue-distinct": (50, 120, 300)},
        "oxigraph": {"catalogue-sparql": (100, 40, 60), "catalogue-distinct": (100, 40, 60)},
        "virtuoso": {"catalogue-sparql": (50, 150, 400), "catalogue-distinct": (25, 300, 800)},
    }
    kinds = {"wmkg": "wmkg serve (Oxigraph)", "oxigraph": "Oxigraph server 0.5.13", "virtuoso": "Virtuoso 7.2"}
    stores = {s: _store(kinds[s], {k: _load(*f, s, k) for k, f in fs.items()}) for s, fs in figures.items()}
    cli = {
        "floor": {"command": "/v/bin/python -c 'import pyoxigraph'", "median_ms": 20.0, "min_ms": 19, "max_ms": 22},
        "query": {"command": "/v/bin/wmkg query reforms-eroding-conventions -f csv", "median_ms": 150.0},
        "validate": {"command": "/v/bin/wmkg validate", "prepare": "rm -rf out/cli-cache/v", "median_ms": 2500.0},
    }
    for entry in cli.values():
        entry.update({"min_ms": entry["median_ms"], "max_ms": entry["median_ms"], "runs": 3, "env": "XDG=out"})
    return {
        "command": "python benchmarks/compare.py --quick",
        "label": "article",
        "total_s": 120.0,
        "machine": {
            **dict.fromkeys(("cpu", "os", "python", "pyoxigraph", "wrk", "hyperfine", "virtuoso", "commit"), "x"),
            **{"cores": 2, "memory_gb": 8, "dirty": [], "date": "today", "load_before": ["1.0"] * 3},
            "load_after": ["2.0"] * 3,
        },
        "settings": {"duration_s": 4, "threads": 2, "connections": 8, "timeout_s": 30, "rows": 100, "root": None},
        "data": {"quads": 15000},
        "requests": {
            "catalogue-sparql": {"label": "catalogue, repeated", "stores": []},
            "catalogue-distinct": {"label": "catalogue, distinct", "stores": []},
        },
        "stores": stores,
        "cli": cli,
    }


def test_the_section_puts_wmkgs_ratios_beside_each_row_and_checks_the_targets() -> None:
    from compare_report import section

    text = section(run_results())
    header = next(line for line in text.splitlines() if line.startswith("| request |"))
    assert header.endswith("wmkg ÷ Oxigraph server | wmkg ÷ Virtuoso |")
    distinct = next(line for line in text.splitlines() if line.startswith("| catalogue, distinct"))
    repeated = next(line for line in text.splitlines() if line.startswith("| catalogue, repeated"))
    assert distinct.endswith("| 0.50× | 2.00× |") and repeated.endswith("| 10.00× | 20.00× |")
    targets = {
        line.split(" | ")[1]: line for line in text.splitlines() if line.startswith("| 15") or line.startswith("| 22")
    }
    assert targets[
        "a distinct catalogue query via `/sparql` ≥ 0.8× Oxigraph server's req/s, p50 < 50 ms at 8 connections"
    ].endswith("| 0.50× (50/s vs 100/s), p50 120 ms | no |")
    assert next(v for k, v in targets.items() if k.startswith("the repeated")).endswith("p99 9 ms | yes |")
    assert next(v for k, v in targets.items() if k.startswith("cold")).endswith("| yes |")
    assert next(v for k, v in targets.items() if k.startswith("a fresh")).endswith("| 2.50 s median | no |")
    # every figure with its command
    assert "wrk -t2 -c8 -d4s --timeout=30s --latency -s out/logs/wrk-wmkg-catalogue-distinct.lua" in text
    assert "`wmkg validate` (kept report removed before each run)" in text
    assert "before each run: `rm -rf out/cli-cache/v`" in text


def test_the_summary_prints_the_ratios_and_commands_of_the_run() -> None:
    from compare_targets import summary

    text = summary(run_results())
    assert "wmkg ÷ Oxigraph server 0.50×, ÷ Virtuoso 2.00×" in text
    assert "wmkg ÷ Oxigraph server 10.00×, ÷ Virtuoso 20.00×" in text
    assert "NOT met" in text and "CLI query: median 150 ms  [wmkg query reforms-eroding-conventions -f csv]" in text
    assert "oxigraph catalogue-distinct: wrk -t2 -c8" in text

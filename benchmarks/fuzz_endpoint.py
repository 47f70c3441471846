"""A bounded fuzz and soak run against `wmkg serve` on loopback.

Starts the real server, fires malformed, hostile and expensive requests at /sparql from several
threads (bounded in count and time), while a canary client keeps sending a well-formed catalogue
query and records its latency. Every fuzz request must get a 4xx, a timely answer or a
time-limit error; a 5xx, a dropped connection or a dead server is a failure.

    python benchmarks/fuzz_endpoint.py --requests 600 --seconds 120 --report docs/reliability.md

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from westminster_kg.sparql_text import sparql_prologue

# A standard endpoint takes only what the query declares: the prologue travels with each query.
PROLOGUE = sparql_prologue()
CANARY = PROLOGUE + "SELECT ?label WHERE { wmr:haldane-convention rdfs:label ?label }"
VALID = [
    PROLOGUE + "SELECT ?s ?o WHERE { ?s wm:erodes ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    PROLOGUE + "ASK { wmr:npm wm:erodes wmr:haldane-convention }",
    PROLOGUE + "CONSTRUCT { ?s wm:erodes ?o } WHERE { ?s wm:erodes ?o }",
]


@dataclass
class Outcome:
    """Counts of what the fuzz run saw."""

    tried: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    max_fuzz_latency: float = 0.0
    worker_deaths: int = 0  # a worker died and nobody could say why (a bug)
    memory_limits: int = 0  # a worker stopped at its memory limit (a query asked for too much)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (KiB), from /proc: the query workers are
    the spawner's children, grandchildren of the server."""
    total = 0
    pids, seen = [pid], set()
    while pids:
        one = pids.pop()
        if one in seen:
            continue
        seen.add(one)
        for task in Path(f"/proc/{one}/task").glob("*") if Path(f"/proc/{one}/task").is_dir() else ():
            try:
                pids += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    for one in seen:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def hostile_requests(rng: random.Random) -> list[tuple[str, dict]]:
    """(description, httpx request kwargs) pairs: malformed, huge, deep, slow, wrong types."""

    def mutate(query: str) -> str:
        chars = list(query)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(chars))
            choice = rng.random()
            if choice < 0.4:
                del chars[i]
            elif choice < 0.8:
                chars.insert(i, rng.choice("{}()<>\"'?#.;,*^|\\\n\u0000é😀"))
            else:
                chars[i] = rng.choice("{}?")
        return "".join(chars)

    cases: list[tuple[str, dict]] = []
    for query in VALID:
        cases.append(("mutated", {"method": "GET", "params": {"query": mutate(query)}}))
    cases += [
        ("garbage", {"method": "GET", "params": {"query": "".join(rng.choice("{}?SELECT ") for _ in range(200))}}),
        ("update", {"method": "POST", "data": {"update": "DROP ALL"}}),
        ("update-as-query", {"method": "POST", "data": {"query": "INSERT DATA { <a:a> <a:b> <a:c> }"}}),
        (
            "deep-nesting",
            {
                "method": "POST",
                "content": "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
                "headers": {"content-type": "application/sparql-query"},
            },
        ),
        (
            "deep-parentheses",
            {"method": "GET", "params": {"query": "SELECT * WHERE { FILTER(" + "(" * 2000 + "1" + ")" * 2000 + ") }"}},
        ),
        ("huge-literal", {"method": "POST", "data": {"query": 'SELECT * WHERE { ?s ?p "' + "x" * 900_000 + '" }'}}),
        (
            "oversized-body",
            {"method": "POST", "content": "x" * 3_000_000, "headers": {"content-type": "application/sparql-query"}},
        ),
        ("wrong-content-type", {"method": "POST", "content": VALID[0], "headers": {"content-type": "text/plain"}}),
        ("unsupported-accept", {"method": "GET", "params": {"query": VALID[0]}, "headers": {"accept": "image/png"}}),
        (
            "path-star",
            {
                "method": "GET",
                "params": {
                    "query": PROLOGUE + "SELECT * WHERE { ?s (rdfs:label|^rdfs:label|wm:erodes|^wm:erodes)* ?o }"
                },
            },
        ),
        ("cartesian", {"method": "GET", "params": {"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}}),
        (
            "cartesian-count",
            {"method": "GET", "params": {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}},
        ),
        (
            "slow-regex",
            {
                "method": "GET",
                "params": {
                    "query": 'SELECT * WHERE { ?s ?p ?o . ?x ?y ?z FILTER(REGEX(CONCAT(STR(?o), STR(?z)), "(a+)+$")) }'
                },
            },
        ),
        (
            "service",
            {
                "method": "GET",
                "params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
            },
        ),
        ("no-query", {"method": "GET", "params": {}}),
        # Issue 12: each of these once killed a worker, fetched a URL or blew up memory.
        (
            "service-comment-disguise",
            {"method": "GET", "params": {"query": f"SELECT * {{ #}}\n SERVICE <{RECORDER[0]}/a> {{ ?s ?p ?o }} }}"}},
        ),
        (
            "service-escaped-iri",
            {
                "method": "GET",
                "params": {
                    "query": "SELECT * WHERE { SERVICE <"
                    + RECORDER[0].replace(":", "\\u003A", 1)
                    + "/b> { ?s ?p ?o } }"
                },
            },
        ),
        (
            "service-variable",
            {"method": "GET", "params": {"query": f"SELECT * {{ BIND(<{RECORDER[0]}/c> AS ?e) SERVICE ?e {{}} }}"}},
        ),
        ("custom-function", {"method": "GET", "params": {"query": "SELECT (<http://x/f>(1) AS ?x) {}"}}),
        (
            "plus-chain",
            {
                "method": "POST",
                "content": "SELECT (" + "+".join(["1"] * 20_000) + " AS ?x) {}",
                "headers": {"content-type": "application/sparql-query"},
            },
        ),
        (
            "or-chain-get",
            {"method": "GET", "params": {"query": "SELECT * { FILTER(" + "||".join(["1"] * 2_000) + ") }"}},
        ),
        (
            "union-chain",
            {
                "method": "POST",
                "content": "SELECT * { " + " UNION ".join(["{}"] * 10_000) + " }",
                "headers": {"content-type": "application/sparql-query"},
            },
        ),
        (
            "path-chain",
            {"method": "GET", "params": {"query": "SELECT * { ?s " + "/".join(["<p:a>"] * 1_000) + " ?o }"}},
        ),
        (
            "result-bytes-bomb",
            {
                "method": "GET",
                "params": {
                    "query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f BIND(CONCAT("
                    + ", ".join(["STR(?c)"] * 50)
                    + ") AS ?big) }"
                },
            },
        ),
        (
            "construct-bomb",
            {
                "method": "GET",
                "params": {"query": "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"},
                "headers": {"accept": "application/rdf+xml"},
            },
        ),
        (
            "from-elsewhere",
            {"method": "GET", "params": {"query": "SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o } LIMIT 5"}},
        ),
        ("rebinding-host", {"method": "GET", "params": {"query": VALID[0]}, "headers": {"host": "evil.example"}}),
        (
            "xml-control-char",
            {
                "method": "GET",
                "params": {"query": 'SELECT ?x { BIND("a\\u0001b" AS ?x) }'},
                "headers": {"accept": "application/sparql-results+xml"},
            },
        ),
        ("bad-format", {"method": "GET", "params": {"query": VALID[0], "format": "../../etc/passwd"}}),
        # Issue 23: a parser differential, a memory bomb, forwarded headers, odd query texts.
        (
            "service-escape-differential",
            {
                "method": "GET",
                "params": {
                    "query": 'SELECT * WHERE { ?s ?p ?o FILTER(?o != "\\u0022") SERVICE <' + RECORDER[0] + "/d> { } }"
                },
            },
        ),
        (
            "service-escaped-keyword",
            {"method": "GET", "params": {"query": "SELECT * WHERE { \\u0053ERVICE <" + RECORDER[0] + "/e> { } }"}},
        ),
        ("memory-bomb", {"method": "POST", "data": {"query": MEMORY_BOMB}}),
        (
            "forwarded-proto",
            {"method": "GET", "params": {"query": VALID[0]}, "headers": {"x-forwarded-proto": "https"}},
        ),
        ("empty-body", {"method": "POST", "content": b"", "headers": {"content-type": "application/sparql-query"}}),
        ("describe-star", {"method": "GET", "params": {"query": "DESCRIBE *"}}),
        (
            "bad-utf8",
            {
                "method": "POST",
                "content": b"SELECT * WHERE { ?s ?p \xff\xfe }",
                "headers": {"content-type": "application/sparql-query"},
            },
        ),
    ]
    return cases


RECORDER = ["http://127.0.0.1:9"]  # replaced by the recording server's URL for the run
# A 600-byte query whose every BIND quadruples a string: 32 bytes become 32 GiB by the twentieth.
MEMORY_BOMB = (
    'SELECT ?n WHERE { BIND("'
    + "a" * 32
    + '" AS ?a0) '
    + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}, ?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(20))
    + " BIND(STRLEN(?a20) AS ?n) }"
)
RECORDED: list[str] = []
CLIENT_TIMEOUT = 300.0  # the clients' own patience: generous, so a busy machine never fails a run


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Counts every request: any hit means a query made the server contact a host."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's interface
        RECORDED.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_GET  # noqa: N815 - http.server's interface

    def log_message(self, *args: object) -> None:
        pass


def slowloris(port: int, keep_going: Callable[[], bool], dropped: list[bool]) -> None:
    """Hold a connection by dripping header lines; record whether the server dropped it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT) as sock:
            sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            while keep_going():
                sock.sendall(b"X-a: b\r\n")
                time.sleep(1)
    except OSError:
        dropped.append(True)
        return
    dropped.append(False)


def dripping_body(port: int, keep_going: Callable[[], bool], dropped: list[bool]) -> None:
    """Send a POST's headers, then its body a byte a second; record whether the server dropped it."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT) as sock:
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 100000\r\n\r\nASK"
            )
            while keep_going():
                sock.sendall(b" ")
                time.sleep(1)
    except OSError:
        dropped.append(True)
        return
    dropped.append(False)


def endpoint_named_https(base: str) -> bool:
    """Whether VoID, after the fuzz run's forged ``X-Forwarded-Proto: https``, names an https endpoint."""
    from rdflib import Graph
    from rdflib.namespace import VOID

    text = httpx.get(base + "/.well-known/void", timeout=CLIENT_TIMEOUT).text
    return any(
        str(o).startswith("https://")
        for o in Graph().parse(data=text, format="turtle").objects(None, VOID.sparqlEndpoint)
    )


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` quantile of ``values`` (nearest rank), in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def run(requests: int, seconds: float, timeout: float, seed: int) -> dict:
    """Start the server, fuzz it, measure the canary; return the figures."""
    recorder = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    RECORDER[0] = f"http://127.0.0.1:{recorder.server_address[1]}"
    RECORDED.clear()
    try:
        return _run(requests, seconds, timeout, seed)
    finally:
        recorder.shutdown()
        recorder.server_close()


def _run(requests: int, seconds: float, timeout: float, seed: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The server's log goes to a file: a pipe nobody reads would fill up and block the server.
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "westminster_kg.cli",
            "serve",
            "--port",
            str(port),
            "--query-timeout",
            str(timeout),
            "--max-rows",
            "1000",
            "--max-body",
            "1000000",
            "--worker-memory",
            "512",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/sparql", params={"query": CANARY}, timeout=CLIENT_TIMEOUT).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            log.seek(0)
            raise SystemExit("server did not start: " + log.read()[-2000:])
        rss_before = rss_kib(server.pid)
        outcome = Outcome()
        lock = threading.Lock()
        stop = time.monotonic() + seconds
        canary_latencies: list[float] = []
        canary_failures: list[str] = []
        canary_busy: list[float] = []  # 503 "every worker busy, try again": overload, not a fault
        fresh_latencies: list[float] = []
        fresh_failures: list[str] = []
        fresh_busy: list[float] = []
        page_latencies: list[float] = []
        page_failures: list[str] = []
        rss_peak = [rss_before]
        dropped: list[bool] = []

        def page_canary() -> None:
            # An ordinary reader on the HTML pages and the API: their own capacity, apart from /sparql.
            paths = ["/ontology", "/api/queries", "/id/haldane-convention"]
            with httpx.Client(timeout=CLIENT_TIMEOUT) as client:
                i = 0
                while time.monotonic() < stop and outcome.tried < requests:
                    start = time.perf_counter()
                    try:
                        response = client.get(base + paths[i % len(paths)])
                        if response.status_code != 200:
                            page_failures.append(f"{paths[i % len(paths)]}: status {response.status_code}")
                    except httpx.HTTPError as exc:
                        page_failures.append(type(exc).__name__)
                    page_latencies.append(time.perf_counter() - start)
                    i += 1
                    time.sleep(0.1)

        def canary(fresh: bool, latencies: list[float], failures: list[str], busy: list[float]) -> None:
            # The repeated canary sends the same text each time (the answer cache and the fast lane
            # serve it, as they would any client repeating a query); the fresh one makes every text new
            # with a comment, so each request needs a query worker of its own.
            with httpx.Client(timeout=CLIENT_TIMEOUT) as client:
                i = 0
                while time.monotonic() < stop and outcome.tried < requests:
                    i += 1
                    start = time.perf_counter()
                    try:
                        response = client.get(
                            base + "/sparql",
                            params={"query": CANARY + (f"\n# fresh {i}" if fresh else "")},
                            headers={"accept": "application/sparql-results+json"},
                        )
                        if response.status_code == 503:
                            busy.append(time.perf_counter() - start)
                        elif response.status_code != 200:
                            failures.append(f"status {response.status_code}")
                    except httpx.HTTPError as exc:
                        failures.append(type(exc).__name__)
                    latencies.append(time.perf_counter() - start)
                    rss_peak[0] = max(rss_peak[0], rss_kib(server.pid))
                    time.sleep(0.05)

        def fuzzer(worker: int) -> None:
            local = random.Random(seed + worker)
            with httpx.Client(timeout=CLIENT_TIMEOUT) as client:
                while True:
                    with lock:
                        if outcome.tried >= requests or time.monotonic() >= stop:
                            return
                        outcome.tried += 1
                    name, kwargs = local.choice(hostile_requests(local))
                    kwargs = dict(kwargs)
                    method = kwargs.pop("method")
                    start = time.perf_counter()
                    try:
                        response = client.request(method, base + "/sparql", **kwargs)
                        status = str(response.status_code)
                        if response.status_code >= 500 and response.status_code != 503:
                            outcome.failures.append(f"{name}: HTTP {status}: {response.text[:120]}")
                        if "worker died" in response.text:
                            outcome.worker_deaths += 1
                        if "a query worker may use" in response.text:
                            outcome.memory_limits += 1
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                        outcome.failures.append(f"{name}: {status}")
                    elapsed = time.perf_counter() - start
                    with lock:
                        outcome.by_status[status] = outcome.by_status.get(status, 0) + 1
                        outcome.max_fuzz_latency = max(outcome.max_fuzz_latency, elapsed)

        threads = [threading.Thread(target=fuzzer, args=(i,)) for i in range(3)]
        threads.append(threading.Thread(target=canary, args=(False, canary_latencies, canary_failures, canary_busy)))
        threads.append(threading.Thread(target=canary, args=(True, fresh_latencies, fresh_failures, fresh_busy)))
        threads.append(threading.Thread(target=page_canary))

        def keep_going() -> bool:
            return time.monotonic() < stop and outcome.tried < requests

        threads += [threading.Thread(target=slowloris, args=(port, keep_going, dropped)) for _ in range(3)]
        body_dropped: list[bool] = []
        threads += [threading.Thread(target=dripping_body, args=(port, keep_going, body_dropped)) for _ in range(3)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        duration = time.monotonic() - began
        alive = server.poll() is None
        return {
            "requests_tried": outcome.tried,
            "duration_s": round(duration, 1),
            "status_counts": dict(sorted(outcome.by_status.items())),
            "failures": outcome.failures,
            "server_alive_after": alive,
            "query_timeout_s": timeout,
            "max_fuzz_latency_s": round(outcome.max_fuzz_latency, 3),
            "canary_requests": len(canary_latencies),
            "canary_failures": canary_failures,
            "canary_busy_503": len(canary_busy),
            "canary_p50_ms": round(1000 * statistics.median(canary_latencies), 1) if canary_latencies else None,
            "canary_p99_ms": percentile(canary_latencies, 0.99),
            "canary_max_ms": round(1000 * max(canary_latencies), 1) if canary_latencies else None,
            "fresh_canary_requests": len(fresh_latencies),
            "fresh_canary_failures": fresh_failures,
            "fresh_canary_busy_503": len(fresh_busy),
            "fresh_canary_p50_ms": round(1000 * statistics.median(fresh_latencies), 1) if fresh_latencies else None,
            "fresh_canary_p99_ms": percentile(fresh_latencies, 0.99),
            "page_canary_requests": len(page_latencies),
            "page_canary_failures": page_failures,
            "page_canary_p99_ms": percentile(page_latencies, 0.99),
            "worker_deaths": outcome.worker_deaths,
            "hosts_contacted": len(RECORDED),
            "slowloris_dropped": f"{sum(dropped)} of {len(dropped)}",
            "dripping_bodies_dropped": f"{sum(body_dropped)} of {len(body_dropped)}",
            "worker_memory_limits": outcome.memory_limits,
            "forwarded_proto_obeyed": endpoint_named_https(base),
            "rss_before_mib": round(rss_before / 1024, 1),
            "rss_peak_mib": round(rss_peak[0] / 1024, 1),
            "seed": seed,
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def markdown(figures: dict, command: str) -> str:
    """The figures as the reliability report."""
    lines = [
        "# Reliability: fuzz and soak of the SPARQL endpoint",
        "",
        "Measured on this project's machine (2 cores, loopback only) with:",
        "",
        f"    {command}",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    for key, value in figures.items():
        if key in ("failures", "canary_failures", "fresh_canary_failures", "page_canary_failures"):
            value = len(value)
        lines.append(f"| {key.replace('_', ' ')} | {json.dumps(value) if isinstance(value, dict) else value} |")
    lines += [
        "",
        "Three fuzz clients send malformed and hostile requests (the classes of issue 12 among them:",
        "SERVICE in every spelling aimed at a recording server on loopback, unregistered functions,",
        "long operator/UNION/path chains, result-byte and CONSTRUCT bombs, FROM, a rebinding `Host`,",
        "control characters asked for as XML) while three slowloris sockets drip header lines.",
        "`failures` counts 5xx answers other than 503, dropped connections and client errors;",
        "`worker deaths` counts 'worker died' answers; `hosts contacted` counts requests the recording",
        "server received (any is a fetch on a client's behalf). The /sparql canary sends the same",
        "catalogue query every 50 ms (served by the answer cache and the fast lane after the first);",
        "the fresh canary sends it with a new comment each time, so every request needs a query worker",
        "beside the hostile ones; the page canary reads an HTML page or the API every 100 ms. All are",
        "patient clients: their latencies show whether ordinary requests kept being served, and",
        "`busy 503` counts /sparql answers 'every worker busy for the whole time limit'.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's query time limit")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--report", type=Path, help="write the figures as Markdown here")
    args = parser.parse_args()
    figures = run(args.requests, args.seconds, args.timeout, args.seed)
    print(json.dumps(figures, indent=1))
    if args.report:
        command = "python benchmarks/fuzz_endpoint.py " + " ".join(
            a for a in sys.argv[1:] if not a.startswith("--report") and a != str(args.report)
        )
        args.report.write_text(markdown(figures, command.strip()), encoding="utf-8")
    ok = (
        figures["server_alive_after"]
        and not figures["failures"]
        and not figures["canary_failures"]
        and not figures["fresh_canary_failures"]
        and not figures["page_canary_failures"]
        and figures["worker_deaths"] == 0
        and figures["hosts_contacted"] == 0
    )
    sys.stdout.flush()
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()

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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from westminster_kg.namespaces import sparql_prologue

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


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB), from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
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
        ("bad-format", {"method": "GET", "params": {"query": VALID[0], "format": "../../etc/passwd"}}),
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


def run(requests: int, seconds: float, timeout: float, seed: int) -> dict:
    """Start the server, fuzz it, measure the canary; return the figures."""
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
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/sparql", params={"query": CANARY}, timeout=2).status_code == 200:
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
        rss_peak = [rss_before]

        def canary() -> None:
            with httpx.Client(timeout=timeout * 4) as client:
                while time.monotonic() < stop and outcome.tried < requests:
                    start = time.perf_counter()
                    try:
                        response = client.get(
                            base + "/sparql",
                            params={"query": CANARY},
                            headers={"accept": "application/sparql-results+json"},
                        )
                        if response.status_code == 503:
                            canary_busy.append(time.perf_counter() - start)
                        elif response.status_code != 200:
                            canary_failures.append(f"status {response.status_code}")
                    except httpx.HTTPError as exc:
                        canary_failures.append(type(exc).__name__)
                    canary_latencies.append(time.perf_counter() - start)
                    rss_peak[0] = max(rss_peak[0], rss_kib(server.pid))
                    time.sleep(0.05)

        def fuzzer(worker: int) -> None:
            local = random.Random(seed + worker)
            with httpx.Client(timeout=timeout * 4) as client:
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
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                        outcome.failures.append(f"{name}: {status}")
                    elapsed = time.perf_counter() - start
                    with lock:
                        outcome.by_status[status] = outcome.by_status.get(status, 0) + 1
                        outcome.max_fuzz_latency = max(outcome.max_fuzz_latency, elapsed)

        threads = [threading.Thread(target=fuzzer, args=(i,)) for i in range(3)]
        threads.append(threading.Thread(target=canary))
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
            "canary_max_ms": round(1000 * max(canary_latencies), 1) if canary_latencies else None,
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
        if key in ("failures", "canary_failures"):
            value = len(value)
        lines.append(f"| {key.replace('_', ' ')} | {json.dumps(value) if isinstance(value, dict) else value} |")
    lines += [
        "",
        "Every fuzz request got a 4xx, an answer, or a time-limit error (408/503/504 are time-limit",
        "answers); `failures` counts 5xx responses (other than 503), dropped connections and timeouts",
        "of the client itself. The canary is a well-formed query sent every 50 ms by a fourth client",
        "during the whole run: its latency shows whether other clients kept being served. When three",
        "clients keep both query workers busy with queries that run to the time limit, a few canary",
        "requests wait longer than the limit for a free worker and get 503 (try again) instead:",
        "`canary busy 503` counts them. Raise `--workers` where clients are many and cores allow.",
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
    ok = figures["server_alive_after"] and not figures["failures"] and not figures["canary_failures"]
    sys.stdout.flush()
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()

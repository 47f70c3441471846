"""The query set of benchmarks/compare.py and the two external timers that measure it: wrk and hyperfine.

Every request is checked once with a plain HTTP client before it is timed (status, content type, rows),
so a store that answers fast with an error, or with fewer rows, cannot look good in the table.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
CATALOGUE_QUERY = "reforms-eroding-conventions"
ARTICLE_GRAPH = "https://w3id.org/westminster-kg/graph/article"
SPARQL_JSON = "application/sparql-results+json"
# Where a distinct query carries its counter: wrk's Lua script puts "t<thread>-<n>" here in every request
# (letters, digits and '-', which a form body carries as they are).
MARKER = "WMKGCOUNTER"
PREFLIGHT_TOKEN = "preflight"


@dataclass
class Request:
    """One kind of request: where it goes (a SPARQL query or a wmkg path) and how it is checked."""

    key: str
    label: str
    sparql: str | None = None  # POSTed as a form to the store's SPARQL endpoint
    path: str | None = None  # GET on wmkg's own base URL (wmkg only)
    accept: str = SPARQL_JSON
    stores: tuple[str, ...] = ()  # empty: every store
    expected_rows: int | None = None
    notes: list[str] = field(default_factory=list)
    distinct: bool = False  # every request a new text: ``sparql`` holds MARKER, replaced per request
    same_rows_as: str | None = None  # the key of a request whose rows this one's must equal, store by store

    @property
    def example(self) -> str | None:
        """The query text as sent once before timing (a distinct query with a fixed token)."""
        if self.sparql is None or not self.distinct:
            return self.sparql
        return self.sparql.replace(MARKER, PREFLIGHT_TOKEN)

    def applies_to(self, store: str) -> bool:
        """Whether this request is sent to ``store`` (wmkg's pages exist on wmkg only)."""
        return not self.stores or store in self.stores


def distinct_query(sparql: str, token: str = MARKER) -> str:
    """``sparql`` with a FILTER that changes with ``token`` and removes nothing: no answer cache can hold it.

    The FILTER compares the query's ``?claim`` with an IRI no data uses (``urn:wmkg:bench:distinct:TOKEN``),
    so the rows are those of ``sparql``, and the engine evaluates the comparison on every solution
    (it cannot fold it away as it could a constant one). It goes first in the outermost ``WHERE`` group,
    where a FILTER applies to the whole group.

    Raises:
        ValueError: the query has no ``WHERE {`` or no ``?claim`` to filter on.
    """
    if "?claim" not in sparql:
        raise ValueError("a distinct query needs a ?claim variable to filter on")
    where = re.search(r"\bWHERE\s*\{", sparql, re.I)
    if where is None:
        raise ValueError("a distinct query needs a WHERE { ... } group")
    at = where.end()
    return f"{sparql[:at]}\n  FILTER(?claim != <urn:wmkg:bench:distinct:{token}>){sparql[at:]}"


def query_set(catalogue_sparql: str, rows: int) -> list[Request]:
    """The requests every run measures, in table order.

    Args:
        catalogue_sparql: the catalogue query's text with its PREFIX lines, exactly as sent to every store.
        rows: the row count of the large SELECT (LIMIT); the article graph holds more triples than that.
    """
    return [
        Request("catalogue-sparql", f"`{CATALOGUE_QUERY}` via `/sparql`, repeated", sparql=catalogue_sparql),
        Request(
            "catalogue-distinct",
            f"`{CATALOGUE_QUERY}` via `/sparql`, a distinct text each request (FILTER on a counter)",
            sparql=distinct_query(catalogue_sparql),
            distinct=True,
            same_rows_as="catalogue-sparql",
        ),
        Request(
            "catalogue-api",
            f"`/api/queries/{CATALOGUE_QUERY}?government=Coalition`",
            path=f"/api/queries/{CATALOGUE_QUERY}?government=Coalition",
            accept="application/json",
            stores=("wmkg",),
        ),
        Request(
            "entity",
            "entity page `/id/haldane-convention`",
            path="/id/haldane-convention",
            accept="text/html",
            stores=("wmkg",),
        ),
        Request("ask", "`ASK { ?s ?p ?o }`", sparql="ASK { ?s ?p ?o }"),
        Request(
            "select-large",
            f"{rows:,}-row `SELECT` (one named graph, `LIMIT {rows}`)",
            sparql=f"SELECT ?s ?p ?o WHERE {{ GRAPH <{ARTICLE_GRAPH}> {{ ?s ?p ?o }} }} LIMIT {rows}",
            expected_rows=rows,
        ),
    ]


def target(request: Request, base: str, sparql_url: str) -> tuple[str, str, bytes | None, dict[str, str]]:
    """Method, URL, body and headers of ``request`` for one store."""
    headers = {"Accept": request.accept}
    if request.sparql is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return "POST", sparql_url, urlencode({"query": request.example}).encode(), headers
    return "GET", base + request.path, None, headers


def preflight(request: Request, base: str, sparql_url: str, timeout: float = 120) -> dict[str, Any]:
    """Send ``request`` once and describe the answer: status, media type, bytes, rows (or the ASK boolean)."""
    method, url, body, headers = target(request, base, sparql_url)
    try:
        response = httpx.request(method, url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return {"ok": False, "problem": f"{method} {url}: {type(exc).__name__}: {exc}"}
    info: dict[str, Any] = {
        "status": response.status_code,
        "media_type": response.headers.get("content-type", "").split(";")[0],
        "bytes": len(response.content),
        "seconds": response.elapsed.total_seconds(),
    }
    problem = None
    if response.status_code != 200:
        problem = f"{method} {url} answered {response.status_code}: {response.text[:200]!r}"
    elif request.sparql is not None:
        try:
            answer = response.json()
        except ValueError:
            answer = None
            problem = f"{method} {url} answered {info['media_type']}, not SPARQL results JSON"
        if answer is not None and "boolean" in answer:
            info["boolean"] = answer["boolean"]
            if answer["boolean"] is not True:
                problem = "ASK answered false: the store holds no data"
        elif answer is not None:
            bindings = answer.get("results", {}).get("bindings", [])
            info["rows"] = len(bindings)
            info["rows_digest"] = rows_digest(bindings)
            if request.expected_rows is not None and info["rows"] != request.expected_rows:
                problem = f"{info['rows']} rows instead of {request.expected_rows}"
    elif request.accept == "application/json":
        info["rows"] = _json_rows(response)
    info["ok"] = problem is None
    if problem:
        info["problem"] = problem
    return info


def rows_digest(bindings: list[dict[str, Any]]) -> str:
    """A digest of a SPARQL JSON result's rows, in any order: equal digests, equal rows (from one store)."""
    lines = sorted(json.dumps(row, sort_keys=True) for row in bindings)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _json_rows(response: httpx.Response) -> int | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    for key in ("rows", "results", "bindings"):
        if isinstance(answer, dict) and isinstance(answer.get(key), list):
            return len(answer[key])
    results = answer.get("results") if isinstance(answer, dict) else None
    if isinstance(results, dict) and isinstance(results.get("bindings"), list):
        return len(results["bindings"])
    return None


# wrk runs this script in each of its threads; done() runs once at the end and prints one JSON line.
WRK_SCRIPT = """
wrk.method = %(method)s
local headers = %(headers)s
for name, value in pairs(headers) do wrk.headers[name] = value end
wrk.body = %(body)s

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "errors_connect": %%d, "errors_read": %%d, ' ..
    '"errors_write": %%d, "errors_status": %%d, "errors_timeout": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

# Appended for a distinct request: each request's body is head .. "t<thread>-<n>" .. tail, so no two
# requests of a run (across wrk's threads) carry the same query text. setup() runs once per thread in
# wrk's main Lua state and numbers the threads; request() runs in each thread's own state.
WRK_DISTINCT = """
local body_head, body_tail = %(head)s, %(tail)s
local threads_made = 0
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end
local sent = 0
function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, body_head .. "t" .. (thread_number or 0) .. "-" .. sent .. body_tail)
end
"""


def _lua_string(text: str) -> str:
    # JSON string escapes are valid Lua string escapes for ASCII text (paths, headers, form bodies).
    return json.dumps(text, ensure_ascii=True)


def wrk_script(request: Request, base: str, sparql_url: str) -> tuple[str, str]:
    """The Lua script that makes wrk send ``request`` to one store, and the URL to give wrk.

    A distinct request's body is cut at its counter's place and put together anew for every request.
    """
    method, url, body, headers = target(request, base, sparql_url)
    lua_headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"
    text = body.decode("ascii") if body is not None else None
    script = WRK_SCRIPT % {
        "method": _lua_string(method),
        "headers": lua_headers,
        "body": "nil" if text is None else _lua_string(text),
    }
    if request.distinct:
        assert request.sparql is not None and text is not None
        head, tail = urlencode({"query": request.sparql}).split(MARKER)
        script += WRK_DISTINCT % {"head": _lua_string(head), "tail": _lua_string(tail)}
    return script, url


def run_wrk(
    request: Request,
    base: str,
    sparql_url: str,
    *,
    threads: int,
    connections: int,
    seconds: float,
    timeout: float,
    log: Path,
) -> dict[str, Any]:
    """Drive one store with ``wrk`` for ``seconds``; throughput, latency percentiles and errors.

    Errors are wrk's own counts: connection, read, write and timeout errors, and responses with a status
    of 400 or more ("non-2xx or 3xx"); none of the requests here ever redirects.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk not found: apt-get install -y wrk")
    text, url = wrk_script(request, base, sparql_url)
    log.parent.mkdir(parents=True, exist_ok=True)
    script = log.with_suffix(".lua")  # kept beside wrk's output: the command below can be run again
    script.write_text(text)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout:g}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60)
    log.write_text(done.stdout + done.stderr)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {url}: {(done.stderr or done.stdout).strip()[-300:]}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    if raw["requests"] == 0 or raw["max_us"] == 0:
        # Nothing finished within the duration, or only after the timeout (wrk records no latency past it):
        # its percentiles are then 0, which would read as fast.
        for key in ("p50_us", "p90_us", "p99_us", "max_us", "mean_us"):
            raw[key] = None
    duration = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in raw if k.startswith("errors_"))
    return {
        "requests": raw["requests"],
        "seconds": duration,
        "rps": raw["requests"] / duration if duration else 0.0,
        "p50_ms": _ms(raw["p50_us"]),
        "p90_ms": _ms(raw["p90_us"]),
        "p99_ms": _ms(raw["p99_us"]),
        "max_ms": _ms(raw["max_us"]),
        "mean_ms": _ms(raw["mean_us"]),
        "mb_per_s": raw["bytes"] / duration / 1e6 if duration else 0.0,
        "errors": errors,
        "errors_by_kind": {k.removeprefix("errors_"): raw[k] for k in raw if k.startswith("errors_") and raw[k]},
        "command": shlex.join([Path(command[0]).name, *command[1:-2], _relative(script), url]),
    }


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def _ms(microseconds: float | None) -> float | None:
    return None if microseconds is None else microseconds / 1000


def run_hyperfine(
    commands: dict[str, list[str]],
    runs: dict[str, int],
    warmup: dict[str, int],
    *,
    prepare: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Cold-process wall time of each command with hyperfine (``-N``: no shell in between).

    ``prepare`` names, by label, a command hyperfine runs before each run of that one (and is shown beside
    it); ``env`` is the environment of every run (default: this process's).
    """
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        raise RuntimeError("hyperfine not found: apt-get install -y hyperfine")
    results: dict[str, Any] = {}
    for label, command in commands.items():
        text = shlex.join(command)
        before = (prepare or {}).get(label)
        options = ["--warmup", str(warmup[label]), "--runs", str(runs[label])]
        options += ["--prepare", before] if before else []
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            done = subprocess.run(
                [hyperfine, "-N", "--style", "none", *options, "--export-json", export.name, text],
                capture_output=True,
                text=True,
                cwd=REPO,
                env=env,
            )
            if done.returncode != 0:
                results[label] = {"command": text, "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
                continue
            data = json.loads(Path(export.name).read_text())["results"][0]
        times = sorted(t * 1000 for t in data["times"])
        results[label] = {
            "command": text,
            "prepare": before,
            "median_ms": data["median"] * 1000,
            "mean_ms": data["mean"] * 1000,
            "min_ms": times[0],
            "max_ms": times[-1],
            "runs": len(times),
        }
        print(f"  {label}: median {results[label]['median_ms']:.0f} ms over {len(times)} runs", flush=True)
    return results

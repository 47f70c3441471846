"""The query set of benchmarks/compare.py and the two external timers that measure it: wrk and hyperfine.

Every request is checked once with a plain HTTP client before it is timed (status, content type, rows),
so a store that answers fast with an error, or with fewer rows, cannot look good in the table.
"""

from __future__ import annotations

import json
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

    def applies_to(self, store: str) -> bool:
        """Whether this request is sent to ``store`` (wmkg's pages exist on wmkg only)."""
        return not self.stores or store in self.stores


def query_set(catalogue_sparql: str, rows: int) -> list[Request]:
    """The requests every run measures, in table order.

    Args:
        catalogue_sparql: the catalogue query's text with its PREFIX lines, exactly as sent to every store.
        rows: the row count of the large SELECT (LIMIT); the article graph holds more triples than that.
    """
    return [
        Request("catalogue-sparql", f"`{CATALOGUE_QUERY}` via `/sparql`", sparql=catalogue_sparql),
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
        return "POST", sparql_url, urlencode({"query": request.sparql}).encode(), headers
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
            info["rows"] = len(answer.get("results", {}).get("bindings", []))
            if request.expected_rows is not None and info["rows"] != request.expected_rows:
                problem = f"{info['rows']} rows instead of {request.expected_rows}"
    elif request.accept == "application/json":
        info["rows"] = _json_rows(response)
    info["ok"] = problem is None
    if problem:
        info["problem"] = problem
    return info


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
local body_file = %(body_file)s
if body_file ~= "" then
  local handle = assert(io.open(body_file, "rb"))
  wrk.body = handle:read("*a")
  handle:close()
end

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


def _lua_string(text: str) -> str:
    # JSON string escapes are valid Lua string escapes for this ASCII-safe use (paths, header values).
    return json.dumps(text, ensure_ascii=True)


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
    method, url, body, headers = target(request, base, sparql_url)
    with tempfile.TemporaryDirectory(prefix="wmkg-wrk-") as scratch:
        body_file = ""
        if body is not None:
            body_file = str(Path(scratch) / "body")
            Path(body_file).write_bytes(body)
        script = Path(scratch) / "request.lua"
        lua_headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"
        script.write_text(
            WRK_SCRIPT % {"method": _lua_string(method), "headers": lua_headers, "body_file": _lua_string(body_file)}
        )
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
    log.parent.mkdir(parents=True, exist_ok=True)
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
        "command": shlex.join([Path(command[0]).name, *command[1:-3], "request.lua", url]),
    }


def _ms(microseconds: float | None) -> float | None:
    return None if microseconds is None else microseconds / 1000


def run_hyperfine(commands: dict[str, list[str]], runs: dict[str, int], warmup: dict[str, int]) -> dict[str, Any]:
    """Cold-process wall time of each command with hyperfine (``-N``: no shell in between)."""
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        raise RuntimeError("hyperfine not found: apt-get install -y hyperfine")
    results: dict[str, Any] = {}
    for label, command in commands.items():
        text = shlex.join(command)
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            done = subprocess.run(
                [
                    hyperfine,
                    "-N",
                    "--style",
                    "none",
                    "--warmup",
                    str(warmup[label]),
                    "--runs",
                    str(runs[label]),
                    "--export-json",
                    export.name,
                    text,
                ],
                capture_output=True,
                text=True,
                cwd=REPO,
            )
            if done.returncode != 0:
                results[label] = {"command": text, "error": (done.stderr.strip().splitlines() or ["?"])[-1]}
                continue
            data = json.loads(Path(export.name).read_text())["results"][0]
        times = sorted(t * 1000 for t in data["times"])
        results[label] = {
            "command": text,
            "median_ms": data["median"] * 1000,
            "mean_ms": data["mean"] * 1000,
            "min_ms": times[0],
            "max_ms": times[-1],
            "runs": len(times),
        }
        print(f"  {label}: median {results[label]['median_ms']:.0f} ms over {len(times)} runs", flush=True)
    return results

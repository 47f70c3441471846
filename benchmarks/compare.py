"""The web app against the stores people would pick instead, side by side, measured with wrk and hyperfine.

    python benchmarks/compare.py            20 s per request and store, cold CLI, RSS by worker count
    python benchmarks/compare.py --quick    4 s per request and store, fewer CLI runs (about 3 minutes)
    python benchmarks/compare.py --endpoint http://host:8890/sparql --stores none
                                            the SPARQL part of the query set against any SPARQL 1.1 store

One run loads the same data — the project's N-Quads export (``wmkg export -f nquads``) — into each store
(``wmkg serve``; the Oxigraph server it wraps, on disk and in memory; rdflib-endpoint; Virtuoso), starts
each on a free loopback port in turn (never two at once, so they do not share the cores), checks every
request once (status 200, the same rows everywhere), then drives it with ``wrk -t2 -c8`` for a fixed
time: req/s, p50/p90/p99 latency, errors (wrk's connection/read/timeout errors and status ≥ 400), and the
server's peak resident memory (VmHWM of its processes, from /proc). The catalogue query is sent twice over:
repeated (the same text every time, which answer caches serve) and distinct (a FILTER on a counter that
wrk's Lua script changes in every request, so no cache helps; the rows stay the same, and each store's
distinct answer is checked against its repeated one). Then the cold CLI with hyperfine, against
``python -c "import pyoxigraph"`` as the floor (a query from the kept store, a validate with no kept
report), and ``wmkg serve``'s memory with 1, 2 and 4 workers. At the end every figure is printed with
the command that measured it, wmkg's ratios beside each row.

Results: benchmarks/out/compare-<label>.json (ignored by git), a section of benchmarks/BENCHMARKS.md between
``<!-- compare:<label>:begin/end -->`` and benchmarks/compare-<label>.png (committed). Nothing here is a
test; load goes to 127.0.0.1 only (or to the --endpoint you name), bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCH))

from compare_load import CATALOGUE_QUERY, preflight, query_set, run_hyperfine, run_wrk  # noqa: E402
from compare_servers import (  # noqa: E402
    External,
    OxigraphServer,
    RdflibEndpoint,
    Server,
    StoreError,
    Virtuoso,
    Wmkg,
)
from host import cpu_model, memory_gb  # noqa: E402

STORES = ("wmkg", "oxigraph", "oxigraph-memory", "rdflib-endpoint", "virtuoso")
# The stores that load the N-Quads export (wmkg serve reads the project itself).
EXPORT_LOADERS = ("oxigraph", "oxigraph-memory", "rdflib-endpoint", "virtuoso")
# What a run writes: a checkout is not "dirty" because an earlier run rewrote these.
OUTPUTS = (":!benchmarks/BENCHMARKS.md", ":!benchmarks/*.png")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--quick`` fills in shorter defaults for whatever was not given."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/compare.py",
        description="wmkg serve vs the Oxigraph server vs rdflib-endpoint vs Virtuoso (and any --endpoint) "
        "on the same data, "
        "with wrk; the cold CLI with hyperfine. Writes a section of benchmarks/BENCHMARKS.md and a plot.",
    )
    parser.add_argument("--quick", action="store_true", help="a short run (about 3 minutes): 4 s per request")
    parser.add_argument(
        "--stores",
        default=",".join(STORES),
        help=f"stores to start, comma-separated, or 'none' (default {','.join(STORES)})",
    )
    parser.add_argument(
        "--endpoint",
        action="append",
        default=[],
        metavar="URL",
        help="also measure this SPARQL 1.1 endpoint's query URL (repeatable); its data is "
        "whatever it holds, so the row checks tell whether the numbers compare",
    )
    parser.add_argument(
        "--root",
        type=Path,
        help="project folder to serve and export (default: this checkout; "
        "e.g. benchmarks/out/data/1e6 from benchmarks/generate.py)",
    )
    parser.add_argument("--store", type=Path, help="wmkg serve with --store DIR (Oxigraph on disk)")
    parser.add_argument("--workers", type=int, help="wmkg serve --workers (default: wmkg's own default)")
    parser.add_argument("--label", help="names the section, plot and JSON (default: 'article', or --root's name)")
    parser.add_argument("--duration", type=float, help="seconds of wrk per request and store (default 20; quick 4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="wrk's per-request timeout in s (default 30); slower answers "
        "count as errors and their latency is not recorded",
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the large SELECT (default 10000)")
    parser.add_argument("--start-timeout", type=float, default=600.0, help="seconds a store may take to start")
    parser.add_argument(
        "--cli",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time the cold CLI with hyperfine (default on)",
    )
    parser.add_argument("--cli-runs", type=int, help="hyperfine runs per command (default 10; quick 5)")
    parser.add_argument(
        "--rss-workers",
        default=None,
        help="worker counts for wmkg serve's memory, e.g. 1,2,4 (default 1,2,4; quick: none)",
    )
    parser.add_argument("--no-report", action="store_true", help="write only the JSON, not BENCHMARKS.md/plot")
    parser.add_argument(
        "--report-from",
        type=Path,
        metavar="JSON",
        help="measure nothing: rewrite the section and plot from a run's JSON",
    )
    args = parser.parse_args(argv)
    args.stores = [] if args.stores.strip().lower() == "none" else [s.strip() for s in args.stores.split(",") if s]
    unknown = [s for s in args.stores if s not in STORES]
    if unknown:
        parser.error(f"--stores: unknown store {unknown[0]!r} (known: {', '.join(STORES)}, or none)")
    if not args.stores and not args.endpoint:
        parser.error("nothing to measure: --stores none needs at least one --endpoint URL")
    for url in args.endpoint:
        if not re.match(r"https?://[^/\s]+", url):
            parser.error(f"--endpoint {url!r}: expected an http(s) URL of a SPARQL query endpoint")
    if args.duration is None:
        args.duration = 4.0 if args.quick else 20.0
    if args.duration <= 0 or args.threads < 1 or args.connections < args.threads or args.rows < 1:
        parser.error("--duration must be positive, --threads ≥ 1, --connections ≥ --threads, --rows ≥ 1")
    if args.cli_runs is None:
        args.cli_runs = 5 if args.quick else 10
    if args.rss_workers is None:
        args.rss_workers = "" if args.quick else "1,2,4"
    try:
        args.rss_workers = [int(w) for w in args.rss_workers.split(",") if w.strip()]
    except ValueError:
        parser.error(f"--rss-workers {args.rss_workers!r}: expected worker counts like 1,2,4")
    if args.label is None:
        args.label = "article" if args.root is None else args.root.resolve().name
    if not re.fullmatch(r"[A-Za-z0-9._-]+", args.label) or args.label == "howto":
        parser.error(
            f"--label {args.label!r}: letters, digits, '.', '_' and '-' only ('howto' is the hand-written part)"
        )
    if args.root is not None and not (args.root / "queries").is_dir():
        parser.error(f"--root {args.root}: not a project folder (no queries/ inside)")
    return args


# --- what the numbers were measured on ---------------------------------------------------------


def _version(command: list[str], pattern: str) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    done = subprocess.run(command, capture_output=True, text=True)
    match = re.search(pattern, done.stdout + done.stderr)
    return match.group(1) if match else None


def machine() -> dict[str, Any]:
    """CPU, memory, versions, commit, and whether the checkout had uncommitted changes."""
    import pyoxigraph

    git = ["git", "-C", str(REPO)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no", "--", ".", *OUTPUTS], capture_output=True, text=True
    ).stdout.split("\n")
    return {
        "cpu": cpu_model(),
        "cores": len(__import__("os").sched_getaffinity(0)),
        "memory_gb": memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "wrk": _version(["wrk", "-v"], r"wrk (\S+)"),
        "hyperfine": _version(["hyperfine", "--version"], r"hyperfine (\S+)"),
        "virtuoso": _version(["virtuoso-t", "-?"], r"Version (\S+)"),
        "commit": commit,
        "dirty": [line[3:] for line in dirty if line.strip()],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": Path("/proc/loadavg").read_text().split()[:3],
    }


# --- the run ------------------------------------------------------------------------------------


def _loadavg() -> float:
    """The 1-minute load average: how busy the shared machine was around a measurement."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def _wmkg_command(args: argparse.Namespace) -> list[str]:
    command = [str(Path(sys.executable).with_name("wmkg"))]
    if args.root is not None:
        command += ["--root", str(args.root)]
    return command


def export_nquads(args: argparse.Namespace, target: Path) -> dict[str, Any]:
    """The project's N-Quads (``wmkg export -f nquads``): what the Oxigraph server, rdflib-endpoint and
    Virtuoso load."""
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [*_wmkg_command(args), "export", "-f", "nquads", "-o", str(target)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"wmkg export -f nquads failed: {done.stderr.strip()}")
    with target.open("rb") as handle:
        quads = sum(1 for line in handle if line.strip() and not line.startswith(b"#"))
    return {
        "file": str(target),
        "quads": quads,
        "export_s": time.perf_counter() - started,
        # The run's first child process, so the children's peak so far is the export's own.
        "export_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "bytes": target.stat().st_size,
    }


def catalogue_text(args: argparse.Namespace) -> str:
    """The catalogue query exactly as every store receives it: its text with PREFIX lines, no parameters."""
    from westminster_kg.catalogue import load_catalogue, with_prefixes

    root = args.root or REPO
    return with_prefixes(load_catalogue(root / "queries")[CATALOGUE_QUERY].sparql)


def start_store(name: str, args: argparse.Namespace, data: dict[str, Any]) -> Server:
    """Start (and load) one store; raises StoreError with a one-line reason."""
    if name == "wmkg":
        return Wmkg(args.root, args.store, args.workers, args.start_timeout)
    if name in ("oxigraph", "oxigraph-memory"):
        memory = name == "oxigraph-memory"
        return OxigraphServer(Path(data["file"]), OUT / "compare" / name, args.start_timeout, memory=memory)
    if name == "rdflib-endpoint":
        return RdflibEndpoint(Path(data["file"]), args.start_timeout)
    if name == "virtuoso":
        # Buffer pool sized like benchmarks/run.py: about 8 quads per 8 KB page.
        return Virtuoso(
            Path(data["file"]), OUT / "compare" / "virtuoso", max(20000, data["quads"] // 8), args.start_timeout
        )
    return External(name.split("=", 1)[1], name.split("=", 1)[0])


def measure_store(server: Server, requests: list, args: argparse.Namespace) -> dict[str, Any]:
    """Check, then drive, each request that applies to this store; then read its memory."""
    result: dict[str, Any] = {
        "kind": server.kind,
        "version": server.version,
        "command": server.command,
        "start_s": server.start_s,
        "load_s": server.load_s,
        "requests": {},
    }
    for request in requests:
        if not request.applies_to(server.name):
            continue
        check = preflight(request, server.base, server.sparql, timeout=max(args.timeout, 60))
        _check_same_rows(check, request, result["requests"])
        entry: dict[str, Any] = {"check": check}
        if check["ok"]:
            print(f"  {request.key}: wrk {args.duration:g} s ...", end="", flush=True)
            offset, load_before = server.log_offset(), _loadavg()
            entry["load"] = run_wrk(
                request,
                server.base,
                server.sparql,
                threads=args.threads,
                connections=args.connections,
                seconds=args.duration,
                timeout=args.timeout,
                log=OUT / "logs" / f"wrk-{args.label}-{server.name}-{request.key}.txt",
            )
            load = entry["load"]
            load["loadavg_before"], load["loadavg_after"] = load_before, _loadavg()
            # The server's own count of answers by status, where its access log says (uvicorn's does).
            load["statuses"] = server.statuses_since(offset)
            print(
                f" {load['rps']:,.1f} req/s, p50 {load['p50_ms'] or 0:.1f} ms, p99 {load['p99_ms'] or 0:.1f} ms, "
                f"{load['errors']} errors",
                flush=True,
            )
        else:
            print(f"  {request.key}: not timed: {check['problem']}", flush=True)
        result["requests"][request.key] = entry
    result["memory"] = server.memory()
    return result


def _check_same_rows(check: dict[str, Any], request: Any, done: dict[str, Any]) -> None:
    """Fail ``check`` when its rows differ from those of the request it must match, in the same store."""
    if not check["ok"] or request.same_rows_as is None:
        return
    reference = done.get(request.same_rows_as, {}).get("check", {})
    if "rows_digest" not in reference:
        return  # the reference was not answered: nothing to compare with
    if (check.get("rows"), check.get("rows_digest")) != (reference["rows"], reference["rows_digest"]):
        check["ok"] = False
        check["problem"] = (
            f"{check.get('rows')} rows that differ from the {reference['rows']} of {request.same_rows_as}"
        )


def measure_stores(args: argparse.Namespace, data: dict[str, Any], requests: list) -> dict[str, Any]:
    """Every store in turn: start, measure, stop."""
    results: dict[str, Any] = {}
    names = list(args.stores) + [f"endpoint-{i + 1}={url}" for i, url in enumerate(args.endpoint)]
    for name in names:
        short = name.split("=", 1)[0]
        print(f"{short}: starting ...", flush=True)
        server = None
        try:
            server = start_store(name, args, data)
            print(
                f"  answering after {server.start_s or 0:.1f} s"
                + (f", loaded in {server.load_s:.1f} s" if server.load_s else ""),
                flush=True,
            )
            results[short] = measure_store(server, requests, args)
        except (StoreError, RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"  {short} not measured: {exc}", flush=True)
            results[short] = {"error": str(exc).splitlines()[0][:300]}
        finally:
            if server is not None:
                server.stop()
    return results


def measure_rss_by_workers(args: argparse.Namespace, requests: list) -> dict[str, Any]:
    """``wmkg serve``'s memory with each worker count, after every request has been answered once."""
    results: dict[str, Any] = {}
    for workers in args.rss_workers:
        print(f"wmkg serve --workers {workers}: memory ...", flush=True)
        server = None
        try:
            server = Wmkg(args.root, args.store, workers, args.start_timeout)
            for request in requests:
                if request.applies_to("wmkg"):
                    for _ in range(workers):  # reach every worker, whichever the pool picks
                        check = preflight(request, server.base, server.sparql, timeout=max(args.timeout, 60))
                        if not check["ok"] or check["seconds"] > 5:
                            break  # a failing or slow request (big data) need not be repeated to count
            results[str(workers)] = server.memory()
            print(f"  peak {results[str(workers)]['peak_mb']:,.0f} MB", flush=True)
        except (StoreError, RuntimeError, OSError) as exc:
            results[str(workers)] = {"error": str(exc).splitlines()[0][:300]}
        finally:
            if server is not None:
                server.stop()
    return results


def measure_cli(args: argparse.Namespace) -> dict[str, Any]:
    """Cold processes with hyperfine: the import floor, a catalogue query as CSV, a fresh validate.

    The CLI runs with a cache folder of its own (``XDG_CACHE_HOME``, under benchmarks/out/): the query's
    warm-up run builds the kept store there, which the timed runs then open, as every ``wmkg query`` after
    the first does; ``validate`` has its kept report removed before each run, so every run validates.
    """
    import os

    wmkg = _wmkg_command(args)
    cache = OUT / "cli-cache"
    commands = {
        "floor": [sys.executable, "-c", "import pyoxigraph"],
        "query": [*wmkg, "query", CATALOGUE_QUERY, "-f", "csv"],
        "validate": [*wmkg, "validate"],
    }
    runs = {"floor": args.cli_runs, "query": args.cli_runs, "validate": 1 if args.quick else 3}
    prepare = {"validate": f"rm -rf {cache / 'westminster-kg' / 'validate'}"}
    print(f"cold CLI (hyperfine, XDG_CACHE_HOME={cache}):", flush=True)
    # validate is slow enough that a warm-up run would only double its cost; the query run warms the caches.
    results = run_hyperfine(
        commands,
        runs,
        warmup={"floor": 1, "query": 1, "validate": 0},
        prepare=prepare,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    )
    for result in results.values():
        result["env"] = f"XDG_CACHE_HOME={_relative(cache)}"
    return results


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> None:
    """Run the comparison and write its report."""
    args = parse_args(argv)
    from compare_report import plot, write_section
    from compare_targets import summary

    if args.report_from is not None:
        results = json.loads(args.report_from.read_text())
        plot(results, BENCH / f"compare-{results['label']}.png")
        write_section(results, BENCH / "BENCHMARKS.md")
        print(summary(results))
        print(f"rewrote section {results['label']} of benchmarks/BENCHMARKS.md from {args.report_from}")
        return

    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "command": "python " + " ".join(["benchmarks/compare.py", *(sys.argv[1:] if argv is None else argv)]),
        "label": args.label,
        "machine": machine(),
        "settings": {
            "duration_s": args.duration,
            "threads": args.threads,
            "connections": args.connections,
            "timeout_s": args.timeout,
            "rows": args.rows,
            "workers": args.workers,
            "store": str(args.store) if args.store else None,
            "root": str(args.root) if args.root else None,
        },
    }
    needs_export = any(s in args.stores for s in EXPORT_LOADERS)
    data = export_nquads(args, OUT / "compare" / f"{args.label}.nq") if needs_export else {"quads": None}
    results["data"] = data
    requests = query_set(catalogue_text(args), args.rows)
    results["requests"] = {
        r.key: {
            "label": r.label,
            "sparql": r.example,
            "path": r.path,
            "stores": r.stores,
            "distinct": r.distinct,
            "same_rows_as": r.same_rows_as,
        }
        for r in requests
    }
    results["stores"] = measure_stores(args, data, requests)
    results["rss_repeats"] = "sent once per worker, one at a time (a request that failed or took over 5 s: once)"
    results["rss_by_workers"] = measure_rss_by_workers(args, requests) if "wmkg" in args.stores else {}
    results["cli"] = measure_cli(args) if args.cli else {}
    results["machine"]["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    results["total_s"] = time.perf_counter() - started
    target = OUT / f"compare-{args.label}.json"
    target.write_text(json.dumps(results, indent=1))
    print(summary(results), flush=True)
    print(f"wrote {target}", flush=True)
    if not args.no_report:
        plot(results, BENCH / f"compare-{args.label}.png")
        write_section(results, BENCH / "BENCHMARKS.md")
        print(
            f"wrote benchmarks/BENCHMARKS.md (section {args.label}) and benchmarks/compare-{args.label}.png "
            f"in {results['total_s'] / 60:.1f} min",
            flush=True,
        )


if __name__ == "__main__":
    main()

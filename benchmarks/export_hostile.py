"""Export time on hostile blank-node graphs: ``wmkg export`` and the first ``/download`` (issue 23).

RDFC-1.0, the canonicalisation that names blank nodes in dumps, takes time exponential in the size of
a group of blank nodes it cannot tell apart: a clique of 10 (90 triples) took over 90 s. Each case
below is put into a copy of the real graph, then timed in a subprocess that is killed at ``--hang``
seconds (a killed run reports ``> HANG``):

* ``raw``: the file placed in ``imports/`` by hand (as an import written before skolemisation, or
  edited), so the dump's own work bound is what keeps export bounded;
* ``import``: the same file through ``wmkg import``, which names blank nodes by skolem IRIs.

With ``--download``, a server is started on the raw clique and ``/download`` is asked for while a
canary reads ``/api/queries`` every 100 ms: the first dump's time and the canary's worst latency.

    python benchmarks/export_hostile.py --sizes 6 8 10 --hang 120 --download --report docs/export-hostile.md

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
GRAPH = "https://w3id.org/westminster-kg/graph/import/hostile"
KNOWS = "<http://example.org/knows>"


def clique(size: int, copies: int = 1) -> str:
    """N-Quads of ``copies`` cliques of ``size`` blank nodes, every node pointing to every other."""
    lines = []
    for copy in range(copies):
        nodes = [f"_:c{copy}n{i}" for i in range(size)]
        lines += [f"{a} {KNOWS} {b} <{GRAPH}> ." for a in nodes for b in nodes if a != b]
    return "\n".join(lines) + "\n"


def project(target: Path) -> Path:
    """A copy of the real graph (its curated blank nodes included) to add the hostile import to."""
    for folder in ("ontology", "queries", "graph"):
        shutil.copytree(REPO / folder, target / folder)
    (target / "imports").mkdir()
    return target


def wmkg(*args: str) -> list[str]:
    """The command line of ``wmkg ARGS`` in this interpreter."""
    return [sys.executable, "-m", "westminster_kg.cli", *args]


def child_cpu() -> float:
    """CPU seconds (user and system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], hang: float) -> tuple[float | None, float, str]:
    """Wall seconds of ``command`` (``None`` when killed at ``hang``), its CPU seconds (which a busy
    machine does not inflate), and what became of it."""
    started, cpu = time.perf_counter(), child_cpu()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=hang)
    except subprocess.TimeoutExpired:
        return None, child_cpu() - cpu, "killed"
    seconds, cpu = time.perf_counter() - started, child_cpu() - cpu
    if done.returncode != 0:
        return seconds, cpu, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    if "look too much alike" in done.stderr:
        return seconds, cpu, "blank nodes numbered by the fallback (warned)"
    return seconds, cpu, ""


def export_case(name: str, text: str, how: str, hang: float) -> dict:
    """Place ``text`` as the hostile import (``how``: raw or import) and time ``wmkg export``."""
    with tempfile.TemporaryDirectory(prefix="wmkg-bench-") as folder:
        root = project(Path(folder) / "root")
        source = Path(folder) / "hostile.nq"
        source.write_text(text, encoding="utf-8")
        note = "RDFC-1.0"
        if how == "raw":
            shutil.copy(source, root / "imports" / "hostile.nq")
        else:
            seconds, _, note = timed(wmkg("--root", str(root), "import", str(source), "--graph", "hostile"), hang)
            if seconds is None or note.startswith("failed"):
                row = {"case": name, "how": how, "triples": text.count("\n"), "seconds": None, "cpu": None}
                return {**row, "note": note}
            note = "no blank nodes left: `wmkg import` gave them IRIs"
        output = str(Path(folder) / "out.nq")
        seconds, cpu, exported = timed(wmkg("--root", str(root), "export", "-f", "nquads", "-o", output), hang)
        row = {"case": name, "how": how, "triples": text.count("\n"), "seconds": seconds, "cpu": round(cpu, 1)}
        return {**row, "note": exported or note}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def download_case(size: int, hang: float) -> dict:
    """A server over the raw clique of ``size``: the first /download's time and a canary's worst wait."""
    with tempfile.TemporaryDirectory(prefix="wmkg-bench-") as folder:
        root = project(Path(folder) / "root")
        (root / "imports" / "hostile.nq").write_text(clique(size), encoding="utf-8")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = tempfile.TemporaryFile(mode="w+")
        server = subprocess.Popen(
            wmkg("--root", str(root), "serve", "--port", str(port)), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/api/queries", timeout=10).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            else:
                raise SystemExit("the server did not start")
            latencies: list[float] = []
            failures: list[str] = []
            done = threading.Event()

            def canary() -> None:
                while not done.is_set():
                    started = time.perf_counter()
                    try:
                        status = httpx.get(base + "/api/queries", timeout=hang).status_code
                        if status != 200:
                            failures.append(str(status))
                    except httpx.HTTPError as exc:
                        failures.append(type(exc).__name__)
                    latencies.append(time.perf_counter() - started)
                    time.sleep(0.1)

            thread = threading.Thread(target=canary)
            thread.start()
            started = time.perf_counter()
            try:
                status = str(httpx.get(base + "/download", timeout=hang).status_code)
                seconds: float | None = time.perf_counter() - started
            except httpx.HTTPError as exc:
                status, seconds = type(exc).__name__, None
            done.set()
            thread.join()
            return {
                "size": size,
                "download_status": status,
                "download_seconds": seconds,
                "canary_requests": len(latencies),
                "canary_failures": len(failures),
                "canary_max_ms": round(1000 * max(latencies), 1) if latencies else None,
            }
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()  # SIGTERM ignored: itself a finding
                server.wait()


def show(seconds: float | None, hang: float) -> str:
    return f"> {hang:g} (killed)" if seconds is None else f"{seconds:.1f}"


def markdown(exports: list[dict], downloads: list[dict], hang: float, command: str) -> str:
    """The figures as a Markdown section."""
    lines = [f"    {command}", "", "| case | written | triples | `wmkg export -f nquads` s | CPU s | note |"]
    lines.append("|---|---|---|---|---|---|")
    for row in exports:
        seconds = show(row["seconds"], hang)
        lines.append(f"| {row['case']} | {row['how']} | {row['triples']} | {seconds} | {row['cpu']} | {row['note']} |")
    if downloads:
        lines += ["", "| clique | first /download s | status | canary requests | canary failures | canary max ms |"]
        lines.append("|---|---|---|---|---|---|")
        for row in downloads:
            lines.append(
                f"| {row['size']} | {show(row['download_seconds'], hang)} | {row['download_status']} | "
                f"{row['canary_requests']} | {row['canary_failures']} | {row['canary_max_ms']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the cases and print (or write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[6, 8, 10], help="clique sizes (blank nodes)")
    parser.add_argument("--copies", type=int, default=2000, help="copies of a 6-clique in the 'many' case (0: none)")
    parser.add_argument("--hang", type=float, default=120.0, help="seconds after which a run is killed")
    parser.add_argument("--how", nargs="+", default=["raw", "import"], choices=["raw", "import"])
    parser.add_argument("--download", action="store_true", help="also time /download on a server")
    parser.add_argument("--report", type=Path, help="write the Markdown here")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    cases = [("none (the curated graph)", "")] if "raw" in args.how else []
    cases += [(f"clique of {n}", clique(n)) for n in args.sizes]
    if args.copies:
        cases.append((f"{args.copies} cliques of 6", clique(6, args.copies)))
    exports = []
    for name, text in cases:
        for how in args.how:
            if not text and how == "import":
                continue
            row = export_case(name, text, how, args.hang)
            print(row, flush=True)
            exports.append(row)
    downloads = []
    if args.download:
        for size in args.sizes:
            row = download_case(size, args.hang)
            print(row, flush=True)
            downloads.append(row)
    command = "python benchmarks/export_hostile.py " + " ".join(sys.argv[1:])
    text = markdown(exports, downloads, args.hang, command)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

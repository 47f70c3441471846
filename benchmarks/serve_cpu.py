"""CPU per fresh SPARQL query in ``wmkg serve``: the server process and its query workers, apart.

Wall-clock throughput on a shared machine measures the other load as much as the server; CPU time per
request does not (much). This starts ``wmkg serve`` on this checkout's graph, sends ``--requests``
distinct catalogue queries (``compare.py``'s *distinct* request: a FILTER on a counter, so no answer
cache helps) over ``--connections`` keep-alive connections, and reads utime+stime of every process
in the server's tree from ``/proc/<pid>/stat`` before and after:

    python benchmarks/serve_cpu.py --requests 2000 --connections 8

To compare two trees of the code under the same load, run it with ``PYTHONPATH=<tree>/src``
alternately. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from compare_load import CATALOGUE_QUERY, MARKER, distinct_query
from compare_servers import free_port

REPO = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(root: int) -> dict[int, int]:
    """utime+stime (clock ticks) of ``root`` and every process below it, by PID."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        found[pid] = table[pid][1]
        frontier += [child for child, (parent, _) in table.items() if parent == pid]
    return found


def send(connection: http.client.HTTPConnection, sparql: str, token: str) -> bytes:
    """POST one distinct query as a form; its JSON answer (a non-200 stops the run)."""
    body = urllib.parse.urlencode({"query": sparql.replace(MARKER, token)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
    connection.request("POST", "/sparql", body, headers)
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"{response.status}: {data[:300]!r}")
    return data


def measure(port: int, server: int, sparql: str, requests: int, connections: int) -> None:
    """Warm every worker, then send the requests and print CPU ms per request, process by process."""
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    answer = b""
    for i in range(20):
        answer = send(warm, sparql, f"warm{i}")
    print(f"answer: {len(answer)} bytes, {len(json.loads(answer)['results']['bindings'])} rows")
    each = requests // connections

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(each):
            send(connection, sparql, f"c{number}-{i}")

    before, started = cpu_ticks(server), time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, after = time.monotonic() - started, cpu_ticks(server)
    sent = each * connections
    print(f"{sent} requests over {connections} connections in {wall:.1f} s; load average {os.getloadavg()}")
    total = 0.0
    for pid in sorted(after):
        ms = (after[pid] - before.get(pid, 0)) / TICKS * 1000 / sent
        total += ms
        role = "server" if pid == server else "spawner or worker"
        print(f"  {pid:>7}  {ms:6.2f} ms/request  {role}")
    print(f"  total    {total:6.2f} ms/request")


def main() -> None:
    """Start ``wmkg serve``, measure, stop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    from westminster_kg.catalogue import load_catalogue, with_prefixes

    sparql = distinct_query(with_prefixes(load_catalogue(REPO / "queries")[CATALOGUE_QUERY].sparql))
    port = free_port()
    wmkg = Path(sys.executable).with_name("wmkg")
    command = [str(wmkg), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        for _ in range(600):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/favicon.ico")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        measure(port, server.pid, sparql, args.requests, args.connections)
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)


if __name__ == "__main__":
    main()

"""Entity pages against a catalogue query: requests per second and bytes, on loopback.

    python benchmarks/entity_pages.py [--requests 200] [--clients 4]

Starts the web app on a free 127.0.0.1 port with the real graph, warms both paths once, then sends
a bounded number of requests from a few client threads to each path in turn and prints requests/s
and the median page size. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import uvicorn

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings, create_app

PATHS = {
    "entity page /id/haldane-convention": "/id/haldane-convention",
    "entity page /id/coalition-government-2010-2015": "/id/coalition-government-2010-2015",
    "catalogue query reforms-eroding-conventions": "/api/queries/reforms-eroding-conventions?government=Coalition",
}


def main() -> None:
    """Run the comparison and print one line per path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(KnowledgeGraph.load(), settings=Settings(workers=2)), port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60, headers={"Accept": "text/html"}) as client:
            for path in PATHS.values():
                client.get(path).raise_for_status()  # warm: the network projection is built once
            for name, path in PATHS.items():
                sizes: list[int] = []

                def fetch(_: int, path: str = path, sizes: list[int] = sizes) -> None:
                    response = client.get(path)
                    response.raise_for_status()
                    sizes.append(len(response.content))

                started = time.perf_counter()
                with ThreadPoolExecutor(args.clients) as pool:
                    list(pool.map(fetch, range(args.requests)))
                elapsed = time.perf_counter() - started
                print(f"{name}: {args.requests / elapsed:.0f} requests/s, {statistics.median(sizes) / 1000:.1f} kB")
    finally:
        server.should_exit = True
        thread.join(30)


if __name__ == "__main__":
    main()

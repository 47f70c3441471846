"""Our web app on a real loopback port, in a thread of the test process, for as long as a test needs it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings, create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    kg: KnowledgeGraph
    settings: Settings


def start_server(kg: KnowledgeGraph, settings: Settings, **config: object) -> Iterator[RunningServer]:
    """Run the app in a thread on a free loopback port until the generator is closed.

    ``config``: more ``uvicorn.Config`` options (``wmkg serve`` adds ``uvicorn_options()``).
    """
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(kg, settings=settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on", **config
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server thread died"
        time.sleep(0.05)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", kg, settings)
    finally:
        server.should_exit = True
        thread.join(30)

"""Servers on real loopback ports: our web app (uvicorn, in a thread of the test process) and plain
``http.server`` handlers standing in for another site, for as long as a test needs them."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings, create_app

# One TLS context for every request a test sends: httpx.request would build a new one per call (~60 ms of
# CPU, reading certifi's bundle). Loopback is plain HTTP, so it is never used; each request still gets its
# own client and connection, as before.
TLS = httpx.create_ssl_context()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Verbs:
    """``site`` and ``get``, ``post``, ``head``, ``options`` over the ``request`` of a server or an in-process app,
    so a test reads the same against either."""

    app: Any

    @property
    def site(self) -> Any:
        """The app's ``Site`` (its snapshot, cache and pool)."""
        return self.app.state.web

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        raise NotImplementedError

    def get(self, path: str, **options: Any) -> httpx.Response:
        """GET ``path``."""
        return self.request("GET", path, **options)

    def post(self, path: str, **options: Any) -> httpx.Response:
        """POST to ``path``."""
        return self.request("POST", path, **options)

    def head(self, path: str, **options: Any) -> httpx.Response:
        """HEAD ``path``."""
        return self.request("HEAD", path, **options)

    def options(self, path: str, **options: Any) -> httpx.Response:
        """OPTIONS ``path``."""
        return self.request("OPTIONS", path, **options)


@dataclass
class RunningServer(Verbs):
    """Our app on ``url``; ``get``/``post``/``head``/``request`` take paths, as ``support.app.InProcessApp``'s do."""

    url: str
    kg: KnowledgeGraph
    settings: Settings
    app: Any = None

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """``method`` on ``path`` over a new connection (60 s unless ``timeout`` says otherwise)."""
        options.setdefault("timeout", 60)
        options.setdefault("verify", TLS)
        return httpx.request(method, self.url + path, **options)


def start_server(kg: KnowledgeGraph, settings: Settings, **config: object) -> Iterator[RunningServer]:
    """Run the app in a thread on a free loopback port until the generator is closed.

    ``config``: more ``uvicorn.Config`` options (``wmkg serve`` adds ``uvicorn_options()``).
    """
    port = free_port()
    app = create_app(kg, settings=settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        assert thread.is_alive(), "the server thread died"
        time.sleep(0.05)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", kg, settings, app)
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def serving(kg: KnowledgeGraph, settings: Settings, **config: object) -> Iterator[RunningServer]:
    """``start_server`` as a ``with`` block."""
    yield from start_server(kg, settings, **config)


@contextmanager
def http_server_on_loopback(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on a free 127.0.0.1 port, serving ``handler``; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pool_answer(pool: object, sparql: str, *, timeout: float, max_rows: int, lane: str = "any") -> tuple:
    """``(result, truncated)`` of ``sparql`` answered by a ``QueryPool`` under these limits."""
    from westminster_kg.web.jobs import Limits, QueryJob

    answer = pool.run(QueryJob(sparql, limits=Limits(timeout=timeout, max_rows=max_rows)), lane=lane)  # type: ignore[attr-defined]
    return answer.result(), answer.truncated

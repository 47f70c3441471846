"""The web app answered in this process, through its ASGI interface: no socket, no uvicorn, no thread pool
of connections, the same routes, middleware, response cache and query workers.

For tests whose subject is what the app answers (content negotiation, formats, refusals, the cache,
pages and the API). Tests about HTTP itself (real clients, slow or dripping connections, connection
limits, forwarded headers) use ``support.servers.start_server`` on loopback instead. Both objects
offer ``get``/``post``/``head``/``request`` with paths, so a test reads the same against either.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from support.servers import RunningServer, Verbs, free_port
from westminster_kg import KnowledgeGraph
from westminster_kg.web import Settings, create_app

# Where the in-process app believes it is reached (a loopback address, as `wmkg serve` binds by default).
BASE_URL = "http://127.0.0.1:8000"


@dataclass
class InProcessApp(Verbs):
    """The app over ``kg`` with ``settings``, and a client that calls it in this process."""

    client: Any  # starlette.testclient.TestClient
    kg: KnowledgeGraph
    settings: Settings
    app: Any
    url: str = BASE_URL

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """``method`` on ``path`` (``timeout`` is accepted and ignored: nothing waits on a socket)."""
        options.pop("timeout", None)
        return self.client.request(method, path, **options)


@contextmanager
def app_in_process(kg: KnowledgeGraph, settings: Settings) -> Iterator[InProcessApp]:
    """The app with its lifespan run (query workers started, stopped on exit), called in this process."""
    with warnings.catch_warnings():
        # starlette 1.x asks for httpx2 and still works with httpx, which the package depends on.
        warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient

    app = create_app(kg, settings=settings)
    # Redirects are not followed (as httpx does not), and the client's address is loopback's.
    client = TestClient(app, base_url=BASE_URL, follow_redirects=False, client=("127.0.0.1", 50000))
    with client:
        yield InProcessApp(client, kg, settings, app)


@contextmanager
def on_loopback(app: InProcessApp) -> Iterator[RunningServer]:
    """``app`` also served by uvicorn on a free loopback port, for a client that needs a socket (Chromium).

    uvicorn runs on the event loop the in-process client already runs the app on (its lifespan is not run
    again): one app, with one response cache, one pool of query workers and one set of dumps, answers both.
    """
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    serving = app.client.portal.start_task_soon(server.serve)
    deadline = time.monotonic() + 120
    while not server.started:
        if serving.done():
            serving.result()  # raises what stopped it
            raise AssertionError("the loopback server stopped before it started")
        assert time.monotonic() < deadline, "the loopback server did not start"
        time.sleep(0.02)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", app.kg, app.settings, app.app)
    finally:
        server.should_exit = True
        serving.result(timeout=30)

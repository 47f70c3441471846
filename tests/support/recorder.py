"""A loopback HTTP server that records every request it gets: the proof that nothing called out."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Recording:
    """The recorder's base URL and the paths of the requests it got."""

    url: str
    hits: list[str] = field(default_factory=list)


@contextmanager
def recording_server() -> Iterator[Recording]:
    """A real HTTP server on a free 127.0.0.1 port answering every GET/POST with an empty SPARQL result."""
    recording = Recording("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's interface
            recording.hits.append(self.path)
            self.send_response(200)
            self.send_header("content-type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[]}}')

        do_POST = do_GET  # noqa: N815 - http.server's interface

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    recording.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield recording
    finally:
        server.shutdown()
        server.server_close()

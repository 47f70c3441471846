"""The --endpoint client gives up (issue 12 item 5): an overall deadline, a response-size limit, no
redirects to another host, one-line errors. Every server here is a real one on 127.0.0.1."""

from __future__ import annotations

import http.server
import time

import pytest
from support import http_server_on_loopback, wmkg

from westminster_kg.errors import StoreError
from westminster_kg.store.endpoint import EndpointStore

ASK = "ASK { ?s ?p ?o }"


class Drip(http.server.BaseHTTPRequestHandler):
    """Answers 200 and then one byte every half second, for ever (until the client leaves)."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's interface
        self.send_response(200)
        self.send_header("content-type", "application/sparql-results+json")
        self.end_headers()
        try:
            for _ in range(600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            return

    def log_message(self, *args: object) -> None:
        pass


class Endless(Drip):
    """Answers 200 with an endless body as fast as it can (bounded here at 2 GB, never reached)."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's interface
        self.send_response(200)
        self.send_header("content-type", "application/sparql-results+json")
        self.end_headers()
        block = b"[" * 65536
        try:
            for _ in range(32768):
                self.wfile.write(block)
        except OSError:
            return


class Elsewhere(Drip):
    """Redirects every query to another host (307 keeps the POST body)."""

    target = "http://localhost:9/sparql"

    def do_POST(self) -> None:  # noqa: N802 - http.server's interface
        self.send_response(307)
        self.send_header("location", Elsewhere.target)
        self.end_headers()


@pytest.mark.slow  # waits out the deadline
def test_a_dripping_server_meets_the_overall_deadline() -> None:
    with http_server_on_loopback(Drip) as url:
        store = EndpointStore(url + "/sparql", timeout=30, deadline=1)
        with pytest.raises(StoreError, match=r"no complete answer within the 1 s deadline") as caught:
            store.query(ASK)
        assert "\n" not in str(caught.value)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_an_endless_answer_is_cut_at_the_size_limit() -> None:
    with http_server_on_loopback(Endless) as url:
        store = EndpointStore(url + "/sparql", max_response_bytes=1_000_000)
        with pytest.raises(StoreError, match=r"over 1000000 bytes"):
            store.query(ASK)


@pytest.mark.slow  # 0.2 s or more: over the fast tier's share (20 s for all of it)
def test_a_redirect_to_another_host_is_not_followed() -> None:
    with http_server_on_loopback(Elsewhere) as url:
        store = EndpointStore(url + "/sparql")
        with pytest.raises(StoreError, match=r"redirects to another host \(http://localhost\): refused"):
            store.query(ASK)


@pytest.mark.slow  # waits out the deadline
def test_the_command_line_limits_are_stated_and_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # The options are the subject, not the process: the CLI in this process (its help, error line and exit code).
    # The command sets its limits on EndpointStore itself: put them back after the test.
    monkeypatch.setattr(EndpointStore, "deadline", EndpointStore.deadline)
    monkeypatch.setattr(EndpointStore, "max_response_bytes", EndpointStore.max_response_bytes)
    help_text = wmkg("--help").stdout
    assert "--endpoint-deadline" in help_text and "--endpoint-max-bytes" in help_text and "default: 120" in help_text
    with http_server_on_loopback(Drip) as url:
        done = wmkg("--endpoint", url + "/sparql", "--endpoint-deadline", "1", "query", "--sparql", ASK)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "deadline" in done.stderr

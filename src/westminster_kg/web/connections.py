"""How ``wmkg serve`` treats connections: header, body and keep-alive timeouts, and how many at once.

uvicorn closes idle keep-alive connections but has no limit on how long a client may take to send a
request: a client dripping one byte at a time ("slowloris") would hold its connection for ever, and a
hundred of them take every connection the server allows. ``TimelyH11Protocol`` closes a connection
whose next request's headers are not complete within ``HEADER_TIMEOUT`` seconds, or whose body is not
complete within ``BODY_TIMEOUT`` seconds of its headers, and refuses a client address more than
``MAX_CONNECTIONS_PER_CLIENT`` connections at once; ``uvicorn_options`` sets the rest.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # seconds for a request line and headers to arrive, from the first byte or idle
BODY_TIMEOUT = 10.0  # seconds for a request's body to arrive after its headers (1 MB at 100 KB/s)
MAX_CONNECTIONS_PER_CLIENT = 20  # connections one client address may hold at once
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle keep-alive connection stays open
MAX_CONNECTIONS = 100  # connections and requests in flight; beyond it uvicorn answers 503
MAX_HEADER_BYTES = 64 * 1024  # a request line and headers larger than this get 400


class TimelyH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus deadlines for each request's headers and body and a per-client limit."""

    header_timeout = HEADER_TIMEOUT
    body_timeout = BODY_TIMEOUT
    per_client = MAX_CONNECTIONS_PER_CLIENT
    open_by_client: ClassVar[Counter[str]] = Counter()  # the event loop is one thread: no lock needed

    def connection_made(self, transport: Any) -> None:  # noqa: D102 - uvicorn's interface
        super().connection_made(transport)
        self._header_timer: Any = None
        self._body_timer: Any = None
        self._body_cycle: Any = None
        peer = transport.get_extra_info("peername")
        self._peer = str(peer[0]) if peer else ""
        self.open_by_client[self._peer] += 1
        if self.open_by_client[self._peer] > self.per_client:
            # One client may not hold every connection the server allows (the others would get 503).
            transport.close()
            return
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:  # noqa: D102 - uvicorn's interface
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm_header_timer()
        super().data_received(data)
        cycle = self.cycle
        if cycle is not None and cycle is not self._body_cycle and cycle.more_body and not cycle.response_complete:
            # A new request whose headers are in and whose body is not: its body gets a deadline too.
            self._body_cycle = cycle
            if self._body_timer is not None:
                self._body_timer.cancel()
            self._body_timer = self.loop.call_later(self.body_timeout, self._body_deadline, cycle)

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: D102 - uvicorn's interface
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None
        self.open_by_client[self._peer] -= 1
        if self.open_by_client[self._peer] <= 0:
            del self.open_by_client[self._peer]
        super().connection_lost(exc)

    def _body_deadline(self, cycle: Any) -> None:
        self._body_timer = None
        if self.cycle is cycle and cycle.more_body and not self.transport.is_closing():
            # The body did not arrive in time: drop the connection; the app sees the client leave.
            self.transport.close()

    def _arm_header_timer(self) -> None:
        waiting_after = self.cycle  # the request before the one whose headers we wait for
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_deadline, waiting_after)

    def _header_deadline(self, waiting_after: Any) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is waiting_after:
            # No new request's headers were read in time: drop the connection (nothing to answer yet).
            self.transport.close()
        elif self.cycle is not None and self.cycle.response_complete:
            self._arm_header_timer()  # between requests: the next one's headers get the same deadline


def uvicorn_options(
    header_timeout: float = HEADER_TIMEOUT,
    forwarded_allow_ips: list[str] | None = None,
    *,
    body_timeout: float = BODY_TIMEOUT,
    per_client: int = MAX_CONNECTIONS_PER_CLIENT,
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: the protocol above (with its deadlines and per-client limit)
    and the server's limits.

    ``X-Forwarded-Proto``/``X-Forwarded-For`` are read only from the proxies named in ``forwarded_allow_ips``
    (``wmkg serve --forwarded-allow-ips``): uvicorn trusts them from 127.0.0.1 by default, so any local
    client could make the service description and VoID name ``https://`` for everyone after it.
    """
    protocol = TimelyH11Protocol
    chosen = {"header_timeout": header_timeout, "body_timeout": body_timeout, "per_client": per_client}
    if any(getattr(protocol, name) != value for name, value in chosen.items()):
        protocol = type("TimelyH11Protocol", (TimelyH11Protocol,), chosen)
    proxies = [ip for ip in forwarded_allow_ips or [] if ip.strip()]
    return {
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "http": protocol,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "limit_concurrency": MAX_CONNECTIONS,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "timeout_graceful_shutdown": 5,
    }


__all__ = [
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "MAX_CONNECTIONS",
    "MAX_CONNECTIONS_PER_CLIENT",
    "TimelyH11Protocol",
    "uvicorn_options",
]

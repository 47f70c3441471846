"""How ``wmkg serve`` treats connections: header and keep-alive timeouts, and how many at once.

uvicorn closes idle keep-alive connections but has no limit on how long a client may take to send a
request's headers: a client dripping one header byte at a time ("slowloris") would hold its connection
for ever. ``TimelyH11Protocol`` closes a connection whose next request's headers are not complete within
``HEADER_TIMEOUT`` seconds; ``uvicorn_options`` sets the rest.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # seconds for a request line and headers to arrive, from the first byte or idle
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle keep-alive connection stays open
MAX_CONNECTIONS = 100  # connections and requests in flight; beyond it uvicorn answers 503
MAX_HEADER_BYTES = 64 * 1024  # a request line and headers larger than this get 400


class TimelyH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for each request's headers."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: Any) -> None:  # noqa: D102 - uvicorn's interface
        super().connection_made(transport)
        self._header_timer: Any = None
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:  # noqa: D102 - uvicorn's interface
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm_header_timer()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: D102 - uvicorn's interface
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

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
    header_timeout: float = HEADER_TIMEOUT, forwarded_allow_ips: list[str] | None = None
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: the protocol above (with ``header_timeout``) and the limits.

    ``X-Forwarded-Proto``/``X-Forwarded-For`` are read only from the proxies named in ``forwarded_allow_ips``
    (``wmkg serve --forwarded-allow-ips``): uvicorn trusts them from 127.0.0.1 by default, so any local
    client could make the service description and VoID name ``https://`` for everyone after it.
    """
    protocol = TimelyH11Protocol
    if header_timeout != protocol.header_timeout:
        protocol = type("TimelyH11Protocol", (TimelyH11Protocol,), {"header_timeout": header_timeout})
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


__all__ = ["HEADER_TIMEOUT", "MAX_CONNECTIONS", "TimelyH11Protocol", "uvicorn_options"]

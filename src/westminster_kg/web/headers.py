"""The outermost layer of the web app: Host check, arrival time, security headers on every response.

* ``Host`` must name the address the server listens on (or a configured public name): a page on another
  site that rebinds its own DNS name to 127.0.0.1 then gets 421, not our data or our query workers.
* Each request is stamped with its arrival time (``request.state.arrived``): time limits count from it.
* Every response carries a Content-Security-Policy header (``frame-ancestors 'none'``: no other site may
  frame our pages), ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The pages set a stricter policy of their own in a <meta> tag (the browser applies both); the header adds
# what a meta tag cannot carry (frame-ancestors) and covers every other response too.
PAGE_POLICY = (
    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src data:; frame-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def allowed_hosts(host: str, port: int, public_names: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The ``Host`` header values a server bound to ``host``:``port`` answers.

    Loopback binds answer their own address and ``localhost``; a wildcard bind (``0.0.0.0``, ``::``)
    answers any IP literal (DNS rebinding needs a DNS name, which an IP literal is not) plus
    ``public_names``. A name is accepted with or without the port.
    """
    names = {host, *public_names}
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or (address is not None and address.is_loopback):
        names |= {"localhost", "127.0.0.1", "[::1]"}
    if address is not None and address.version == 6:
        names.add(f"[{host}]")
    if address is not None and address.is_unspecified:
        names.add("*ip")
    hosts = []
    for name in sorted(names):
        hosts += [name, f"{name}:{port}"]
    return hosts


def _is_ip_literal(host: str) -> bool:
    name = host
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name
    else:
        name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class SecurityMiddleware:
    """Pure ASGI middleware (no body buffering): see the module docstring."""

    def __init__(self, app: ASGIApp, hosts: list[str] | None = None) -> None:
        self.app = app
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["arrived"] = time.monotonic()
        if self.hosts is not None:
            host = ""
            for key, value in scope.get("headers", []):
                if key == b"host":
                    host = value.decode("latin-1").strip().lower()
                    break
            wildcard_ok = "*ip" in self.hosts and _is_ip_literal(host)
            if host not in self.hosts and not wildcard_ok:
                await _misdirected(host, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {key.lower() for key, _ in headers}
                media = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                policy = PAGE_POLICY if media.startswith(b"text/html") else OTHER_POLICY
                for key, value in (
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ):
                    if key not in names:
                        headers.append((key, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _misdirected(host: str, send: Send) -> None:
    shown = host.encode("ascii", "backslashreplace").decode()[:100] or "(none)"
    body = (
        f"421 Misdirected Request: this server does not answer for Host {shown} "
        "(wmkg serve --public-name NAME adds a name)\n"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 421,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", OTHER_POLICY.encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["OTHER_POLICY", "PAGE_POLICY", "SecurityMiddleware", "allowed_hosts"]

"""Answers computed once: a response cache keyed by the data being served, with ETags and Cache-Control.

The data is read-only between reloads, so the same request always gets the same answer until new data
is swapped in (``westminster_kg.web.reload``). ``ResponseCache`` is an ASGI middleware in front of every
route: it keys a response on the data's token (which knowledge graph, which worker pool, which reload
generation), the path, the request's parameters in a normal order (for ``POST /sparql`` the form or the
query body too), the ``Accept`` and ``Origin`` headers and whether the client takes gzip. A hit never
reaches a worker.

* Clients asking the same at the same moment get one computation: the first computes, the others wait.
* Only 200 answers are kept; errors and time-outs are computed every time.
* The token is read before the request runs and again after it: an answer computed while new data was
  being swapped in is sent but never kept, so the cache cannot serve older data than the app holds.
* Memory is bounded in bytes (keys, headers and bodies counted), least recently used out first.
* Every ``GET`` answer carries ``Cache-Control``; a 200 also a strong ``ETag`` (a hash of its bytes), and
  ``If-None-Match`` with that tag gets ``304 Not Modified``. A tag that matches nothing, or garbage, gets
  the full answer.
* A store behind ``--endpoint`` holds data we do not watch: its answers are never kept (ETags still work).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Clients revalidate every time (the data may be reloaded at any moment); with the ETag that costs a 304.
REVALIDATE = b"public, no-cache"
NO_STORE = b"no-store"
# Stores whose data comes from files the app loaded itself (an endpoint changes behind our back).
CACHEABLE_STORES = ("oxigraph", "memory", "disk")
# What the middleware computes itself; a handler's own value would be stale on a hit.
_OWN_HEADERS = {b"etag", b"cache-control", b"x-cache"}
# What a 304 repeats of the full answer's headers (RFC 9110 15.4.5).
_NOT_MODIFIED_HEADERS = (b"etag", b"cache-control", b"vary", b"content-location")


@dataclass(frozen=True)
class CachedResponse:
    """A 200 answer as sent: headers (with its ETag) and body."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes

    @property
    def size(self) -> int:
        """Bytes this entry holds (body and headers)."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64


class ResultCache:
    """A byte-bounded LRU map from request keys to answers, for one data token at a time.

    Args:
        max_bytes: the bound on keys plus answers; an answer over an eighth of it is never kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self.size = 0
        self.token: Any = None
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple, tuple[CachedResponse, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def _check_token(self, token: Any) -> None:
        # New data: every kept answer is for the old data, so all of them go at once.
        if token != self.token:
            self._entries.clear()
            self.size = 0
            self.token = token

    def get(self, token: Any, key: tuple) -> CachedResponse | None:
        """The answer kept for ``key`` under ``token``, or ``None``."""
        with self._lock:
            self._check_token(token)
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, token: Any, key: tuple, response: CachedResponse) -> bool:
        """Keep ``response`` for ``key`` under ``token``; whether it was kept (too big: not)."""
        cost = response.size + _key_size(key)
        if cost > self.max_bytes // 8:
            return False
        with self._lock:
            self._check_token(token)
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (response, cost)
            self.size += cost
            while self.size > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped
            return True

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._entries.clear()
            self.size = 0


def _key_size(key: tuple) -> int:
    return sum(len(part) if isinstance(part, (str, bytes)) else 8 for part in _flatten(key))


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, tuple):
        return [item for part in value for item in _flatten(part)]
    return [value]


def etag_for(body: bytes) -> bytes:
    """A strong entity tag for ``body``: the same bytes get the same tag, across restarts too.

    SHA-256, its first 128 bits: processors with SHA instructions (this project's machines) compute it
    2.5 times as fast as BLAKE2b, and every fresh query's answer is hashed.
    """
    return b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def matches(if_none_match: str | None, etag: bytes) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches any)."""
    if not if_none_match:
        return False
    wanted = etag.decode()
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == wanted:
            return True
    return False


def data_token(site: Any) -> Any:
    """What identifies the data ``site`` serves right now, or ``None`` when its answers must not be kept.

    Every reload swaps in a new snapshot (knowledge graph, worker pool, generation): a new snapshot
    means new data.
    """
    snapshot = site.snapshot  # read once
    if getattr(snapshot.kg.store, "name", None) not in CACHEABLE_STORES:
        return None
    return (snapshot.generation, id(snapshot.kg), id(snapshot.pool))


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def _normal_params(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(parse_qsl(text, keep_blank_values=True)))


# Where this middleware leaves a form body it read and decoded, for the endpoint to use as it is instead
# of decoding it again (a fresh query's form is kilobytes of percent-escapes): (body, pairs).
FORM_SCOPE_KEY = "wmkg.form"


def _form_pairs(body: bytes) -> list[tuple[str, str]] | None:
    """A form body's pairs decoded as strictly as the endpoint decodes them, or ``None`` where it would
    refuse them (not ASCII, or percent-escapes that are not UTF-8)."""
    if not body.isascii():
        return None
    try:
        return parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None


class ResponseCache:
    """ASGI middleware: answers kept per data token, ETag / If-None-Match, Cache-Control on every GET.

    Args:
        app: the application it wraps.
        web: the ``Site`` whose snapshot says which data is served.
        cache: where answers are kept.
        max_body: bytes of a ``POST /sparql`` body read for its key (the app refuses bigger ones itself).
    """

    def __init__(self, app: Any, *, web: Any, cache: ResultCache, max_body: int) -> None:
        self.app = app
        self.web = web
        self.cache = cache
        self.max_body = max_body
        self._computing: dict[tuple, asyncio.Event] = {}  # answers being computed now, by token and key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        params = _normal_params(scope.get("query_string", b"").decode("latin-1"))
        if method == "POST":
            if path != "/sparql":
                await self.app(scope, receive, send)
                return
            body, receive = await self._read_body(receive)
            content_type = _header(scope, b"content-type").split(";")[0].strip().lower()
            if body is None or content_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
                await self.app(scope, receive, send)  # too big or not a query: the app answers 4xx
                return
            if content_type == "application/sparql-query":
                params = tuple(sorted((*params, ("query", body.decode("utf-8", "replace")))))
            else:
                pairs = _form_pairs(body)
                if pairs is None:
                    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                else:
                    scope[FORM_SCOPE_KEY] = (body, pairs)
                params = tuple(sorted((*params, *pairs)))
        # GET and POST of the same query share one entry: the answer is the same.
        key = (
            path,
            params,
            _header(scope, b"accept"),
            "gzip" in _header(scope, b"accept-encoding").lower(),
            _header(scope, b"origin"),  # CORS headers differ by origin
            _header(scope, b"host"),  # relative IRIs and the service description name the address used
            scope.get("scheme", "http"),  # as the socket, or a trusted proxy (--forwarded-allow-ips), says
        )
        if_none_match = _header(scope, b"if-none-match")
        token = data_token(self.web)
        leader: asyncio.Event | None = None
        if token is not None:
            kept = self.cache.get(token, key)
            computing = self._computing.get((token, key))
            if kept is None and computing is not None:
                # Another client asked the same a moment ago: wait for that answer rather than compute it twice.
                await computing.wait()
                kept = self.cache.get(token, key)
            if kept is not None:
                await self._send_kept(kept, if_none_match, send, b"hit")
                return
            if (token, key) not in self._computing:
                leader = self._computing[(token, key)] = asyncio.Event()
        try:
            await self._answer(scope, receive, send, method, token, key, if_none_match)
        finally:
            if leader is not None:
                del self._computing[(token, key)]
                leader.set()

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, method: str, token: Any, key: tuple, if_none_match: str
    ) -> None:
        """Run the app for a request not kept yet; keep a 200 answer when the data did not change meanwhile."""
        status, headers, body_parts = await self._capture(scope, receive)
        body = b"".join(body_parts)
        if status != 200:
            if method == "GET":
                headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"] + [(b"cache-control", NO_STORE)]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        own_policy = next((v for k, v in headers if k.lower() == b"cache-control"), None)
        etag = etag_for(body)
        kept_headers = tuple(
            [(k, v) for k, v in headers if k.lower() not in _OWN_HEADERS]
            + [(b"etag", etag), (b"cache-control", own_policy or REVALIDATE)]
        )
        response = CachedResponse(kept_headers, body, etag)
        stored = (
            token is not None
            and (own_policy is None or b"no-store" not in own_policy)
            and data_token(self.web) == token  # new data arrived meanwhile: this answer may be the old data's
            and self.cache.put(token, key, response)
        )
        await self._send_kept(response, if_none_match, send, b"miss" if stored else b"none")

    async def _send_kept(self, kept: CachedResponse, if_none_match: str, send: Send, state: bytes) -> None:
        if matches(if_none_match, kept.etag):
            headers = [
                (k, v)
                for k, v in kept.headers
                if k.lower() in (b"etag", b"cache-control", b"vary", b"content-location")
            ]
            await send({"type": "http.response.start", "status": 304, "headers": [*headers, (b"x-cache", state)]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [*kept.headers, (b"x-cache", state)]})
        await send({"type": "http.response.body", "body": kept.body})

    async def _read_body(self, receive: Receive) -> tuple[bytes | None, Receive]:
        """The whole request body (``None`` past ``max_body``) and a ``receive`` that replays it."""
        messages: list[Message] = []
        size = 0
        more = True
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
            if size > self.max_body:
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        replay = list(messages)

        async def replaying() -> Message:
            if replay:
                return replay.pop(0)
            return await receive()

        return (None if more or size > self.max_body else body), replaying

    async def _capture(self, scope: Scope, receive: Receive) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]]:
        """Run the app and collect its whole response (the app's answers are built whole anyway)."""
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        return start.get("status", 500), list(start.get("headers", [])), parts


__all__ = ["FORM_SCOPE_KEY", "CachedResponse", "ResponseCache", "ResultCache", "data_token", "etag_for", "matches"]

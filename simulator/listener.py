"""How every listener of the simulator and the reference wallet meets the network: TLS from ``tls_cert`` and
``tls_key``, a cap on open connections, a deadline for a request's headers and one for its body, so a slow or
greedy client cannot pin connections.

aiohttp has no header deadline of its own (its keep-alive timer only runs between requests), so ``GuardedSite``
wraps each connection's protocol: the headers of a request must be complete within ``header_timeout`` of its first
byte (of the connection, for the first request), else the client gets a 408 and the connection is closed. The body
deadline is a middleware: ``body_timeout_middleware`` reads every body up front within ``read_timeout``.

Connections are counted per listener and per client address. Idle connections (kept alive between requests, or new and
silent) hold no work, so they make room rather than turn clients away, as nginx reuses its idle keep-alive connections
when ``worker_connections`` run out: a new connection from an address holding ``max_connections_per_client`` closes
that address's least recently used idle connection, and one arriving at ``max_connections`` closes the least recently
used idle connection of the address holding the most (nginx ``limit_conn`` per address, HAProxy ``src_conn_cur``).
Only when none of them is idle does the newcomer get a 503, closed at once. So a flood of idle connections, from one
address or many, cannot keep a health check or a signed launch out; the request is not read yet when the connection
arrives, so the room is kept for every client that brings a request, which are the ones that matter.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.log import server_logger
from aiohttp.typedefs import Handler, Middleware

from simulator.errors import ConfigurationError
from simulator.http import error_response
from simulator.settings import Settings

_ABORT_GRACE = 1.0  # seconds a refused connection gets to take its error reply before it is cut


@dataclass(frozen=True, slots=True)
class Limits:
    """Connection limits of one listener.

    >>> Limits(header_timeout=0.5, max_connections=2).max_connections
    2
    """

    header_timeout: float = 10.0
    max_connections: int = 4096
    max_connections_per_client: int = 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            header_timeout=settings.header_timeout,
            max_connections=settings.max_connections,
            max_connections_per_client=settings.max_connections_per_client,
        )


def _raw_error(status: int, reason: str, code: str, message: str, extra: str = "") -> bytes:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{extra}Connection: close\r\n\r\n"
    )
    return head.encode() + body


class _Connections:
    """The open connections of one listener by client address, each address's least recently used first (a connection
    moves to the end when a request's headers arrive on it)."""

    __slots__ = ("by_address", "evicted", "open")

    def __init__(self) -> None:
        self.open = 0
        self.evicted = 0  # idle connections closed to make room
        self.by_address: dict[str, dict[_Guard, None]] = {}

    def make_room(self, address: str, limits: Limits) -> str | None:
        """Close an idle connection where the limits require one for a new connection from ``address``; the reason
        to refuse the newcomer when none is idle, else None."""
        held = self.by_address.get(address)
        if held is not None and len(held) >= limits.max_connections_per_client and not self._evict_idle(held):
            return f"this client address has {limits.max_connections_per_client} connections open; retry shortly"
        if self.open >= limits.max_connections:
            heaviest_first = sorted(self.by_address.values(), key=len, reverse=True)
            if not any(self._evict_idle(others) for others in heaviest_first):
                return f"the server has {limits.max_connections} connections open; retry shortly"
        return None

    def _evict_idle(self, held: dict[_Guard, None]) -> bool:
        for guard in held:
            if guard.idle():
                self.evicted += 1
                guard.evict()
                return True
        return False

    def add(self, guard: _Guard) -> None:
        self.open += 1
        self.by_address.setdefault(guard.address, {})[guard] = None

    def remove(self, guard: _Guard) -> None:
        self.open -= 1
        held = self.by_address[guard.address]
        del held[guard]
        if not held:
            del self.by_address[guard.address]

    def touch(self, guard: _Guard) -> None:
        held = self.by_address[guard.address]
        del held[guard]
        held[guard] = None

    def idle(self) -> int:
        return sum(guard.idle() for held in self.by_address.values() for guard in held)


class _Guard(asyncio.Protocol):
    """One connection: forwards everything to aiohttp's protocol and keeps the header deadline and the accounting.

    It reads two attributes of aiohttp's ``RequestHandler`` (whether a request is being handled, and whether one is
    queued) to tell the first bytes of a new request from the rest of a body; the slow-header test notices if they
    ever change.
    """

    def __init__(self, inner: Any, connections: _Connections, limits: Limits) -> None:
        self._inner = inner
        self._connections = connections
        self._limits = limits
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._awaiting_headers = True
        self._tail = b""
        self._refused = False
        self._counted = False
        self.address = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's
        peer = transport.get_extra_info("peername")
        self.address = str(peer[0]) if isinstance(peer, tuple) else ""
        refusal = self._connections.make_room(self.address, self._limits)
        if refusal is not None:
            self._refused = True
            self._reject(_raw_error(503, "Service Unavailable", "TOO_MANY_CONNECTIONS", refusal, "Retry-After: 1\r\n"))
            return
        self._connections.add(self)
        self._counted = True
        self._arm()
        self._inner.connection_made(transport)

    def _inner_idle(self) -> bool:
        return not getattr(self._inner, "_request_in_progress", True) and not getattr(self._inner, "_messages", ())

    def idle(self) -> bool:
        """No request in hand and none begun: kept alive between requests, or new and silent so far."""
        return self._inner_idle() and not (self._awaiting_headers and self._tail)

    def evict(self) -> None:
        """Close this idle connection to make room; it leaves the count at once, before the close completes."""
        if self._counted:
            self._counted = False
            self._connections.remove(self)
        self._disarm()
        if self._transport is not None:
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if not self._awaiting_headers and self._inner_idle():  # a new request on a kept-alive connection
            self._awaiting_headers, self._tail = True, b""
        if self._awaiting_headers:
            seen = self._tail + data
            if b"\r\n\r\n" in seen or b"\n\n" in seen:
                self._awaiting_headers = False
                self._disarm()
                if self._counted:
                    self._connections.touch(self)
            elif self._timer is None:  # the clock starts with the request's first bytes, unless they held it all
                self._arm()
            self._tail = seen[-3:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        if self._refused:
            return None
        result: bool | None = self._inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._refused:
            return
        if self._counted:
            self._counted = False
            self._connections.remove(self)
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if not self._refused:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if not self._refused:
            self._inner.resume_writing()

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self._limits.header_timeout, self._headers_overdue)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _headers_overdue(self) -> None:
        self._timer = None
        if not self._awaiting_headers or not self._inner_idle():
            self._awaiting_headers = False  # a body chunk taken for a new request: the request is in hand
            return
        message = f"request headers not received within {self._limits.header_timeout:g}s"
        self._reject(_raw_error(408, "Request Timeout", "REQUEST_TIMEOUT", message))

    def _reject(self, reply: bytes) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        transport.write(reply)
        transport.close()
        asyncio.get_running_loop().call_later(_ABORT_GRACE, transport.abort)


class GuardedSite(web.SockSite):
    """``web.SockSite`` with the connection guard in front of aiohttp's protocol."""

    def __init__(
        self, runner: web.BaseRunner, sock: socket.socket, *, limits: Limits, ssl_context: ssl.SSLContext | None
    ) -> None:
        super().__init__(runner, sock, ssl_context=ssl_context, backlog=1024)
        self._limits = limits
        self._connections = _Connections()

    @property
    def open_connections(self) -> int:
        return self._connections.open

    @property
    def idle_connections(self) -> int:
        """Open connections with no request in hand, counted one by one: for reports and tests, not every request."""
        return self._connections.idle()

    @property
    def evicted_connections(self) -> int:
        """Idle connections closed so far to make room for new ones."""
        return self._connections.evicted

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers with the runner; SockSite.start would bind an unguarded server
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        tls = self._ssl_context is not None
        self._server = await loop.create_server(
            lambda: _Guard(server(), self._connections, self._limits),
            sock=self._sock,
            ssl=self._ssl_context,
            backlog=self._backlog,
            ssl_handshake_timeout=self._limits.header_timeout if tls else None,
            ssl_shutdown_timeout=_ABORT_GRACE if tls else None,
        )


def server_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The listeners' TLS context, or None for plain HTTP."""
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        names = f"tls_cert {settings.tls_cert} with tls_key {settings.tls_key}"
        raise ConfigurationError(f"cannot load {names}: {reason}") from None
    return context


def trust_context(*cafiles: Path) -> ssl.SSLContext:
    """A client context that verifies certificates and hostnames against the system's CAs plus ``cafiles``. A file
    may hold a server's own certificate rather than its CA: partial chains are accepted (as Python 3.13 does by
    default), so trusting exactly that certificate works."""
    context = ssl.create_default_context()
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    for cafile in cafiles:
        try:
            context.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            raise ConfigurationError(f"cannot load CA certificates from {cafile}: {reason}") from None
    return context


class _MalformedRequestsInOneLine(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp logs each malformed request (a bad header line, a bad chunk, an invalid method after the first
    request) at ERROR with a full traceback: any stranger could fill the log with them. Those become one WARNING
    line; every other error keeps its traceback."""

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        if isinstance(exc_info, BadHttpMessage):
            first = (exc_info.message or type(exc_info).__name__).strip().splitlines()[0][:200]
            peer = args[0] if args else "?"
            self.logger.warning("malformed HTTP request from %s: %s %s", peer, exc_info.code, first)
            return
        self.logger.exception(msg, *args, exc_info=exc_info, **kwargs)


def make_runner(app: web.Application, settings: Settings) -> web.AppRunner:
    """An ``AppRunner`` whose connections idle at most ``keepalive_timeout`` and are closed, not drained, when a
    response leaves before the body was read (a body too large or too slow)."""
    return web.AppRunner(
        app,
        access_log=None,
        handle_signals=False,
        keepalive_timeout=settings.keepalive_timeout,
        lingering_time=0,
        logger=_MalformedRequestsInOneLine(server_logger, {}),
    )


async def start_site(runner: web.AppRunner, sock: socket.socket, settings: Settings) -> GuardedSite:
    site = GuardedSite(runner, sock, limits=Limits.from_settings(settings), ssl_context=server_ssl_context(settings))
    await site.start()
    return site


YOUNG_COLLECTION_EVERY = 50_000
"""Allocations between two collections of the youngest generation (Python's default is 700). A round allocates
hundreds of objects and nearly all are freed by reference counting when it ends; collecting every 700 walked the
live ones again and again. With this (and the older generations each collected half as often) a round costs about 4%
less CPU (``bench/round_ab.py --together``); cyclic garbage waits at most this many allocations."""


def freeze_start_up() -> None:
    """Once a server listens: what start-up built (the catalogue, models, modules) lives as long as the process, so it
    moves out of the garbage collector's way, and full collections stop walking it (about 3% of a round's CPU). What
    start-up left as garbage is collected first. Then collections become rarer (``YOUNG_COLLECTION_EVERY``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 20, 20)


def body_timeout_middleware(*, timeout: float) -> Middleware:
    """Read every request body within ``timeout`` seconds (and within the app's size limit) before any handler or
    check sees it; a slower client gets a 408 and the connection is closed."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.body_exists and not request.content.is_eof():  # a body that came with the headers needs no timer
            try:
                async with asyncio.timeout(timeout):
                    await request.read()
            except TimeoutError:
                response = error_response(408, "REQUEST_TIMEOUT", f"request body not received within {timeout:g}s")
                response.force_close()
                return response
        return await handler(request)

    return middleware

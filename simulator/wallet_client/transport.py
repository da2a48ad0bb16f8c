"""The wallet calls' HTTP/1.1 client: keep-alive POSTs over a bounded pool of connections per wallet origin.

A wallet call is one small POST and one small reply, thousands of times a second, so the client does only that:
it writes the request in one piece and feeds the reply to ``httptools`` (llhttp, the parser Node.js uses), which
decodes chunked bodies. aiohttp's general-purpose client spent about 50 us of CPU per call more (a cookie jar, a
task per request body, tracing hooks, redirect and auth machinery), a third of a simulated round.

What it does not do is deliberate: it never follows a redirect (the 3xx reaches the dialect, which refuses it), sends
no ``Accept-Encoding`` (a ``gzip`` or ``deflate`` reply is still decoded, and measured once decoded), and never retries:
``WalletClient`` decides that. The caller's time limit covers waiting for a connection, connecting, sending and the
whole reply; on expiry ``post`` raises ``TimeoutError`` and closes the connection. Other errors are this module's
``TransportError`` subclasses.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httptools

USER_AGENT = "casino-sim"


class TransportError(Exception):
    """No usable reply; the request may or may not have reached the wallet."""


class ConnectFailed(TransportError):
    """No connection: refused, unresolvable, or the TLS handshake failed. Nothing was sent."""


class ConnectionLost(TransportError):
    """The connection closed or broke before the reply was complete."""


class BadReply(TransportError):
    """The reply is not HTTP this client can read, or is larger than allowed."""


@dataclass(frozen=True, slots=True)
class _Origin:
    scheme: str
    host: str
    port: int
    host_header: str


class _Exchange:
    """The reply being read on one connection."""

    __slots__ = ("body", "chunks", "done", "encoding", "ended_by_close", "keep_alive", "size", "status", "timer")

    def __init__(self, done: asyncio.Future[None]) -> None:
        self.done = done
        self.status = 0
        self.chunks: list[bytes] = []
        self.size = 0
        self.encoding = b""
        self.ended_by_close = True  # until a length or chunked framing is seen
        self.keep_alive = False  # what the reply's version and Connection header allow, read when it is complete
        self.body = b""
        self.timer: asyncio.TimerHandle | None = None  # its own deadline timer, when it could not join the queue

    def expire(self) -> None:
        if not self.done.done():
            self.done.set_exception(TimeoutError())


class _Deadlines:
    """The deadlines of the replies awaited, earliest first, kept by one timer.

    ``asyncio.timeout`` arms a timer for each call and cancels it when the reply comes; at thousands of calls a second
    the cancelled timers pile up in the event loop's heap until their time would have come, and every call pays for
    them. Here a reply joins a queue with its deadline, and one timer waits for the earliest, fails those that are due,
    and waits for the next. Deadlines mostly join in order, each a fixed time after its call starts; one earlier than
    the last queued (a call that waited for a connection, or a shorter timeout) gets a timer of its own.
    """

    def __init__(self) -> None:
        self._due: collections.OrderedDict[_Exchange, float] = collections.OrderedDict()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, exchange: _Exchange, deadline: float, loop: asyncio.AbstractEventLoop) -> None:
        if self._due and deadline < next(reversed(self._due.values())):
            exchange.timer = loop.call_at(deadline, exchange.expire)
            return
        self._due[exchange] = deadline
        if self._timer is None:
            self._timer = loop.call_at(deadline, self._sweep)

    def remove(self, exchange: _Exchange) -> None:
        if self._due.pop(exchange, None) is None and exchange.timer is not None:
            exchange.timer.cancel()

    def _sweep(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        due = self._due
        while due:
            exchange, deadline = next(iter(due.items()))
            if deadline > now:
                self._timer = loop.call_at(deadline, self._sweep)
                return
            del due[exchange]
            exchange.expire()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class _Connection(asyncio.Protocol):
    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.exchange: _Exchange | None = None
        self.idle_since = 0.0
        self._spoiled = False  # the wallet sent more than the reply: the next one could not be trusted

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport: create_connection makes one

    def data_received(self, data: bytes) -> None:
        exchange = self.exchange
        if exchange is None or exchange.done.done():  # bytes nobody asked for: never reuse this connection
            self._spoiled = True
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(BadReply(f"unreadable HTTP reply: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        exchange = self.exchange
        if exchange is None or exchange.done.done():
            return
        if exchange.status and exchange.ended_by_close and not exc:
            self._finish(exchange)  # a reply without a length ends where the connection does
        else:
            self._fail(ConnectionLost(f"the wallet closed the connection before replying{_reason(exc)}"))

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self.exchange is None or self.exchange.done.done():  # a second reply in the bytes of the first
            self._spoiled = True

    def on_status(self, status: bytes) -> None:
        assert self.exchange is not None
        self.exchange.status = self._parser.get_status_code()

    def on_header(self, name: bytes, value: bytes) -> None:
        exchange = self.exchange
        assert exchange is not None
        name = name.lower()
        if name == b"content-encoding":
            exchange.encoding = value.strip().lower()
        elif name in (b"content-length", b"transfer-encoding"):
            exchange.ended_by_close = False

    def on_body(self, body: bytes) -> None:
        exchange = self.exchange
        assert exchange is not None
        exchange.size += len(body)
        if exchange.size > self._limit:
            self._fail(BadReply(f"reply exceeds {self._limit} bytes"))
            return
        exchange.chunks.append(body)

    def on_message_complete(self) -> None:
        exchange = self.exchange
        if exchange is None or exchange.done.done():
            return
        if 100 <= exchange.status < 200:  # an interim reply; the real one follows
            exchange.status, exchange.chunks, exchange.size = 0, [], 0
            return
        exchange.keep_alive = self._parser.should_keep_alive()
        self._finish(exchange)

    # outcome

    def _finish(self, exchange: _Exchange) -> None:
        try:
            exchange.body = _decoded(b"".join(exchange.chunks), exchange.encoding, self._limit)
        except BadReply as exc:
            self._fail(exc)
            return
        exchange.done.set_result(None)

    def _fail(self, exc: TransportError) -> None:
        exchange = self.exchange
        if exchange is not None and not exchange.done.done():
            exchange.done.set_exception(exc)
        self.close()

    @property
    def open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing() and not self._spoiled

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()
            self.transport = None


def _reason(exc: Exception | None) -> str:
    return f" ({exc})" if exc else ""


def _decoded(body: bytes, encoding: bytes, limit: int) -> bytes:
    if encoding in (b"", b"identity"):
        return body
    if encoding not in (b"gzip", b"x-gzip", b"deflate"):
        raise BadReply(f"reply has an unsupported Content-Encoding {encoding.decode(errors='replace')!r}")
    # gzip, or deflate as the zlib format; some servers send deflate raw, without the zlib header
    attempts = (zlib.MAX_WBITS | 32,) if encoding != b"deflate" else (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS)
    for wbits in attempts:
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit:
            raise BadReply(f"reply exceeds {limit} bytes once decompressed")
        return out
    raise BadReply(f"reply body is not valid {encoding.decode()}")


class WalletTransport:
    """One per process, shared by every studio's client. At most ``pool_size`` connections per wallet origin, each
    kept alive ``keepalive`` seconds after its last reply (shorter than wallets' usual idle timeouts)."""

    def __init__(
        self,
        pool_size: int,
        *,
        tls: ssl.SSLContext | None = None,
        keepalive: float = 15.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pool_size = pool_size
        self._tls = tls  # None: the system's CAs, made on first use
        self._keepalive = keepalive
        self._monotonic = monotonic
        self._urls: dict[str, tuple[_Origin, str]] = {}
        self._idle: dict[_Origin, collections.deque[_Connection]] = {}
        self._slots: dict[_Origin, asyncio.Semaphore] = {}
        self._deadlines = _Deadlines()
        self._closed = False

    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, *, limit: int, within: float, method: str = "POST"
    ) -> tuple[int, bytes]:
        """POST ``body`` to ``url`` (or send it with ``method``, GET for a dialect that puts everything in the query
        string): the reply's status and decoded body, at most ``limit`` bytes, ``within`` seconds (else
        ``TimeoutError``, and the connection is closed, not reused)."""
        if self._closed:
            raise ConnectFailed("the wallet client is closed")
        loop = asyncio.get_running_loop()  # once per call, passed down: each lookup is a getpid() system call on 3.11
        deadline = loop.time() + within
        origin, target = self._where(url)
        head = _head(target, origin.host_header, headers, len(body), method)
        slot = self._slot(origin)
        if slot.locked():  # every connection is busy: wait for one, within the deadline
            async with asyncio.timeout_at(deadline):
                await slot.acquire()
        else:
            await slot.acquire()  # returns at once
        try:
            conn = self._idle_connection(origin)
            if conn is None:
                async with asyncio.timeout_at(deadline):
                    conn = await self._connect(origin, limit)
            try:
                return await self._exchange(conn, head + body, deadline, loop)
            except BaseException:
                conn.close()
                raise
            finally:
                self._release(origin, conn)
        finally:
            slot.release()

    def _slot(self, origin: _Origin) -> asyncio.Semaphore:
        slot = self._slots.get(origin)
        if slot is None:
            slot = self._slots[origin] = asyncio.Semaphore(self._pool_size)
        return slot

    def _idle_connection(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = self._monotonic()
        while idle:
            conn = idle.pop()
            if conn.open and now - conn.idle_since < self._keepalive:
                return conn
            conn.close()
        return None

    async def _connect(self, origin: _Origin, limit: int) -> _Connection:
        loop = asyncio.get_running_loop()
        context = self._context() if origin.scheme == "https" else None
        try:
            _, conn = await loop.create_connection(
                lambda: _Connection(limit),
                origin.host,
                origin.port,
                ssl=context,
                server_hostname=origin.host if context is not None else None,
            )
        except (OSError, ssl.SSLError) as exc:
            raise ConnectFailed(f"cannot connect to {origin.host}:{origin.port}: {exc}") from exc
        return conn

    async def _exchange(
        self, conn: _Connection, request: bytes, deadline: float, loop: asyncio.AbstractEventLoop
    ) -> tuple[int, bytes]:
        if conn.transport is None:
            raise ConnectionLost("the wallet closed the connection before replying")
        exchange = conn.exchange = _Exchange(loop.create_future())
        conn.transport.write(request)
        self._deadlines.add(exchange, deadline, loop)
        try:
            await exchange.done
        finally:
            self._deadlines.remove(exchange)
        return exchange.status, exchange.body

    def _release(self, origin: _Origin, conn: _Connection) -> None:
        exchange, conn.exchange = conn.exchange, None
        if self._closed or not conn.open or exchange is None or not exchange.keep_alive:
            conn.close()
            return
        conn.idle_since = self._monotonic()
        self._idle.setdefault(origin, collections.deque()).append(conn)

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def _where(self, url: str) -> tuple[_Origin, str]:
        """The origin and request target of ``url``, parsed once per URL (a dialect has a handful)."""
        where = self._urls.get(url)
        if where is None:
            if len(self._urls) >= 1024:
                self._urls.clear()
            where = self._urls[url] = (_parse_origin(url), _target(url))
        return where

    async def close(self) -> None:
        self._closed = True
        self._deadlines.close()
        for idle in self._idle.values():
            while idle:
                idle.pop().close()


def _parse_origin(url: str) -> _Origin:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectFailed(f"not an http(s) URL: {url!r}")
    default = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port or default
    except ValueError:
        raise ConnectFailed(f"bad port in {url!r}") from None
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    return _Origin(parts.scheme, host, port, shown if port == default else f"{shown}:{port}")


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _head(target: str, host: str, headers: Mapping[str, str], length: int, method: str = "POST") -> bytes:
    if method not in ("GET", "POST"):
        raise ValueError(f"the wallet client sends GET or POST, not {method!r}")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"User-Agent: {USER_AGENT}"]
    if method == "POST" or length:
        lines.append(f"Content-Length: {length}")
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise ValueError(f"header {name!r} cannot be sent: it holds a line break or a colon")
        lines.append(f"{name}: {value}")
    lines.append("\r\n")
    try:
        return "\r\n".join(lines).encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("a header holds a character HTTP cannot carry") from None

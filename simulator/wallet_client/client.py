"""The only place that talks HTTP to wallets, and the only place aiohttp's client errors are seen.

``map_client_errors`` turns every aiohttp client error into a ``WalletError`` subclass, so the round flow reasons only
about "refused" (``WalletRefused``, from the dialect) and "unknown outcome" (``WalletError``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

import aiohttp

from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.errors import WalletProtocolError, WalletTimeout, WalletUnavailable

MAX_REPLY_BYTES = 256 * 1024


class Dialect(Protocol):
    name: str

    def build(self, call: WalletCall) -> WalletRequest: ...

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply: ...


@contextmanager
def map_client_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise WalletTimeout(f"wallet did not answer {operation} in time") from exc
    except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError, aiohttp.InvalidURL) as exc:
        raise WalletProtocolError(f"wallet reply to {operation} was unreadable: {type(exc).__name__}") from exc
    except aiohttp.ClientError as exc:
        raise WalletUnavailable(f"wallet unreachable for {operation}: {type(exc).__name__}") from exc


def make_session(pool_size: int) -> aiohttp.ClientSession:
    """The process's one wallet session; keep-alive shorter than typical server idle timeouts."""
    connector = aiohttp.TCPConnector(limit=pool_size, keepalive_timeout=15, enable_cleanup_closed=True)
    return aiohttp.ClientSession(connector=connector, auto_decompress=True, raise_for_status=False)


Post = Callable[[WalletCall, WalletRequest], Awaitable[tuple[int, bytes]]]


class WalletHook(Protocol):
    """Wraps every wallet call (fault injection, journal, metrics); it sends through ``client.post``."""

    async def send(self, call: WalletCall, client: WalletClient) -> WalletReply: ...


class WalletClient:
    def __init__(
        self, session: aiohttp.ClientSession, dialect: Dialect, *, timeout: float, hook: WalletHook | None = None
    ) -> None:
        self._session = session
        self.dialect = dialect
        self.timeout = timeout
        self.hook = hook
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def call(self, call: WalletCall) -> WalletReply:
        """Send one operation; a connection the wallet closed while idle is retried once with the same ids."""
        try:
            return await self._send(call)
        except WalletUnavailable as exc:
            if not isinstance(exc.__cause__, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
                raise
            return await self._send(call)

    async def _send(self, call: WalletCall) -> WalletReply:
        if self.hook is not None:
            return await self.hook.send(call, self)
        return await self.exchange(call, self.dialect.build(call))

    async def exchange(self, call: WalletCall, request: WalletRequest, post: Post | None = None) -> WalletReply:
        """Send ``request`` and the requests chained after it; the last reply is the operation's. ``post`` replaces
        the transport (the fault hook journals and spoils exchanges through it)."""
        post = post or self.post
        while request.then is not None:
            status, body = await post(call, request)
            if request.check_reply is not None:
                request.check_reply(call, status, body)
            else:
                self.dialect.parse(call, status, body)
            request = request.then
        status, body = await post(call, request)
        return self.dialect.parse(call, status, body)

    async def post(self, call: WalletCall, request: WalletRequest) -> tuple[int, bytes]:
        """One HTTP exchange: the status and the raw reply, every client error mapped to a ``WalletError``."""
        with map_client_errors(call.operation):
            async with self._session.post(
                request.url,
                data=request.body,
                headers=request.headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    if size > MAX_REPLY_BYTES:
                        raise WalletProtocolError(f"wallet reply to {call.operation} exceeds {MAX_REPLY_BYTES} bytes")
                    chunks.append(chunk)
        return status, b"".join(chunks)

"""The only place that talks HTTP to wallets, and the only place transport errors are seen.

``map_client_errors`` turns every transport error into a ``WalletError`` subclass, so the round flow reasons only
about "refused" (``WalletRefused``, from the dialect) and "unknown outcome" (``WalletError``).
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.protocol import Dialect
from simulator.errors import WalletError, WalletProtocolError, WalletTimeout, WalletUnavailable
from simulator.listener import trust_context
from simulator.settings import Settings
from simulator.wallet_client.transport import BadReply, ConnectFailed, ConnectionLost, TransportError, WalletTransport

MAX_REPLY_BYTES = 256 * 1024


def wallet_error(operation: str, exc: TimeoutError | TransportError) -> WalletError:
    if isinstance(exc, TimeoutError):
        return WalletTimeout(f"wallet did not answer {operation} in time")
    if isinstance(exc, BadReply):
        return WalletProtocolError(f"wallet reply to {operation} was unreadable: {exc}")
    return WalletUnavailable(f"wallet unreachable for {operation}: {exc}")


@contextmanager
def map_client_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except (TimeoutError, TransportError) as exc:
        raise wallet_error(operation, exc) from exc


def wallet_ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """Certificates are always verified: against the system's CAs (``None``), plus ``wallet_ca_bundle`` when set, plus
    the simulator's own ``tls_cert`` when it calls its embedded wallet over HTTPS."""
    own = settings.tls_cert if settings.embedded_wallet and settings.wallet_url is None else None
    bundles = [path for path in (settings.wallet_ca_bundle, own) if path is not None]
    return trust_context(*bundles) if bundles else None


Post = Callable[[WalletCall, WalletRequest], Awaitable[tuple[int, bytes]]]


class WalletHook(Protocol):
    """Wraps every wallet call (fault injection, journal, metrics); it sends through ``client.post``."""

    async def send(self, call: WalletCall, client: WalletClient) -> WalletReply: ...


class WalletClient:
    def __init__(
        self, transport: WalletTransport, dialect: Dialect, *, timeout: float, hook: WalletHook | None = None
    ) -> None:
        self._transport = transport
        self.dialect = dialect
        self.timeout = timeout
        self.hook = hook

    async def call(self, call: WalletCall) -> WalletReply:
        """Send one operation; a connection that broke (most often one the wallet closed while idle) or could not be
        made is retried once, with the same ids."""
        try:
            return await self._send(call)
        except WalletUnavailable as exc:
            if not isinstance(exc.__cause__, ConnectionLost | ConnectFailed):
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
        """One HTTP exchange: the status and the raw reply, every transport error mapped to a ``WalletError``."""
        try:
            return await self._transport.post(
                request.url,
                request.headers,
                request.body,
                limit=MAX_REPLY_BYTES,
                within=self.timeout,
                method=request.method,
            )
        except (TimeoutError, TransportError) as exc:
            raise wallet_error(call.operation, exc) from exc

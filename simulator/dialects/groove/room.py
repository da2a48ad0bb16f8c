"""The groove dialect, whole: its client, its reference-wallet endpoint and its conformance ``Wire``. Its key
is the security key both ends share (``wallets.groove.secret``; by default derived from the development
credential, as every dialect's)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import groove
from simulator.dialects.groove import wallet
from simulator.dialects.groove.tamper import GrooveWire
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, WalletDialects


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    return groove.GrooveDialect(endpoint.url, endpoint.secret, clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    wallet.add_routes(app, wallet.GrooveEndpoint(endpoint.secret), prefix)


ROOM = Room(groove.NAME, client, GrooveWire, mount=mount, dealt=False)

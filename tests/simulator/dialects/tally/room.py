"""The ``tally`` room: what the registry needs to hand each part of the dialect to its user."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, WalletDialects
from tests.simulator.dialects import tally
from tests.simulator.dialects.tally import wallet
from tests.simulator.dialects.tally.tamper import TallyWire


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    return tally.TallyDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    wallet.add_routes(app, wallet.TallyEndpoints({endpoint.key_id: endpoint.secret}), prefix)


ROOM = Room(tally.NAME, client, TallyWire, mount=mount)

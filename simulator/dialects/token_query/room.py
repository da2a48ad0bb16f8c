"""The token_query dialect, whole: its client, its reference-wallet endpoints and its conformance ``Wire``."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import token_query
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, WalletDialects
from simulator.dialects.token_query import wallet
from simulator.dialects.token_query.tamper import TokenQueryWire


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    return token_query.TokenQueryDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    wallet.add_routes(app, wallet.TokenQueryEndpoints([endpoint.secret]), prefix)


ROOM = Room(
    token_query.NAME, client, TokenQueryWire, mount=mount, query_credentials=frozenset({token_query.TOKEN_PARAM})
)

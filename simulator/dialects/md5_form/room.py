"""The md5_form dialect, whole: its client, its reference-wallet endpoints and its conformance ``Wire``."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import md5_form
from simulator.dialects.md5_form import wallet
from simulator.dialects.md5_form.tamper import Md5FormWire
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, WalletDialects


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    return md5_form.Md5FormDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    endpoints = wallet.Md5FormEndpoints({endpoint.key_id: endpoint.secret}, clock, window)
    wallet.add_routes(app, endpoints, prefix)


ROOM = Room(md5_form.NAME, client, Md5FormWire, mount=mount, form_credentials=frozenset({md5_form.HASH_FIELD}))

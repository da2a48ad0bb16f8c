"""The rsa_json dialect, whole: its client, its reference-wallet endpoints, its conformance ``Wire``, and the
RSA key pair both ends use (generated under data_dir in development; unavailable without ``cryptography``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import rsa_json
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, UnavailableDialect, WalletDialects
from simulator.dialects.rsa_json import keys, wallet
from simulator.dialects.rsa_json.tamper import RsaJsonWire


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    if not keys.available():
        return UnavailableDialect(rsa_json.NAME, keys.MISSING)
    return rsa_json.RsaJsonDialect(endpoint.url, endpoint.key_id, keys.endpoint_signer(endpoint), clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    verifiers, unavailable = keys.endpoint_verifiers(endpoint, dialects)
    wallet.add_routes(app, wallet.RsaJsonEndpoints(verifiers, unavailable, clock, window), prefix)


ROOM = Room(
    rsa_json.NAME,
    client,
    RsaJsonWire,
    mount=mount,
    supports=rsa_json.supports,
    key_files=partial(keys.endpoint_files, name=rsa_json.NAME),
    prepare=partial(keys.prepare, name=rsa_json.NAME),
)

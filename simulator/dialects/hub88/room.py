"""The hub88 dialect, whole: its client, its reference-wallet endpoints, its conformance ``Wire``, and the RSA
key pair Hub88's side signs with (generated under data_dir in development as ``hub88_private.pem`` and
``hub88_public.pem``; the public half is what an operator registers to verify our calls)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import hub88
from simulator.dialects.hub88 import wallet
from simulator.dialects.hub88.tamper import Hub88Wire
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, UnavailableDialect, WalletDialects
from simulator.dialects.rsa_json import keys


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    if not keys.available():
        return UnavailableDialect(hub88.NAME, keys.MISSING)
    return hub88.Hub88Dialect(endpoint.url, keys.endpoint_signer(endpoint), clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    verifiers, unavailable = keys.endpoint_verifiers(endpoint, dialects)
    verifier = None if verifiers is None else verifiers.get(endpoint.key_id)
    wallet.add_routes(app, wallet.Hub88Endpoints(verifier, unavailable, clock), prefix)


ROOM = Room(
    hub88.NAME,
    client,
    Hub88Wire,
    mount=mount,
    supports=hub88.supports,
    key_files=partial(keys.endpoint_files, name=hub88.NAME),
    prepare=partial(keys.prepare, name=hub88.NAME),
    dealt=False,
)

"""The client side of authentication, for everything that calls our own server: ``casino-sim call`` and ``player
create``, the scenario runner, the conformance suite, Locust journeys, the test harness.

Which credential a request needs follows from its path; that rule and the signature are the client SDK's
(``simulator_sdk.credentials.access``, ``simulator_sdk.signing``), so there is one copy of each. This module adds
what the server's own tools need on top: keys from the settings or the data directory, the simulator's ``Clock``,
and an aiohttp client middleware.

>>> from simulator.clock import ManualClock
>>> auth = ClientAuth(OperatorKey("dev", "dev-key-1", "s" * 32), "t" * 32, ManualClock())
>>> sorted(auth.headers("GET", "/v1/studios", b""))
['X-Operator-Key', 'X-Operator-Nonce', 'X-Operator-Signature', 'X-Operator-Timestamp']
>>> auth.headers("GET", "/wallet/sandbox/players/p-1", b"")
{'Authorization': 'Bearer tttttttttttttttttttttttttttttttt'}
>>> auth.headers("POST", "/play/abc/rounds", b"{}")
{}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import aiohttp
from aiohttp.client_middlewares import ClientHandlerType, ClientMiddlewareType
from yarl import URL

from simulator.auth.signing import KEY_HEADER, new_nonce
from simulator.clock import Clock, SystemClock
from simulator.credentials import OperatorKey, read_existing
from simulator.settings import Settings
from simulator_sdk.credentials import auth_headers


@dataclass(frozen=True)
class ClientAuth:
    """An operator key to sign with and the admin token; either may be missing (then requests go without)."""

    key: OperatorKey | None
    admin_token: str | None = field(repr=False)
    clock: Clock = field(default_factory=SystemClock)
    nonces: Callable[[], str] = new_nonce  # a seeded source makes a run's requests reproducible

    def headers(self, method: str, target: str, body: bytes) -> dict[str, str]:
        """Headers for a request to ``target`` (path and query, exactly as sent) with ``body``."""
        return auth_headers(
            method,
            target,
            body,
            key_id=self.key.key_id if self.key is not None else None,
            secret=self.key.secret if self.key is not None else None,
            admin_token=self.admin_token,
            now=self.clock.now(),
            nonce=self.nonces(),
        )


def client_auth(settings: Settings, *, clock: Clock | None = None) -> ClientAuth | None:
    """Credentials for calling the server these settings describe: configured operators and admin token first,
    else the credentials file a server created under ``data_dir`` (read only, never created). None when
    there are none."""
    clock = clock or SystemClock()
    key = next(
        (
            OperatorKey(operator_id, k.key_id, k.secret.get_secret_value())
            for operator_id, operator in settings.operators.items()
            for k in operator.keys
        ),
        None,
    )
    token = settings.admin_token.get_secret_value() if settings.admin_token is not None else None
    if key is None or token is None:
        creds = read_existing(settings.data_dir)
        if creds is not None:
            key = key or (creds.operator_keys[0] if creds.operator_keys else None)
            token = token or creds.admin_token
    if key is None and token is None:
        return None
    return ClientAuth(key, token, clock)


def client_middleware(
    auth: ClientAuth, *, origins: Iterable[str] | None = None, trust: Callable[[URL], bool] | None = None
) -> ClientMiddlewareType:
    """An aiohttp client middleware that adds what each request needs: ``ClientSession(middlewares=[...])``.
    With ``origins`` (base URLs) or ``trust`` (a test of the URL), only those requests get credentials, so a third
    party's wallet never sees our token. A request that already carries a signature or an ``Authorization`` header
    is sent as it is."""
    allowed = None if origins is None else {URL(o).origin() for o in origins}

    async def middleware(request: aiohttp.ClientRequest, handler: ClientHandlerType) -> aiohttp.ClientResponse:
        if KEY_HEADER in request.headers or "Authorization" in request.headers:
            return await handler(request)
        if allowed is not None and request.url.origin() not in allowed:
            return await handler(request)
        if trust is not None and not trust(request.url):
            return await handler(request)
        payload = request.body
        body = b"" if isinstance(payload, bytes) else await payload.as_bytes()
        request.headers.update(auth.headers(request.method, request.url.raw_path_qs, body))
        return await handler(request)

    return middleware

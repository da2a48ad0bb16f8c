"""A typed Python client for casino-provider-simulator: the operator API (signed), the game client API, the admin
API and the reference wallet's sandbox, as a synchronous ``Client`` (httpx) and an ``AsyncClient`` (aiohttp), plus a
pytest plugin (``simulator_sdk.pytest_plugin``, entry point ``casino_sim``). It imports nothing of the server.

>>> from simulator_sdk import Client, Credentials
>>> Credentials("dev-key-1", "secret", "token")
Credentials(key_id='dev-key-1')

See docs/testing.md.
"""

from __future__ import annotations

import importlib
import typing

from simulator_sdk.calls import Reply, Request
from simulator_sdk.credentials import Credentials
from simulator_sdk.errors import (
    ApiError,
    Conflict,
    Forbidden,
    Gone,
    InsufficientFunds,
    InvalidRequest,
    NotFound,
    RateLimited,
    ServerError,
    SimulatorClientError,
    SimulatorNotStarted,
    TransportError,
    Unauthorized,
    WalletFailure,
)

if typing.TYPE_CHECKING:
    from simulator_sdk.aio import AsyncClient
    from simulator_sdk.client import Client
    from simulator_sdk.server import SimulatorProcess

# the clients load their HTTP library (httpx, aiohttp) on first use, so importing the package stays cheap
_LAZY = {
    "Client": "simulator_sdk.client",
    "AsyncClient": "simulator_sdk.aio",
    "SimulatorProcess": "simulator_sdk.server",
}


def __getattr__(name: str) -> typing.Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulator_sdk' has no attribute {name!r}")


__all__ = [
    "ApiError",
    "AsyncClient",
    "Client",
    "Conflict",
    "Credentials",
    "Forbidden",
    "Gone",
    "InsufficientFunds",
    "InvalidRequest",
    "NotFound",
    "RateLimited",
    "Reply",
    "Request",
    "ServerError",
    "SimulatorClientError",
    "SimulatorNotStarted",
    "SimulatorProcess",
    "TransportError",
    "Unauthorized",
    "WalletFailure",
]

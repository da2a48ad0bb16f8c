"""A reference wallet on a loopback socket, and wallet clients of every dialect pointed at it.

rsa_json runs twice where it can: with a stand-in signature scheme (HMAC, test-only) so its wire format, codes
and idempotency are exercised on any machine, and with real RSA keys when ``cryptography`` is installed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.dialects.call import WalletCall, WalletReply
from simulator.dialects.config import DialectEndpoint, credentials_for, resolve
from simulator.dialects.protocol import Dialect, WalletDialects
from simulator.dialects.registry import make_dialect
from simulator.dialects.rsa_json import RsaJsonDialect
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.ids import SeededIds
from simulator.settings import Settings
from simulator.wallet.app import create_wallet_app
from simulator.wallet_client.client import WalletClient
from simulator.wallet_client.transport import WalletTransport
from tests.harness import authed_session

STAND_IN_KEY = b"stand-in signature key (tests only)"


class StandInSigner:
    """HMAC-SHA256 in base64: exercises rsa_json's wire format without RSA (never used outside tests)."""

    def sign(self, body: bytes) -> str:
        return base64.b64encode(hmac.new(STAND_IN_KEY, body, hashlib.sha256).digest()).decode()

    def verify(self, body: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(body), signature)


VARIANTS = [
    pytest.param("native", id="native"),
    pytest.param("rsa_json", id="rsa_json-stand-in"),
    pytest.param(
        "rsa_json+rsa",
        id="rsa_json-rsa",
        marks=pytest.mark.skipif(not rsa_keys.available(), reason="the cryptography package is not installed"),
    ),
    pytest.param("md5_form", id="md5_form"),
    pytest.param("token_query", id="token_query"),
]


@dataclass
class WalletRig:
    url: str
    http: aiohttp.ClientSession  # the sandbox and ledger routes
    transport: WalletTransport  # the wallet calls
    clock: ManualClock  # the sender's; the wallet keeps its own, so a skewed sender can be simulated
    endpoints: dict[str, DialectEndpoint]
    variant: str
    client: WalletClient
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def dialect(self) -> str:
        return self.variant.split("+")[0]

    def client_with(self, dialect: Dialect) -> WalletClient:
        return WalletClient(self.transport, dialect, timeout=5)

    async def player(self, balance: int, currency: str = "USD") -> dict[str, Any]:
        body = {"currency": currency, "balance": balance}
        async with self.http.post(f"{self.url}/sandbox/players", json=body) as response:
            assert response.status == 201
            data: dict[str, Any] = await response.json()
            return data

    async def balance(self, player_id: str) -> int:
        async with self.http.get(f"{self.url}/sandbox/players/{player_id}") as response:
            return int((await response.json())["balance"])

    async def ledger(self, player_id: str) -> list[dict[str, Any]]:
        """The player's entries from provider transactions (the sandbox's opening deposit left out)."""
        async with self.http.get(f"{self.url}/ledger", params={"player_id": player_id}) as response:
            entries: list[dict[str, Any]] = (await response.json())["entries"]
            return [e for e in entries if e["kind"] != "deposit"]

    def next_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def call(self, player: dict[str, Any], operation: str, amount: int = 0, **fields: Any) -> WalletCall:
        base: dict[str, Any] = {
            "operation": operation,
            "player_id": player["player_id"],
            "session_id": player["token"],
            "currency": player["currency"],
            "game_id": "game-1",
            "studio_id": "studio-1",
        }
        if operation != "balance":
            base |= {"transaction_id": self.next_id(operation), "round_id": "round-1", "amount": amount}
        return WalletCall(**(base | fields))

    async def send(self, call: WalletCall) -> WalletReply:
        return await self.client.call(call)


def _client_dialect(variant: str, endpoint: DialectEndpoint, clock: ManualClock) -> Dialect:
    if variant == "rsa_json":
        return RsaJsonDialect(endpoint.url, endpoint.key_id, StandInSigner(), clock)
    return make_dialect(endpoint, clock)


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    sock = bind("127.0.0.1", 0)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(params=VARIANTS)
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[WalletRig]:
    variant: str = request.param
    async with make_rig(variant, tmp_path) as made:
        yield made


class make_rig:  # used like a function: ``async with make_rig(variant, tmp_path) as rig``
    def __init__(self, variant: str, tmp_path: Path, **settings: Any) -> None:
        self.variant = variant
        self.tmp_path = tmp_path
        self.settings = settings

    async def __aenter__(self) -> WalletRig:
        clock, sender_clock = ManualClock(), ManualClock()
        settings = Settings(data_dir=self.tmp_path / "data", port=0, **self.settings)
        creds = credentials_for(settings)
        if self.variant == "rsa_json+rsa":
            rsa_keys.load_or_create(settings.data_dir)
        stand_in = {creds.wallet_key_id: StandInSigner()} if self.variant == "rsa_json" else None
        placeholder = resolve(settings, creds)
        app = create_wallet_app(
            settings,
            clock=clock,
            ids=SeededIds(1, "wallet"),
            keys={creds.wallet_key_id: creds.wallet_secret.encode()},
            dialects=WalletDialects(placeholder, rsa_verifiers=stand_in),
        )
        self.runner, url = await _serve(app)
        endpoints = resolve(settings.model_copy(update={"wallet_url": url}), creds)
        self.http = authed_session(settings)
        self.transport = WalletTransport(8)
        dialect = self.variant.split("+")[0]
        wire = _client_dialect(self.variant, endpoints[dialect], sender_clock)
        client = WalletClient(self.transport, wire, timeout=5)
        return WalletRig(url, self.http, self.transport, sender_clock, endpoints, self.variant, client)

    async def __aexit__(self, *exc: object) -> None:
        await self.transport.close()
        await self.http.close()
        await self.runner.cleanup()

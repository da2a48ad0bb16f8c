"""A running simulator on a real loopback socket, and a client that speaks to it like an operator and a
player: ``sim.http`` (and so ``sim.request``) signs operator requests and sends the admin token where the path
needs it, exactly as ``simulator.auth.client`` says, so tests that are not about authentication never mention it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from simulator.app import create_app
from simulator.auth.client import ClientAuth, client_middleware
from simulator.auth.keys import AuthKeys, load_auth_keys
from simulator.clock import Clock, SystemClock
from simulator.commands.serve import bind
from simulator.listener import make_runner, start_site, trust_context
from simulator.settings import Settings
from simulator.state import AUTH, CLOCK


@dataclass
class Reply:
    status: int
    body: Any


@dataclass
class Sim:
    url: str
    app: web.Application
    http: aiohttp.ClientSession
    settings: Settings

    @property
    def keys(self) -> AuthKeys:
        """The server's operator keys and admin token (only with ``auth`` on)."""
        return self.app[AUTH]

    async def request(self, method: str, path: str, json: Any = None, *, auth: bool = True, **kwargs: Any) -> Reply:
        """``auth=False`` sends the request with no credentials at all (explicit headers are always kept)."""
        if not auth:
            kwargs["middlewares"] = ()
        async with self.http.request(method, self.url + path, json=json, **kwargs) as response:
            text = await response.text()
            try:
                import json as _json

                body = _json.loads(text) if text else None
            except ValueError:
                body = text
            return Reply(response.status, body)

    async def create_player(self, balance: int, currency: str = "USD", **fields: Any) -> dict[str, Any]:
        reply = await self.request(
            "POST", "/wallet/sandbox/players", {"currency": currency, "balance": balance} | fields
        )
        assert reply.status == 201, reply.body
        player: dict[str, Any] = reply.body
        return player

    async def balance(self, player_id: str) -> int:
        reply = await self.request("GET", f"/wallet/sandbox/players/{player_id}")
        assert reply.status == 200, reply.body
        return int(reply.body["balance"])

    async def launch(self, player: dict[str, Any], game_id: str, **fields: Any) -> dict[str, Any]:
        body = {
            "player_id": player["player_id"],
            "game_id": game_id,
            "currency": player["currency"],
            "token": player["token"],
        } | fields
        reply = await self.request("POST", "/v1/sessions", body)
        assert reply.status == 201, reply.body
        session: dict[str, Any] = reply.body
        return session

    async def play(self, session_token: str, amount: int, params: dict[str, Any] | None = None) -> Reply:
        return await self.request("POST", f"/play/{session_token}/rounds", {"amount": amount, "params": params or {}})

    async def game_for(self, engine_id: str) -> str:
        """The engine's reference title: every currency, no country limits, native dialect, never changed."""
        reply = await self.request("GET", f"/v1/games?engine={engine_id}&limit=500")
        assert reply.status == 200, reply.body
        for game in reply.body["games"]:
            if game["reference"]:
                return str(game["game_id"])
        raise AssertionError(f"no reference game with engine {engine_id}")


def authed_session(settings: Settings, clock: Clock | None = None) -> aiohttp.ClientSession:
    """A session with the credentials a server on these settings uses (for a reference wallet started alone)."""
    keys = load_auth_keys(settings)
    auth = ClientAuth(keys.first_key(), keys.admin_token, clock or SystemClock())
    return aiohttp.ClientSession(middlewares=[client_middleware(auth)])


def client_for(app: web.Application, settings: Settings) -> aiohttp.ClientSession:
    """A session that authenticates like an operator and an admin of ``app`` and trusts its TLS certificate."""
    middlewares = []
    if AUTH in app:
        keys = app[AUTH]
        middlewares.append(client_middleware(ClientAuth(keys.first_key(), keys.admin_token, app[CLOCK])))
    connector = None
    if settings.tls_cert is not None:
        connector = aiohttp.TCPConnector(ssl=trust_context(settings.tls_cert))
    return aiohttp.ClientSession(connector=connector, middlewares=middlewares)


@asynccontextmanager
async def running_sim(settings: Settings, *, clock: Clock | None = None, **kwargs: Any) -> AsyncIterator[Sim]:
    sock = bind("127.0.0.1", 0)
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    app = create_app(settings, clock=clock, **kwargs)
    runner = make_runner(app, settings)
    await runner.setup()
    await start_site(runner, sock, settings)
    try:
        async with client_for(app, settings) as http:
            yield Sim(settings.bind_url, app, http, settings)
    finally:
        await runner.cleanup()


def signed_headers(secret: str, body: bytes, *, timestamp: int, key_id: str = "casino-sim") -> dict[str, str]:
    from simulator.dialects.native import sign

    ts = str(timestamp)
    return {
        "Content-Type": "application/json",
        "X-Casino-Sim-Key": key_id,
        "X-Casino-Sim-Timestamp": ts,
        "X-Casino-Sim-Signature": sign(secret.encode(), ts, body),
    }


async def wallet_call(sim: Sim, operation: str, fields: dict[str, Any], **sign_kwargs: Any) -> Reply:
    """A native-protocol call straight to the embedded wallet, signed with the app's own secret."""
    import json

    from simulator.state import CLOCK, CREDENTIALS

    body = json.dumps(fields).encode()
    options: dict[str, Any] = {"timestamp": int(sim.app[CLOCK].now())} | sign_kwargs
    headers = signed_headers(sim.app[CREDENTIALS].wallet_secret, body, **options)
    return await sim.request("POST", f"/wallet/{operation}", data=body, headers=headers)

"""A running simulator on a real loopback socket, and a client that speaks to it like an operator and a
player."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from simulator.app import create_app
from simulator.clock import Clock
from simulator.commands.serve import bind
from simulator.settings import Settings


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

    async def request(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Reply:
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


@asynccontextmanager
async def running_sim(settings: Settings, *, clock: Clock | None = None, **kwargs: Any) -> AsyncIterator[Sim]:
    sock = bind("127.0.0.1", 0)
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    app = create_app(settings, clock=clock, **kwargs)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        async with aiohttp.ClientSession() as http:
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

    from simulator.app import CREDENTIALS
    from simulator.state import CLOCK

    body = json.dumps(fields).encode()
    options: dict[str, Any] = {"timestamp": int(sim.app[CLOCK].now())} | sign_kwargs
    headers = signed_headers(sim.app[CREDENTIALS].wallet_secret, body, **options)
    return await sim.request("POST", f"/wallet/{operation}", data=body, headers=headers)

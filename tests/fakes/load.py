"""Players and rounds over HTTP, as an operator and its players drive a simulator: used by the process tests
and by ``bench/settlement_soak.py``."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp


async def _json(response: aiohttp.ClientResponse) -> Any:
    return await response.json(content_type=None)


async def create_players(http: aiohttp.ClientSession, wallet_url: str, n: int, balance: int) -> list[dict[str, Any]]:
    players = []
    for _ in range(n):
        body = {"currency": "USD", "balance": balance}
        async with http.post(f"{wallet_url}/sandbox/players", json=body) as response:
            assert response.status == 201, await response.text()
            players.append(await _json(response))
    return players


async def game_for(http: aiohttp.ClientSession, sim_url: str, engine_id: str) -> str:
    """The engine's reference title (every currency, no country limits)."""
    async with http.get(f"{sim_url}/v1/games", params={"engine": engine_id, "limit": "500"}) as response:
        games = (await _json(response))["games"]
    return next(str(g["game_id"]) for g in games if g["reference"])


async def launch(http: aiohttp.ClientSession, sim_url: str, player: dict[str, Any], game_id: str) -> str:
    body = {"player_id": player["player_id"], "game_id": game_id, "currency": "USD", "token": player["token"]}
    async with http.post(f"{sim_url}/v1/sessions", json=body) as response:
        assert response.status == 201, await response.text()
        return str((await _json(response))["session_token"])


@dataclass
class Load:
    """Each session plays rounds back to back until ``stop`` is set or the simulator goes away."""

    sim_url: str
    stake: int = 100
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    _milestones: list[tuple[int, asyncio.Event]] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    def milestone(self, answered: int) -> asyncio.Event:
        """Set once ``answered`` rounds have been answered."""
        event = asyncio.Event()
        self._milestones.append((answered, event))
        return event

    async def _player(self, http: aiohttp.ClientSession, token: str, rounds: int | None) -> None:
        played = 0
        while not self.stop.is_set() and (rounds is None or played < rounds):
            try:
                async with http.post(f"{self.sim_url}/play/{token}/rounds", json={"amount": self.stake}) as r:
                    await r.read()
                    self.statuses[r.status] += 1
                for threshold, event in self._milestones:
                    if self.answered >= threshold:
                        event.set()
            except (aiohttp.ClientError, TimeoutError):
                self.connection_errors += 1
                return
            played += 1

    async def run(self, http: aiohttp.ClientSession, tokens: list[str], *, rounds: int | None = None) -> None:
        await asyncio.gather(*(self._player(http, t, rounds) for t in tokens))


async def report(http: aiohttp.ClientSession, sim_url: str) -> dict[str, Any]:
    async with http.get(f"{sim_url}/admin/settlement") as response:
        body: dict[str, Any] = await _json(response)
        return body


async def wait_settled(http: aiohttp.ClientSession, sim_url: str, *, limit: float) -> dict[str, Any]:
    """Poll the settlement report until nothing is pending; bounded by ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while True:
        body = await report(http, sim_url)
        if body["pending"] == 0:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"settlement still pending after {limit}s: {body}")
        await asyncio.sleep(0.2)

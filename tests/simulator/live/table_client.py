"""A test's players at a live table: each a real WebSocket, every message it receives checked against its schema."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jsonschema

from simulator.live.messages import SERVER_MESSAGES

WAIT = 10.0  # seconds a message may take to arrive before the test fails


@dataclass
class Seat:
    player_id: str
    token: str
    ws: aiohttp.ClientWebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_json(message)

    async def next(self, *kinds: str) -> dict[str, Any]:
        """The next message of one of ``kinds``; every message read on the way is validated and kept."""
        while True:
            message = await self.read()
            if message["type"] in kinds:
                return message

    async def bet(self, spot: str, amount: int = 100) -> dict[str, Any]:
        """Bet on one spot; the bet must be accepted. Returns the ``bet_accepted`` message."""
        await self.send({"type": "place_bet", "bets": [{"type": spot, "amount": amount}]})
        reply = await self.next("bet_accepted", "bet_refused")
        assert reply["type"] == "bet_accepted", reply
        return reply

    async def read(self) -> dict[str, Any]:
        message: dict[str, Any] = await asyncio.wait_for(self.ws.receive_json(), WAIT)
        jsonschema.validate(message, SERVER_MESSAGES[message["type"]])
        self.received.append(message)
        return message


async def seat(http: aiohttp.ClientSession, player_id: str, launch: dict[str, Any]) -> Seat:
    ws = await http.ws_connect(launch["websocket_url"])
    s = Seat(player_id, launch["session_token"], ws)
    await s.next("table_state")
    return s

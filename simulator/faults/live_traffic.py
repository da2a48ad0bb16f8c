"""A scenario's live traffic: players at one live table over real WebSockets, the table moved by the run's clock,
so fault rules meet the bets as they are placed and the payout burst right after each result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web

from simulator.clock import ManualClock
from simulator.faults.scenario import LiveStep
from simulator.state import LIVE

WAIT = 30.0  # seconds a socket may take to answer (real time: the wallet answers over loopback)


async def _until(ws: aiohttp.ClientWebSocketResponse, kinds: Sequence[str]) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = await ws.receive_json(timeout=WAIT)
        if message["type"] in kinds:
            return message


async def play_live(
    app: web.Application, url: str, tokens: Sequence[str], game_id: str, step: LiveStep, clock: ManualClock
) -> Counter[str]:
    """Returns the answers to the bets, by message type and code (``bet_accepted``, ``bet_refused:BETS_CLOSED``)."""
    tables = app[LIVE]
    answers: Counter[str] = Counter()
    async with aiohttp.ClientSession() as http:
        sockets = [await http.ws_connect(f"{url}/play/{token}/ws") for token in tokens]
        try:
            for ws in sockets:
                await _until(ws, ("table_state",))
            for _ in range(step.rounds):
                await tables.tick(game_id)
                for ws in sockets:
                    await ws.send_json({"type": "place_bet", "bets": [{"type": step.bet, "amount": step.amount}]})
                    answer = await _until(ws, ("bet_accepted", "bet_refused"))
                    answers[answer["type"] + (f":{answer['code']}" if "code" in answer else "")] += 1
                clock.advance(tables.timing.betting)
                await tables.tick(game_id)
                clock.advance(tables.timing.draw)
                await tables.tick(game_id)
                clock.advance(tables.timing.pause)
        finally:
            for ws in sockets:
                await ws.close()
    return answers

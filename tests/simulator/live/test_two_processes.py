"""Two simulator processes on one PostgreSQL database serve one live table: one holds its clock, the other hears
its events through LISTEN/NOTIFY, and players on either see the same rounds and the same results."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.databases import postgres_schema
from tests.fakes.load import create_players, game_for
from tests.fakes.processes import SimProcess, auth_session
from tests.simulator.live.test_live_crash import launch_live

ROUNDS = 3
ENV = {
    "CASINO_SIM_LIVE_BETTING_SECONDS": "1.5",
    "CASINO_SIM_LIVE_DRAW_SECONDS": "0.2",
    "CASINO_SIM_LIVE_PAUSE_SECONDS": "0.3",
    "CASINO_SIM_LIVE_LEASE": "3",
}


async def watch(ws: aiohttp.ClientWebSocketResponse) -> list[tuple[str, int, Any, int]]:
    """Bet in each round opened; returns (round id, round number, result, settled win) for ``ROUNDS`` rounds."""
    seen: list[tuple[str, int, Any, int]] = []
    result: dict[str, Any] = {}
    while len(seen) < ROUNDS:
        message = await ws.receive_json(timeout=20)
        if message["type"] == "round_opened":
            await ws.send_json({"type": "place_bet", "bets": [{"type": "red", "amount": 100}]})
        elif message["type"] == "bet_refused":
            raise AssertionError(message)
        elif message["type"] == "result":
            result = message
        elif message["type"] == "settlement" and result:
            assert message["round_id"] == result["round_id"]
            seen.append((result["round_id"], result["round_no"], result["result"], message["win"]))
    return seen


@pytest.mark.postgres
@pytest.mark.slow
async def test_players_on_two_processes_see_the_same_rounds_and_results(tmp_path: Path) -> None:
    async with postgres_schema() as pg_url:
        await two_processes(pg_url, tmp_path)


async def two_processes(pg_url: str, tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path / "sim"), "--database-url", pg_url]
    first = SimProcess(args, ENV, tmp_path / "sim-1.log")
    second = SimProcess(args, ENV, tmp_path / "sim-2.log")
    await first.start()
    try:
        await second.start()
        async with auth_session() as http, aiohttp.ClientSession() as plain:
            game = await game_for(http, first.url, "live-roulette-european")
            players = await create_players(http, f"{first.url}/wallet", 2, 100_000)
            launches = [
                await launch_live(http, first.url, players[0], game),
                await launch_live(http, second.url, players[1], game),
            ]
            assert launches[1]["websocket_url"].startswith(second.url.replace("http", "ws"))
            sockets = [await plain.ws_connect(launch["websocket_url"]) for launch in launches]
            one, two = await asyncio.gather(*(watch(ws) for ws in sockets))
    finally:
        await second.stop()
        await first.stop()
    common = sorted({r[0] for r in one} & {r[0] for r in two})
    assert len(common) >= ROUNDS - 1, (one, two)
    by_id_one = {r[0]: r for r in one}
    by_id_two = {r[0]: r for r in two}
    for round_id in common:
        assert by_id_one[round_id][1:3] == by_id_two[round_id][1:3], "same round number and result on both"
        assert by_id_one[round_id][3] == by_id_two[round_id][3], "the same bet on the same result wins the same"

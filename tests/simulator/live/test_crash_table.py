"""A live crash table runs on a bustabit v2 hash chain: each round takes the next game of the chain, the bust shown is
the public verifier's for that game hash and the chain's salt, the game hash walks forward to the terminating hash
published at the table, and each player's round verifies like any other."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from games.hashchain import crash_point, multiplier_text, verify_game_hash
from games.rng import commitment
from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import LIVE
from tests.harness import Sim, running_sim
from tests.simulator.live.table_client import seat

START = 1_000_000
ROUNDS = 4


@pytest.fixture
async def table_sim(settings: Settings) -> AsyncIterator[tuple[Sim, ManualClock]]:
    clock = ManualClock()
    async with running_sim(settings, clock=clock, live_loops=False, settlement_worker=False) as sim:
        yield sim, clock


async def test_crash_rounds_are_successive_games_of_the_published_chain(table_sim: tuple[Sim, ManualClock]) -> None:
    sim, clock = table_sim
    game_id = await sim.game_for("live-crash")
    tables = sim.app[LIVE]
    player = await sim.create_player(START)
    launch = await sim.launch(player, game_id)
    async with aiohttp.ClientSession() as http:
        s = await seat(http, player["player_id"], launch)
        chain = s.received[0]["chain"]
        assert chain["scheme"] == "bustabit-v2"
        previous = chain["terminating_hash"]
        staked = won = 0
        for n in range(1, ROUNDS + 1):
            await tables.tick(game_id)
            opened = (await s.next("round_opened"))["round"]
            assert opened["server_seed_hash"] == previous, "each round commits to the hash the next game links to"
            await s.send({"type": "place_bet", "bets": [{"type": "cashout", "multiplier": "1.50", "amount": 200}]})
            bet = await s.next("bet_accepted", "bet_refused")
            assert bet["type"] == "bet_accepted", bet
            clock.advance(tables.timing.betting)
            await tables.tick(game_id)
            clock.advance(tables.timing.draw)
            await tables.tick(game_id)
            result = await s.next("result")
            game_hash = result["server_seed"]
            assert commitment(game_hash) == previous
            assert verify_game_hash(game_hash, chain["terminating_hash"], max_steps=ROUNDS) == n
            bust = crash_point(game_hash, chain["salt"])
            assert result["result"] == {"bust": multiplier_text(bust)} and result["road"] == multiplier_text(bust)
            settlement = await s.next("settlement")
            assert settlement["win"] == (300 if bust >= 150 else 0)
            staked, won = staked + 200, won + settlement["win"]
            info = await sim.request("GET", f"/v1/rounds/{settlement['bet_id']}")
            assert info.body["fairness"]["server_seed"] == game_hash
            check = await sim.request(
                "POST", "/v1/fairness/verify", {"round_id": settlement["bet_id"], "server_seed": game_hash}
            )
            assert check.body["commitment_ok"] and check.body["matches_round"], check.body
            previous = game_hash
            clock.advance(tables.timing.pause)
        await s.ws.close()
    assert await sim.balance(player["player_id"]) == START - staked + won

"""Fifty players at one live baccarat table over several rounds on a manual clock: every bet debited when placed,
late bets refused, every bet settled once against the table's one result, every balance start - bets + wins, and
every round recomputable from the seed the result revealed."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import LIVE, STORE
from tests.harness import Sim, running_sim
from tests.simulator.live.table_client import Seat, seat

PLAYERS = 50
ROUNDS = 3
START = 1_000_000
BETTING, DRAW, PAUSE = 15.0, 3.0, 5.0


@pytest.fixture
async def table_sim(settings: Settings) -> AsyncIterator[tuple[Sim, ManualClock]]:
    clock = ManualClock()
    settings = settings.model_copy(
        update={"live_betting_seconds": BETTING, "live_draw_seconds": DRAW, "live_pause_seconds": PAUSE}
    )
    async with running_sim(settings, clock=clock, live_loops=False, settlement_worker=False) as sim:
        yield sim, clock


async def seats_at(sim: Sim, game_id: str, http: aiohttp.ClientSession, count: int) -> list[Seat]:
    out = []
    for _ in range(count):
        player = await sim.create_player(START)
        launch = await sim.launch(player, game_id)
        assert launch["websocket_url"].endswith(f"/play/{launch['session_token']}/ws")
        assert launch["websocket_url"].startswith("ws://")
        out.append(await seat(http, player["player_id"], launch))
    return out


async def test_fifty_players_several_rounds_balances_and_verification(table_sim: tuple[Sim, ManualClock]) -> None:
    sim, clock = table_sim
    game_id = await sim.game_for("live-baccarat")
    tables = sim.app[LIVE]
    rng = random.Random(5)
    staked: dict[str, int] = {}
    won: dict[str, int] = {}
    async with aiohttp.ClientSession() as http:
        seats = await seats_at(sim, game_id, http, PLAYERS)
        seen_rounds: list[str] = []
        for n in range(ROUNDS):
            await tables.tick(game_id)
            opened = [await s.next("round_opened") for s in seats]
            round_id = opened[0]["round"]["round_id"]
            assert {o["round"]["round_id"] for o in opened} == {round_id}, "every player sees the same round"
            assert opened[0]["round"]["round_no"] == n + 1
            seen_rounds.append(round_id)

            async def bet(s: Seat, round_id: str = round_id) -> None:
                spot = rng.choice(["player", "banker", "tie", "player_pair"])
                amount = rng.choice([10, 50, 100, 250])
                await s.send({"type": "place_bet", "bets": [{"type": spot, "amount": amount}], "ref": "b1"})
                reply = await s.next("bet_accepted", "bet_refused")
                assert reply["type"] == "bet_accepted", reply
                assert reply["bet"]["round_id"] == round_id and reply["ref"] == "b1"
                staked[s.player_id] = staked.get(s.player_id, 0) + amount

            await asyncio.gather(*(bet(s) for s in seats))
            clock.advance(BETTING)
            await tables.tick(game_id)
            for s in seats:
                assert (await s.next("no_more_bets"))["round_id"] == round_id
            late = seats[0]
            await late.send({"type": "place_bet", "bets": [{"type": "banker", "amount": 100}]})
            refused = await late.next("bet_refused")
            assert refused["code"] == "BETS_CLOSED"
            clock.advance(DRAW)
            await tables.tick(game_id)
            results = [await s.next("result") for s in seats]
            assert len({str(r["result"]) for r in results}) == 1, "one result for the whole table"
            for s in seats:
                settlement = await s.next("settlement")
                assert settlement["round_id"] == round_id and settlement["status"] == "closed"
                won[s.player_id] = won.get(s.player_id, 0) + settlement["win"]
            clock.advance(PAUSE)
        for s in seats:
            assert await sim.balance(s.player_id) == START - staked[s.player_id] + won[s.player_id]
            await s.ws.close()
    # every player round is closed and verifiable against the seed its table round revealed
    rounds = await sim.app[STORE].rounds.page()
    assert len(rounds) == PLAYERS * ROUNDS
    assert {r.status for r in rounds} == {"closed"}
    for r in rng.sample(rounds, 10):
        info = await sim.request("GET", f"/v1/rounds/{r.round_id}")
        seed = info.body["fairness"]["server_seed"]
        assert seed is not None, "the result revealed the round's seed"
        check = await sim.request("POST", "/v1/fairness/verify", {"round_id": r.round_id, "server_seed": seed})
        assert check.status == 200, check.body
        assert check.body["commitment_ok"] and check.body["matches_round"], check.body


async def test_single_player_rounds_on_a_live_game_are_refused(table_sim: tuple[Sim, ManualClock]) -> None:
    sim, _ = table_sim
    game_id = await sim.game_for("live-roulette-european")
    player = await sim.create_player(START)
    launch = await sim.launch(player, game_id)
    reply = await sim.play(launch["session_token"], 100)
    assert reply.status == 409 and reply.body["error"]["code"] == "LIVE_TABLE"
    assert await sim.balance(player["player_id"]) == START
    ordinary = await sim.launch(player, await sim.game_for("roulette-european"))
    assert ordinary["websocket_url"] is None

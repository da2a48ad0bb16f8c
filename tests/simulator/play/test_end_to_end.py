"""Ten players, a thousand rounds over a slot, roulette and dice: the wallet must end exactly where the simulator's own
round log says it should, to the minor unit."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from typing import Any

import pytest

from games.registry import engine_ids
from simulator.play.rounds import NONCE_RACES
from simulator.state import STORE
from tests.harness import Sim

PLAYERS = 10
ROUNDS = 1000
START = 1_000_000


def slot_engine() -> str:
    return next(e for e in engine_ids() if e.startswith("slot-"))


async def test_thousand_rounds_reconcile_to_the_minor_unit(sim: Sim) -> None:
    engines = [slot_engine(), "roulette-european", "dice"]
    games = [await sim.game_for(e) for e in engines]
    players = [await sim.create_player(START) for _ in range(PLAYERS)]
    sessions = {(p["player_id"], g): (await sim.launch(p, g))["session_token"] for p in players for g in games}
    rng = random.Random(7)
    plan = [(rng.choice(players), rng.choice(games), rng.choice([10, 25, 100, 250])) for _ in range(ROUNDS)]
    per_player: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for player, game, amount in plan:
        per_player[player["player_id"]].append((sessions[(player["player_id"], game)], amount))
    statuses: Counter[int] = Counter()

    async def play_all(items: list[tuple[str, int]]) -> None:
        for token, amount in items:
            reply = await sim.play(token, amount)
            statuses[reply.status] += 1
            assert reply.status < 500, reply.body

    await asyncio.gather(*(play_all(items) for items in per_player.values()))
    assert statuses == Counter({200: ROUNDS})

    rounds = await sim.app[STORE].rounds.page()
    assert len(rounds) == ROUNDS
    assert {r.status for r in rounds} == {"closed"}
    assert {r.engine_id for r in rounds} == set(engines)
    expected = {p["player_id"]: START for p in players}
    for r in rounds:
        expected[r.player_id] += r.win - r.stake
    for player_id, balance in expected.items():
        assert await sim.balance(player_id) == balance
    assert any(r.win > 0 for r in rounds) and any(r.win == 0 for r in rounds)


async def test_a_round_that_keeps_losing_its_nonce_is_refused_after_a_bounded_number_of_tries(
    sim: Sim, monkeypatch: pytest.MonkeyPatch
) -> None:
    player = await sim.create_player(10_000)
    session = await sim.launch(player, await sim.game_for("dice"))
    rounds = sim.app[STORE].rounds
    attempts = 0

    async def always_taken(round_: Any, txs: Any, *, claim: Any = None) -> bool:
        nonlocal attempts
        attempts += 1
        return False

    monkeypatch.setattr(rounds, "open", always_taken)
    reply = await sim.play(session["session_token"], 100)
    assert (reply.status, reply.body["error"]["code"]) == (409, "SESSION_BUSY")
    assert attempts == NONCE_RACES
    assert await sim.balance(player["player_id"]) == 10_000

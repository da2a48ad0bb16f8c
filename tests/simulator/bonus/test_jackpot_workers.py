"""Two simulator processes on one PostgreSQL database, rounds of one jackpot game played from both at once: every
acknowledged round feeds the pool once, every triggered round is paid once, and no value is paid twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from simulator.bonus.jackpots import jackpot_win_ids
from simulator.catalog.jackpots import JACKPOTS
from simulator.clock import ManualClock
from simulator.faults.timing import VirtualSleep
from simulator.settings import Settings
from simulator.state import CATALOG, STORE
from tests.databases import pg_url
from tests.harness import Sim, running_sim
from tests.simulator.bonus.helpers import ledger, reconciled, settle

__all__ = ["pg_url"]

ENGINE = "slot-jungle25-940"
ROUNDS = 12
STAKE = 1_000


def _likely(sim: Sim, game_id: str) -> None:
    """The same terms in both processes, the trigger made likely (1 in 2)."""
    catalog = sim.app[CATALOG]
    game = catalog.game(game_id)
    assert game.jackpot is not None
    catalog.games[game_id] = game.model_copy(update={"jackpot": game.jackpot.model_copy(update={"trigger_odds": 2})})


@pytest.mark.postgres
async def test_two_processes_feed_one_pool_and_never_pay_a_value_twice(pg_url: str, tmp_path: Path) -> None:
    clock = ManualClock()
    first_settings = Settings(data_dir=tmp_path / "one", port=0, database_url=pg_url)
    second_settings = first_settings.model_copy(update={"data_dir": tmp_path / "two"})
    sleep = VirtualSleep(clock)
    async with (
        running_sim(first_settings, clock=clock, sleep=sleep, settlement_worker=False) as one,
        running_sim(second_settings, clock=clock, sleep=sleep, settlement_worker=False) as two,
    ):
        game_id = await one.game_for(ENGINE)
        for sim in (one, two):
            _likely(sim, game_id)
        players = [await one.create_player(1_000_000) for _ in range(2)]
        tokens = [
            (sim, (await sim.launch(player, game_id))["session_token"]) for player in players for sim in (one, two)
        ]
        replies = await asyncio.gather(*(sim.play(token, STAKE) for _ in range(ROUNDS) for sim, token in tokens))
        assert all(r.status == 200 for r in replies), [r.body for r in replies if r.status != 200]
        await settle(one)
        await settle(two)
        won = [r.body for r in replies if r.body["jackpot"]["triggered"]]
        assert won
        [pool] = await one.app[STORE].jackpots.all()
        seed = JACKPOTS[ENGINE].seed_usd_cents
        contributed = sum(r.body["jackpot"]["contribution"] for r in replies)
        assert (pool.contributed, pool.wins) == (contributed, len(won))
        assert pool.value + pool.paid == seed * (pool.wins + 1) + contributed  # no value paid twice, none lost
        ids = {jackpot_win_ids(body["round_id"])[0] for body in won}
        paid = [e for p in players for e in await ledger(one, p["player_id"]) if e["transaction_id"] in ids]
        assert len(paid) == len(ids) and sum(e["amount"] for e in paid) == pool.paid
        assert (await reconciled(one)).differences == 0

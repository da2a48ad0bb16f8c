"""Two simulator processes on one PostgreSQL database, the player's free rounds played from both at once: each round
is claimed once, no more rounds are played than granted, and the campaign's total is queued and paid once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from simulator.clock import ManualClock
from simulator.faults.timing import VirtualSleep
from simulator.settings import Settings
from tests.databases import pg_url
from tests.harness import running_sim
from tests.simulator.bonus.helpers import campaign_for, ledger, reconciled, settle, slot_of

__all__ = ["pg_url"]

ROUNDS = 8


@pytest.mark.postgres
async def test_two_processes_never_share_a_free_round_nor_pay_a_total_twice(pg_url: str, tmp_path: Path) -> None:
    clock = ManualClock()
    first_settings = Settings(data_dir=tmp_path / "one", port=0, database_url=pg_url)
    second_settings = first_settings.model_copy(update={"data_dir": tmp_path / "two"})
    sleep = VirtualSleep(clock)
    async with (
        running_sim(first_settings, clock=clock, sleep=sleep, settlement_worker=False) as one,
        running_sim(second_settings, clock=clock, sleep=sleep, settlement_worker=False) as two,
    ):
        game, country = await slot_of(one, "native")
        player = await one.create_player(10_000)
        campaign = await campaign_for(one, game, player, rounds=ROUNDS, payout="total")
        tokens = [
            (sim, (await sim.launch(player, game["game_id"], country=country))["session_token"]) for sim in (one, two)
        ]
        body = {"campaign_id": campaign["campaign_id"]}
        replies = await asyncio.gather(
            *(sim.request("POST", f"/play/{token}/free-rounds", body) for _ in range(ROUNDS) for sim, token in tokens)
        )
        played = [r for r in replies if r.status == 200]
        refused = [r for r in replies if r.status != 200]
        assert len(played) == ROUNDS
        assert {(r.status, r.body["error"]["code"]) for r in refused} == {(409, "NO_FREE_ROUNDS_LEFT")}
        await settle(one)
        await settle(two)
        [share] = (await two.request("GET", f"/v1/campaigns/{campaign['campaign_id']}")).body["players"]
        won = sum(r.body["win"] for r in played)
        assert (share["status"], share["rounds_played"], share["total_win"]) == ("closed", ROUNDS, won)
        entries = await ledger(one, player["player_id"])
        totals = [e for e in entries if e["transaction_id"] == share["payout_transaction_id"]]
        assert len(totals) == (1 if won else 0)
        assert await one.balance(player["player_id"]) == 10_000
        assert (await reconciled(one)).differences == 0

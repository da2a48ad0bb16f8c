"""The market gate's conditional updates and the history queries on both databases: the same GB session, loss limit
and history through a whole simulator on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from tests.databases import ENGINES, database_url_for
from tests.harness import running_sim
from tests.simulator.markets.helpers import code, play, reconciled, session


@pytest.mark.parametrize("engine", ENGINES)
async def test_market_rules_and_history_on_each_database(engine: str, tmp_path: Path) -> None:
    clock = ManualClock()
    async with database_url_for(engine, tmp_path) as url:
        settings = Settings(data_dir=tmp_path / "data", port=0, database_url=url)
        async with running_sim(settings, clock=clock) as sim:
            token = await session(
                sim, "GBP", jurisdiction="GB", responsible_gaming={"loss_limit": 250, "reality_check_interval": 30}
            )
            assert (await play(sim, token, 100)).status == 200
            clock.advance(1)
            assert code(await play(sim, token, 100)) == "ROUND_TOO_SOON"
            clock.advance(1.5)
            assert code(await play(sim, token, 600)) == "STAKE_ABOVE_JURISDICTION_CAP"
            outcomes = []
            for _ in range(8):
                reply = await play(sim, token, 100)
                outcomes.append(code(reply))
                if reply.status == 200:
                    assert reply.body["market"]["net"] >= -250
                clock.advance(2.5)
            assert set(outcomes) <= {None, "LOSS_LIMIT_REACHED", "SESSION_CLOSED", "REALITY_CHECK_DUE"}
            info = (await sim.request("GET", f"/play/{token}/session")).body
            market, player_id = info["market"], info["player_id"]
            assert market["net"] >= -250 and market["staked"] - market["won"] == -market["net"]
            history = await sim.request("GET", f"/v1/players/{player_id}/rounds?status=closed")
            assert history.status == 200
            assert history.body["totals"][0]["rounds"] == market["rounds"] == len(history.body["rounds"])
            assert history.body["totals"][0]["net"] == market["net"]
            assert (await reconciled(sim)).differences == 0

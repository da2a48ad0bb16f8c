"""Deterministic mode: one seed reproduces a run, and a restart on the same data continues without reusing ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.clock import ManualClock
from simulator.settings import Settings
from tests.harness import running_sim


async def _session(settings: Settings) -> list[Any]:
    async with running_sim(settings, clock=ManualClock()) as sim:
        player = await sim.create_player(100_000, player_id="alice")
        launched = await sim.launch(player, await sim.game_for("dice"))
        played = [await sim.play(launched["session_token"], 100) for _ in range(3)]
        assert {r.status for r in played} == {200}
        return [launched["session_token"], launched["fairness"], player["token"]] + [
            (r.body["round_id"], r.body["outcome"], r.body["balance"]) for r in played
        ]


def _settings(path: Path) -> Settings:
    return Settings(data_dir=path, port=0, deterministic=True, seed=42, wallet_secret="fixed-secret")


async def test_same_seed_same_run(tmp_path: Path) -> None:
    assert await _session(_settings(tmp_path / "a")) == await _session(_settings(tmp_path / "b"))


async def test_restart_on_the_same_data_mints_new_ids(tmp_path: Path) -> None:
    first = await _session(_settings(tmp_path / "a"))
    async with running_sim(_settings(tmp_path / "a"), clock=ManualClock()) as sim:
        player = await sim.create_player(100_000, player_id="bob")
        launched = await sim.launch(player, await sim.game_for("dice"))
        played = await sim.play(launched["session_token"], 100)
        assert played.status == 200, played.body
        assert launched["session_token"] != first[0]
        assert player["token"] != first[2]
        assert played.body["round_id"] not in {r[0] for r in first[3:]}

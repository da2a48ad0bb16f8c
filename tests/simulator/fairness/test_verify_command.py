"""`casino-sim verify` offline against the public vector, and against rounds recorded by a live simulator in both
random-source modes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Sim

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "simulator.cli", "verify"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_offline_dice_reproduces_the_public_vector() -> None:
    result = run(
        "--engine",
        "dice",
        "--server-seed",
        "server seed",
        "--client-seed",
        "client seed",
        "--nonce",
        "2",
        "--amount",
        "100",
        "--params",
        '{"target": "50.00", "direction": "over"}',
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["detail"]["roll"] == "53.86"


def test_offline_commitment_mismatch_fails_and_bad_input_is_reported() -> None:
    bad = run(
        "--engine",
        "dice",
        "--server-seed",
        "s",
        "--client-seed",
        "c",
        "--nonce",
        "1",
        "--amount",
        "100",
        "--server-seed-hash",
        "0" * 64,
    )
    assert bad.returncode == 1 and "FAIL" in bad.stdout
    missing = run("--server-seed", "s")
    assert missing.returncode == 2 and "--engine" in missing.stderr
    unknown = run("--engine", "nope", "--server-seed", "s", "--client-seed", "c", "--nonce", "1", "--amount", "1")
    assert unknown.returncode == 2 and "nope" in unknown.stderr


async def _game(sim: Sim, **wanted: Any) -> dict[str, Any]:
    games: list[dict[str, Any]] = []
    cursor = ""
    while True:  # every page: a game of each kind wanted may be anywhere in the catalogue
        page = (await sim.request("GET", f"/v1/games?limit=500{cursor}")).body
        games += page["games"]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    playable = [
        g
        for g in games
        if "USD" in g["currencies"]
        and g["allowed_countries"] is None
        and not g["blocked_countries"]
        and g["enabled"]
        and g["category"] != "live"  # bets at a live table go through its socket, not single rounds
    ]
    return next(g for g in playable if all(g[k] == v for k, v in wanted.items()))


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param({"rng_mode": "provably-fair", "rng_mapping": "compatible", "multi_step": False}, id="pf"),
        pytest.param({"rng_mapping": "unbiased", "multi_step": False}, id="unbiased"),
        pytest.param({"rng_mode": "certified", "multi_step": False}, id="certified"),
        pytest.param({"engine_id": "mines"}, id="multi-step"),
    ],
)
async def test_recorded_round_verifies_after_rotation(sim: Sim, wanted: dict[str, Any]) -> None:
    game = await _game(sim, **wanted)
    player = await sim.create_player(1_000_000)
    token = (await sim.launch(player, game["game_id"]))["session_token"]
    played = await sim.play(token, game["min_bet"]["USD"] * 10)
    assert played.status == 200, played.body
    assert played.body["fairness"]["rng"] == game["rng_mode"]
    seed = (await sim.request("POST", f"/play/{token}/fairness/rotate", {})).body["revealed_server_seed"]
    creds = ("--data-dir", str(sim.settings.data_dir))
    ok = await asyncio.to_thread(
        run, "--round-id", played.body["round_id"], "--server-seed", seed, "--url", sim.url, *creds
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("PASS") == 2
    wrong = await asyncio.to_thread(
        run, "--round-id", played.body["round_id"], "--server-seed", seed + "0", "--url", sim.url, *creds
    )
    assert wrong.returncode == 1


async def test_unknown_round_is_a_clear_error(sim: Sim) -> None:
    creds = ("--data-dir", str(sim.settings.data_dir))
    result = await asyncio.to_thread(run, "--round-id", "nope", "--server-seed", "s", "--url", sim.url, *creds)
    assert result.returncode == 2 and "no such round" in result.stderr

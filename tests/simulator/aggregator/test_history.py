"""``GET /v1/players/{id}/rounds`` and ``casino-sim history``: a player's rounds newest first, filtered by game, time
and status, paged with a cursor, with totals over the whole selection."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator.clock import ManualClock
from tests.harness import Sim
from tests.simulator.markets.helpers import code

ROOT = Path(__file__).parents[3]


async def run_cli(*args: str) -> tuple[int, str, str]:
    """The real ``casino-sim`` in a process of its own, reading the test server's credentials from its data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASINO_SIM_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "simulator", *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def history(sim: Sim, player_id: str, query: str = "") -> dict[str, Any]:
    reply = await sim.request("GET", f"/v1/players/{player_id}/rounds{query}")
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


async def test_filters_pages_and_totals(msim: Sim, clock: ManualClock) -> None:
    player = await msim.create_player(1_000_000, "EUR")
    dice, slot = await msim.game_for("dice"), await msim.game_for("slot-classic20-965")
    played: list[dict[str, Any]] = []
    for game in (dice, slot):
        token = (await msim.launch(player, game))["session_token"]
        for _ in range(5):
            reply = await msim.play(token, 100)
            assert reply.status == 200, reply.body
            played.append(reply.body)
            clock.advance(10)
    other = await msim.create_player(1_000_000, "EUR")
    await msim.play((await msim.launch(other, dice))["session_token"], 100)

    everything = await history(msim, player["player_id"])
    assert [r["round_id"] for r in everything["rounds"]] == [r["round_id"] for r in reversed(played)]
    assert everything["next_cursor"] is None and everything["rounds"][0]["details_url"] is None
    won = sum(r["win"] for r in played)
    assert everything["totals"] == [{"currency": "EUR", "rounds": 10, "staked": 1000, "won": won, "net": won - 1000}]

    pages: list[str] = []
    query = "?limit=3"
    while True:
        page = await history(msim, player["player_id"], query)
        pages += [r["round_id"] for r in page["rounds"]]
        assert page["totals"] == everything["totals"]  # totals cover every page
        if page["next_cursor"] is None:
            break
        query = f"?limit=3&cursor={page['next_cursor']}"
    assert pages == [r["round_id"] for r in everything["rounds"]]

    only_dice = await history(msim, player["player_id"], f"?game_id={dice}")
    assert {r["game_id"] for r in only_dice["rounds"]} == {dice} and len(only_dice["rounds"]) == 5
    # the manual clock starts at 1,700,000,000 (2023-11-14T22:13:20Z) and moved 10 s after each round
    window = await history(msim, player["player_id"], "?from=1700000020&to=2023-11-14T22:14:10%2B00:00")
    assert [r["created_at"] - 1_700_000_000 for r in window["rounds"]] == [40, 30, 20]
    closed = await history(msim, player["player_id"], "?status=void")
    assert closed["rounds"] == [] and closed["totals"] == []


@pytest.mark.parametrize(
    ("query", "error"),
    [
        pytest.param("?status=done", "INVALID_REQUEST", id="status"),
        pytest.param("?from=yesterday", "INVALID_REQUEST", id="time"),
        pytest.param("?from=2026-01-01T00:00:00", "INVALID_REQUEST", id="time-without-offset"),
        pytest.param("?from=20&to=10", "INVALID_REQUEST", id="empty-range"),
        pytest.param("?cursor=bm9wZQ", "INVALID_CURSOR", id="cursor"),
        pytest.param("?limit=0", "INVALID_REQUEST", id="limit"),
        pytest.param("?player=1", "INVALID_REQUEST", id="unknown-parameter"),
    ],
)
async def test_bad_history_queries_are_json_400s(msim: Sim, query: str, error: str) -> None:
    reply = await msim.request("GET", f"/v1/players/p1/rounds{query}")
    assert (reply.status, code(reply)) == (400, error), reply.body


async def test_the_history_command_exports_csv_and_json(sim: Sim, tmp_path: Path) -> None:
    player = await sim.create_player(100_000, "USD")
    token = (await sim.launch(player, await sim.game_for("dice")))["session_token"]
    ids = [(await sim.play(token, 100)).body["round_id"] for _ in range(3)]
    where = ["--url", sim.url, "--data-dir", str(sim.settings.data_dir)]
    status, out, err = await run_cli("history", player["player_id"], *where, "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["round_id"] for r in rows] == ids[::-1] and {r["amount"] for r in rows} == {"100"}
    target = tmp_path / "history.json"
    status, out, err = await run_cli(
        "history", player["player_id"], *where, "--format", "json", "--output", str(target)
    )
    assert status == 0, err
    exported = json.loads(target.read_text())
    assert exported["totals"][0]["rounds"] == 3 and len(exported["rounds"]) == 3
    status, out, err = await run_cli("history", player["player_id"], *where)
    assert status == 0 and "USD: 3 rounds" in out
    status, out, err = await run_cli("history", player["player_id"], *where, "--status", "done")
    assert status == 1 and "INVALID_REQUEST" in err

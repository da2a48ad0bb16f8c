"""The audit export holds a round's outcome, its fairness proof, every transaction and the wallet exchanges the
journal kept, with no secret in it; the command writes the same from the database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from simulator import cli
from simulator.state import SETTINGS
from tests.simulator.settlement.conftest import SECRET, World


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


async def test_a_disputed_round_exported_whole(world_on: World, tmp_path: Path) -> None:
    world = world_on
    player = await world.player(100_000)
    game = await world.sim.game_for("test-coin")
    session = await world.sim.launch(player, game)
    token = session["session_token"]
    world.plan.on("win", "fail_before")  # the win is retried: two exchanges for one transaction
    played = [await world.sim.play(token, 100) for _ in range(3)]
    await world.settle()
    rotated = await world.sim.request("POST", f"/play/{token}/fairness/rotate", {})
    assert rotated.status == 200
    round_id = played[0].body["round_id"]

    reply = await world.sim.http.get(f"{world.sim.url}/v1/reports/audit?round_id={round_id}")
    assert reply.status == 200 and reply.content_type == "application/x-ndjson"
    text = await reply.text()
    lines = _lines(text)
    assert lines[0]["type"] == "audit_export" and lines[0]["rounds"] == 1
    kinds = [line["type"] for line in lines[1:]]
    assert kinds[0] == "round"
    round_ = lines[1]
    assert round_["round_id"] == round_id and round_["fairness"]["commitment_ok"] is True
    assert round_["fairness"]["server_seed"] == rotated.body["revealed_server_seed"]
    transactions = [line for line in lines if line["type"] == "transaction"]
    assert [t["kind"] for t in transactions] == ["bet", "win"]
    exchanges = [line for line in lines if line["type"] == "exchange"]
    assert [e["operation"] for e in exchanges] == ["bet", "win", "win"]  # the first win failed and was retried
    assert exchanges[1]["response"]["status"] == 500
    for exchange in exchanges:
        assert exchange["request"]["headers"]["X-Casino-Sim-Signature"] == "[redacted]"
    for secret in (SECRET, token, player["token"]):
        assert secret not in text

    # a player's rounds: all three; and the command, from the database alone, without exchanges
    reply = await world.sim.http.get(f"{world.sim.url}/v1/reports/audit?player_id={player['player_id']}")
    assert _lines(await reply.text())[0]["rounds"] == 3
    url = world.sim.app[SETTINGS].effective_database_url
    out = tmp_path / "audit.jsonl"
    code = await asyncio.to_thread(
        cli.main, ["audit-export", "--database-url", url, "--round-id", round_id, "-o", str(out)]
    )
    assert code == 0
    from_db = _lines(out.read_text())
    assert from_db[0]["exchanges"] == "none"
    assert from_db[1:] == [line for line in lines[1:] if line["type"] != "exchange"]


@pytest.mark.parametrize("query", ["", "from=2026-01-01", "round_id=x&from=soon"])
async def test_an_export_needs_a_selection(world_on: World, query: str) -> None:
    reply = await world_on.sim.request("GET", f"/v1/reports/audit?{query}")
    assert reply.status == 400
    assert reply.body["error"]["code"] == "INVALID_REQUEST"

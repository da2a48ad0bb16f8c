"""The change feed: seeded changes fall due with the clock, admin switches are recorded, instances agree."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import CATALOG
from tests.harness import Sim, running_sim

INTERVAL = 600.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def timed(settings: Settings, clock: ManualClock) -> AsyncIterator[Sim]:
    async with running_sim(settings, clock=clock) as running:
        yield running


async def feed(sim: Sim, since: int = 0, version: str = "v1", limit: int = 1000) -> dict[str, Any]:
    reply = await sim.request("GET", f"/{version}/games/changes?since={since}&limit={limit}")
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


async def test_nothing_changes_until_the_clock_moves(timed: Sim, clock: ManualClock) -> None:
    assert await feed(timed) == {"changes": [], "next_since": 0, "more": False}
    clock.advance(INTERVAL - 1)
    assert (await feed(timed))["changes"] == []


async def test_seeded_changes_fall_due_and_apply(timed: Sim, clock: ManualClock) -> None:
    clock.advance(INTERVAL * 40 + 1)
    changes = (await feed(timed))["changes"]
    assert [c["seq"] for c in changes] == list(range(1, 41))
    assert {c["kind"] for c in changes} >= {"added", "updated", "disabled"}
    assert all(c["source"] == "schedule" for c in changes)
    assert changes[0]["at"].endswith("Z")
    added = next(c for c in changes if c["kind"] == "added")
    game = await timed.request("GET", f"/v1/games/{added['game_id']}")
    assert game.status == 200 and game.body == added["game"]  # the feed shows each game as it is now
    listing = await timed.request("GET", "/v1/games?status=all&limit=1")
    assert listing.body["total"] == 1000 + sum(c["kind"] == "added" for c in changes)
    updated = next(c for c in changes if c["kind"] == "updated")
    current = (await timed.request("GET", f"/v1/games/{updated['game_id']}")).body
    assert current["updated_at"] is not None and current["version"] > 1
    for field, value in updated["fields"].items():
        if not any(
            c["kind"] == "updated" and c["game_id"] == updated["game_id"] and c["seq"] > updated["seq"] for c in changes
        ):
            assert current[field] == value
    disabled = {c["game_id"] for c in changes if c["kind"] == "disabled"} - {
        c["game_id"] for c in changes if c["kind"] == "enabled"
    }
    shown = {g["game_id"] for g in (await timed.request("GET", "/v1/games?status=disabled&limit=500")).body["games"]}
    assert shown == disabled


async def test_a_game_not_yet_added_is_unknown(timed: Sim, clock: ManualClock) -> None:
    game_id = sorted(timed.app[CATALOG].blueprint.upcoming)[0]
    assert (await timed.request("GET", f"/v1/games/{game_id}")).status == 404
    player = await timed.create_player(10_000)
    launch = await timed.request(
        "POST",
        "/v1/sessions",
        {"player_id": player["player_id"], "token": player["token"], "game_id": game_id, "currency": "USD"},
    )
    assert (launch.status, launch.body["error"]["code"]) == (404, "UNKNOWN_GAME")


async def test_feed_pages_with_since(timed: Sim, clock: ManualClock) -> None:
    clock.advance(INTERVAL * 25 + 1)
    first = await feed(timed, limit=10)
    assert len(first["changes"]) == 10 and first["more"] and first["next_since"] == 10
    rest = await feed(timed, since=first["next_since"], limit=100)
    assert [c["seq"] for c in rest["changes"]] == list(range(11, 26)) and not rest["more"]
    assert await feed(timed, since=rest["next_since"]) == {"changes": [], "next_since": 25, "more": False}
    v2 = await feed(timed, version="v2", limit=10)
    assert [c["seq"] for c in v2["changes"]] == [c["seq"] for c in first["changes"]]
    assert all(c["game"] is None or "bet_limits" in c["game"] for c in v2["changes"])
    bad = await timed.request("GET", "/v1/games/changes?since=-1")
    assert (bad.status, bad.body["error"]["code"]) == (400, "INVALID_REQUEST")


async def test_admin_disable_and_enable(timed: Sim) -> None:
    game_id = await timed.game_for("dice")
    off = await timed.request("POST", f"/admin/games/{game_id}/disable")
    assert off.status == 200 and off.body["changed"] and not off.body["game"]["enabled"]
    assert off.body["change"]["kind"] == "disabled" and off.body["change"]["source"] == "admin"
    again = await timed.request("POST", f"/admin/games/{game_id}/disable")
    assert again.body == {"changed": False, "change": None, "game": off.body["game"]}
    player = await timed.create_player(10_000)
    body = {"player_id": player["player_id"], "token": player["token"], "game_id": game_id, "currency": "USD"}
    refused = await timed.request("POST", "/v1/sessions", body)
    assert (refused.status, refused.body["error"]["code"]) == (403, "GAME_DISABLED")
    listed = await timed.request("GET", "/v1/games?engine=dice&limit=500")
    assert game_id not in {g["game_id"] for g in listed.body["games"]}
    on = await timed.request("POST", f"/admin/games/{game_id}/enable")
    assert on.body["game"]["enabled"] and on.body["game"]["version"] == 3
    assert (await timed.request("POST", "/v1/sessions", body)).status == 201
    kinds = [(c["kind"], c["game_id"]) for c in (await feed(timed))["changes"]]
    assert kinds == [("disabled", game_id), ("enabled", game_id)]
    missing = await timed.request("POST", "/admin/games/nope/disable")
    assert (missing.status, missing.body["error"]["code"]) == (404, "UNKNOWN_GAME")


async def test_two_instances_on_one_database_agree(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "shared", port=0)
    clock_a, clock_b = ManualClock(), ManualClock()
    async with running_sim(settings, clock=clock_a) as a, running_sim(settings, clock=clock_b) as b:
        game_id = await a.game_for("wheel")
        await a.request("POST", f"/admin/games/{game_id}/disable")
        clock_b.advance(2)  # past b's poll interval: it reads the shared change log
        seen = await b.request("GET", f"/v1/games/{game_id}")
        assert seen.body["enabled"] is False
        clock_a.advance(INTERVAL * 3 + 2)
        clock_b.advance(INTERVAL * 3)
        assert (await feed(a))["changes"] == (await feed(b))["changes"]
        assert len((await feed(a))["changes"]) == 4

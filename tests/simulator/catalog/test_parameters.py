"""GET /v{1,2}/games/{game_id}/parameters serves the engine's own schemas, and the OpenAPI document points there."""

from __future__ import annotations

from games.registry import get_engine
from simulator.openapi import build_openapi
from tests.harness import Sim


async def test_every_game_serves_its_engine_schemas(sim: Sim) -> None:
    games = (await sim.request("GET", "/v1/games?reference=true&limit=500")).body["games"]
    assert {g["engine_id"] for g in games} >= {"dice", "mines", "blackjack", "roulette-french", "slot-boost20-965"}
    for game in games:
        reply = await sim.request("GET", f"/v1/games/{game['game_id']}/parameters")
        assert reply.status == 200, reply.body
        engine = get_engine(game["engine_id"])
        expected = engine.parameters().to_json()
        assert reply.body == {
            "game_id": game["game_id"],
            "engine_id": game["engine_id"],
            "multi_step": engine.multi_step,
            **expected,
        }
        assert reply.body["multi_step"] == game["multi_step"]


async def test_v2_serves_the_same_and_answers_conditional_requests(sim: Sim) -> None:
    game_id = await sim.game_for("mines")
    v1 = await sim.request("GET", f"/v1/games/{game_id}/parameters")
    async with sim.http.get(f"{sim.url}/v2/games/{game_id}/parameters") as response:
        assert response.status == 200
        assert await response.json() == v1.body
        assert "Deprecation" not in response.headers
        etag = response.headers["ETag"]
    assert v1.body["actions"]["reveal"]["required"] == ["tile"]
    again = await sim.request("GET", f"/v2/games/{game_id}/parameters", headers={"If-None-Match": etag})
    assert again.status == 304


async def test_unknown_game_and_unsigned_requests_are_refused(sim: Sim) -> None:
    missing = await sim.request("GET", "/v1/games/no-such-game/parameters")
    assert missing.status == 404 and missing.body["error"]["code"] == "UNKNOWN_GAME"
    unsigned = await sim.request("GET", f"/v1/games/{await sim.game_for('dice')}/parameters", auth=False)
    assert unsigned.status == 401


async def test_openapi_points_bet_and_action_params_at_the_schemas(sim: Sim) -> None:
    document, _ = build_openapi(sim.app, title="t", version="1")
    assert "/v1/games/{game_id}/parameters" in document["paths"]
    schemas = document["components"]["schemas"]
    for model in ("PlayRequest", "ActionRequest"):
        description = schemas[model]["properties"]["params"]["description"]
        assert "GET /v1/games/{game_id}/parameters" in description and "docs/games.md" in description
    assert "Game-specific" not in str(schemas["PlayRequest"])

"""What the browser pages read from the server, without a browser: the session's money, stakes, board and lobby links,
the balance, the launch's refusals of hostile links, the signed round-details routes, the static files and the
dashboard's overview."""

from __future__ import annotations

from typing import Any

import pytest

from games.registry import engine_ids
from simulator.money import exponent
from simulator.play.assets import ASSETS
from simulator.play.display import board
from tests.harness import Sim


@pytest.mark.parametrize("engine_id", engine_ids())
def test_every_engine_has_a_client_module_that_is_served(engine_id: str) -> None:
    shape = board(engine_id)
    assert shape["module"] in ASSETS
    live = engine_id.startswith("live-")  # a live bet is one step, drawn by the family of the game dealt
    assert shape["multi_step"] == (shape["family"] in ("blackjack", "crash", "mines") and not live)


async def launched(sim: Sim, engine: str, currency: str = "USD", **fields: Any) -> tuple[dict[str, Any], str]:
    player = await sim.create_player(1_000_000, currency)
    session = await sim.launch(player, await sim.game_for(engine), **fields)
    return player, str(session["session_token"])


async def test_the_session_tells_the_client_its_money_stakes_board_and_lobby(sim: Sim) -> None:
    lobby = {"lobby_url": "https://casino.example/lobby?x=1", "cashier_url": "http://casino.example/cashier"}
    _, token = await launched(sim, "slot-classic20-965", "JPY", platform="mobile", language="de", **lobby)
    info = (await sim.request("GET", f"/play/{token}/session")).body
    game = (await sim.request("GET", f"/v1/games/{info['game_id']}")).body
    assert info["minor_unit"] == exponent("JPY") == 0
    assert info["bet_steps"] == game["bet_steps"]["JPY"] and info["bet_steps"]
    assert (info["lobby_url"], info["cashier_url"], info["platform"]) == (*lobby.values(), "mobile")
    assert info["board"]["family"] == "slots" and len(info["board"]["lines"]) == 20


async def test_the_balance_is_asked_of_the_wallet(sim: Sim) -> None:
    player, token = await launched(sim, "dice")
    assert (await sim.play(token, 500)).status == 200
    reply = await sim.request("GET", f"/play/{token}/balance")
    assert reply.status == 200
    assert reply.body == {"balance": await sim.balance(player["player_id"]), "currency": "USD"}
    missing = await sim.request("GET", "/play/nope/balance")
    assert missing.status == 404 and missing.body["error"]["code"] == "UNKNOWN_SESSION"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("lobby_url", "javascript:alert(1)", id="javascript"),
        pytest.param("lobby_url", "data:text/html,<script>alert(1)</script>", id="data"),
        pytest.param("lobby_url", "//casino.example/lobby", id="no-scheme"),
        pytest.param("lobby_url", "https://casino.example/\nSet-Cookie: x", id="newline"),
        pytest.param("lobby_url", "https:\\\\casino.example", id="backslash"),
        pytest.param("cashier_url", "https://" + "a" * 2100 + ".example", id="too-long"),
        pytest.param("cashier_url", "ftp://casino.example/", id="ftp"),
        pytest.param("platform", "fridge", id="platform"),
        pytest.param("lobby_url", 5, id="not-a-string"),
    ],
)
async def test_hostile_lobby_fields_are_refused(sim: Sim, field: str, value: object) -> None:
    player = await sim.create_player(1000)
    body = {
        "player_id": player["player_id"],
        "game_id": await sim.game_for("dice"),
        "currency": "USD",
        "token": player["token"],
        field: value,
    }
    reply = await sim.request("POST", "/v1/sessions", body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "INVALID_REQUEST" and field in reply.body["error"]["message"]


async def test_a_round_details_link_shows_that_round_only_and_verifies_it(sim: Sim) -> None:
    _, token = await launched(sim, "dice")
    first, second = (await sim.play(token, 100)).body, (await sim.play(token, 100)).body
    path = first["details_url"].removeprefix(sim.url)
    assert (await sim.request("GET", f"/v1/rounds/{first['round_id']}")).body["details_url"] == first["details_url"]
    data = await sim.request("GET", path + "/data", auth=False)
    assert data.status == 200
    assert (data.body["round_id"], data.body["outcome"], data.body["fairness"]["server_seed"]) == (
        first["round_id"],
        first["outcome"],
        None,
    )
    assert [t["kind"] for t in data.body["transactions"]] == ["bet", "win"]
    page = await sim.request("GET", path, auth=False)
    assert page.status == 200 and "round.js" in page.body
    tag = path.rsplit("/", 1)[1]
    for other in (f"/rounds/{second['round_id']}/{tag}/data", path[:-1] + "x/data", f"/rounds/nope/{tag}"):
        refused = await sim.request("GET", other, auth=False)
        assert refused.status == 404 and refused.body["error"]["code"] == "UNKNOWN_ROUND", other
    early = await sim.request("POST", path + "/verify", auth=False)
    assert early.status == 404 and early.body["error"]["code"] == "SEED_NOT_REVEALED"
    assert (await sim.request("POST", f"/play/{token}/fairness/rotate", {})).status == 200
    verified = await sim.request("POST", path + "/verify", auth=False)
    assert verified.status == 200
    assert verified.body["commitment_ok"] is True and verified.body["matches_round"] is True


async def test_pages_carry_a_policy_that_keeps_them_on_the_simulator(sim: Sim) -> None:
    _, token = await launched(sim, "dice")
    async with sim.http.get(f"{sim.url}/play/{token}", middlewares=()) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
    missing = await sim.request("GET", "/static/nope.js", auth=False)
    assert missing.status == 404 and missing.body["error"]["code"] == "NOT_FOUND"
    shell = await sim.request("GET", "/static/client.html", auth=False)
    assert shell.status == 404  # pages are served at their own routes only


async def test_the_overview_lists_rounds_queue_and_faults_behind_the_admin_token(sim: Sim) -> None:
    _, token = await launched(sim, "dice")
    played = (await sim.play(token, 100)).body
    assert (await sim.request("GET", "/admin/api/overview", auth=False)).status == 401
    rule = {
        "id": "r1",
        "match": {"side": "inbound", "operation": "studios"},
        "action": {"type": "status", "status": 503},
    }
    assert (await sim.request("POST", "/admin/faults", rule)).status == 201
    overview = (await sim.request("GET", "/admin/api/overview")).body
    assert overview["recent_rounds"][0]["round_id"] == played["round_id"]
    assert played["details_url"].endswith(overview["recent_rounds"][0]["details_url"])
    assert overview["rounds"]["closed"] == 1 and overview["open_rounds"] == 0
    assert overview["settlement"] == {"pending": 0, "retrying": 0, "manual": 0}
    assert [r["id"] for r in overview["faults"]] == ["r1"]
    switched = await sim.request("POST", "/admin/api/faults/r1/enabled", {"enabled": False})
    assert switched.status == 200 and switched.body["enabled"] is False
    assert (await sim.request("GET", "/admin/faults/r1")).body["enabled"] is False
    unknown = await sim.request("POST", "/admin/api/faults/nope/enabled", {"enabled": True})
    assert unknown.status == 404 and unknown.body["error"]["code"] == "UNKNOWN_FAULT"
    assert (await sim.request("POST", "/admin/api/faults/r1/enabled", {"enabled": "no"})).status == 400


async def test_the_rtp_monitor_behind_the_admin_token_matches_the_rounds_played(sim: Sim) -> None:
    _, token = await launched(sim, "dice")
    played = [(await sim.play(token, 100)).body for _ in range(5)]
    assert (await sim.request("GET", "/admin/api/rtp", auth=False)).status == 401
    [line] = (await sim.request("GET", "/admin/api/rtp")).body["games"]
    assert line["engine_id"] == "dice" and line["currency"] == "USD"
    assert (line["rounds"], line["stakes"], line["wins"]) == (5, 500, sum(r["win"] for r in played))
    assert line["status"] == "too_few_rounds", "no verdict on five rounds"

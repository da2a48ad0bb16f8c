"""Bad input on every route: a 4xx JSON error with a code and a message, and no balance moves."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from tests.harness import Reply, Sim, running_sim, wallet_call

OVERSIZE = {"amount": 100, "params": {"pad": "x" * (70 * 1024)}}


def assert_error(reply: Reply, status: int, code: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert isinstance(reply.body, dict), reply.body
    error = reply.body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code


@pytest.fixture
async def world(sim: Sim) -> tuple[Sim, dict[str, Any], str]:
    player = await sim.create_player(10_000)
    game = await sim.game_for("dice")
    session = await sim.launch(player, game)
    return sim, player, session["session_token"]


LAUNCH_CASES = [
    pytest.param({"game_id": None}, 400, "INVALID_REQUEST", id="missing-game"),
    pytest.param({"player_id": 42}, 400, "INVALID_REQUEST", id="player-not-string"),
    pytest.param({"game_id": "no-such-game"}, 404, "UNKNOWN_GAME", id="unknown-game"),
    pytest.param({"currency": "XYZ"}, 400, "UNKNOWN_CURRENCY", id="unknown-currency"),
    pytest.param({"currency": "EUR"}, 400, "CURRENCY_MISMATCH", id="wrong-currency-for-player"),
    pytest.param({"token": "forged"}, 401, "INVALID_SESSION", id="unknown-operator-token"),
    pytest.param({"unexpected": 1}, 400, "INVALID_REQUEST", id="extra-field"),
    pytest.param({"client_seed": ""}, 400, "INVALID_REQUEST", id="empty-client-seed"),
]


@pytest.mark.parametrize(("change", "status", "code"), LAUNCH_CASES)
async def test_launch_rejects(
    world: tuple[Sim, dict[str, Any], str], change: dict[str, Any], status: int, code: str
) -> None:
    sim, player, _ = world
    body = {
        "player_id": player["player_id"],
        "game_id": await sim.game_for("dice"),
        "currency": "USD",
        "token": player["token"],
    } | change
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(await sim.request("POST", "/v1/sessions", body), status, code)


PLAY_CASES = [
    pytest.param({}, 400, "INVALID_REQUEST", id="missing-amount"),
    pytest.param({"amount": "100"}, 400, "INVALID_REQUEST", id="amount-as-string"),
    pytest.param({"amount": 1.5}, 400, "INVALID_REQUEST", id="fractional-amount"),
    pytest.param({"amount": 100.0}, 400, "INVALID_REQUEST", id="float-amount"),
    pytest.param({"amount": -100}, 400, "INVALID_REQUEST", id="negative-amount"),
    pytest.param({"amount": 0}, 400, "INVALID_REQUEST", id="zero-amount"),
    pytest.param({"amount": True}, 400, "INVALID_REQUEST", id="boolean-amount"),
    pytest.param({"amount": 2**70}, 400, "INVALID_REQUEST", id="amount-beyond-json-precision"),
    pytest.param({"amount": 2**40}, 400, "BET_OUT_OF_LIMITS", id="amount-above-max-bet"),
    pytest.param({"amount": 1}, 400, "BET_OUT_OF_LIMITS", id="amount-below-min-bet"),
    pytest.param({"amount": 100, "params": []}, 400, "INVALID_REQUEST", id="params-not-object"),
    pytest.param({"amount": 100, "params": {"target": "abc"}}, 400, "INVALID_BET", id="bad-game-params"),
    pytest.param({"amount": 100, "extra": 1}, 400, "INVALID_REQUEST", id="extra-field"),
    pytest.param(OVERSIZE, 413, "BODY_TOO_LARGE", id="oversize-body"),
]


@pytest.mark.parametrize(("body", "status", "code"), PLAY_CASES)
async def test_play_rejects(
    world: tuple[Sim, dict[str, Any], str], body: dict[str, Any], status: int, code: str
) -> None:
    sim, player, token = world
    assert_error(await sim.request("POST", f"/play/{token}/rounds", body), status, code)
    assert await sim.balance(player["player_id"]) == 10_000


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"", "INVALID_REQUEST", id="empty"),
        pytest.param(b"{not json", "INVALID_JSON", id="not-json"),
        pytest.param(b"\xff\xfe", "INVALID_JSON", id="not-utf8"),
        pytest.param(b"[1, 2]", "INVALID_REQUEST", id="array"),
    ],
)
async def test_unparseable_bodies(world: tuple[Sim, dict[str, Any], str], data: bytes, code: str) -> None:
    sim, player, token = world
    for path in (f"/play/{token}/rounds", "/v1/sessions", "/wallet/sandbox/players", "/v1/fairness/verify"):
        reply = await sim.request("POST", path, data=data, headers={"Content-Type": "application/json"})
        assert_error(reply, 400, code)
    assert await sim.balance(player["player_id"]) == 10_000


async def test_unknown_token_and_resources(world: tuple[Sim, dict[str, Any], str]) -> None:
    sim, _, _ = world
    assert_error(await sim.play("no-such-token", 100), 404, "UNKNOWN_SESSION")
    assert_error(await sim.request("GET", "/play/no-such-token/session"), 404, "UNKNOWN_SESSION")
    assert_error(await sim.request("GET", "/play/no-such-token"), 404, "UNKNOWN_SESSION")
    assert_error(await sim.request("GET", "/v1/games/nope"), 404, "UNKNOWN_GAME")
    assert_error(await sim.request("GET", "/v1/rounds/nope"), 404, "UNKNOWN_ROUND")
    assert_error(await sim.request("GET", "/wallet/sandbox/players/nope"), 404, "NOT_FOUND")
    assert_error(await sim.request("GET", "/no/such/route"), 404, "NOT_FOUND")
    assert_error(await sim.request("DELETE", "/v1/games"), 405, "METHOD_NOT_ALLOWED")
    assert_error(await sim.request("GET", "/v1/games?limit=abc"), 400, "INVALID_REQUEST")
    assert_error(await sim.request("GET", "/v1/games?limit=0"), 400, "INVALID_REQUEST")
    assert_error(await sim.request("GET", "/v1/games?cursor=nope"), 400, "INVALID_CURSOR")
    assert_error(await sim.request("GET", "/v1/transactions?after=-1"), 400, "INVALID_REQUEST")
    assert_error(await sim.request("GET", "/wallet/ledger?limit=x"), 400, "INVALID_REQUEST")
    assert_error(await sim.request("POST", "/v1/fairness/verify", {"server_seed": "s"}), 400, "INVALID_REQUEST")
    assert_error(await sim.request("POST", "/play/x/rounds/y/actions", {"action": "hit"}), 404, "UNKNOWN_SESSION")


async def test_act_on_a_single_step_round_is_refused(world: tuple[Sim, dict[str, Any], str]) -> None:
    sim, player, token = world
    played = await sim.play(token, 100)
    assert played.status == 200
    balance = await sim.balance(player["player_id"])
    reply = await sim.request("POST", f"/play/{token}/rounds/{played.body['round_id']}/actions", {"action": "hit"})
    assert_error(reply, 400, "ILLEGAL_ACTION")
    assert await sim.balance(player["player_id"]) == balance


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"currency": "XYZ", "balance": 1}, 400, id="unknown-currency"),
        pytest.param({"currency": "USD", "balance": -1}, 400, id="negative-balance"),
        pytest.param({"currency": "USD", "balance": 1.5}, 400, id="fractional-balance"),
        pytest.param({"currency": "USD", "balance": "10"}, 400, id="string-balance"),
        pytest.param({"balance": 10}, 400, id="missing-currency"),
    ],
)
async def test_sandbox_rejects(sim: Sim, body: dict[str, Any], status: int) -> None:
    assert_error(await sim.request("POST", "/wallet/sandbox/players", body), status)


async def test_duplicate_player_is_a_conflict(sim: Sim) -> None:
    await sim.create_player(5, player_id="alice")
    assert_error(
        await sim.request("POST", "/wallet/sandbox/players", {"currency": "USD", "player_id": "alice"}), 409, "CONFLICT"
    )
    assert await sim.balance("alice") == 5


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"amount": -1}, "INVALID_REQUEST", id="negative"),
        pytest.param({"amount": 1.25}, "INVALID_REQUEST", id="over-precise"),
        pytest.param({"amount": "1"}, "INVALID_REQUEST", id="string"),
        pytest.param({"amount": 2**60}, "INVALID_REQUEST", id="huge"),
        pytest.param({"transaction_id": ""}, "INVALID_REQUEST", id="empty-transaction-id"),
        pytest.param({"round_id": None}, "INVALID_REQUEST", id="missing-round"),
    ],
)
async def test_wallet_protocol_rejects(
    world: tuple[Sim, dict[str, Any], str], change: dict[str, Any], code: str
) -> None:
    sim, player, _ = world
    body = {
        "request_id": "r",
        "transaction_id": str(uuid.uuid4()),
        "round_id": "x",
        "player_id": player["player_id"],
        "session_id": player["token"],
        "currency": "USD",
        "amount": 10,
    } | change
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(await wallet_call(sim, "bet", body), 400, code)
    assert await sim.balance(player["player_id"]) == 10_000


async def test_expired_session_refuses_rounds(settings: Settings) -> None:
    clock = ManualClock()
    async with running_sim(settings.model_copy(update={"session_ttl": 60}), clock=clock) as sim:
        player = await sim.create_player(10_000)
        session = await sim.launch(player, await sim.game_for("dice"))
        assert (await sim.play(session["session_token"], 100)).status == 200
        clock.advance(61)
        balance = await sim.balance(player["player_id"])
        assert_error(await sim.play(session["session_token"], 100), 410, "SESSION_EXPIRED")
        assert await sim.balance(player["player_id"]) == balance


def test_error_bodies_are_json_serialisable() -> None:
    from simulator.http import error_body

    assert json.loads(json.dumps(error_body("X", "y", balance=1))) == {
        "error": {"code": "X", "message": "y"},
        "balance": 1,
    }

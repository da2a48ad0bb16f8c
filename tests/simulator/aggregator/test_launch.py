"""Launch rules (clear 4xx for every refusal) and demo mode (fun money, no wallet call at all)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from simulator.commands.serve import bind
from simulator.settings import Settings
from tests.harness import Sim, running_sim

Game = dict[str, Any]


async def games(sim: Sim) -> list[Game]:
    out: list[Game] = []
    cursor = ""
    while True:
        reply = await sim.request("GET", f"/v1/games?limit=500{cursor}")
        out += reply.body["games"]
        if reply.body["next_cursor"] is None:
            return out
        cursor = f"&cursor={reply.body['next_cursor']}"


async def launch(sim: Sim, game: Game, **fields: Any) -> Any:
    player = await sim.create_player(100_000)
    body = {
        "player_id": player["player_id"],
        "token": player["token"],
        "game_id": game["game_id"],
        "currency": "USD",
    } | fields
    return await sim.request("POST", "/v1/sessions", {k: v for k, v in body.items() if v is not None})


def _pick(predicate: Callable[[Game], bool]) -> Callable[[list[Game]], Game]:
    return lambda gs: next(g for g in gs if predicate(g))


REFUSALS = [
    pytest.param(
        _pick(lambda g: "JPY" not in g["currencies"]),
        {"currency": "JPY"},
        400,
        "CURRENCY_NOT_OFFERED",
        id="currency-not-offered",
    ),
    pytest.param(_pick(lambda g: True), {"currency": "XYZ"}, 400, "UNKNOWN_CURRENCY", id="unknown-currency"),
    pytest.param(
        _pick(lambda g: "US" in g["blocked_countries"]),
        {"country": "US"},
        403,
        "COUNTRY_BLOCKED",
        id="country-blocked",
    ),
    pytest.param(
        _pick(lambda g: g["allowed_countries"] is not None and "ZA" not in g["allowed_countries"]),
        {"country": "ZA"},
        403,
        "COUNTRY_BLOCKED",
        id="country-not-allowed",
    ),
    pytest.param(_pick(lambda g: bool(g["blocked_countries"])), {}, 400, "COUNTRY_REQUIRED", id="country-required"),
    pytest.param(
        _pick(lambda g: not g["demo"]),
        {"demo": True, "token": None, "player_id": None},
        403,
        "DEMO_NOT_AVAILABLE",
        id="no-demo",
    ),
    pytest.param(_pick(lambda g: True), {"token": None}, 400, "INVALID_REQUEST", id="token-missing"),
    pytest.param(_pick(lambda g: True), {"token": "demo:abc"}, 400, "INVALID_REQUEST", id="reserved-token"),
    pytest.param(_pick(lambda g: True), {"demo": "yes"}, 400, "INVALID_REQUEST", id="strict-types"),
    pytest.param(_pick(lambda g: True), {"game_id": "no-such-game"}, 404, "UNKNOWN_GAME", id="unknown-game"),
    pytest.param(
        _pick(lambda g: "US" in g["blocked_countries"]),
        {"country": "us"},
        400,
        "INVALID_REQUEST",
        id="lower-case-country-cannot-dodge-a-block",
    ),
]


@pytest.mark.parametrize(("pick", "fields", "status", "code"), REFUSALS)
async def test_refused_launches(
    sim: Sim, pick: Callable[[list[Game]], Game], fields: dict[str, Any], status: int, code: str
) -> None:
    game = pick(await games(sim))
    if (
        "country" not in fields
        and code not in ("COUNTRY_REQUIRED",)
        and (game["blocked_countries"] or game["allowed_countries"])
    ):
        fields = fields | {"country": (game["allowed_countries"] or ["MT", "IE"])[0]}
    reply = await launch(sim, game, **fields)
    assert reply.status == status, reply.body
    assert reply.body["error"]["code"] == code
    assert reply.body["error"]["message"]


async def test_a_launch_in_an_allowed_country_succeeds(sim: Sim) -> None:
    studios = {s["studio_id"]: s["dialect"] for s in (await sim.request("GET", "/v1/studios")).body["studios"]}
    game = next(g for g in await games(sim) if g["allowed_countries"] and studios[g["studio_id"]] != "rsa_json")
    reply = await launch(sim, game, country=game["allowed_countries"][0])
    assert reply.status == 201, reply.body
    assert reply.body["balance"] == 100_000 and reply.body["demo"] is False


class RecordingWallet:
    """A wallet that answers nothing useful and remembers every request it got."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.json_response({"error": {"code": "INTERNAL_ERROR", "message": "recorder"}}, status=500)


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[RecordingWallet, str]]:
    wallet = RecordingWallet()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", wallet.handle)
    sock = bind("127.0.0.1", 0)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    yield wallet, f"http://127.0.0.1:{sock.getsockname()[1]}"
    await runner.cleanup()


async def test_demo_plays_fun_money_and_calls_no_wallet(tmp_path: Path, recorder: tuple[RecordingWallet, str]) -> None:
    wallet, url = recorder
    settings = Settings(data_dir=tmp_path / "data", port=0, wallet_url=url)
    async with running_sim(settings) as sim:
        per_dialect: dict[str, str] = {}
        studios = {s["studio_id"]: s["dialect"] for s in (await sim.request("GET", "/v1/studios")).body["studios"]}
        for game in await games(sim):
            unrestricted = not game["blocked_countries"] and game["allowed_countries"] is None
            if game["demo"] and not game["multi_step"] and game["category"] != "live" and unrestricted:
                per_dialect.setdefault(studios[game["studio_id"]], game["game_id"])
        assert set(per_dialect) == {"native", "rsa_json", "md5_form", "token_query"}
        for game_id in per_dialect.values():
            body = {"game_id": game_id, "currency": "EUR", "demo": True}
            session = await sim.request("POST", "/v1/sessions", body)
            assert session.status == 201, session.body
            assert session.body["demo"] is True and session.body["balance"] == 100_000
            assert session.body["player_id"].startswith("demo-")
            balance = session.body["balance"]
            info = await sim.request("GET", f"/play/{session.body['session_token']}/session")
            stake = info.body["min_bet"]
            for _ in range(5):
                played = await sim.play(session.body["session_token"], stake)
                assert played.status == 200, played.body
                assert played.body["balance"] == balance - stake + played.body["win"]
                balance = played.body["balance"]
        ledger = await sim.request("GET", "/wallet/ledger")
        assert ledger.body["entries"] == []
        assert wallet.requests == [], "demo launches and rounds made no wallet call"
        real = {"game_id": per_dialect["native"], "currency": "EUR", "player_id": "p-1", "token": "t-1"}
        refused = await sim.request("POST", "/v1/sessions", real)
        assert (refused.status, refused.body["error"]["code"]) == (502, "WALLET_UNAVAILABLE")
        assert wallet.requests == ["/balance"], "the recorder does see real calls"

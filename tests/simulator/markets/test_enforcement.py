"""What the server enforces of each jurisdiction profile and of the operator's limits, on a manual clock (no test
sleeps): minimum time between slot rounds, stake caps, autoplay and turbo, reality checks, session time and loss
limits; and that the money still reconciles afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.markets.profiles import load_profiles
from tests.harness import Sim
from tests.simulator.markets.helpers import code, launch, play, reconciled, session

LIMITS = {"responsible_gaming": {"session_time_limit": 3600, "loss_limit": 500_000}}
# one launch per profile (FR has none: the permissive default), in a currency of the market
MARKETS = [
    pytest.param("GB", "GBP", {}, id="GB"),
    pytest.param("CA-ON", "CAD", {}, id="CA-ON"),
    pytest.param("SE", "SEK", {}, id="SE"),
    pytest.param("DE", "EUR", {}, id="DE"),
    pytest.param("ES", "EUR", LIMITS, id="ES"),
    pytest.param("FR", "EUR", {}, id="default"),
]


@pytest.mark.parametrize(("jurisdiction", "currency", "extra"), MARKETS)
async def test_minimum_time_between_slot_rounds(
    msim: Sim, clock: ManualClock, jurisdiction: str, currency: str, extra: dict[str, Any]
) -> None:
    least = load_profiles().resolve(jurisdiction).for_category("slots").min_round_seconds
    token = await session(msim, currency, jurisdiction=jurisdiction, **extra)
    assert (await play(msim, token, 100)).status == 200
    if least:
        clock.advance(least - 1)
        early = await play(msim, token, 100)
        assert (early.status, code(early)) == (409, "ROUND_TOO_SOON")
        assert early.body["retry_after"] == pytest.approx(1.0)
        clock.advance(1)
    assert (await play(msim, token, 100)).status == 200


@pytest.mark.parametrize(("jurisdiction", "currency", "extra"), MARKETS)
async def test_autoplay_and_turbo_are_refused_where_banned(
    msim: Sim, clock: ManualClock, jurisdiction: str, currency: str, extra: dict[str, Any]
) -> None:
    rules = load_profiles().resolve(jurisdiction).for_category("slots")
    token = await session(msim, currency, jurisdiction=jurisdiction, **extra)
    autoplay = await play(msim, token, 100, autoplay=True)
    assert code(autoplay) == (None if rules.autoplay else "AUTOPLAY_NOT_ALLOWED")
    clock.advance(10)
    turbo = await play(msim, token, 100, turbo=True)
    assert code(turbo) == (None if rules.turbo else "TURBO_NOT_ALLOWED")
    clock.advance(10)
    assert (await play(msim, token, 100)).status == 200  # a refused round left no trace that blocks the next


@pytest.mark.parametrize(("jurisdiction", "currency", "extra"), MARKETS)
async def test_the_stake_cap_of_each_market(
    msim: Sim, clock: ManualClock, jurisdiction: str, currency: str, extra: dict[str, Any]
) -> None:
    reply = await launch(msim, currency, jurisdiction=jurisdiction, **extra)
    cap = reply.body["market"]["max_stake"] if reply.body["market"] else None
    token = reply.body["session_token"]
    if cap is None:
        assert (await play(msim, token, 10_000)).status == 200
        return
    over = await play(msim, token, cap + 1)
    assert (over.status, code(over), over.body["max_stake"]) == (403, "STAKE_ABOVE_JURISDICTION_CAP", cap)
    assert (await play(msim, token, cap)).status == 200


async def test_a_gb_slot_session(msim: Sim, clock: ManualClock) -> None:
    token = await session(msim, "GBP", jurisdiction="GB")
    assert (await play(msim, token, 100)).status == 200
    clock.advance(1)
    assert code(await play(msim, token, 100)) == "ROUND_TOO_SOON"
    clock.advance(1.5)  # 2.5 s after the previous round started
    assert (await play(msim, token, 100)).status == 200
    clock.advance(2.5)
    assert code(await play(msim, token, 600)) == "STAKE_ABOVE_JURISDICTION_CAP"  # GBP 6
    assert (await play(msim, token, 500)).status == 200  # GBP 5
    young = await session(msim, "GBP", jurisdiction="GB", young_adult=True)
    assert code(await play(msim, young, 300)) == "STAKE_ABOVE_JURISDICTION_CAP"  # GBP 3 for an 18-24 year old
    assert (await play(msim, young, 200)).status == 200
    assert (await reconciled(msim)).differences == 0


async def test_rules_reach_the_game_client(msim: Sim) -> None:
    token = await session(msim, "GBP", jurisdiction="GB")
    info = await msim.request("GET", f"/play/{token}/session")
    market = info.body["market"]
    assert market["profile"] == "GB" and market["rules"]["show_clock"] and market["rules"]["show_rtp"]
    assert market["rules"]["autoplay"] is False and market["rules"]["celebrate_wins_below_stake"] is False
    plain = await session(msim, "GBP")
    assert (await msim.request("GET", f"/play/{plain}/session")).body["market"] is None


async def test_a_win_below_the_stake_is_never_celebrated_in_gb(msim: Sim, clock: ManualClock) -> None:
    token = await session(msim, "GBP", jurisdiction="GB")
    seen = set()
    for _ in range(60):
        clock.advance(2.5)
        reply = await play(msim, token, 100)
        assert reply.status == 200, reply.body
        win, celebrate = reply.body["win"], reply.body["market"]["celebrate"]
        assert celebrate == (win > 100)
        seen.add((0 < win <= 100, celebrate))
    assert (True, False) in seen  # a small win happened and was not celebrated


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        pytest.param({"jurisdiction": "XX"}, 400, "UNKNOWN_JURISDICTION", id="unknown-country"),
        pytest.param({"jurisdiction": "CA-ZZ"}, 400, "UNKNOWN_JURISDICTION", id="unknown-region"),
        pytest.param({"jurisdiction": "GB", "country": "FR"}, 400, "JURISDICTION_MISMATCH", id="mismatch"),
        pytest.param({"responsible_gaming": {"reality_check_interval": -60}}, 400, "INVALID_REQUEST", id="negative"),
        pytest.param({"responsible_gaming": {"loss_limit": 0}}, 400, "INVALID_REQUEST", id="zero-loss-limit"),
        pytest.param(
            {"responsible_gaming": {"currency": "EUR", "loss_limit": 1000}},
            400,
            "LIMIT_CURRENCY_MISMATCH",
            id="limit-in-another-currency",
        ),
        pytest.param({"jurisdiction": "ES"}, 400, "SESSION_LIMITS_REQUIRED", id="spain-without-limits"),
        pytest.param({"responsible_gaming": {"coffee": 1}}, 400, "INVALID_REQUEST", id="unknown-setting"),
    ],
)
async def test_bad_market_input_is_a_json_4xx(msim: Sim, fields: dict[str, Any], status: int, error: str) -> None:
    reply = await launch(msim, "GBP", **fields)
    assert (reply.status, code(reply)) == (status, error), reply.body


async def test_germany_allows_slots_only(msim: Sim) -> None:
    roulette = await launch(msim, "EUR", "roulette-european", jurisdiction="DE")
    assert (roulette.status, code(roulette)) == (403, "GAME_NOT_CERTIFIED")
    assert (await launch(msim, "EUR", jurisdiction="DE")).status == 201


async def every_game(sim: Sim, query: str) -> list[dict[str, Any]]:
    games: list[dict[str, Any]] = []
    cursor = ""
    while True:
        reply = await sim.request("GET", f"/v1/games?limit=500&{query}{cursor}")
        assert reply.status == 200, reply.body
        games += reply.body["games"]
        if reply.body["next_cursor"] is None:
            return games
        cursor = f"&cursor={reply.body['next_cursor']}"


async def test_the_catalogue_lists_certification_truthfully(msim: Sim) -> None:
    listed = await every_game(msim, "jurisdiction=GB")
    assert listed and all("GB" in g["jurisdictions"] for g in listed)
    everything = await every_game(msim, "country=GB")
    uncertified = [g for g in everything if "GB" not in g["jurisdictions"]]
    assert uncertified and len(listed) + len(uncertified) == len(everything)
    for game, expected in ((uncertified[0], 403), (listed[0], 201)):
        currency = "GBP" if "GBP" in game["currencies"] else game["currencies"][0]
        player = await msim.create_player(100_000, currency)
        body = {"player_id": player["player_id"], "game_id": game["game_id"], "token": player["token"]}
        reply = await msim.request("POST", "/v1/sessions", body | {"currency": currency, "jurisdiction": "GB"})
        assert reply.status == expected, reply.body
        if expected == 403:
            assert code(reply) == "GAME_NOT_CERTIFIED"
    assert {g["category"] for g in await every_game(msim, "jurisdiction=DE")} == {"slots"}
    assert code(await msim.request("GET", "/v1/games?jurisdiction=XX")) == "UNKNOWN_JURISDICTION"

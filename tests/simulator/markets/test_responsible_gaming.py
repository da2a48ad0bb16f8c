"""The operator's responsible-gaming settings reach the game: reality checks at the interval, a session time limit
and a loss limit that close the session without leaving a round open, a stake limit; and the reference wallet's
self-exclusion refusal, final in every dialect. Manual clock throughout."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.clock import ManualClock
from tests.harness import Sim
from tests.simulator.markets.helpers import code, play, reconciled, session


def rg(**limits: Any) -> dict[str, Any]:
    return {"responsible_gaming": limits}


async def open_rounds(sim: Sim, token: str) -> list[dict[str, Any]]:
    reply = await sim.request("GET", f"/play/{token}/rounds/open")
    assert reply.status == 200, reply.body
    rounds: list[dict[str, Any]] = reply.body["rounds"]
    return rounds


async def test_a_reality_check_fires_at_the_interval(msim: Sim, clock: ManualClock) -> None:
    token = await session(msim, "EUR", **rg(reality_check_interval=600))
    assert (await play(msim, token, 100)).status == 200
    clock.advance(599)
    assert (await play(msim, token, 100)).status == 200
    due = (await msim.request("GET", f"/play/{token}/session")).body["market"]
    assert due["reality_check_due"] is False
    clock.advance(1)
    paused = await play(msim, token, 100)
    assert (paused.status, code(paused)) == (409, "REALITY_CHECK_DUE")
    assert paused.body["market"]["elapsed"] == 600 and paused.body["market"]["rounds"] == 2
    assert paused.body["market"]["net"] == paused.body["market"]["won"] - 200
    info = (await msim.request("GET", f"/play/{token}/session")).body["market"]
    assert info["reality_check_due"] is True and info["status"] == "reality_check"
    assert code(await play(msim, token, 100)) == "REALITY_CHECK_DUE"  # until the player answers
    answered = await msim.request("POST", f"/play/{token}/reality-check", {"decision": "continue"})
    assert answered.status == 200 and answered.body["market"]["next_reality_check_at"] == clock.now() + 600
    assert (await play(msim, token, 100)).status == 200
    again = await msim.request("POST", f"/play/{token}/reality-check", {"decision": "continue"})
    assert code(again) == "NO_REALITY_CHECK"
    clock.advance(600)
    assert code(await play(msim, token, 100)) == "REALITY_CHECK_DUE"
    quit_ = await msim.request("POST", f"/play/{token}/reality-check", {"decision": "quit"})
    assert quit_.body["market"]["status"] == "closed" and quit_.body["market"]["closed_reason"] == "player_quit"
    closed = await play(msim, token, 100)
    assert (closed.status, code(closed), closed.body["reason"]) == (410, "SESSION_CLOSED", "player_quit")
    bad = await msim.request("POST", f"/play/{token}/reality-check", {"decision": "maybe"})
    assert (bad.status, code(bad)) == (400, "INVALID_REQUEST")
    assert (await reconciled(msim)).differences == 0


async def test_the_session_time_limit_closes_the_session_with_no_round_open(msim: Sim, clock: ManualClock) -> None:
    token = await session(msim, "GBP", jurisdiction="GB", **rg(session_time_limit=60))
    for _ in range(4):
        assert (await play(msim, token, 100)).status == 200
        clock.advance(15)
    closed = await play(msim, token, 100)
    assert (closed.status, code(closed), closed.body["reason"]) == (410, "SESSION_CLOSED", "time_limit")
    assert await open_rounds(msim, token) == []
    market = (await msim.request("GET", f"/play/{token}/session")).body["market"]
    assert market["status"] == "closed" and market["rounds"] == 4
    assert (await reconciled(msim)).differences == 0


async def test_a_multi_step_round_open_at_the_time_limit_can_still_be_finished(msim: Sim, clock: ManualClock) -> None:
    token = await session(msim, "EUR", "blackjack", **rg(session_time_limit=60))
    round_: dict[str, Any] = {}
    for _ in range(20):
        opened = await play(msim, token, 100)
        assert opened.status == 200, opened.body
        if opened.body["status"] == "open":
            round_ = opened.body
            break
    assert round_, "every hand was a blackjack"
    clock.advance(61)
    while not round_.get("finished"):
        action = "stand" if "stand" in round_["actions"] else round_["actions"][0]
        reply = await msim.request("POST", f"/play/{token}/rounds/{round_['round_id']}/actions", {"action": action})
        assert reply.status == 200, reply.body
        round_ = reply.body
    assert round_["status"] == "closed"
    assert code(await play(msim, token, 100)) == "SESSION_CLOSED"
    assert await open_rounds(msim, token) == []
    assert (await reconciled(msim)).differences == 0


async def test_the_loss_limit_is_never_passed(msim: Sim, clock: ManualClock) -> None:
    token = await session(msim, "EUR", "dice", **rg(loss_limit=1_000, stake_limit=300))
    assert code(await play(msim, token, 301)) == "STAKE_ABOVE_SESSION_LIMIT"
    refusals = set()
    for _ in range(200):
        reply = await play(msim, token, 300, params={"target": "99.00", "direction": "over"})
        if reply.status != 200:
            refusals.add(code(reply))
            if code(reply) == "SESSION_CLOSED":
                assert reply.body["reason"] == "loss_limit"
                break
            assert code(reply) == "LOSS_LIMIT_REACHED" and 0 < reply.body["remaining"] < 300
            reply = await play(msim, token, reply.body["remaining"], params={"target": "99.00", "direction": "over"})
            assert reply.status in (200, 410), reply.body
        if reply.status == 200:
            assert reply.body["market"]["net"] >= -1_000
    market = (await msim.request("GET", f"/play/{token}/session")).body["market"]
    assert market["status"] == "closed" and market["net"] >= -1_000 and market["closed_reason"] == "loss_limit"
    assert await open_rounds(msim, token) == []
    assert (await reconciled(msim)).differences == 0


async def test_autoplay_needs_a_loss_limit_when_the_operator_says_so(msim: Sim) -> None:
    without = await session(msim, "EUR", **rg(autoplay_requires_loss_limit=True))
    assert code(await play(msim, without, 100, autoplay=True)) == "AUTOPLAY_NEEDS_LOSS_LIMIT"
    assert (await play(msim, without, 100)).status == 200
    with_limit = await session(msim, "EUR", **rg(autoplay_requires_loss_limit=True, loss_limit=10_000))
    assert (await play(msim, with_limit, 100, autoplay=True)).status == 200


@pytest.mark.parametrize("engine", ["dice", "blackjack"])
async def test_a_self_excluded_player_is_refused_finally_in_every_dialect(msim: Sim, engine: str) -> None:
    """Reference titles speak the native dialect; one title per other dialect covers the rest."""
    games = (await msim.request("GET", f"/v1/games?engine={engine}&limit=500")).body["games"]
    studios = {s["studio_id"]: s["dialect"] for s in (await msim.request("GET", "/v1/studios")).body["studios"]}
    by_dialect: dict[str, dict[str, Any]] = {}
    for game in games:
        dialect = studios[game["studio_id"]]
        if "EUR" in game["currencies"] and game["enabled"] and game["allowed_countries"] is None:
            by_dialect.setdefault(dialect, game)
    assert set(by_dialect) == {"native", "rsa_json", "md5_form", "token_query"}
    for dialect, game in sorted(by_dialect.items()):
        player = await msim.create_player(100_000, "EUR", self_excluded=True)
        country = next(c for c in ("MT", "JP", "BR", "NZ") if c not in game["blocked_countries"])
        body = {"player_id": player["player_id"], "game_id": game["game_id"], "currency": "EUR", "country": country}
        launched = await msim.request("POST", "/v1/sessions", body | {"token": player["token"]})
        assert launched.status == 201, launched.body
        token = launched.body["session_token"]
        refused = await play(msim, token, game["min_bet"]["EUR"])
        assert (refused.status, code(refused)) == (403, "SELF_EXCLUDED"), (dialect, refused.body)
        assert await msim.balance(player["player_id"]) == 100_000
        rounds = await msim.request("GET", f"/v1/transactions?player_id={player['player_id']}")
        kinds = [(t["kind"], t["status"]) for t in rounds.body["transactions"]]
        assert kinds == [("bet", "refused")], (dialect, kinds)  # no rollback, nothing retried
        round_id = rounds.body["transactions"][0]["round_id"]
        assert (await msim.request("GET", f"/v1/rounds/{round_id}")).body["status"] == "void"
    assert (await reconciled(msim)).differences == 0

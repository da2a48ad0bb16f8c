"""The campaign API refuses bad input with a JSON 4xx and a code, leaving nothing half-created; assignment is
idempotent; cancelling voids the rounds not played; expiry closes the campaign; the counts survive a restart."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.settings import Settings
from simulator.state import STORE
from tests.harness import Sim, running_sim
from tests.simulator.bonus.helpers import campaign_for, launch_slot, ledger, reconciled, settle, slot_of

FAR = 4_000_000_000


def body(game: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "campaign_id": "spring-spins",
        "games": [game["game_id"]],
        "rounds": 5,
        "bet_values": {"USD": game["bet_steps"]["USD"][0]},
        "expires_at": FAR,
        "players": [{"player_id": "p-1", "currency": "USD"}],
    } | fields


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        pytest.param({"games": ["no-such-game"]}, 404, "UNKNOWN_GAME", id="unknown game"),
        pytest.param({"bet_values": {"USD": 10**12}}, 400, "BET_OUT_OF_LIMITS", id="bet above the limit"),
        pytest.param({"bet_values": {"USD": 0}}, 400, "BET_OUT_OF_LIMITS", id="bet below the limit"),
        pytest.param({"expires_at": 1_000}, 400, "EXPIRY_IN_PAST", id="expiry in the past"),
        pytest.param({"bet_values": {"XYZ": 100}}, 400, "UNKNOWN_CURRENCY", id="unknown currency"),
        pytest.param(
            {"players": [{"player_id": "p-2", "currency": "EUR"}]},
            400,
            "CAMPAIGN_CURRENCY_MISMATCH",
            id="player currency",
        ),
        pytest.param({"rounds": 0}, 400, "INVALID_REQUEST", id="no rounds"),
        pytest.param({"payout": "sometimes"}, 400, "INVALID_REQUEST", id="unknown payout"),
    ],
)
async def test_bad_campaigns_are_refused_whole(sim: Sim, change: dict[str, Any], status: int, code: str) -> None:
    game, _ = await slot_of(sim, "native")
    reply = await sim.request("POST", "/v1/campaigns", body(game, **change))
    assert (reply.status, reply.body["error"]["code"]) == (status, code), reply.body
    assert (await sim.request("GET", "/v1/campaigns")).body["campaigns"] == []
    assert (await sim.request("GET", "/v1/players/p-1/campaigns")).body["campaigns"] == []


async def test_a_bet_value_between_steps_is_refused(sim: Sim) -> None:
    game, _ = await slot_of(sim, "native")
    low, second = game["bet_steps"]["USD"][:2]
    assert second - low > 1
    reply = await sim.request("POST", "/v1/campaigns", body(game, bet_values={"USD": low + 1}))
    assert (reply.status, reply.body["error"]["code"]) == (400, "BET_OUT_OF_LIMITS")


async def test_unknown_campaigns_are_404(sim: Sim) -> None:
    for method, path, payload in (
        ("GET", "/v1/campaigns/nope", None),
        ("POST", "/v1/campaigns/nope/cancel", None),
        ("POST", "/v1/campaigns/nope/players", {"players": [{"player_id": "p", "currency": "USD"}]}),
    ):
        reply = await sim.request(method, path, payload)
        assert (reply.status, reply.body["error"]["code"]) == (404, "UNKNOWN_CAMPAIGN"), (path, reply.body)


async def test_assigning_is_idempotent_and_a_second_currency_is_refused(sim: Sim) -> None:
    game, _ = await slot_of(sim, "native")
    created = await sim.request("POST", "/v1/campaigns", body(game))
    assert created.status == 201
    again = await sim.request("POST", "/v1/campaigns", body(game))  # the same request again: the same campaign
    assert again.status == 200 and again.body == created.body
    other = await sim.request("POST", "/v1/campaigns", body(game, rounds=6))
    assert (other.status, other.body["error"]["code"]) == (409, "CAMPAIGN_EXISTS")
    path = "/v1/campaigns/spring-spins/players"
    for _ in range(2):
        reply = await sim.request("POST", path, {"players": [{"player_id": "p-1", "currency": "USD"}]})
        assert reply.status == 200 and [p["rounds_left"] for p in reply.body["players"]] == [5]
    both = {"players": [{"player_id": "p-3", "currency": "USD"}, {"player_id": "p-1", "currency": "EUR"}]}
    reply = await sim.request("POST", path, both | {})
    assert (reply.status, reply.body["error"]["code"]) == (400, "CAMPAIGN_CURRENCY_MISMATCH")
    with_eur = body(
        game, campaign_id="euro", bet_values={"USD": game["bet_steps"]["USD"][0], "EUR": game["bet_steps"]["EUR"][0]}
    )
    assert (await sim.request("POST", "/v1/campaigns", with_eur)).status == 201
    reply = await sim.request(
        "POST",
        "/v1/campaigns/euro/players",
        {"players": [{"player_id": "p-9", "currency": "USD"}, {"player_id": "p-1", "currency": "EUR"}]},
    )
    assert (reply.status, reply.body["error"]["code"]) == (409, "CAMPAIGN_CURRENCY_MISMATCH")
    players = (await sim.request("GET", "/v1/campaigns/euro")).body["players"]
    assert [p["player_id"] for p in players] == ["p-1"]  # p-9 was not half-added


async def test_cancelling_voids_the_rounds_left_and_pays_a_total_campaign_what_it_won(sim: Sim) -> None:
    game, player, token = await launch_slot(sim, "native", 10_000)
    campaign = await campaign_for(sim, game, player, rounds=30, payout="total")
    cid = campaign["campaign_id"]
    won = 0
    while not won:  # play until something is won, so the cancellation has a total to pay
        reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": cid})
        assert reply.status == 200, reply.body
        won += reply.body["win"]
    cancelled = await sim.request("POST", f"/v1/campaigns/{cid}/cancel")
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    [share] = cancelled.body["players"]
    assert share["rounds_left"] == 0 and share["status"] == "closed" and share["total_win"] == won
    reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": cid})
    assert (reply.status, reply.body["error"]["code"]) == (409, "CAMPAIGN_NOT_RUNNING")
    await settle(sim)
    paid = [e for e in await ledger(sim, player["player_id"]) if e["kind"] == "win" and e["amount"]]
    assert [e["amount"] for e in paid] == [won]
    again = await sim.request("POST", f"/v1/campaigns/{cid}/cancel")
    assert again.status == 200
    await settle(sim)
    assert [e for e in await ledger(sim, player["player_id"]) if e["kind"] == "win" and e["amount"]] == paid
    assert (await reconciled(sim)).differences == 0


async def test_rounds_left_survive_a_restart_and_expiry_closes_the_campaign(settings: Settings) -> None:
    clock = ManualClock(1_800_000_000)
    async with running_sim(settings, clock=clock, settlement_worker=False) as sim:
        game, player, token = await launch_slot(sim, "native", 10_000)
        campaign = await campaign_for(sim, game, player, rounds=40, payout="total", expires_at=1_800_000_600)
        cid = campaign["campaign_id"]
        won = 0
        for _ in range(15):
            reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": cid})
            assert reply.status == 200, reply.body
            won += reply.body["win"]
    async with running_sim(settings, clock=clock, settlement_worker=False) as sim:
        info = (await sim.request("GET", f"/play/{token}/session")).body
        assert [(o["campaign_id"], o["rounds_left"]) for o in info["free_rounds"]] == [(cid, 25)]
        reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": cid})
        assert reply.status == 200
        won += reply.body["win"]
        clock.advance(600)
        await settle(sim)
        share = (await sim.request("GET", f"/v1/players/{player['player_id']}/campaigns")).body["campaigns"]
        assert [(c["status"], c["rounds_played"], c["total_win"]) for c in share] == [("closed", 16, won)]
        store = sim.app[STORE]
        totals = [t for t in await store.outbox.transactions(kind="win") if t.bonus and "campaign_total" in t.bonus]
        assert [(t.amount, t.status) for t in totals] == ([(won, "acked")] if won else [])

"""Promotional wins: win-only transactions paid once per player and reference, in every dialect, retried by the
settlement when the wallet does not answer, visible in /v1/transactions and reconciled clean."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.faults.rules import FaultRule
from simulator.state import FAULTS
from tests.harness import Sim
from tests.simulator.bonus.helpers import ledger, reconciled, settle, slot_of


def request(game: dict[str, Any], players: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "reference": "weekly-tournament-7",
        "promotion": "tournament",
        "studio_id": game["studio_id"],
        "payouts": [
            {"player_id": p["player_id"], "currency": "USD", "amount": 2_500 + i, "token": p["token"]}
            for i, p in enumerate(players)
        ],
    } | fields


@pytest.mark.parametrize("dialect", ["native", "rsa_json", "md5_form", "token_query"])
async def test_a_promo_is_paid_once_as_cash_in_every_dialect(sim: Sim, dialect: str) -> None:
    if dialect == "rsa_json" and not rsa_keys.available():
        pytest.skip("rsa_json needs the cryptography package")
    game, _ = await slot_of(sim, dialect)
    players = [await sim.create_player(1_000) for _ in range(2)]
    first = await sim.request("POST", "/v1/promotions/payouts", request(game, players))
    assert first.status == 201, first.body
    assert [(p["status"], p["created"]) for p in first.body["payouts"]] == [("acked", True)] * 2
    again = await sim.request("POST", "/v1/promotions/payouts", request(game, players))
    assert again.status == 200
    assert [(p["transaction_id"], p["created"]) for p in again.body["payouts"]] == [
        (p["transaction_id"], False) for p in first.body["payouts"]
    ]
    for i, p in enumerate(players):
        assert await sim.balance(p["player_id"]) == 1_000 + 2_500 + i  # promotional wins are cash
        wins = [e for e in await ledger(sim, p["player_id"]) if e["kind"] == "win"]
        assert len(wins) == 1 and wins[0]["amount"] == 2_500 + i
    listed = await sim.request("GET", f"/v1/transactions?player_id={players[0]['player_id']}")
    [t] = listed.body["transactions"]
    assert t["kind"] == "win" and t["reference_transaction_id"] is None
    assert t["bonus"] == {"type": "promo", "reference": "weekly-tournament-7", "promotion": "tournament"}
    assert (await reconciled(sim)).differences == 0


async def test_a_reused_reference_with_another_amount_is_refused_and_changes_nothing(sim: Sim) -> None:
    game, _ = await slot_of(sim, "native")
    players = [await sim.create_player(1_000) for _ in range(2)]
    assert (await sim.request("POST", "/v1/promotions/payouts", request(game, players[:1]))).status == 201
    changed = request(game, players)
    changed["payouts"][0]["amount"] = 9_999
    reply = await sim.request("POST", "/v1/promotions/payouts", changed)
    assert (reply.status, reply.body["error"]["code"]) == (409, "PROMO_REFERENCE_REUSED")
    assert await sim.balance(players[1]["player_id"]) == 1_000  # the second payout was not made either
    bad = request(game, players, studio_id="no-such-studio")
    reply = await sim.request("POST", "/v1/promotions/payouts", bad | {"reference": "other"})
    assert (reply.status, reply.body["error"]["code"]) == (404, "UNKNOWN_STUDIO")


async def test_a_promo_the_wallet_never_received_is_retried_until_paid_once(sim: Sim) -> None:
    game, _ = await slot_of(sim, "native")
    player = await sim.create_player(1_000)
    rule = {
        "id": "lose-promo",
        "match": {"side": "outbound", "bonus": "promo"},
        "action": {"type": "lose"},
        "schedule": {"first": 2, "per": "transaction"},
    }
    sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(rule)])
    reply = await sim.request("POST", "/v1/promotions/payouts", request(game, [player]))
    assert reply.status == 201 and reply.body["payouts"][0]["status"] == "pending"
    assert await sim.balance(player["player_id"]) == 1_000
    await settle(sim)
    assert await sim.balance(player["player_id"]) == 3_500
    [t] = (await sim.request("GET", f"/v1/transactions?player_id={player['player_id']}")).body["transactions"]
    assert (t["status"], t["attempts"]) == ("acked", 3)
    assert [e["amount"] for e in await ledger(sim, player["player_id"]) if e["kind"] == "win"] == [2_500]
    assert (await reconciled(sim)).differences == 0

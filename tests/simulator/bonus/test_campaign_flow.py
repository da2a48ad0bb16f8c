"""A whole free-round campaign, played for a player in every wallet dialect against the reference wallet: the free
bets never touch cash, each win (or the one total) is paid once, and reconciliation finds nothing to report."""

from __future__ import annotations

import pytest

from simulator.dialects.rsa_json import keys as rsa_keys
from tests.harness import Sim
from tests.simulator.bonus.helpers import campaign_for, launch_slot, ledger, reconciled, settle

ROUNDS = 12


@pytest.mark.parametrize("payout", ["total", "per_round"])
@pytest.mark.parametrize("dialect", ["native", "rsa_json", "md5_form", "token_query"])
async def test_a_whole_campaign_is_paid_once_and_never_touches_cash(sim: Sim, dialect: str, payout: str) -> None:
    if dialect == "rsa_json" and not rsa_keys.available():
        pytest.skip("rsa_json needs the cryptography package")
    cash = 50_000
    game, player, token = await launch_slot(sim, dialect, cash)
    campaign = await campaign_for(sim, game, player, rounds=ROUNDS, payout=payout)
    info = (await sim.request("GET", f"/play/{token}/session")).body
    [offer] = info["free_rounds"]
    assert offer["campaign_id"] == campaign["campaign_id"] and offer["rounds_left"] == ROUNDS

    wins = 0
    for left in range(ROUNDS - 1, -1, -1):
        reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": campaign["campaign_id"]})
        assert reply.status == 200, reply.body
        assert reply.body["amount"] == campaign["bet_values"]["USD"]
        wins += reply.body["win"]
        info = (await sim.request("GET", f"/play/{token}/session")).body
        assert [o["rounds_left"] for o in info["free_rounds"]] == ([left] if left else [])
    assert wins > 0, "no free round won: pick a seed or more rounds so the payout is exercised"
    over = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": campaign["campaign_id"]})
    assert (over.status, over.body["error"]["code"]) == (409, "NO_FREE_ROUNDS_LEFT")
    await settle(sim)

    state = (await sim.request("GET", f"/wallet/sandbox/players/{player['player_id']}")).body
    assert state["balance"] == cash  # free bets never debit cash
    assert state["bonus_balance"] == wins  # the reference wallet credits free-round wins as bonus money
    entries = await ledger(sim, player["player_id"])
    bets = [e for e in entries if e["kind"] == "bet"]
    assert len(bets) == ROUNDS and all(e["amount"] == 0 and e["funds"] == "free_round" for e in bets)
    paid = [e for e in entries if e["kind"] == "win" and e["amount"]]
    if payout == "total":
        assert [e["amount"] for e in paid] == [wins]
    else:
        assert sum(e["amount"] for e in paid) == wins and len(paid) == sum(1 for e in paid)
    assert all(e["campaign_id"] == campaign["campaign_id"] for e in paid + bets)

    closed = (await sim.request("GET", f"/v1/campaigns/{campaign['campaign_id']}")).body["players"]
    assert closed[0] | {"payout_transaction_id": None} == {
        "player_id": player["player_id"],
        "currency": "USD",
        "rounds_left": 0,
        "rounds_in_flight": 0,
        "rounds_played": ROUNDS,
        "total_win": wins,
        "status": "closed",
        "payout_transaction_id": None,
    }
    assert (closed[0]["payout_transaction_id"] is not None) == (payout == "total")
    report = await reconciled(sim)
    assert report.differences == 0, report.to_text()

"""A free round whose bet the wallet refuses is given back: the round is void, the player keeps the round to play."""

from __future__ import annotations

from tests.harness import Sim
from tests.simulator.bonus.helpers import campaign_for, launch_slot


async def test_a_refused_free_bet_gives_the_round_back(sim: Sim) -> None:
    game, player, token = await launch_slot(sim, "native", 10_000)
    campaign = await campaign_for(sim, game, player, rounds=3, payout="per_round")
    blocked = await sim.request("PATCH", f"/wallet/sandbox/players/{player['player_id']}", {"blocked": True})
    assert blocked.status == 200, blocked.body
    reply = await sim.request("POST", f"/play/{token}/free-rounds", {"campaign_id": campaign["campaign_id"]})
    assert reply.status == 403 and reply.body["error"]["code"] == "PLAYER_BLOCKED", reply.body
    [share] = (await sim.request("GET", f"/v1/campaigns/{campaign['campaign_id']}")).body["players"]
    assert (share["rounds_left"], share["rounds_in_flight"], share["rounds_played"]) == (3, 0, 0)
    page = await sim.request("GET", f"/v1/transactions?player_id={player['player_id']}")
    [bet] = page.body["transactions"]
    assert (bet["kind"], bet["status"], bet["amount"]) == ("bet", "refused", 0)
    assert bet["bonus"]["campaign_id"] == campaign["campaign_id"]
    assert (await sim.request("GET", f"/play/{token}/session")).body["free_rounds"][0]["rounds_left"] == 3

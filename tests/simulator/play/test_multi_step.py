"""Multi-step rounds through the play API: the round stays open between actions, the wallet sees the bets and one
final win, and an unfinished round can be resumed."""

from __future__ import annotations

import asyncio
from typing import Any

from simulator.state import STORE
from tests.harness import Reply, Sim

PREFERENCE = ("no_insurance", "double", "split", "stand", "cashout")


async def act(sim: Sim, token: str, round_id: str, action: str, params: dict[str, Any] | None = None) -> Reply:
    return await sim.request(
        "POST", f"/play/{token}/rounds/{round_id}/actions", {"action": action, "params": params or {}}
    )


async def test_mines_round_stays_open_resumes_and_cashes_out(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    token = (await sim.launch(player, await sim.game_for("mines")))["session_token"]
    opened = await sim.play(token, 100, {"mines": 1})
    assert opened.status == 200 and opened.body["finished"] is False
    assert opened.body["actions"] == ["reveal"]
    assert "mine_tiles" not in str(opened.body["view"])
    round_id = opened.body["round_id"]
    assert await sim.balance(player["player_id"]) == 99_900

    resumed = await sim.request("GET", f"/play/{token}/rounds/open")
    assert [r["round_id"] for r in resumed.body["rounds"]] == [round_id]

    reply = opened
    for tile in range(25):
        reply = await act(sim, token, round_id, "reveal", {"tile": tile})
        assert reply.status == 200, reply.body
        if reply.body["finished"] or tile == 2:
            break
    if not reply.body["finished"]:
        reply = await act(sim, token, round_id, "cashout")
    assert reply.body["finished"] is True and reply.body["status"] == "closed"
    assert await sim.balance(player["player_id"]) == 99_900 + reply.body["win"]
    late = await act(sim, token, round_id, "reveal", {"tile": 24})
    assert late.status == 409 and late.body["error"]["code"] == "ROUND_FINISHED"
    assert (await sim.request("GET", f"/play/{token}/rounds/open")).body["rounds"] == []


async def test_blackjack_extra_bets_and_one_final_win(sim: Sim) -> None:
    player = await sim.create_player(1_000_000)
    token = (await sim.launch(player, await sim.game_for("blackjack")))["session_token"]
    played = 0
    # play until a double or split happened (a few percent of hands each), and at least a dozen rounds
    while played < 12 or not any(r.stake > 100 for r in await sim.app[STORE].rounds.page()):
        assert played < 300, "no double or split in 300 hands"
        played += 1
        reply = await sim.play(token, 100)
        assert reply.status == 200, reply.body
        while not reply.body["finished"]:
            action = next(a for a in PREFERENCE if a in reply.body["actions"])
            reply = await act(sim, token, reply.body["round_id"], action)
            assert reply.status == 200, reply.body
    rounds = await sim.app[STORE].rounds.page()
    assert len(rounds) == played and {r.status for r in rounds} == {"closed"}
    total = 1_000_000
    for r in rounds:
        txs = await sim.app[STORE].outbox.of_round(r.round_id)
        bets = [t for t in txs if t.kind == "bet"]
        wins = [t for t in txs if t.kind == "win"]
        assert len(wins) == 1 and wins[0].round_closed and wins[0].amount == r.win
        assert sum(t.amount for t in bets) == r.stake
        assert {t.status for t in txs} == {"acked"}
        total += r.win - r.stake
    assert await sim.balance(player["player_id"]) == total


async def test_illegal_action_moves_no_money_and_keeps_the_round(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    token = (await sim.launch(player, await sim.game_for("mines")))["session_token"]
    opened = await sim.play(token, 100, {"mines": 3})
    round_id = opened.body["round_id"]
    for action, params in (("cashout", {}), ("fly", {}), ("reveal", {"tile": 99})):
        reply = await act(sim, token, round_id, action, params)
        assert reply.status == 400, reply.body
    assert await sim.balance(player["player_id"]) == 99_900
    assert (await sim.request("GET", f"/play/{token}/rounds/open")).body["rounds"][0]["round_id"] == round_id


async def test_concurrent_actions_on_one_round_do_not_both_apply(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    token = (await sim.launch(player, await sim.game_for("mines")))["session_token"]
    round_id = (await sim.play(token, 100, {"mines": 1})).body["round_id"]
    replies = await asyncio.gather(*(act(sim, token, round_id, "reveal", {"tile": t}) for t in range(4)))
    ok = [r for r in replies if r.status == 200]
    assert ok and all(r.status in (200, 409) for r in replies)
    final = await sim.app[STORE].rounds.get(round_id)
    assert final is not None
    revealed = final.outcome["state"]["revealed"]
    assert len(revealed) == len(ok)

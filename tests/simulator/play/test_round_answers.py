"""The answer to a round is built from what the round path already holds rather than read back from the store; it must
say exactly what the store recorded: single-step rounds, and the opening and last action of a multi-step one."""

from __future__ import annotations

from typing import Any

from tests.harness import Sim


async def stored(sim: Sim, round_id: str) -> dict[str, Any]:
    reply = await sim.request("GET", f"/v1/rounds/{round_id}")
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


async def test_a_single_step_answer_matches_the_stored_round(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    token = (await sim.launch(player, await sim.game_for("dice")))["session_token"]
    for _ in range(5):
        played = await sim.play(token, 100)
        assert played.status == 200, played.body
        record = await stored(sim, played.body["round_id"])
        assert (played.body["status"], played.body["win"], played.body["amount"]) == (
            record["status"],
            record["win"],
            record["amount"],
        )
        assert played.body["outcome"] == record["outcome"]["detail"]
        assert played.body["fairness"]["nonce"] == record["fairness"]["nonce"]
        assert {t["status"] for t in record["transactions"]} == {"acked"}


async def test_multi_step_answers_match_the_stored_round(sim: Sim) -> None:
    player = await sim.create_player(100_000)
    token = (await sim.launch(player, await sim.game_for("mines")))["session_token"]
    opened = await sim.play(token, 100, {"mines": 1})
    round_id = opened.body["round_id"]
    at_open = await stored(sim, round_id)
    assert opened.body["status"] == at_open["status"] == "open"
    assert opened.body["view"] == at_open["outcome"]["view"] and opened.body["amount"] == at_open["amount"]
    reply = await sim.request(
        "POST", f"/play/{token}/rounds/{round_id}/actions", {"action": "reveal", "params": {"tile": 0}}
    )
    if not reply.body["finished"]:
        reply = await sim.request("POST", f"/play/{token}/rounds/{round_id}/actions", {"action": "cashout"})
    assert reply.status == 200 and reply.body["finished"] is True
    record = await stored(sim, round_id)
    assert (reply.body["status"], reply.body["win"], reply.body["amount"]) == (
        "closed",
        record["win"],
        record["amount"],
    )
    assert record["status"] == "closed"
    assert reply.body["view"] == record["outcome"]["view"] and reply.body["actions"] == record["outcome"]["actions"]

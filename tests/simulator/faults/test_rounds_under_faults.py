"""Faults around real rounds: a reply lost after the round was played, rules aimed at one player or game, a fault
chosen by the caller for the wallet calls of one request, and what the journal and /metrics show."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from simulator.clock import ManualClock
from simulator.faults.rules import FaultRule
from simulator.faults.timing import VirtualSleep
from simulator.settings import Settings
from simulator.state import CREDENTIALS, FAULTS, STORE, WORKER
from tests.harness import Sim, running_sim


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[tuple[Sim, ManualClock]]:
    clock = ManualClock()
    enabled = settings.model_copy(update={"fault_header": True})
    async with running_sim(enabled, clock=clock, sleep=VirtualSleep(clock), settlement_worker=False) as sim:
        yield sim, clock


def use(sim: Sim, *rules: dict[str, Any]) -> None:
    sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(r) for r in rules])


async def launch(sim: Sim, engine: str = "dice", balance: int = 10_000) -> tuple[dict[str, Any], str]:
    player = await sim.create_player(balance)
    session = await sim.launch(player, await sim.game_for(engine))
    return player, session["session_token"]


async def test_reply_lost_after_the_round_was_played(world: tuple[Sim, ManualClock]) -> None:
    sim, _ = world
    player, token = await launch(sim)
    use(sim, {"match": {"side": "inbound", "operation": "play"}, "action": {"type": "reset", "when": "after"}})
    with pytest.raises(aiohttp.ClientError):
        await sim.play(token, 100)
    [round_] = await sim.app[STORE].rounds.page()
    assert round_.status == "closed"
    assert await sim.balance(player["player_id"]) == 10_000 - 100 + round_.win
    use(sim)
    opened = await sim.request("GET", f"/play/{token}/rounds/open")
    assert opened.status == 200 and opened.body["rounds"] == []


async def test_an_error_before_the_handler_moves_nothing(world: tuple[Sim, ManualClock]) -> None:
    sim, _ = world
    player, token = await launch(sim)
    use(sim, {"match": {"side": "inbound", "operation": "play"}, "action": {"type": "status", "status": 503}})
    reply = await sim.play(token, 100)
    assert reply.status == 503 and reply.body["error"]["code"] == "INJECTED_FAULT"
    assert await sim.app[STORE].rounds.page() == []
    assert await sim.balance(player["player_id"]) == 10_000


async def test_rules_aimed_at_one_player_game_or_studio(world: tuple[Sim, ManualClock]) -> None:
    sim, _ = world
    alice, alice_token = await launch(sim)
    _, bob_token = await launch(sim)
    busy = {"type": "status", "status": 429}
    use(sim, {"match": {"side": "inbound", "operation": "play", "player": alice["player_id"]}, "action": busy})
    assert (await sim.play(alice_token, 100)).status == 429
    assert (await sim.play(bob_token, 100)).status == 200

    roulette = await sim.game_for("roulette-european")
    game = (await sim.request("GET", f"/v1/games/{roulette}")).body
    use(sim, {"match": {"side": "inbound", "operation": "launch", "game": roulette}, "action": busy})
    assert (
        await sim.request(
            "POST",
            "/v1/sessions",
            {"player_id": alice["player_id"], "game_id": roulette, "currency": "USD", "token": alice["token"]},
        )
    ).status == 429
    use(sim, {"match": {"side": "inbound", "studio": game["studio_id"], "dialect": "native"}, "action": busy})
    assert (await sim.request("GET", f"/v1/games/{roulette}")).status == 429
    dice = (await sim.request("GET", f"/v1/games/{await sim.game_for('dice')}")).body
    expected = 429 if dice["studio_id"] == game["studio_id"] else 200
    assert (await sim.play(alice_token, 100)).status == expected


async def test_caller_chosen_wallet_fault_for_one_round(world: tuple[Sim, ManualClock]) -> None:
    sim, clock = world
    player, token = await launch(sim)
    lose_win = {"match": {"side": "outbound", "operation": "win"}, "action": {"type": "lose"}}
    reply = await sim.request(
        "POST", f"/play/{token}/rounds", {"amount": 100}, headers={"X-Casino-Sim-Fault": json.dumps(lose_win)}
    )
    assert reply.status == 200 and reply.body["status"] == "settling"
    assert (await sim.play(token, 100)).body["status"] == "closed"  # the next request carries no fault
    clock.advance(60)
    await sim.app[WORKER].run_once()
    rounds = await sim.app[STORE].rounds.page()
    assert {r.status for r in rounds} == {"closed"}
    assert await sim.balance(player["player_id"]) == 10_000 - 200 + sum(r.win for r in rounds)
    [lost] = sim.app[FAULTS].journal.query(fault="header-1")
    assert lost["operation"] == "win" and lost["outcome"] == "lost"


async def test_per_round_counters(world: tuple[Sim, ManualClock]) -> None:
    sim, clock = world
    _, token = await launch(sim)
    use(
        sim,
        {
            "id": "once",
            "match": {"side": "outbound", "operation": ["bet", "win"]},
            "action": {"type": "lose"},
            "schedule": {"first": 1, "per": "round", "max_total": 2},
        },
    )
    first = await sim.play(token, 100)  # the bet of round 1 is lost: rolled back
    second = await sim.play(token, 100)  # the bet of round 2 is lost too; then max_total is reached
    third = await sim.play(token, 100)
    assert (first.status, second.status, third.status) == (504, 504, 200)
    clock.advance(60)
    await sim.app[WORKER].run_once()
    assert sorted(r.status for r in await sim.app[STORE].rounds.page()) == ["closed", "rolled_back", "rolled_back"]


async def test_journal_follows_a_round_and_keeps_no_secret(world: tuple[Sim, ManualClock]) -> None:
    sim, _ = world
    _, token = await launch(sim)
    round_id = (await sim.play(token, 100)).body["round_id"]
    entries = (await sim.request("GET", f"/admin/journal?round={round_id}")).body["entries"]
    assert [(e["side"], e["operation"]) for e in entries] == [("outbound", "bet"), ("outbound", "win")]
    play = (await sim.request("GET", "/admin/journal?operation=play")).body["entries"][0]
    assert play["ids"]["session"] == token and json.loads(play["response"]["body"])["round_id"] == round_id
    everything = json.dumps((await sim.request("GET", "/admin/journal?limit=1000")).body)
    assert sim.app[CREDENTIALS].wallet_secret not in everything
    assert "sha256=" not in everything


async def test_metrics_count_wallet_calls_and_rounds(world: tuple[Sim, ManualClock]) -> None:
    sim, _ = world
    _, token = await launch(sim)
    studio = (await sim.request("GET", f"/v1/games/{await sim.game_for('dice')}")).body["studio_id"]
    use(
        sim,
        {
            "match": {"side": "outbound", "operation": "bet"},
            "action": {"type": "status", "status": 500},
            "schedule": {"nth": 2},
        },
    )
    await sim.play(token, 100)
    await sim.play(token, 100)
    text = (await sim.request("GET", "/metrics")).body
    assert f'casino_sim_wallet_calls_total{{operation="bet",outcome="ok",studio="{studio}"}} 1.0' in text
    assert f'casino_sim_wallet_calls_total{{operation="bet",outcome="error",studio="{studio}"}} 1.0' in text
    assert f'casino_sim_wallet_calls_total{{operation="rollback",outcome="ok",studio="{studio}"}} 1.0' in text
    assert 'casino_sim_rounds{status="closed"} 1.0' in text and 'casino_sim_rounds{status="rolled_back"} 1' in text
    assert 'casino_sim_transactions{kind="bet",status="failed"} 1.0' in text


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``/metrics`` parsed by the Prometheus client's own parser: sample -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_time_wallet_calls_and_rounds_and_count_the_settlement_queue(
    world: tuple[Sim, ManualClock],
) -> None:
    sim, clock = world
    _, token = await launch(sim)
    game_id = await sim.game_for("dice")
    studio = (await sim.request("GET", f"/v1/games/{game_id}")).body["studio_id"]
    use(sim, {"match": {"side": "outbound", "operation": "win"}, "action": {"type": "status", "status": 500}})
    for _ in range(3):
        assert (await sim.play(token, 100)).status == 200
    before = samples((await sim.request("GET", "/metrics")).body)
    timed = (("dialect", "native"), ("operation", "bet"), ("studio", studio))
    assert before[("casino_sim_wallet_call_seconds_count", timed)] == 3
    assert before[("casino_sim_wallet_call_seconds_bucket", tuple(sorted((*timed, ("le", "+Inf")))))] == 3
    assert before[("casino_sim_wallet_call_seconds_sum", timed)] > 0
    assert before[("casino_sim_round_seconds_count", (("engine", "dice"),))] == 3
    assert before[("casino_sim_settlement_queue", (("kind", "win"),))] == 3, "three wins refused with a 500 wait"
    retries = ("casino_sim_settlement_retries_total", (("kind", "win"),))
    assert before[retries] == 3, "each win failed once inline and was rescheduled"

    clock.advance(60)
    await sim.app[WORKER].run_once()  # still failing: each win is rescheduled
    retried = samples((await sim.request("GET", "/metrics")).body)
    assert retried[retries] == 6
    use(sim)
    clock.advance(600)
    await sim.app[WORKER].run_once()
    after = samples((await sim.request("GET", "/metrics")).body)
    assert after[("casino_sim_settlement_queue", (("kind", "win"),))] == 0
    won = (("operation", "win"), ("outcome", "ok"), ("studio", studio))
    assert after[("casino_sim_wallet_calls_total", won)] == 3

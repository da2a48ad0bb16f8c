"""Fault rules reach webhook deliveries (operation ``webhook``, matched by event type): a rule failing every
delivery's first two attempts delays the events but loses none and sends none twice to a deduplicating receiver."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from simulator.faults.rules import FaultRule
from simulator.state import FAULTS, STORE, WORKER
from tests.simulator.settlement.conftest import World
from tests.simulator.webhooks.conftest import Receiver


async def _drain(world: World, passes: int = 60) -> dict[str, int]:
    for _ in range(passes):
        counts = await world.sim.app[STORE].events.counts()
        if not counts.get("pending"):
            return counts
        world.clock.advance(10)
        await world.sim.app[WORKER].run_once()
    raise AssertionError(f"webhooks still pending: {await world.sim.app[STORE].events.counts()}")


async def test_every_delivery_failing_twice_reaches_the_receiver_once(hooked: tuple[World, Receiver, int]) -> None:
    world, receiver, _ = hooked
    faults = world.sim.app[FAULTS]
    rule = FaultRule.model_validate(
        {
            "id": "hooks-down-twice",
            "match": {"side": "outbound", "operation": "webhook", "event": "round.*"},
            "action": {"type": "status", "status": 500},
            "schedule": {"first": 2, "per": "transaction"},
        }
    )
    faults.rules.add(rule)
    player = await world.player(1_000_000)
    token = await world.session(player)
    rounds = [(await world.sim.play(token, 100)).body["round_id"] for _ in range(3)]
    await world.sim.app[WORKER].run_once()
    assert receiver.processed == {}  # every first attempt answered 500 by the rule
    assert (await world.sim.app[STORE].events.counts())["pending"] == 3

    assert await _drain(world) == {"delivered": 3}
    assert sorted(e["data"]["round_id"] for e in receiver.processed.values()) == sorted(rounds)
    assert [verdict for _, verdict in receiver.answers] == ["ok"] * 3  # one request each reached the receiver
    compiled = faults.rules.get("hooks-down-twice")
    assert compiled.state.injected == 6  # two failures per delivery, then it let each through
    journaled = [e for e in faults.journal.entries() if e.operation == "webhook"]
    assert sum(1 for e in journaled if e.faults) == 6


async def test_a_rule_on_another_event_type_leaves_deliveries_alone(hooked: tuple[World, Receiver, int]) -> None:
    world, receiver, _ = hooked
    world.sim.app[FAULTS].rules.add(
        FaultRule.model_validate(
            {
                "match": {"side": "outbound", "operation": "webhook", "event": "campaign.finished"},
                "action": {"type": "lose"},
            }
        )
    )
    player = await world.player(1_000_000)
    token = await world.session(player)
    await world.sim.play(token, 100)
    await world.sim.app[WORKER].run_once()
    assert len(receiver.processed) == 1


async def test_a_duplicating_rule_sends_each_delivery_twice_with_one_event_id(
    hooked: tuple[World, Receiver, int],
) -> None:
    world, receiver, _ = hooked
    world.sim.app[FAULTS].rules.add(
        FaultRule.model_validate(
            {"match": {"side": "outbound", "operation": "webhook"}, "action": {"type": "duplicate", "spacing": 0}}
        )
    )
    player = await world.player(1_000_000)
    token = await world.session(player)
    await world.sim.play(token, 100)
    await world.sim.app[WORKER].run_once()
    ids = {event_id for event_id, _ in receiver.answers}
    assert len(receiver.answers) == 2 and len(ids) == 1
    assert sorted(v for _, v in receiver.answers) == ["duplicate", "ok"]


async def test_a_bad_signature_rule_is_refused_by_the_receiver_then_retried(
    hooked: tuple[World, Receiver, int],
) -> None:
    world, receiver, _ = hooked
    world.sim.app[FAULTS].rules.add(
        FaultRule.model_validate(
            {
                "match": {"side": "outbound", "operation": "webhook"},
                "action": {"type": "bad_signature"},
                "schedule": {"first": 1, "per": "transaction"},
            }
        )
    )
    player = await world.player(1_000_000)
    token = await world.session(player)
    await world.sim.play(token, 100)
    await world.sim.app[WORKER].run_once()
    assert [v for _, v in receiver.answers] == ["bad signature"]
    assert await _drain(world) == {"delivered": 1}
    assert [v for _, v in receiver.answers] == ["bad signature", "ok"]


@pytest.mark.parametrize(
    "action", [{"type": "reorder"}, {"type": "malformed_body", "how": "invalid_field", "field": "amount"}]
)
def test_actions_with_nothing_to_act_on_in_a_delivery_are_refused(action: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="does not apply to webhook deliveries"):
        FaultRule.model_validate({"match": {"side": "outbound", "operation": "webhook"}, "action": action})


def test_event_is_an_outbound_match_field() -> None:
    with pytest.raises(ValidationError, match=r"match\.event applies to outbound"):
        FaultRule.model_validate(
            {"match": {"side": "inbound", "event": "round.closed"}, "action": {"type": "status", "status": 500}}
        )

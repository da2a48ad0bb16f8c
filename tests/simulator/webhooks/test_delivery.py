"""Webhook events reach a receiver that was down for a while, each once by event id and with a valid signature; a
delivery whose answer was lost is sent again with the same id; the receiver used is the recipe of docs/webhooks.md."""

from __future__ import annotations

from simulator.state import STORE, WORKER
from tests.harness import running_sim
from tests.simulator.settlement.conftest import World
from tests.simulator.webhooks.conftest import Receiver, doc_recipe


async def _drain(world: World, passes: int = 60) -> dict[str, int]:
    for _ in range(passes):
        counts = await world.sim.app[STORE].events.counts()
        if not counts.get("pending"):
            return counts
        world.clock.advance(5)
        await world.sim.app[WORKER].run_once()
    raise AssertionError(f"webhooks still pending: {await world.sim.app[STORE].events.counts()}")


async def test_a_receiver_down_for_a_while_gets_every_event_once(hooked: tuple[World, Receiver, int]) -> None:
    world, receiver, port = hooked
    player = await world.player(1_000_000)
    token = await world.session(player)
    rounds = [(await world.sim.play(token, 100)).body["round_id"] for _ in range(3)]
    await world.sim.app[WORKER].run_once()
    assert len(receiver.processed) == 3

    await receiver.stop()  # the operator's receiver goes down while rounds keep closing
    rounds += [(await world.sim.play(token, 100)).body["round_id"] for _ in range(3)]
    for _ in range(3):
        world.clock.advance(5)
        await world.sim.app[WORKER].run_once()
    assert len(receiver.processed) == 3
    assert (await world.sim.app[STORE].events.counts())["pending"] == 3

    receiver.lose_answer_once = True  # back up, and the first answer it gives is lost on the way
    await receiver.start(port)
    counts = await _drain(world)
    assert counts == {"delivered": 6}
    events = list(receiver.processed.values())
    assert sorted(e["data"]["round_id"] for e in events) == sorted(rounds)
    assert {e["type"] for e in events} == {"round.closed"}
    assert all(e["id"] == event_id for event_id, e in receiver.processed.items())
    verdicts = [verdict for _, verdict in receiver.answers]
    assert verdicts.count("ok") == 6  # every event processed once ...
    assert verdicts.count("duplicate") == 1  # ... the one whose answer was lost came again, with the same id
    assert set(verdicts) == {"ok", "duplicate"}  # every delivery carried a valid signature


async def test_the_recipe_refuses_bad_signatures_replays_and_stale_timestamps() -> None:
    from simulator.webhooks.signing import signature_header

    check = doc_recipe()
    body = b'{"id":"e1"}'
    headers = {
        "Webhook-Id": "e1",
        "Webhook-Timestamp": "1000",
        "Webhook-Signature": signature_header({"k": "s" * 20}, "1000", "e1", body),
    }
    assert check(headers, body, {"k": "s" * 20}, 1000, set()) == "ok"
    assert check(headers, body, {"k": "s" * 20}, 1000, {"e1"}) == "duplicate"
    assert check(headers, body, {"k": "s" * 20}, 1000 + 301, set()) == "stale or missing timestamp"
    assert check(headers, body + b" ", {"k": "s" * 20}, 1000, set()) == "bad signature"
    assert check(headers, body, {"other": "s" * 20}, 1000, set()) == "bad signature"
    assert check(headers | {"Webhook-Id": "e2"}, body, {"k": "s" * 20}, 1000, set()) == "bad signature"


async def test_events_left_by_a_process_are_delivered_by_another(hooked: tuple[World, Receiver, int]) -> None:
    """The events are rows in the shared store, not memory: a second process on the same database (standing in for the
    first one restarted after a crash) delivers what the first left pending, and the first then finds nothing due."""
    world, receiver, port = hooked
    await receiver.stop()
    player = await world.player(1_000_000)
    token = await world.session(player)
    rounds = [(await world.sim.play(token, 100)).body["round_id"] for _ in range(2)]
    assert (await world.sim.app[STORE].events.counts())["pending"] == 2
    await receiver.start(port)
    async with running_sim(world.sim.settings, clock=world.clock, settlement_worker=False) as second:
        world.clock.advance(60)
        assert await second.app[WORKER].run_once() == 2
    assert sorted(e["data"]["round_id"] for e in receiver.processed.values()) == sorted(rounds)
    world.clock.advance(60)
    assert await world.sim.app[WORKER].run_once() == 0
    assert await world.sim.app[STORE].events.counts() == {"delivered": 2}

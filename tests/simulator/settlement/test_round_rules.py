"""The rules providers follow, end to end through a faulty proxy: which bet failures are rolled back, how wins
and rollbacks are retried (same transaction id, growing delays) and when a round is handed to a human."""

from __future__ import annotations

import random

import pytest

from games.errors import IllegalAction
from simulator.settlement.settler import backoff_delay
from simulator.state import WORKER
from tests.fakes import engine
from tests.simulator.settlement.conftest import World

STAKE = 100


async def one_round(world: World, bet_fault: str, times: int = 1) -> tuple[dict[str, object], int, str]:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("bet", bet_fault, times=times)
    reply = await world.sim.play(token, STAKE)
    return player, reply.status, token


@pytest.mark.parametrize(
    ("fault", "status", "applied"),
    [
        pytest.param("hang_after", 504, True, id="timeout-after-debit"),
        pytest.param("hang_before", 504, False, id="timeout-before-debit"),
        pytest.param("fail_before", 502, False, id="5xx-not-applied"),
        pytest.param("fail_after", 502, True, id="5xx-applied"),
        pytest.param("fail5xx:INSUFFICIENT_FUNDS", 502, False, id="5xx-with-a-refusal-code"),
        pytest.param("reset_after", 502, True, id="connection-reset"),
        pytest.param("garbage_after", 502, True, id="unreadable-reply"),
    ],
)
async def test_a_bet_with_an_unknown_outcome_is_rolled_back(
    world: World, fault: str, status: int, applied: bool
) -> None:
    player, got, _ = await one_round(world, fault, times=2 if fault == "reset_after" else 1)
    assert got == status
    await world.settle()
    (round_,) = await world.store.rounds.page()
    bet, rollback = await world.store.outbox.of_round(round_.round_id)
    assert (bet.kind, bet.status) == ("bet", "failed")
    assert (rollback.kind, rollback.status, rollback.reference_transaction_id) == (
        "rollback",
        "acked",
        bet.transaction_id,
    )
    assert round_.status == "rolled_back"
    assert await world.balance(str(player["player_id"])) == 1_000
    entries = await world.wallet.ledger.entries(player_id=str(player["player_id"]))
    assert [e["kind"] for e in entries if e["kind"] != "deposit"] == (["bet", "rollback"] if applied else ["rollback"])


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        pytest.param("refuse:INSUFFICIENT_FUNDS", 402, "INSUFFICIENT_FUNDS", id="funds"),
        pytest.param("refuse:LIMIT_EXCEEDED", 403, "LIMIT_EXCEEDED", id="limits"),
        pytest.param("refuse:PLAYER_BLOCKED", 403, "PLAYER_BLOCKED", id="blocked"),
    ],
)
async def test_a_refused_bet_is_not_rolled_back(world: World, fault: str, status: int, code: str) -> None:
    _, got, _ = await one_round(world, fault)
    assert got == status
    await world.settle()
    (round_,) = await world.store.rounds.page()
    assert round_.status == "void"
    (bet,) = await world.store.outbox.of_round(round_.round_id)
    assert (bet.status, bet.last_error) == ("refused", code)
    assert [c.operation for c in world.proxy.calls] == ["balance", "bet"]


async def test_a_late_bet_after_its_rollback_is_refused_by_the_tombstone(world: World) -> None:
    """The classic race: the bet reaches the wallet only after the provider gave up and rolled it back."""
    world.proxy.hang = 0.6
    player, got, _ = await one_round(world, "hang_before")
    assert got == 504
    await world.settle()
    await world.proxy.stop()  # lets the held bet through and waits for it
    (bet,) = [t for t in await world.store.outbox.transactions() if t.kind == "bet"]
    assert world.proxy.answers[-1] == ("bet", bet.transaction_id, 409)  # TRANSACTION_ROLLED_BACK
    ledger = world.wallet.ledger
    entries = await ledger.entries(player_id=str(player["player_id"]))
    assert [e["kind"] for e in entries if e["kind"] != "deposit"] == ["rollback"]
    assert await world.balance(str(player["player_id"])) == 1_000


async def test_a_failed_win_is_retried_with_the_same_id_and_growing_delays(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("win", "fail_before", times=4)
    reply = await world.sim.play(token, STAKE)
    assert reply.status == 200  # the round is decided; the win is owed and queued
    assert reply.body["status"] == "settling"
    round_id = reply.body["round_id"]
    delays = []
    for _ in range(4):
        (win,) = [t for t in await world.store.outbox.of_round(round_id) if t.kind == "win"]
        if win.status != "pending":
            break
        delays.append(win.next_attempt_at - world.clock.now())
        world.clock.advance(win.next_attempt_at - world.clock.now())
        await world.sim.app[WORKER].run_once()
    (win,) = [t for t in await world.store.outbox.of_round(round_id) if t.kind == "win"]
    assert (win.status, win.attempts) == ("acked", 5)
    attempts = world.proxy.attempts(win.transaction_id)
    assert len(attempts) == 5 and {c.reference_transaction_id for c in attempts} == {
        next(t.transaction_id for t in await world.store.outbox.of_round(round_id) if t.kind == "bet")
    }
    assert all(0.5 <= d <= 8.0 for d in delays)
    assert delays[-1] > delays[0]  # 1 s ceiling at first, 8 s by the fourth retry
    assert (await world.store.rounds.get(round_id)).status == "closed"  # type: ignore[union-attr]
    won = reply.body["win"]
    assert await world.balance(str(player["player_id"])) == 1_000 - STAKE + won


async def test_a_win_retried_past_the_age_limit_goes_to_manual_and_is_reported(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("win", "fail_before", times=1000)
    reply = await world.sim.play(token, STAKE)
    round_id = reply.body["round_id"]
    await world.settle(step=10.0)
    (win,) = [t for t in await world.store.outbox.of_round(round_id) if t.kind == "win"]
    assert win.status == "abandoned" and win.last_error is not None
    assert win.updated_at - win.created_at == pytest.approx(120.0)  # the last try is at the age limit
    manual = await world.sim.request("GET", "/v1/rounds?status=manual")
    assert manual.status == 200
    assert [r["round_id"] for r in manual.body["rounds"]] == [round_id]
    report = await world.sim.request("GET", "/admin/settlement")
    assert report.body["rounds"]["manual"] == 1
    assert report.body["transactions"]["win"] == {"abandoned": 1}
    assert {t.transaction_id for t in await world.store.outbox.of_round(round_id) if t.kind == "win"} == {
        c.transaction_id for c in world.proxy.calls if c.operation == "win"
    }


async def test_a_refused_win_goes_to_manual_without_retries(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("win", "refuse:ROUND_CLOSED")
    reply = await world.sim.play(token, STAKE)
    await world.settle()
    round_ = await world.store.rounds.get(reply.body["round_id"])
    assert round_ is not None and round_.status == "manual"
    assert world.proxy.faults()["refuse:ROUND_CLOSED"] == 1
    assert len([c for c in world.proxy.calls if c.operation == "win"]) == 1


async def test_a_failed_rollback_is_retried_until_acknowledged(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("bet", "fail_after").on("rollback", "hang_after", times=2)
    assert (await world.sim.play(token, STAKE)).status == 502
    await world.settle()
    (round_,) = await world.store.rounds.page()
    _, rollback = await world.store.outbox.of_round(round_.round_id)
    assert (round_.status, rollback.status, rollback.attempts) == ("rolled_back", "acked", 3)
    assert {c.transaction_id for c in world.proxy.calls if c.operation == "rollback"} == {rollback.transaction_id}
    assert await world.balance(str(player["player_id"])) == 1_000


async def test_a_rollback_of_a_bet_the_wallet_never_saw_settles_on_not_found(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("bet", "fail_before").on("rollback", "refuse:TRANSACTION_NOT_FOUND")
    assert (await world.sim.play(token, STAKE)).status == 502
    await world.settle()
    (round_,) = await world.store.rounds.page()
    _, rollback = await world.store.outbox.of_round(round_.round_id)
    assert (round_.status, rollback.status, rollback.last_error) == (
        "rolled_back",
        "acked",
        "TRANSACTION_NOT_FOUND",
    )


async def test_a_bet_left_in_flight_by_a_dead_process_is_rolled_back(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player)
    world.plan.on("win", "fail_before")  # the wallet holds the bet and nothing else
    assert (await world.sim.play(token, STAKE)).status == 200
    (round_,) = await world.store.rounds.page()
    bet = (await world.store.outbox.of_round(round_.round_id))[0]
    # rewind the records to "bet sent, no answer recorded", as a kill -9 during the call leaves them
    async with world.store.db.transaction() as tx:
        await tx.execute("DELETE FROM transactions WHERE kind = 'win'")
        await tx.execute("UPDATE transactions SET status = 'pending' WHERE transaction_id = ?", bet.transaction_id)
        await tx.execute("UPDATE rounds SET status = 'open'")
    await world.sim.app[WORKER].run_once()
    # still within the lease: it may be a live call in another process
    assert (await world.store.outbox.get(bet.transaction_id)).status == "pending"  # type: ignore[union-attr]
    await world.settle(step=30.0)
    round_after = await world.store.rounds.get(round_.round_id)
    assert round_after is not None and round_after.status == "rolled_back"
    assert await world.balance(str(player["player_id"])) == 1_000


async def test_a_failed_extra_bet_is_rolled_back_and_the_round_goes_on(world: World) -> None:
    player = await world.player(1_000)
    token = await world.session(player, engine.LADDER)
    opened = await world.sim.play(token, STAKE)
    assert opened.status == 200 and opened.body["actions"] == ["double", "stand"]
    round_id = opened.body["round_id"]
    world.plan.on("bet", "hang_after")
    doubled = await world.sim.request("POST", f"/play/{token}/rounds/{round_id}/actions", {"action": "double"})
    assert doubled.status == 504
    await world.settle()
    round_ = await world.store.rounds.get(round_id)
    assert round_ is not None and (round_.status, round_.stake) == ("open", STAKE)
    stood = await world.sim.request("POST", f"/play/{token}/rounds/{round_id}/actions", {"action": "stand"})
    assert stood.status == 200 and stood.body["status"] == "closed"
    assert await world.balance(str(player["player_id"])) == 1_000 - STAKE + stood.body["win"]


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    rng = random.Random(7)
    for attempts in range(12):
        ceiling = min(8.0, 2**attempts)
        draws = [backoff_delay(attempts, base=1.0, cap=8.0, rng=rng) for _ in range(50)]
        assert all(0.5 <= d <= ceiling for d in draws)
        assert len(set(draws)) > 1


async def test_an_extra_bet_for_an_action_that_fails_is_given_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    player = await world.player(1_000)
    token = await world.session(player, engine.LADDER)
    round_id = (await world.sim.play(token, STAKE)).body["round_id"]

    def broken(*_: object) -> None:
        raise IllegalAction("the engine gave up after the stake was taken")

    monkeypatch.setattr(engine.Ladder, "act", broken)
    doubled = await world.sim.request("POST", f"/play/{token}/rounds/{round_id}/actions", {"action": "double"})
    assert doubled.status == 400
    await world.settle()
    kinds = [(t.kind, t.status) for t in await world.store.outbox.of_round(round_id)]
    assert kinds == [("bet", "acked"), ("bet", "acked"), ("rollback", "acked")]
    round_ = await world.store.rounds.get(round_id)
    assert round_ is not None and (round_.status, round_.stake) == ("open", STAKE)
    assert await world.balance(str(player["player_id"])) == 1_000 - STAKE

"""The reference wallet's ledger on SQLite and PostgreSQL: idempotency, tombstones, concurrency, player
controls and bonus funds."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.ids import RandomIds
from simulator.store.database import Database, DuplicateKey
from simulator.wallet.ledger import Ledger, LedgerError
from simulator.wallet.models import OperationRequest
from simulator.wallet.sandbox import Sandbox

_n = itertools.count(1)


@dataclass
class Wallet:
    ledger: Ledger
    sandbox: Sandbox
    clock: ManualClock

    async def player(self, balance: int = 1_000, **fields: Any) -> tuple[str, str]:
        player, token, _ = await self.sandbox.create_player(None, "USD", balance, **fields)
        return player.player_id, token

    async def state(self, player_id: str) -> dict[str, Any]:
        return await self.sandbox.player(player_id)


def op(player: tuple[str, str], amount: int, *, round_id: str | None = None, **fields: Any) -> OperationRequest:
    values: dict[str, Any] = {
        "request_id": f"req-{next(_n)}",
        "player_id": player[0],
        "session_id": player[1],
        "currency": "USD",
        "transaction_id": f"tx-{next(_n)}",
        "round_id": round_id or f"round-{next(_n)}",
        "game_id": "g1",
        "studio_id": "s1",
        "amount": amount,
    }
    return OperationRequest(**(values | fields))


def win_for(bet: OperationRequest, amount: int, **fields: Any) -> OperationRequest:
    return op(
        (bet.player_id, bet.session_id),
        amount,
        round_id=bet.round_id,
        round_closed=True,
        reference_transaction_id=bet.transaction_id,
        **fields,
    )


def rollback_of(bet: OperationRequest, **fields: Any) -> OperationRequest:
    return op(
        (bet.player_id, bet.session_id),
        bet.amount,
        round_id=bet.round_id,
        round_closed=True,
        reference_transaction_id=bet.transaction_id,
        **fields,
    )


async def refused(call: Any, code: str) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        await call
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.fixture
async def wallet(db: Database) -> AsyncIterator[Wallet]:
    clock = ManualClock(1_700_000_000.0)  # 2023-11-14 22:13:20 UTC
    ledger = Ledger(db, clock)
    await ledger.migrate()
    yield Wallet(ledger, Sandbox(db, clock, RandomIds()), clock)


async def test_a_repeated_transaction_applies_once_and_other_content_is_a_mismatch(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    bet = op(p, 100)
    first = await wallet.ledger.bet(bet)
    again = await wallet.ledger.bet(bet.model_copy(update={"request_id": "other-request"}))
    assert first == again and first["balance"] == 900
    await refused(wallet.ledger.bet(bet.model_copy(update={"amount": 101})), "TRANSACTION_MISMATCH")
    assert (await wallet.state(p[0]))["balance"] == 900


async def test_fifty_concurrent_bets_never_overdraw(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    results = await asyncio.gather(*(wallet.ledger.bet(op(p, 30)) for _ in range(50)), return_exceptions=True)
    accepted = [r for r in results if isinstance(r, dict)]
    refusals = [r for r in results if isinstance(r, LedgerError)]
    assert len(accepted) == 33 and len(refusals) == 17
    assert {r.code for r in refusals} == {"INSUFFICIENT_FUNDS"}
    assert sorted(r["balance"] for r in accepted) == list(range(10, 1_000, 30))
    assert (await wallet.state(p[0]))["balance"] == 10


async def test_concurrent_duplicates_apply_once(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    bet = op(p, 100)
    bets = await asyncio.gather(*(wallet.ledger.bet(bet) for _ in range(20)))
    assert all(b == bets[0] for b in bets) and bets[0]["balance"] == 900
    win = win_for(bet, 250)
    wins = await asyncio.gather(*(wallet.ledger.win(win) for _ in range(20)))
    assert all(w == wins[0] for w in wins) and wins[0]["balance"] == 1_150
    entries = await wallet.ledger.entries(player_id=p[0])
    assert [e["kind"] for e in entries] == ["deposit", "bet", "win"]


async def test_one_transaction_id_raced_by_two_players_applies_to_one(wallet: Wallet) -> None:
    a, b = await wallet.player(1_000), await wallet.player(1_000)
    bets = [op(p, 100, transaction_id="shared-id") for p in (a, b)]
    results = await asyncio.gather(*(wallet.ledger.bet(bet) for bet in bets for _ in range(5)), return_exceptions=True)
    refusals = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, LedgerError) and r.code == "TRANSACTION_MISMATCH" for r in refusals), refusals
    assert len(refusals) == 5
    balances = sorted([(await wallet.state(a[0]))["balance"], (await wallet.state(b[0]))["balance"]])
    assert balances == [900, 1_000]


async def test_rollback_refunds_once_and_a_late_bet_is_refused(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    bet = op(p, 100)
    rollback = rollback_of(bet)
    assert (await wallet.ledger.rollback(rollback))["balance"] == 1_000  # before its bet: a tombstone
    await refused(wallet.ledger.bet(bet), "TRANSACTION_ROLLED_BACK")
    again = await wallet.ledger.rollback(rollback)
    assert again["balance"] == 1_000
    placed = op(p, 100)
    await wallet.ledger.bet(placed)
    assert (await wallet.ledger.rollback(rollback_of(placed)))["balance"] == 1_000
    second = rollback_of(placed)  # another rollback id for the same bet returns nothing more
    assert (await wallet.ledger.rollback(second))["balance"] == 1_000
    kinds = [(e["kind"], e["amount"]) for e in await wallet.ledger.entries(player_id=p[0])]
    assert kinds == [("deposit", 1_000), ("rollback", 0), ("bet", 100), ("rollback", 100), ("rollback", 0)]


async def test_unknown_rollback_policy_reject(db: Database) -> None:
    clock = ManualClock()
    ledger = Ledger(db, clock, unknown_rollback="reject")
    await ledger.migrate()
    player, token, _ = await Sandbox(db, clock, RandomIds()).create_player(None, "USD", 500)
    error = await refused(ledger.rollback(rollback_of(op((player.player_id, token), 10))), "TRANSACTION_NOT_FOUND")
    assert error.extra["balance"] == 500


async def test_rollback_after_the_win_is_refused(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    bet = op(p, 100)
    await wallet.ledger.bet(bet)
    await wallet.ledger.win(win_for(bet, 0))
    await refused(wallet.ledger.rollback(rollback_of(bet)), "ROUND_CLOSED")
    await refused(wallet.ledger.bet(op(p, 100, round_id=bet.round_id)), "ROUND_CLOSED")


async def test_wins_and_rollbacks_are_accepted_after_the_session_expired(wallet: Wallet) -> None:
    p = await wallet.player(1_000, token_ttl=60)
    bet, other = op(p, 100), op(p, 50)
    await wallet.ledger.bet(bet)
    await wallet.ledger.bet(other)
    wallet.clock.advance(61)
    await refused(wallet.ledger.bet(op(p, 10)), "SESSION_EXPIRED")
    assert (await wallet.ledger.win(win_for(bet, 300)))["balance"] == 1_150
    assert (await wallet.ledger.rollback(rollback_of(other)))["balance"] == 1_200


async def test_a_blocked_player_cannot_bet_but_is_paid(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    bet = op(p, 100)
    await wallet.ledger.bet(bet)
    await wallet.sandbox.set_controls(p[0], blocked=True)
    await refused(wallet.ledger.bet(op(p, 100)), "PLAYER_BLOCKED")
    assert (await wallet.ledger.win(win_for(bet, 200)))["balance"] == 1_100


async def test_daily_wager_limit_counts_cash_bets_less_rollbacks_and_resets_at_utc_midnight(
    wallet: Wallet,
) -> None:
    p = await wallet.player(10_000)
    await wallet.sandbox.set_controls(p[0], daily_wager_limit=300)
    first = op(p, 200)
    await wallet.ledger.bet(first)
    await wallet.ledger.win(win_for(first, 400))  # winning does not give wagering room back
    error = await refused(wallet.ledger.bet(op(p, 101)), "LIMIT_EXCEEDED")
    assert error.extra["balance"] == 10_200
    pending = op(p, 100)
    await wallet.ledger.bet(pending)  # exactly at the limit is allowed
    await wallet.ledger.rollback(rollback_of(pending))  # a rollback gives its stake back to the day
    await wallet.ledger.bet(op(p, 100))
    assert (await wallet.state(p[0]))["today"] == {"day": "2023-11-14", "wagered": 300, "lost": -100}
    wallet.clock.advance(2 * 3600)  # past midnight UTC
    await wallet.ledger.bet(op(p, 300))
    await wallet.sandbox.set_controls(p[0], daily_wager_limit=None)
    await wallet.ledger.bet(op(p, 5_000))
    assert (await wallet.state(p[0]))["today"]["wagered"] == 5_300


async def test_daily_loss_limit_counts_wins_back(wallet: Wallet) -> None:
    p = await wallet.player(10_000)
    await wallet.sandbox.set_controls(p[0], daily_loss_limit=250)
    lost = op(p, 200)
    await wallet.ledger.bet(lost)
    await wallet.ledger.win(win_for(lost, 0))
    await refused(wallet.ledger.bet(op(p, 51)), "LIMIT_EXCEEDED")
    won = op(p, 50)
    await wallet.ledger.bet(won)
    await wallet.ledger.win(win_for(won, 150))  # net loss today: 200 + 50 - 150 = 100
    await wallet.ledger.bet(op(p, 150))
    await refused(wallet.ledger.bet(op(p, 1)), "LIMIT_EXCEEDED")


async def test_bonus_bets_never_touch_cash_and_their_wins_are_bonus(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    campaign = {"campaign_id": "spring-spins"}
    await refused(wallet.ledger.bet(op(p, 100, bonus=campaign)), "INSUFFICIENT_FUNDS")
    await wallet.sandbox.grant_bonus(p[0], amount=150, free_rounds=2, campaign_id="spring-spins")
    free = [op(p, 100, bonus=campaign) for _ in range(2)]
    for bet in free:
        reply = await wallet.ledger.bet(bet)
        assert (reply["balance"], reply["bonus_balance"]) == (1_000, 150)
    assert (await wallet.state(p[0]))["free_rounds"] == {}
    paid = op(p, 100, bonus=campaign)  # no free round left: bonus money
    assert (await wallet.ledger.bet(paid))["bonus_balance"] == 50
    await refused(wallet.ledger.bet(op(p, 100, bonus=campaign)), "INSUFFICIENT_FUNDS")
    won = await wallet.ledger.win(win_for(free[0], 400))
    assert (won["balance"], won["bonus_balance"]) == (1_000, 450)
    returned = await wallet.ledger.rollback(rollback_of(free[1]))
    assert (await wallet.state(p[0]))["free_rounds"] == {"spring-spins": 1}
    assert (returned["balance"], returned["bonus_balance"]) == (1_000, 450)
    assert (await wallet.ledger.rollback(rollback_of(paid)))["bonus_balance"] == 550
    await wallet.sandbox.set_controls(p[0], daily_wager_limit=0)  # limits are about cash
    await wallet.ledger.bet(op(p, 10, bonus=campaign))
    assert (await wallet.state(p[0]))["today"]["wagered"] == 0


async def test_balances_always_equal_the_sum_of_entries(wallet: Wallet) -> None:
    p = await wallet.player(5_000)
    await wallet.sandbox.grant_bonus(p[0], amount=300)
    for i in range(30):
        bet = op(p, 10 + i, bonus={"campaign_id": "c"} if i % 5 == 0 else None)
        await wallet.ledger.bet(bet)
        if i % 3 == 0:
            await wallet.ledger.rollback(rollback_of(bet))
        else:
            await wallet.ledger.win(win_for(bet, (i % 4) * 15))
    sign = {"bet": -1, "win": 1, "rollback": 1, "deposit": 1, "bonus_credit": 1}
    cash = bonus = 0
    for e in await wallet.ledger.entries(player_id=p[0]):
        delta = sign[str(e["kind"])] * int(str(e["amount"]))
        if e["funds"] == "cash":
            cash += delta
        elif e["funds"] == "bonus":
            bonus += delta
        assert (e["balance_after"], e["bonus_balance_after"]) == (cash, bonus)
    state = await wallet.state(p[0])
    assert (state["balance"], state["bonus_balance"]) == (cash, bonus)


async def test_export_filters_and_pages(wallet: Wallet) -> None:
    p = await wallet.player(1_000)
    bet = op(p, 100)
    await wallet.ledger.bet(bet)
    await wallet.ledger.win(win_for(bet, 30))
    await wallet.ledger.bet(op(p, 5))
    everything = await wallet.ledger.entries()
    assert [e["seq"] for e in everything] == [1, 2, 3, 4]
    assert [e["kind"] for e in await wallet.ledger.entries(round_id=bet.round_id)] == ["bet", "win"]
    (found,) = await wallet.ledger.entries(transaction_id=bet.transaction_id)
    assert found["studio_id"] == "s1" and found["round_closed"] is False and found["funds"] == "cash"
    assert [e["seq"] for e in await wallet.ledger.entries(after=2, limit=1)] == [3]
    assert len(await wallet.ledger.entries(kind="bet")) == 2


async def test_a_twin_that_lost_the_unique_key_race_is_answered_by_the_replay_rules() -> None:
    calls = []

    async def operation(req: OperationRequest) -> dict[str, Any]:
        calls.append(req)
        if len(calls) == 1:
            raise DuplicateKey("entries_transaction_id_key")
        return {"balance": 1}

    req = op(("p", "t"), 1)
    assert await Ledger._once_more(operation, req) == {"balance": 1}
    assert calls == [req, req]

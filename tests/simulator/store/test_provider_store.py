"""The provider's store on SQLite and PostgreSQL: the outbox rules that settlement relies on."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.ids import SeededIds
from simulator.lifecycle import RoundEvent, Step, TransactionStatus
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.store.database import Database
from simulator.store.provider import ProviderStore, Round, Session, Transaction
from simulator.wallet_client.client import WalletClient

NOW = 1_700_000_000.0
_ids = itertools.count(1)


def session(token: str = "tok") -> Session:
    return Session(
        token,
        "p1",
        "op-tok",
        "g1",
        "s1",
        "USD",
        False,
        None,
        None,
        NOW,
        NOW + 3600,
        "seed",
        "hash",
        "client",
        1,
    )


def round_(round_id: str, status: str = "open", stake: int = 100, **fields: Any) -> Round:
    values: dict[str, Any] = dict(
        round_id=round_id,
        session_token="tok",
        player_id="p1",
        game_id="g1",
        studio_id="s1",
        engine_id="e",
        currency="USD",
        stake=stake,
        win=0,
        status=status,
        params={},
        outcome={},
        server_seed_hash="hash",
        client_seed="client",
        nonce=next(_ids),
        version=0,
        created_at=NOW,
        updated_at=NOW,
    )
    return Round(**(values | fields))


def tx(round_id: str, kind: str = "bet", amount: int = 100, status: str = "pending", **fields: Any) -> Transaction:
    values: dict[str, Any] = dict(
        seq=0,
        transaction_id=f"{kind}-{next(_ids)}",
        round_id=round_id,
        kind=kind,
        player_id="p1",
        session_token="tok",
        wallet_session="op-tok",
        game_id="g1",
        studio_id="s1",
        currency="USD",
        amount=amount,
        round_closed=kind != "bet",
        reference_transaction_id=None,
        status=status,
        attempts=0,
        next_attempt_at=NOW,
        last_error=None,
        balance_after=None,
        created_at=NOW,
        updated_at=NOW,
    )
    return Transaction(**(values | fields))


@pytest.fixture
async def store(db: Database) -> AsyncIterator[ProviderStore]:
    s = ProviderStore(db)
    await s.migrate()
    await s.sessions.create(session())
    yield s


async def open_with(store: ProviderStore, r: Round, *txs: Transaction) -> None:
    """Record ``r`` as the round service does: numbered with the session's next nonce."""
    s = await store.sessions.current("tok")
    assert s is not None
    assert await store.rounds.open(replace(r, nonce=s.nonce, server_seed_hash=s.server_seed_hash), txs)


def no_wallet(studio_id: str) -> WalletClient:
    raise AssertionError("recovery calls no wallet")


def worker(store: ProviderStore) -> SettlementWorker:
    clock = ManualClock(NOW + 100)
    settler = Settler(store, no_wallet, clock, random.Random(0), base_delay=1, max_delay=1, max_age=1)
    return SettlementWorker(store, settler, clock, SeededIds(0), orphan_age=50)


def step(status: str, event: RoundEvent | None = None, follow_up: Transaction | None = None) -> Step:
    return Step(TransactionStatus(status), event, follow_up)


async def status_of(store: ProviderStore, transaction_id: str) -> str:
    t = await store.outbox.get(transaction_id)
    assert t is not None
    return t.status


async def round_status(store: ProviderStore, round_id: str) -> str:
    r = await store.rounds.get(round_id)
    assert r is not None
    return r.status


async def test_open_round_persists_round_bet_and_next_nonce(store: ProviderStore) -> None:
    bet = tx("r1")
    await open_with(store, round_("r1"), bet)
    s = await store.sessions.get("tok")
    assert s is not None and s.nonce == 2
    assert [t.transaction_id for t in await store.outbox.of_round("r1")] == [bet.transaction_id]


async def test_a_round_on_a_nonce_it_does_not_hold_is_refused_and_writes_nothing(store: ProviderStore) -> None:
    for stale in (round_("r0", nonce=2, server_seed_hash="hash"), round_("r0", nonce=1, server_seed_hash="other")):
        assert not await store.rounds.open(stale, [tx("r0")])
    s = await store.sessions.get("tok")
    assert s is not None and s.nonce == 1
    assert await store.outbox.transactions() == []
    await open_with(store, round_("r1"), tx("r1"))  # the next round gets the nonce the refused one did not take
    s = await store.sessions.get("tok")
    assert s is not None and s.nonce == 2
    assert [r.round_id for r in await store.rounds.page()] == ["r1"]


async def test_settle_changes_only_a_pending_transaction(store: ProviderStore) -> None:
    bet = tx("r1")
    await open_with(store, round_("r1"), bet)
    win = tx("r1", "win", reference_transaction_id=bet.transaction_id)
    assert await store.outbox.settle(bet, step("acked", RoundEvent.CLOSING_WIN_QUEUED, win), now=NOW, balance=900)
    # a second answer for the same bet (a stalled twin) changes nothing and queues nothing
    again = tx("r1", "win")
    assert not await store.outbox.settle(bet, step("failed", RoundEvent.BET_OUTCOME_UNKNOWN, again), now=NOW)
    assert await status_of(store, bet.transaction_id) == "acked"
    assert await round_status(store, "r1") == "settling"
    assert [t.kind for t in await store.outbox.of_round("r1")] == ["bet", "win"]


async def test_settle_never_moves_a_final_round(store: ProviderStore) -> None:
    bet = tx("r1", status="acked")
    win = tx("r1", "win")
    await open_with(store, round_("r1", status="closed"), bet, win)
    assert await store.outbox.settle(win, step("refused", RoundEvent.REFUSED), now=NOW)
    assert await round_status(store, "r1") == "closed"


async def test_claim_due_leases_rows_and_skips_bets(store: ProviderStore) -> None:
    bet = tx("r1", status="acked")
    win = tx("r1", "win", next_attempt_at=NOW - 1)
    later = tx("r1", "rollback", next_attempt_at=NOW + 50)
    pending_bet = tx("r2")
    await open_with(store, round_("r1"), bet, win, later)
    await open_with(store, round_("r2"), pending_bet)
    assert [t.transaction_id for t in await store.outbox.claim_due(NOW, lease=30)] == [win.transaction_id]
    assert await store.outbox.claim_due(NOW + 29, lease=30) == []  # leased to the first claimer
    due = await store.outbox.claim_due(NOW + 60, lease=30)
    assert {t.transaction_id for t in due} == {win.transaction_id, later.transaction_id}


async def test_concurrent_claimers_never_share_a_row(store: ProviderStore) -> None:
    wins = [tx(f"r{i}", "win", next_attempt_at=NOW - 1) for i in range(40)]
    for i, w in enumerate(wins):
        await open_with(store, round_(f"r{i}"), w)
    batches = await asyncio.gather(*(store.outbox.claim_due(NOW, lease=30, limit=7) for _ in range(8)))
    claimed = [t.transaction_id for batch in batches for t in batch]
    assert len(claimed) == len(set(claimed)) == 40


async def test_reschedule_counts_attempts_and_leaves_settled_rows_alone(store: ProviderStore) -> None:
    win = tx("r1", "win")
    await open_with(store, round_("r1", status="settling"), win)
    await store.outbox.reschedule(win.transaction_id, next_attempt_at=NOW + 5, error="WALLET_TIMEOUT: slow", now=NOW)
    t = await store.outbox.get(win.transaction_id)
    assert t is not None and (t.attempts, t.next_attempt_at, t.last_error) == (
        1,
        NOW + 5,
        "WALLET_TIMEOUT: slow",
    )
    await store.outbox.settle(win, step("acked", RoundEvent.WIN_ACKNOWLEDGED), now=NOW)
    await store.outbox.reschedule(win.transaction_id, next_attempt_at=NOW + 9, error="late", now=NOW)
    t = await store.outbox.get(win.transaction_id)
    assert t is not None and (t.status, t.attempts, t.next_attempt_at) == ("acked", 2, NOW + 5)


async def test_an_orphaned_opening_bet_is_rolled_back_once(store: ProviderStore) -> None:
    bet = tx("r1", created_at=NOW - 100)
    await open_with(store, round_("r1"), bet)
    assert [t.transaction_id for t in await store.outbox.orphaned_bets(NOW - 50)] == [bet.transaction_id]
    w = worker(store)
    rollbacks = await asyncio.gather(*(w.recover_orphan(bet, NOW) for _ in range(3)))
    queued = [r for r in rollbacks if r is not None]
    assert len(queued) == 1
    rollback = queued[0]
    assert (rollback.reference_transaction_id, rollback.amount, rollback.round_closed) == (
        bet.transaction_id,
        100,
        True,
    )
    assert await status_of(store, bet.transaction_id) == "failed"
    assert await round_status(store, "r1") == "rolling_back"
    assert [t.kind for t in await store.outbox.of_round("r1")] == ["bet", "rollback"]


async def test_an_orphaned_extra_bet_hands_the_round_back(store: ProviderStore) -> None:
    opening = tx("r1", status="acked")
    await open_with(store, round_("r1", status="acting"), opening)
    extra = tx("r1", amount=100, created_at=NOW - 100)
    await store.outbox.add(extra)
    rollback = await worker(store).recover_orphan(extra, NOW)
    assert rollback is not None and not rollback.round_closed
    assert await round_status(store, "r1") == "open"


async def test_a_stale_acting_round_returns_an_extra_bet_it_never_applied(store: ProviderStore) -> None:
    opening = tx("r1", status="acked")
    extra = tx("r1", status="acked")
    await open_with(store, round_("r1", status="acting", updated_at=NOW - 100), opening, extra)
    queued = await worker(store).release_stale(NOW - 50, NOW)
    assert [t.reference_transaction_id for t in queued] == [extra.transaction_id]
    assert await round_status(store, "r1") == "open"
    assert await worker(store).release_stale(NOW - 50, NOW) == []


async def test_a_stale_acting_round_with_its_stake_applied_is_just_released(store: ProviderStore) -> None:
    opening = tx("r1", status="acked")
    extra = tx("r1", status="acked")
    await open_with(store, round_("r1", status="acting", stake=200, updated_at=NOW - 100), opening, extra)
    assert await worker(store).release_stale(NOW - 50, NOW) == []
    assert await round_status(store, "r1") == "open"
    fresh = round_("r2", status="acting", updated_at=NOW)
    await open_with(store, fresh, tx("r2", status="acked"))
    await worker(store).release_stale(NOW - 50, NOW)
    assert await round_status(store, "r2") == "acting"


async def test_release_round_after_a_takeover_queues_nothing(store: ProviderStore) -> None:
    await open_with(store, round_("r1", status="open"), tx("r1", status="acked"))
    win = tx("r1", "win")
    assert not await store.rounds.release("r1", now=NOW, event=RoundEvent.FINAL_ACTION_DONE, follow_up=win)
    assert [t.kind for t in await store.outbox.of_round("r1")] == ["bet"]


async def test_transaction_feed_pages_by_seq_and_filters(store: ProviderStore) -> None:
    for i in range(5):
        bet = tx(f"r{i}", status="acked", player_id="p2" if i % 2 else "p1")
        await open_with(store, round_(f"r{i}"), bet, tx(f"r{i}", "win"))
    first = await store.outbox.transactions(limit=4)
    rest = await store.outbox.transactions(after=first[-1].seq, limit=100)
    assert [t.seq for t in first + rest] == list(range(1, 11))
    assert {t.round_id for t in await store.outbox.transactions(round_id="r3")} == {"r3"}
    assert len(await store.outbox.transactions(player_id="p2", kind="bet")) == 2
    assert len(await store.outbox.transactions(status="pending")) == 5


async def test_rounds_list_by_status_with_a_cursor(store: ProviderStore) -> None:
    for i in range(6):
        await open_with(store, round_(f"r{i}", status="manual" if i % 2 else "closed", created_at=NOW + i))
    manual = await store.rounds.page(statuses=["manual"])
    assert [r.round_id for r in manual] == ["r1", "r3", "r5"]
    page = await store.rounds.page(statuses=["manual", "closed"], after="r2", limit=2)
    assert [r.round_id for r in page] == ["r3", "r4"]
    assert await store.rounds.page(after="unknown") == []


async def test_summary_counts_rounds_transactions_and_retries(store: ProviderStore) -> None:
    bet = tx("r1", status="acked", attempts=1)
    win = tx("r1", "win", status="acked", attempts=4)
    await open_with(store, round_("r1", status="closed"), bet, win)
    await open_with(
        store,
        round_("r2", status="settling"),
        tx("r2", status="acked", attempts=1),
        replace(tx("r2", "win", attempts=2), created_at=NOW - 7),
    )
    summary = await store.outbox.summary()
    assert summary.rounds == {"closed": 1, "settling": 1}
    assert summary.transactions == {"bet": {"acked": 2}, "win": {"acked": 1, "pending": 1}}
    assert summary.retries == 3 + 1
    assert (summary.pending, summary.oldest_pending_at) == (1, NOW - 7)

"""The background loop that finishes what the request path could not: pending wins and rollbacks whose time has come,
and bets left in flight by a process that died (they are rolled back, as a provider must when a bet's fate is unknown).

``run_once`` does one pass and is what tests call; ``run`` loops until cancelled, waking early when ``kick`` is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from simulator.clock import Clock
from simulator.ids import Ids
from simulator.settlement.settler import Settler
from simulator.store.provider import ProviderStore, Transaction

log = logging.getLogger("casino_sim.settlement")


def rollback_for(bet: Transaction, transaction_id: str, now: float, *, closes_round: bool = True) -> Transaction:
    """The rollback of ``bet``: same player, round and amount, pointing at the bet's transaction id. A rollback of an
    extra bet inside a multi-step round leaves the round open."""
    return Transaction(
        seq=0,
        transaction_id=transaction_id,
        round_id=bet.round_id,
        kind="rollback",
        player_id=bet.player_id,
        session_token=bet.session_token,
        wallet_session=bet.wallet_session,
        game_id=bet.game_id,
        studio_id=bet.studio_id,
        currency=bet.currency,
        amount=bet.amount,
        round_closed=closes_round,
        reference_transaction_id=bet.transaction_id,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        last_error=None,
        balance_after=None,
        created_at=now,
        updated_at=now,
    )


class SettlementWorker:
    def __init__(
        self,
        store: ProviderStore,
        settler: Settler,
        clock: Clock,
        ids: Ids,
        *,
        orphan_age: float,
        poll: float = 0.25,
    ) -> None:
        self._store = store
        self._settler = settler
        self._clock = clock
        self._ids = ids
        self._orphan_age = orphan_age
        self._poll = poll
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """One pass: roll back orphaned bets, then deliver what is due. Returns how many deliveries were tried."""
        now = self._clock.now()
        for bet in await self._store.orphaned_bets(now - self._orphan_age):
            log.warning("bet %s was left in flight; rolling it back", bet.transaction_id)
            await self._store.settle(
                bet.transaction_id,
                status="failed",
                now=now,
                error="orphaned",
                round_status="rolling_back",
                follow_up=rollback_for(bet, self._ids.uuid(), now),
            )
        due = await self._store.claim_due(now, lease=self._orphan_age)
        if due:
            await asyncio.gather(*(self._settler.deliver(t) for t in due))
        return len(due)

    async def run(self) -> None:
        while True:
            try:
                tried = await self.run_once()
            except Exception:
                log.exception("settlement pass failed; trying again")
                tried = 0
            if tried:
                continue
            # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancellation that arrives as the wake-up
            # event fires, and the loop would then outlive its own cancellation, hanging shutdown
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()
            self._wake.clear()

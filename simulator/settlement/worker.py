"""The background loop that finishes what the request path could not: pending wins and rollbacks whose time
has come, bets left in flight by a process that died (they are rolled back, as a provider must when a bet's
fate is unknown), and multi-step rounds such a process left mid-action.

``run_once`` does one pass and is what tests call; ``run`` loops until cancelled, waking early when ``kick``
is called. Several processes may run it on one PostgreSQL database: due rows are leased with ``SKIP LOCKED``
and every recovery step changes a row only if it is still in the state that called for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

from simulator.clock import Clock
from simulator.ids import Ids
from simulator.settlement.settler import Settler
from simulator.store.provider import ProviderStore, Transaction

log = logging.getLogger("casino_sim.settlement")


def rollback_for(
    bet: Transaction,
    transaction_id: str,
    now: float,
    *,
    closes_round: bool = True,
    send_at: float | None = None,
) -> Transaction:
    """The rollback of ``bet``: same player, round and amount, pointing at the bet's transaction id. A
    rollback of an extra bet inside a multi-step round leaves the round open. ``send_at`` defers the
    worker's first attempt (the caller sends it inline first)."""
    return dataclasses.replace(
        bet,
        seq=0,
        transaction_id=transaction_id,
        kind="rollback",
        round_closed=closes_round,
        reference_transaction_id=bet.transaction_id,
        status="pending",
        attempts=0,
        next_attempt_at=now if send_at is None else send_at,
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

    def _rollback(self, bet: Transaction, closes_round: bool) -> Transaction:
        return rollback_for(bet, self._ids.uuid(), self._clock.now(), closes_round=closes_round)

    async def recover(self) -> int:
        """Roll back bets left in flight and hand back rounds left mid-action; returns rollbacks queued."""
        now = self._clock.now()
        horizon = now - self._orphan_age
        queued = 0
        for bet in await self._store.orphaned_bets(horizon):
            if await self._store.recover_orphan(bet.transaction_id, now, self._rollback) is not None:
                log.warning("bet %s was left in flight; rolling it back", bet.transaction_id)
                queued += 1
        for rollback in await self._store.release_stale_rounds(horizon, now, self._rollback):
            log.warning(
                "extra bet %s was never applied to its round; rolling it back",
                rollback.reference_transaction_id,
            )
            queued += 1
        return queued

    async def run_once(self) -> int:
        """One pass: recover what dead processes left, then deliver what is due. Returns deliveries tried."""
        await self.recover()
        due = await self._store.claim_due(self._clock.now(), lease=self._orphan_age)
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

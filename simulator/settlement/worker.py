"""The background loop that finishes what the request path could not: pending wins and rollbacks whose time
has come, bets left in flight by a process that died (they are rolled back, as a provider must when a bet's
fate is unknown), multi-step rounds such a process left mid-action, sessions whose time ran out (closed once,
announced as ``session.closed``), and webhook events that are due.

``run_once`` does one pass and is what tests call; ``run`` loops until cancelled, waking early when ``kick``
is called. Several processes may run it on one PostgreSQL database: due rows are leased with ``SKIP LOCKED``
and every recovery step changes a row only if it is still in the state that called for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from simulator import lifecycle
from simulator.clock import Clock
from simulator.ids import Ids
from simulator.settlement.settler import Settler
from simulator.store.provider import ProviderStore, Transaction

if TYPE_CHECKING:
    from simulator.webhooks.delivery import WebhookDeliverer

log = logging.getLogger("casino_sim.settlement")


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
        webhooks: WebhookDeliverer | None = None,
        chores: Callable[[], Awaitable[object]] | None = None,
        chores_every: float = 60.0,
    ) -> None:
        """``webhooks`` delivers the webhook events that are due on every pass (when endpoints are configured);
        ``chores`` (the reports' fold) runs at most every ``chores_every`` seconds, after the deliveries."""
        self._store = store
        self._settler = settler
        self._clock = clock
        self._ids = ids
        self._orphan_age = orphan_age
        self._poll = poll
        self._wake = asyncio.Event()
        self._webhooks = webhooks
        self._chores = chores
        self._chores_every = chores_every
        self._chores_at: float | None = None

    def kick(self) -> None:
        self._wake.set()

    async def recover(self) -> int:
        """Roll back bets left in flight and hand back rounds left mid-action; returns rollbacks queued."""
        now = self._clock.now()
        horizon = now - self._orphan_age
        queued = 0
        for bet in await self._store.outbox.orphaned_bets(horizon):
            if await self.recover_orphan(bet, now) is not None:
                log.warning("bet %s was left in flight; rolling it back", bet.transaction_id)
                queued += 1
        for rollback in await self.release_stale(horizon, now):
            log.warning(
                "extra bet %s was never applied to its round; rolling it back",
                rollback.reference_transaction_id,
            )
            queued += 1
        return queued

    async def recover_orphan(self, bet: Transaction, now: float) -> Transaction | None:
        """Declare a bet left in flight ``failed`` and queue its rollback, atomically and only if it is still
        pending (another process may have recorded it meanwhile); returns the rollback queued. The rollback of a
        round's opening bet closes the round; that of an extra bet (double, split) hands the round back instead."""
        opening_bet = await self._store.outbox.opening_bet(bet.round_id)
        opening = opening_bet is not None and opening_bet.transaction_id == bet.transaction_id
        rollback = lifecycle.rollback_for(bet, self._ids.uuid(), now, closes_round=opening)
        step = lifecycle.bet_orphaned(rollback, opening=opening)
        return rollback if await self._store.outbox.settle(bet, step, now=now, error="orphaned") else None

    async def release_stale(self, older_than: float, now: float) -> list[Transaction]:
        """Hand back multi-step rounds left ``acting`` since ``older_than`` by a process that died mid-action, each
        with the rollbacks of the extra bets it got acknowledged but never applied (``lifecycle.excess_bets``);
        returns those rollbacks. Rounds whose extra bet is still pending are left to ``recover_orphan``."""
        queued: list[Transaction] = []
        for round_ in await self._store.rounds.stale(older_than):
            excess = lifecycle.excess_bets(round_, await self._store.outbox.live_bets(round_.round_id))
            refunds = [lifecycle.rollback_for(b, self._ids.uuid(), now, closes_round=False) for b in excess]
            if await self._store.rounds.hand_back(round_, older_than, now, refunds):
                queued += refunds
        return queued

    async def run_once(self) -> int:
        """One pass: recover what dead processes left, close the campaign shares that expired or were cancelled
        (queuing their totals) and the sessions whose time ran out, then deliver what is due (wallet operations, then
        webhook events). Returns deliveries tried."""
        await self.recover()
        await self._store.campaigns.close_due(self._clock.now())
        await self._store.sessions.close_expired(self._clock.now())
        due = await self._store.outbox.claim_due(self._clock.now(), lease=self._orphan_age)
        if due:
            await asyncio.gather(*(self._settler.deliver(t) for t in due))
        events = await self._webhooks.deliver_due() if self._webhooks is not None else 0
        now = self._clock.now()
        if self._chores is not None and (self._chores_at is None or now - self._chores_at >= self._chores_every):
            self._chores_at = now
            await self._chores()
        return len(due) + events

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

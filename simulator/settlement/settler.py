"""Deliver one pending win or rollback and record what the wallet said. Used inline by the round flow and by
the background worker, so both follow the same rules:

- acknowledged: the transaction is ``acked``; a closing win closes the round, a rollback marks it
  ``rolled_back``;
- a rollback the wallet answers with ``TRANSACTION_NOT_FOUND`` (the bet never reached it) or
  ``TRANSACTION_ROLLED_BACK`` (already undone) is settled too: there is nothing left to return;
- refused (any other definitive protocol error): nothing more can be done automatically; the transaction is
  ``refused`` and the round goes to ``manual`` for reconciliation;
- no usable answer (timeout, 5xx, connection error, garbage): retried later with the SAME transaction id,
  exponential backoff with jitter, until ``retry_max_age``; then ``abandoned`` and the round goes to
  ``manual``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

from simulator.clock import Clock
from simulator.dialects.call import WalletReply
from simulator.errors import WalletError, WalletRefused
from simulator.store.provider import ProviderStore, Transaction
from simulator.wallet_client.client import WalletClient

log = logging.getLogger("casino_sim.settlement")

# answers to a rollback that mean "nothing was, or is any longer, debited for that bet"
NOTHING_TO_ROLL_BACK = frozenset({"TRANSACTION_NOT_FOUND", "TRANSACTION_ROLLED_BACK"})


def backoff_delay(attempts: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in [base/2, min(cap, base * 2**attempts)]."""
    ceiling = min(cap, base * (2 ** min(attempts, 32)))
    return rng.uniform(min(base / 2, ceiling), ceiling)


class Settler:
    def __init__(
        self,
        store: ProviderStore,
        wallet_for: Callable[[str], WalletClient],
        clock: Clock,
        rng: random.Random,
        *,
        base_delay: float,
        max_delay: float,
        max_age: float,
    ) -> None:
        self._store = store
        self._wallet_for = wallet_for
        self._clock = clock
        self._rng = rng
        self._base = base_delay
        self._cap = max_delay
        self._max_age = max_age
        self.retries = 0

    async def deliver(self, t: Transaction) -> WalletReply | None:
        """Send ``t`` once; returns the wallet's reply when acknowledged, ``None`` otherwise (refused or
        retrying)."""
        try:
            reply = await self._wallet_for(t.studio_id).call(t.call())
        except WalletRefused as exc:
            await self._refused(t, exc)
            return None
        except WalletError as exc:
            await self._retry_later(t, f"{exc.code}: {exc.message}")
            return None
        closes = "rolled_back" if t.kind == "rollback" else "closed"
        await self._store.settle(
            t,
            status="acked",
            now=self._clock.now(),
            balance=reply.balance,
            round_status=closes if t.round_closed else None,
        )
        return reply

    async def _refused(self, t: Transaction, exc: WalletRefused) -> None:
        now = self._clock.now()
        if t.kind == "rollback" and exc.code in NOTHING_TO_ROLL_BACK:
            log.info("rollback %s: wallet says %s; nothing to return", t.transaction_id, exc.code)
            balance = exc.extra.get("balance")
            await self._store.settle(
                t,
                status="acked",
                now=now,
                error=exc.code,
                balance=balance if isinstance(balance, int) else None,
                round_status="rolled_back" if t.round_closed else None,
            )
            return
        log.warning(
            "wallet refused %s %s: %s; round %s needs reconciliation",
            t.kind,
            t.transaction_id,
            exc.code,
            t.round_id,
        )
        await self._store.settle(t, status="refused", now=now, error=exc.code, round_status="manual")

    async def _retry_later(self, t: Transaction, error: str) -> None:
        now = self._clock.now()
        deadline = t.created_at + self._max_age
        if now >= deadline:
            log.error(
                "giving up on %s %s after %d attempts; round %s needs reconciliation",
                t.kind,
                t.transaction_id,
                t.attempts + 1,
                t.round_id,
            )
            await self._store.settle(t, status="abandoned", now=now, error=error, round_status="manual")
            return
        self.retries += 1
        delay = backoff_delay(t.attempts, base=self._base, cap=self._cap, rng=self._rng)
        # the last attempt happens at the age limit, not one backoff after it
        await self._store.reschedule(t.transaction_id, next_attempt_at=min(now + delay, deadline), error=error, now=now)

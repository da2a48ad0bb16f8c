"""Send one pending transaction and record what the wallet said, as ``simulator.lifecycle`` rules. The round flow
places its bets here (``place_bet``) and delivers its closing win here inline; the background worker delivers the wins
and rollbacks that are due here, so both follow the same rules.

A bet: acknowledged, it is ``acked`` (with the closing win queued, when the round is finished); refused, it is
``refused`` and an opening bet's round is ``void``; no usable answer, it is ``failed``, its rollback is queued (an
opening bet's round is ``rolling_back``) and sent at once.

A win or rollback:

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

from simulator import lifecycle
from simulator.bonus import context
from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply
from simulator.errors import RefusalNeedsRollback, SimulatorError, WalletError, WalletRefused, WalletTimeout
from simulator.lifecycle import TransactionKind
from simulator.store.provider import ProviderStore, Transaction
from simulator.wallet_client.client import WalletClient

log = logging.getLogger("casino_sim.settlement")

# answers to a rollback that mean "nothing was, or is any longer, debited for that bet"
NOTHING_TO_ROLL_BACK = frozenset({"TRANSACTION_NOT_FOUND", "TRANSACTION_ROLLED_BACK"})


def backoff_delay(attempts: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: uniform in [base/2, min(cap, base * 2**attempts)]."""
    ceiling = min(cap, base * (2 ** min(attempts, 32)))
    return rng.uniform(min(base / 2, ceiling), ceiling)


def wallet_call(t: Transaction) -> WalletCall:
    """The wallet operation a transaction stands for; identical on every retry."""
    return WalletCall(
        operation=t.kind,  # type: ignore[arg-type]
        player_id=t.player_id,
        session_id=t.wallet_session,
        currency=t.currency,
        transaction_id=t.transaction_id,
        round_id=t.round_id,
        game_id=t.game_id,
        studio_id=t.studio_id,
        amount=t.amount,
        round_closed=t.round_closed,
        reference_transaction_id=t.reference_transaction_id,
        bonus=None if t.bonus is None else context.decode(t.bonus),
    )


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
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._wallet_for = wallet_for
        self._clock = clock
        self._rng = rng
        self._base = base_delay
        self._cap = max_delay
        self._max_age = max_age
        self._on_retry = on_retry or (
            lambda kind: None
        )  # told the kind of each transaction rescheduled (the retries metric)

    async def place_bet(
        self,
        bet: Transaction,
        *,
        opening: bool,
        win: Callable[[], Transaction] | None = None,
        rollback_id: Callable[[], str],
        lease: float,
    ) -> WalletReply:
        """Send a pending bet and record the answer; ``win`` makes the closing win to queue with its acknowledgement
        (made only then, so a refused bet takes no id for it).

        Raises ``WalletRefused`` when refused; when the answer is unusable, an error of the same class saying the bet
        was rolled back, after queuing its rollback (id from ``rollback_id``; the worker's first attempt ``lease``
        seconds on) and sending it once; ``WalletTimeout`` when the bet was acknowledged after a worker had declared
        it orphaned and rolled it back. A ``RefusalNeedsRollback`` (a refusal the dialect rolls back all the same)
        is raised after its rollback is queued and sent in the same way."""
        try:
            reply = await self._wallet_for(bet.studio_id).call(wallet_call(bet))
        except RefusalNeedsRollback as exc:  # the dialect's policy: refused, and rolled back all the same
            await self._roll_back(bet, exc, opening=opening, rollback_id=rollback_id, lease=lease)
            raise
        except WalletRefused as exc:
            await self._store.outbox.settle(
                bet, lifecycle.bet_refused(opening=opening), now=self._clock.now(), error=exc.code
            )
            raise
        except WalletError as exc:
            await self._roll_back(bet, exc, opening=opening, rollback_id=rollback_id, lease=lease)
            raise type(exc)(f"the wallet did not confirm the bet ({exc.message}); it has been rolled back") from None
        step = lifecycle.bet_acknowledged(None if win is None else win())
        if not await self._store.outbox.settle(bet, step, now=self._clock.now(), balance=reply.balance):
            raise WalletTimeout("the bet was confirmed too late and has been rolled back")
        return reply

    async def _roll_back(
        self, bet: Transaction, exc: SimulatorError, *, opening: bool, rollback_id: Callable[[], str], lease: float
    ) -> None:
        """Queue the bet's rollback (first worker attempt ``lease`` seconds on) and send it once now."""
        now = self._clock.now()
        rollback = lifecycle.rollback_for(bet, rollback_id(), now, closes_round=opening, send_at=now + lease)
        step = lifecycle.bet_outcome_unknown(rollback, opening=opening)
        if await self._store.outbox.settle(bet, step, now=now, error=exc.code):
            await self.deliver(rollback)

    async def deliver(self, t: Transaction) -> WalletReply | None:
        """Send a pending win or rollback once; returns the wallet's reply when acknowledged, ``None`` otherwise
        (refused or retrying)."""
        try:
            reply = await self._wallet_for(t.studio_id).call(wallet_call(t))
        except WalletRefused as exc:
            await self._refused(t, exc)
            return None
        except WalletError as exc:
            await self._retry_later(t, f"{exc.code}: {exc.message}")
            return None
        await self._store.outbox.settle(t, lifecycle.acknowledged(t), now=self._clock.now(), balance=reply.balance)
        return reply

    async def _refused(self, t: Transaction, exc: WalletRefused) -> None:
        now = self._clock.now()
        if t.kind == TransactionKind.ROLLBACK and exc.code in NOTHING_TO_ROLL_BACK:
            log.info("rollback %s: wallet says %s; nothing to return", t.transaction_id, exc.code)
            balance = exc.extra.get("balance")
            await self._store.outbox.settle(
                t,
                lifecycle.acknowledged(t),
                now=now,
                error=exc.code,
                balance=balance if isinstance(balance, int) else None,
            )
            return
        log.warning(
            "wallet refused %s %s: %s; round %s needs reconciliation",
            t.kind,
            t.transaction_id,
            exc.code,
            t.round_id,
        )
        await self._store.outbox.settle(t, lifecycle.refused(), now=now, error=exc.code)

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
            await self._store.outbox.settle(t, lifecycle.abandoned(), now=now, error=error)
            return
        self._on_retry(t.kind)
        delay = backoff_delay(t.attempts, base=self._base, cap=self._cap, rng=self._rng)
        # the last attempt happens at the age limit, not one backoff after it
        await self._store.outbox.reschedule(
            t.transaction_id, next_attempt_at=min(now + delay, deadline), error=error, now=now
        )

"""Promotional wins: tournament prizes, prize drops and other payouts with no bet, one win per player, idempotent on
the operator's reference.

Each payout is a win-only transaction in the settlement outbox, so it is delivered and retried like any win (the same
transaction id on every attempt) and shows in ``/v1/transactions`` and ``casino-sim reconcile``. Its transaction and
wallet round ids are derived from the reference and the player, so the same request again finds the payouts already
made instead of paying twice, on any process; the same reference with another amount or currency is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from simulator.bonus import context
from simulator.bonus.models import PromoRequest
from simulator.catalog.models import Catalog
from simulator.clock import Clock
from simulator.demo import is_demo
from simulator.errors import Conflict, NotFound, RequestError
from simulator.lifecycle import TransactionKind, new_transaction
from simulator.money import exponent
from simulator.settlement.settler import Settler
from simulator.settlement.worker import SettlementWorker
from simulator.store.database import DuplicateKey
from simulator.store.provider import ProviderStore, Transaction

_NAMESPACE = uuid.UUID("6d0c1f6e-2b7a-4d55-8f8e-8a3c9e1d2b44")


def promo_ids(reference: str, player_id: str) -> tuple[str, str]:
    """The transaction id and wallet round id of one player's payout under ``reference``."""
    base = f"{reference}\x00{player_id}"
    return str(uuid.uuid5(_NAMESPACE, base + "\x00win")), str(uuid.uuid5(_NAMESPACE, base + "\x00round"))


@dataclass(frozen=True, slots=True)
class Payout:
    transaction: Transaction
    created: bool


class PromotionService:
    def __init__(
        self,
        store: ProviderStore,
        catalog: Catalog,
        settler: Settler,
        worker: SettlementWorker,
        clock: Clock,
        *,
        lease: float,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._settler = settler
        self._worker = worker
        self._clock = clock
        self._lease = lease

    async def pay(self, body: PromoRequest) -> list[Payout]:
        """Queue each payout not made yet (all or nothing), then send the new ones once; the worker retries what the
        wallet did not acknowledge."""
        studio = self._catalog.studio(body.studio_id)  # UNKNOWN_STUDIO
        if body.game_id is not None and self._catalog.game(body.game_id).studio_id != studio.studio_id:
            raise RequestError(f"{body.game_id} is not a game of {studio.studio_id}")
        players = [p.player_id for p in body.payouts]
        if len(set(players)) != len(players):
            raise RequestError("a player is listed twice; one payout per player and reference")
        now = self._clock.now()
        wanted = []
        for p in body.payouts:
            exponent(p.currency)  # UNKNOWN_CURRENCY
            if is_demo(p.token):
                raise RequestError("promotional wins are paid to real players' sessions, not demo ones")
            transaction_id, round_id = promo_ids(body.reference, p.player_id)
            wanted.append(
                new_transaction(
                    TransactionKind.WIN,
                    transaction_id,
                    round_id,
                    player_id=p.player_id,
                    session_token="",
                    wallet_session=p.token,
                    game_id=body.game_id or "",
                    studio_id=studio.studio_id,
                    currency=p.currency,
                    amount=p.amount,
                    round_closed=True,
                    now=now,
                    send_at=now + self._lease,  # sent here first; the worker takes over after the lease
                    bonus=context.promo(body.reference, body.promotion),
                )
            )
        try:
            known = await self._store.outbox.add_new(wanted)
        except DuplicateKey:  # a twin request logged them first: read them as known
            known = await self._store.outbox.add_new(wanted)
        for want in wanted:
            had = known.get(want.transaction_id)
            if had is not None and (had.amount, had.currency, had.bonus) != (want.amount, want.currency, want.bonus):
                raise Conflict(
                    f"reference {body.reference!r} already paid {had.player_id} {had.amount} {had.currency}",
                    code="PROMO_REFERENCE_REUSED",
                )
        payouts = [Payout(known.get(w.transaction_id, w), w.transaction_id not in known) for w in wanted]
        for payout in payouts:
            if payout.created:
                await self._settler.deliver(payout.transaction)
        self._worker.kick()
        return [Payout(await self._current(p.transaction), p.created) for p in payouts]

    async def _current(self, t: Transaction) -> Transaction:
        found = await self._store.outbox.get(t.transaction_id)
        if found is None:
            raise NotFound(f"payout {t.transaction_id} vanished", code="UNKNOWN_TRANSACTION")
        return found

"""Progressive jackpots in play: what a jackpot game's round records, and what its acknowledged bet does to the pool.

A round of a game the catalogue gives a jackpot (``simulator.catalog.jackpots``) records, in its outcome, the
contribution its stake makes and whether the trigger fired (drawn from the round's stream after the engine's own
draws). Nothing touches the pool until the wallet has taken the bet: in the transaction that records the bet's
acknowledgement (``Outbox.settle``), the contribution is added and, if the round triggered, the pool is taken and its
win queued in the settlement outbox as a transaction of its own: a win with no bet in a wallet round of its own,
whose ids derive from the triggering round, so it is recorded once and retried with the same id until acknowledged.
That transaction also writes the ``jackpot.won`` event (webhooks, when an endpoint exists): the bet's acknowledgement
is recorded once, so the win and its event are too. A refused or rolled-back bet feeds and wins nothing. Free rounds
of a campaign neither contribute nor trigger.

A game without a jackpot costs one look-up in the catalogue per acknowledged bet, and no database work.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from games.rng import RandomSource
from simulator.bonus import context
from simulator.catalog.jackpots import JackpotTerms
from simulator.catalog.models import Catalog
from simulator.lifecycle import TransactionKind, new_transaction, parties
from simulator.store import jackpots as pools
from simulator.store.database import Tx
from simulator.store.outbox import insert_transaction
from simulator.store.records import Transaction

_NAMESPACE = uuid.UUID("0b9f5c1e-7d42-4a8e-9a53-3f1d2c6e8b71")


def jackpot_win_ids(round_id: str) -> tuple[str, str]:
    """The transaction id and wallet round id of the jackpot win the round ``round_id`` triggered."""
    return str(uuid.uuid5(_NAMESPACE, round_id + "\x00win")), str(uuid.uuid5(_NAMESPACE, round_id + "\x00round"))


@dataclass(frozen=True, slots=True)
class Entry:
    """What a jackpot game's round records under ``outcome["jackpot"]``."""

    jackpot_id: str
    contribution: int
    triggered: bool

    def to_json(self) -> dict[str, Any]:
        return {"jackpot_id": self.jackpot_id, "contribution": self.contribution, "triggered": self.triggered}


def enter(terms: JackpotTerms, stake: int, stream: RandomSource) -> Entry:
    """The round's entry: called once the engine has drawn everything it needs from ``stream``."""
    return Entry(terms.jackpot_id, terms.contribution(stake), terms.triggered(stream))


JackpotWon = Callable[[Tx, dict[str, Any], float], Awaitable[None]]
"""Called inside the transaction that takes a pool, with the win (``JackpotBook.bet_taken``'s ``won`` data)."""


class JackpotBook:
    """Applies an acknowledged bet's jackpot entry to its pool (``Outbox`` calls it inside ``settle``)."""

    def __init__(self, catalog: Catalog, *, lease: float) -> None:
        self._catalog = catalog
        self._lease = lease
        self._won: JackpotWon | None = None

    def subscribe(self, sink: JackpotWon) -> None:
        """Have ``sink`` write with every win (webhooks: only when configured)."""
        self._won = sink

    async def bet_taken(self, tx: Tx, bet: Transaction, now: float) -> None:
        game = self._catalog.games.get(bet.game_id)
        if game is None or game.jackpot is None or bet.bonus is not None:
            return
        row = await tx.fetchone("SELECT outcome FROM rounds WHERE round_id = ?", bet.round_id)
        if row is None:
            return
        entry = json.loads(row["outcome"]).get("jackpot")
        if not entry:
            return
        terms = game.jackpot
        seed = terms.seed[bet.currency]
        await pools.contribute(tx, terms.jackpot_id, bet.currency, seed, int(entry["contribution"]), now)
        if not entry["triggered"]:
            return
        amount = await pools.take(tx, terms.jackpot_id, bet.currency, seed, now)
        transaction_id, round_id = jackpot_win_ids(bet.round_id)
        await insert_transaction(
            tx,
            new_transaction(
                TransactionKind.WIN,
                transaction_id,
                round_id,
                **parties(bet),
                amount=amount,
                round_closed=True,
                now=now,
                send_at=now + self._lease,  # sent by the round first; the worker takes over after the lease
                bonus=context.jackpot(terms.jackpot_id, bet.round_id),
            ),
        )
        if self._won is not None:
            won = {
                "jackpot_id": terms.jackpot_id,
                "amount": amount,
                "currency": bet.currency,
                "player_id": bet.player_id,
                "round_id": bet.round_id,
                "game_id": bet.game_id,
                "studio_id": bet.studio_id,
                "transaction_id": transaction_id,
            }
            await self._won(tx, won, now)

"""Turning what happened into webhook deliveries: one row per event and subscribed endpoint, written inside the
database transaction of the change it reports.

Event types sent by the simulator today, each written by a sink the store calls inside its own transaction:
``round.closed`` (a closing win or a rollback was acknowledged), ``round.manual`` (a win or rollback was refused or
retried past the age limit: the round needs a person) and ``promo.paid`` (a promotional win was acknowledged), from
the settlement outbox; ``campaign.finished`` (a player's share of a free-round campaign closed), from the campaigns;
``session.closed`` (a regulated session was closed by its time or loss limit or by the player quitting at a reality
check, or any session's time ran out), from the market store and the sessions' expiry sweep; ``jackpot.won`` (an
acknowledged bet's trigger took a jackpot pool), from the jackpot book. ``publish`` is the generic entry other
features call with their own types: nothing in the delivery code lists them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from simulator.bonus import context
from simulator.ids import Ids
from simulator.lifecycle import RoundEvent
from simulator.settings import WebhookEndpointSettings
from simulator.store.database import Database, Tx
from simulator.store.outbox import Delivery, EventOutbox
from simulator.store.records import Transaction

ROUND_EVENTS = {
    RoundEvent.WIN_ACKNOWLEDGED: "round.closed",
    RoundEvent.ROLLED_BACK: "round.closed",
    RoundEvent.REFUSED: "round.manual",
    RoundEvent.ABANDONED: "round.manual",
}


class WebhookPublisher:
    def __init__(self, db: Database, endpoints: Mapping[str, WebhookEndpointSettings], ids: Ids) -> None:
        self._db = db
        self._endpoints = endpoints
        self._ids = ids

    @property
    def endpoints(self) -> Mapping[str, WebhookEndpointSettings]:
        return self._endpoints

    def _deliveries(self, event_type: str, data: dict[str, Any], now: float, only: str | None = None) -> list[Delivery]:
        targets = [
            name
            for name, e in self._endpoints.items()
            if (only is None and ("*" in e.events or event_type in e.events)) or name == only
        ]
        if not targets:
            return []
        event_id = self._ids.uuid()
        body = json.dumps(
            {"id": event_id, "type": event_type, "created_at": now, "data": data}, sort_keys=True, separators=(",", ":")
        )
        return [Delivery(f"{event_id}:{name}", event_id, event_type, name, body, 0, now) for name in targets]

    async def write(
        self, tx: Tx, event_type: str, data: dict[str, Any], now: float, *, only: str | None = None
    ) -> str | None:
        """Queue ``event_type`` inside ``tx`` (for the endpoints subscribed to it, or endpoint ``only``): it is sent if
        and only if ``tx`` commits. Returns the event id, or ``None`` when no endpoint wants it."""
        deliveries = self._deliveries(event_type, data, now, only)
        if not deliveries:
            return None
        await EventOutbox.insert(tx, deliveries, now)
        return deliveries[0].event_id

    async def publish(
        self, event_type: str, data: dict[str, Any], now: float, *, only: str | None = None
    ) -> str | None:
        """Queue ``event_type`` in a transaction of its own (for callers with nothing else to commit with it)."""
        async with self._db.transaction() as tx:
            return await self.write(tx, event_type, data, now, only=only)

    async def on_settled(self, tx: Tx, t: Transaction, event: RoundEvent, now: float) -> None:
        """The outbox's ``EventSink``: a round event recorded by ``settle``, or a promotional win's settlement."""
        bonus = context.decode(t.bonus)
        if bonus is not None and bonus.get("type") == context.PROMO:
            if event == RoundEvent.WIN_ACKNOWLEDGED:
                await self.write(tx, "promo.paid", _promo_data(t, bonus), now)
            return
        event_type = ROUND_EVENTS.get(event)
        if event_type is None:
            return
        data = {
            "round_id": t.round_id,
            "player_id": t.player_id,
            "game_id": t.game_id,
            "studio_id": t.studio_id,
            "currency": t.currency,
            "transaction_id": t.transaction_id,
            "kind": t.kind,
            "amount": t.amount,
            "reason": str(event),
        }
        await self.write(tx, event_type, data, now)

    async def on_share_closed(self, tx: Tx, share: dict[str, Any], now: float) -> None:
        """The campaigns' ``ShareClosed`` sink: a player's share of a campaign closed."""
        await self.write(tx, "campaign.finished", share, now)

    async def on_jackpot_won(self, tx: Tx, won: dict[str, Any], now: float) -> None:
        """The jackpot book's ``JackpotWon`` sink: a round's bet was acknowledged and its trigger took the pool."""
        await self.write(tx, "jackpot.won", won, now)

    async def on_session_closed(self, tx: Tx, token: str, now: float) -> None:
        """The ``SessionClosed`` sink of the market store (a regulated limit or quit) and of the sessions' expiry
        sweep: the session's row says why; a regulated session adds its market counts."""
        session = await tx.fetchone(
            "SELECT player_id, operator_token, game_id, studio_id, currency, created_at, closed_reason"
            " FROM sessions WHERE token = ?",
            token,
        )
        if session is None:
            return
        market = await tx.fetchone("SELECT rounds, staked, won, started_at FROM session_markets WHERE token = ?", token)
        data = {
            "player_id": session["player_id"],
            "operator_token": session["operator_token"],
            "game_id": session["game_id"],
            "studio_id": session["studio_id"],
            "currency": session["currency"],
            "reason": session["closed_reason"],
            "rounds": None if market is None else int(market["rounds"]),
            "staked": None if market is None else int(market["staked"]),
            "won": None if market is None else int(market["won"]),
            "started_at": float(session["created_at"] if market is None else market["started_at"]),
        }
        await self.write(tx, "session.closed", data, now)


def _promo_data(t: Transaction, bonus: dict[str, Any]) -> dict[str, Any]:
    return {
        "reference": bonus.get("reference"),
        "promotion": bonus.get("promotion"),
        "player_id": t.player_id,
        "studio_id": t.studio_id,
        "game_id": t.game_id or None,
        "currency": t.currency,
        "amount": t.amount,
        "transaction_id": t.transaction_id,
    }

"""Turning what happened into webhook deliveries: one row per event and subscribed endpoint, written inside the
database transaction of the change it reports.

Event types sent by the simulator today: ``round.closed`` (a closing win or a rollback was acknowledged) and
``round.manual`` (a win or rollback was refused or retried past the age limit: the round needs a person).
``publish`` is the generic entry other features call with their own types (``campaign.finished``,
``jackpot.won``, ``promo.paid`` ...): nothing here lists them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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
        """The outbox's ``EventSink``: a round event recorded by ``settle``."""
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

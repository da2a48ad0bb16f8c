"""Sending due webhook deliveries, from the settlement worker's pass: signed, with a fresh timestamp per attempt and
the same event id and body on every one; retried with the settlement backoff until the endpoint answers 2xx or the age
limit passes (then ``abandoned``). A 2xx is the only acknowledgement: a receiver that deduplicates by event id can
answer a repeat with 200 and do nothing."""

from __future__ import annotations

import asyncio
import logging
import random

import aiohttp

from simulator.clock import Clock
from simulator.settlement.settler import backoff_delay
from simulator.store.outbox import Delivery, EventOutbox
from simulator.webhooks.registry import WebhookRegistry
from simulator.webhooks.signing import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TYPE_HEADER, signature_header

log = logging.getLogger("casino_sim.webhooks")


class WebhookDeliverer:
    def __init__(
        self,
        events: EventOutbox,
        endpoints: WebhookRegistry,
        clock: Clock,
        rng: random.Random,
        *,
        timeout: float,
        base_delay: float,
        max_delay: float,
        max_age: float,
        lease: float,
    ) -> None:
        self._events = events
        self._endpoints = endpoints
        self._clock = clock
        self._rng = rng
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._base, self._cap, self._max_age, self._lease = base_delay, max_delay, max_age, lease
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def deliver_due(self) -> int:
        now = self._clock.now()
        await self._endpoints.refresh(now)
        if not len(self._endpoints):  # nothing can be due: spare the database a query per pass
            return 0
        due = await self._events.claim_due(now, lease=self._lease)
        if due:
            await asyncio.gather(*(self.deliver(d) for d in due))
        return len(due)

    async def deliver(self, d: Delivery) -> None:
        now = self._clock.now()
        if d.endpoint not in self._endpoints:  # registered by another process since this one last looked?
            await self._endpoints.load(now)
        endpoint = self._endpoints.get(d.endpoint)
        if endpoint is None:
            await self._events.finish(d.delivery_id, "abandoned", now=now, error="endpoint no longer configured")
            return
        body = d.body.encode()
        timestamp = str(int(now))
        keys = {k.key_id: k.secret.get_secret_value() for k in endpoint.keys}
        headers = {
            "Content-Type": "application/json",
            ID_HEADER: d.event_id,
            TYPE_HEADER: d.event_type,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature_header(keys, timestamp, d.event_id, body),
        }
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._http.post(endpoint.url, data=body, headers=headers, allow_redirects=False) as reply:
                await reply.read()
                status = reply.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}".strip()[:200]
        else:
            if 200 <= status < 300:
                await self._events.finish(d.delivery_id, "delivered", now=self._clock.now())
                return
            error = f"HTTP {status}"
        now = self._clock.now()
        if now - d.created_at > self._max_age:
            log.warning(
                "webhook %s to %s abandoned after %d attempts: %s", d.event_id, d.endpoint, d.attempts + 1, error
            )
            await self._events.finish(d.delivery_id, "abandoned", now=now, error=error)
            return
        delay = backoff_delay(d.attempts, base=self._base, cap=self._cap, rng=self._rng)
        await self._events.reschedule(d.delivery_id, next_attempt_at=now + delay, error=error, now=now)

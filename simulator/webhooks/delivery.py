"""Sending due webhook deliveries, from the settlement worker's pass: signed, with a fresh timestamp per attempt and
the same event id and body on every one; retried with the settlement backoff until the endpoint answers 2xx or the age
limit passes (then ``abandoned``). A 2xx is the only acknowledgement: a receiver that deduplicates by event id can
answer a repeat with 200 and do nothing.

Every attempt goes through a ``DeliveryHook`` when one is given: the app's is fault injection
(``simulator.faults.webhooks``), so fault rules on operation ``webhook`` can delay, fail, lose or corrupt deliveries
the way they do wallet calls."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from simulator.clock import Clock
from simulator.settlement.settler import backoff_delay
from simulator.store.outbox import Delivery, EventOutbox
from simulator.webhooks.registry import WebhookRegistry
from simulator.webhooks.signing import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TYPE_HEADER, signature_header

log = logging.getLogger("casino_sim.webhooks")

Post = Callable[[bytes, Mapping[str, str]], Awaitable[int]]
"""Send one request (body, headers) to the attempt's endpoint and return the HTTP status; raises
``aiohttp.ClientError``, ``TimeoutError`` or ``OSError`` when no answer comes."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery attempt as a hook sees it: what is sent, and how to sign it."""

    delivery: Delivery
    url: str
    body: bytes
    keys: Mapping[str, str]
    timestamp: int
    timeout: float

    def headers(self, *, skew: float = 0.0) -> dict[str, str]:
        """The attempt's headers, signed with a timestamp ``skew`` seconds off (a fault rule's clock skew)."""
        timestamp = str(int(self.timestamp + skew))
        return {
            "Content-Type": "application/json",
            ID_HEADER: self.delivery.event_id,
            TYPE_HEADER: self.delivery.event_type,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature_header(self.keys, timestamp, self.delivery.event_id, self.body),
        }

    def data(self) -> dict[str, Any]:
        """The event's ``data``, for hooks that match on who it is about."""
        try:
            data = json.loads(self.delivery.body).get("data")
        except (ValueError, AttributeError):
            return {}
        return data if isinstance(data, dict) else {}


class DeliveryHook(Protocol):
    """Wraps every delivery attempt; it sends through ``post`` (or not), and returns the status the simulator reads."""

    async def send(self, attempt: Attempt, post: Post) -> int: ...


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
        hook: DeliveryHook | None = None,
    ) -> None:
        self._events = events
        self._endpoints = endpoints
        self._clock = clock
        self._rng = rng
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._base, self._cap, self._max_age, self._lease = base_delay, max_delay, max_age, lease
        self._timeout_seconds = timeout
        self._http: aiohttp.ClientSession | None = None
        self._hook = hook

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
        keys = {k.key_id: k.secret.get_secret_value() for k in endpoint.keys}
        attempt = Attempt(d, endpoint.url, d.body.encode(), keys, int(now), self._timeout_seconds)
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        http = self._http

        async def post(body: bytes, headers: Mapping[str, str]) -> int:
            async with http.post(endpoint.url, data=body, headers=headers, allow_redirects=False) as reply:
                await reply.read()
                return reply.status

        try:
            if self._hook is None:
                status = await post(attempt.body, attempt.headers())
            else:
                status = await self._hook.send(attempt, post)
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

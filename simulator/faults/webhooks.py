"""Faults around webhook deliveries: the ``DeliveryHook`` the webhook deliverer sends every attempt through.

A delivery is an outbound call with operation ``webhook``; rules match it on ``event`` (its type), on ``player``,
``game``, ``studio`` and ``currency`` when the event's data names them, and count ``per: transaction`` by delivery
(one event to one endpoint), so ``first: 2, per: transaction`` fails every delivery's first two attempts. The
outbound actions do to a delivery what they do to a wallet call: ``delay`` (reaching the timeout, the receiver gets
it but the attempt times out), ``status`` (the simulator reads that status instead; with ``deliver`` the receiver got
it first), ``reset``, ``lose``, ``timeout``, ``duplicate``, ``bad_signature`` (the ``Webhook-Signature`` header, or
the one named, corrupted), ``clock_skew`` (signed with a timestamp that far off) and ``malformed_body`` (``truncate``
or ``garbage`` after signing). ``reorder`` and ``malformed_body: invalid_field`` have nothing to act on: a rule naming
operation ``webhook`` with them is refused, and one reaching a delivery through a glob lets it through unchanged.
Each exchange is journaled and each firing counted like a wallet call's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp

from simulator.faults.journal import Exchange, Journal
from simulator.faults.outbound import Sleep
from simulator.faults.rules import (
    BadSignatureAction,
    ClockSkewAction,
    DelayAction,
    DuplicateAction,
    LoseAction,
    MalformedBodyAction,
    ResetAction,
    StatusAction,
    TimeoutAction,
)
from simulator.faults.ruleset import FaultSet, Firing, Target
from simulator.metrics import Metrics
from simulator.webhooks.delivery import Attempt, Post
from simulator.webhooks.signing import SIGNATURE_HEADER

OPERATION = "webhook"
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _spoil(value: str) -> str:
    if not value:
        return "x=" + "0" * 64
    return value[:-1] + ("0" if value[-1] != "0" else "1")


class WebhookFaults:
    def __init__(self, faults: FaultSet, *, sleep: Sleep, journal: Journal, metrics: Metrics) -> None:
        self.faults = faults
        self._sleep = sleep
        self._journal = journal
        self._metrics = metrics

    def _select(self, attempt: Attempt) -> Firing | None:
        if not (self.faults.active and "outbound" in self.faults.sides):
            return None
        data = attempt.data()
        target = Target(
            "outbound",
            OPERATION,
            "POST",
            OPERATION,
            studio=_text(data.get("studio_id")),
            game=_text(data.get("game_id")),
            player=_text(data.get("player_id")),
            currency=_text(data.get("currency")),
            round=_text(data.get("round_id")),
            transaction=attempt.delivery.delivery_id,
            event=attempt.delivery.event_type,
        )
        firing = self.faults.select(target)
        if firing is not None:
            self._metrics.fault_injected(firing.compiled.id, "outbound", firing.rule.action.type)
        return firing

    async def send(self, attempt: Attempt, post: Post) -> int:
        firing = self._select(attempt)
        labels = [] if firing is None else [firing.label]
        if firing is None:
            return await self._post(attempt, post, attempt.body, attempt.headers(), labels)
        action = firing.rule.action
        body, headers = attempt.body, attempt.headers()
        timeout = attempt.timeout
        if isinstance(action, DelayAction):
            delay = action.draw(self.faults.rng)
            if delay >= timeout:
                note = f"delayed {delay:.3f}s; the simulator gave up at its timeout"
                await self._post(attempt, post, body, headers, labels, note, wait=timeout, swallow=True)
                raise TimeoutError
            return await self._post(attempt, post, body, headers, labels, f"delayed {delay:.3f}s", wait=delay)
        if isinstance(action, StatusAction):
            if action.deliver:
                note = "delivered; the reply is replaced"
                await self._post(attempt, post, body, headers, labels, note, swallow=True)
            self._record(attempt, body, headers, labels, "answered by the fault", "fabricated", status=action.status)
            return action.status
        if isinstance(action, ResetAction):
            if action.deliver:
                note = "delivered; the connection is reset before the reply"
                await self._post(attempt, post, body, headers, labels, note, swallow=True)
            else:
                self._record(attempt, body, headers, labels, "connection reset before sending", "reset")
            raise ConnectionResetError("connection reset by peer (injected)")
        if isinstance(action, LoseAction) or (isinstance(action, TimeoutAction) and not action.deliver):
            self._record(attempt, body, headers, labels, "never sent", "lost")
            await self._sleep(timeout)
            raise TimeoutError
        if isinstance(action, TimeoutAction):
            note = "delivered; the reply is treated as a timeout"
            await self._post(attempt, post, body, headers, labels, note, wait=timeout, swallow=True)
            raise TimeoutError
        if isinstance(action, DuplicateAction):
            return await self._duplicate(action, attempt, post, labels)
        if isinstance(action, BadSignatureAction):
            name = action.header or SIGNATURE_HEADER
            headers[name] = _spoil(headers.get(name, ""))
            return await self._post(attempt, post, body, headers, labels, "signature corrupted")
        if isinstance(action, ClockSkewAction):
            headers = attempt.headers(skew=action.seconds)
            return await self._post(attempt, post, body, headers, labels, f"signed {action.seconds:+g}s off")
        if isinstance(action, MalformedBodyAction) and action.how != "invalid_field":
            body = body[: len(body) // 2] if action.how == "truncate" else self.faults.rng.randbytes(len(body))
            return await self._post(attempt, post, body, headers, labels, f"body damaged ({action.how}) after signing")
        note = f"{action.type} does not apply to a webhook delivery; sent unchanged"
        return await self._post(attempt, post, body, headers, labels, note)

    async def _duplicate(self, action: DuplicateAction, attempt: Attempt, post: Post, labels: list[str]) -> int:
        body, headers = attempt.body, attempt.headers()
        notes = [f"copy {i + 1} of {action.copies}" for i in range(action.copies)]
        results: list[int | BaseException]
        if action.spacing == 0:
            sends = (self._post(attempt, post, body, headers, labels, note) for note in notes)
            results = await asyncio.gather(*sends, return_exceptions=True)
        else:
            results = []
            for i, note in enumerate(notes):
                try:
                    wait = action.spacing if i else 0.0
                    results.append(await self._post(attempt, post, body, headers, labels, note, wait=wait))
                except TRANSPORT_ERRORS as exc:
                    results.append(exc)
        first = results[0]
        if isinstance(first, BaseException):
            raise first
        return first

    def _open(self, attempt: Attempt, body: bytes, headers: Mapping[str, str], labels: list[str]) -> Exchange | None:
        data = attempt.data()
        entry = self._journal.open(
            "outbound",
            OPERATION,
            "POST",
            urlsplit(attempt.url).path,
            headers,
            body,
            player=_text(data.get("player_id")),
            round=_text(data.get("round_id")),
            transaction=attempt.delivery.delivery_id,
        )
        if entry is not None and labels:
            entry.fault(*labels)
        return entry

    def _record(
        self,
        attempt: Attempt,
        body: bytes,
        headers: Mapping[str, str],
        labels: list[str],
        note: str,
        outcome: str,
        *,
        status: int | None = None,
    ) -> None:
        entry = self._open(attempt, body, headers, labels)
        if entry is not None:
            entry.note(note)
        self._journal.close(entry, status=status, outcome=outcome)

    async def _post(
        self,
        attempt: Attempt,
        post: Post,
        body: bytes,
        headers: Mapping[str, str],
        labels: list[str],
        note: str = "",
        *,
        wait: float = 0.0,
        swallow: bool = False,
    ) -> int:
        """One journaled exchange; ``wait`` seconds pass first. With ``swallow`` a failure is only journaled (the
        caller has decided the outcome already) and 0 is returned."""
        entry = self._open(attempt, body, headers, labels)
        if entry is not None and note:
            entry.note(note)
        if wait:
            await self._sleep(wait)
        try:
            status = await post(body, headers)
        except TRANSPORT_ERRORS as exc:
            self._journal.close(entry, outcome=type(exc).__name__)
            if swallow:
                return 0
            raise
        self._journal.close(entry, status=status)
        return status

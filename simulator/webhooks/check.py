"""Checks of an operator's webhook receiver: it must take a signed delivery, take a redelivery of the same event
without complaint (idempotent by event id), and refuse what is forged, tampered with, stale or unsigned.

Each check sends one ``webhook.check`` event of its own (a fresh event id), signed by the recipe of
``simulator.webhooks.signing``, and judges the status code alone: 2xx is accepted, 4xx refused; anything else (a 5xx,
no answer) fails the check, since a receiver that errors cannot be told from one that accepts.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from simulator.webhooks.signing import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TYPE_HEADER, signature_header

WINDOW = 300


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class _Request:
    headers: dict[str, str]
    body: bytes


def _event(event_id: str, now: float) -> bytes:
    data = {"id": event_id, "type": "webhook.check", "created_at": now, "data": {"check": True}}
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def _signed(key_id: str, secret: str, *, event_id: str, timestamp: float, body: bytes | None = None) -> _Request:
    body = _event(event_id, timestamp) if body is None else body
    ts = str(int(timestamp))
    return _Request(
        {
            "Content-Type": "application/json",
            ID_HEADER: event_id,
            TYPE_HEADER: "webhook.check",
            TIMESTAMP_HEADER: ts,
            SIGNATURE_HEADER: signature_header({key_id: secret}, ts, event_id, body),
        },
        body,
    )


async def check_receiver(
    url: str, key_id: str, secret: str, *, clock: Callable[[], float] = time.time, request_timeout: float = 10.0
) -> list[CheckResult]:
    results: list[CheckResult] = []

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=request_timeout)) as http:

        async def send(request: _Request) -> int | str:
            try:
                async with http.post(url, data=request.body, headers=request.headers, allow_redirects=False) as r:
                    await r.read()
                    return r.status
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                return f"no answer ({type(exc).__name__})"

        async def expect(name: str, request: _Request, accepted: bool) -> None:
            status = await send(request)
            if isinstance(status, str):
                results.append(CheckResult(name, False, status))
                return
            ok = 200 <= status < 300 if accepted else 400 <= status < 500
            wanted = "2xx" if accepted else "4xx"
            results.append(CheckResult(name, ok, f"HTTP {status}, expected {wanted}"))

        def fresh() -> str:
            return f"check-{uuid.uuid4()}"

        now = clock()
        first_id = fresh()
        await expect("signed delivery accepted", _signed(key_id, secret, event_id=first_id, timestamp=now), True)
        await expect(
            "redelivery of the same event id answered idempotently",
            _signed(key_id, secret, event_id=first_id, timestamp=clock()),
            True,
        )
        wrong = _signed(key_id, secret + "x", event_id=fresh(), timestamp=now)
        await expect("wrong signature refused", wrong, False)
        await expect(
            "signature by an unknown key refused",
            _signed(key_id + "-unknown", secret, event_id=fresh(), timestamp=now),
            False,
        )
        await expect(
            "stale timestamp refused", _signed(key_id, secret, event_id=fresh(), timestamp=now - 2 * WINDOW), False
        )
        await expect(
            "timestamp in the future refused",
            _signed(key_id, secret, event_id=fresh(), timestamp=now + 2 * WINDOW),
            False,
        )
        tampered = _signed(key_id, secret, event_id=fresh(), timestamp=now)
        await expect("body changed after signing refused", _Request(tampered.headers, tampered.body + b" "), False)
        moved = _signed(key_id, secret, event_id=fresh(), timestamp=now)
        await expect(
            "signature moved to another event id refused",
            _Request(moved.headers | {ID_HEADER: fresh()}, moved.body),
            False,
        )
        unsigned = _signed(key_id, secret, event_id=fresh(), timestamp=now)
        headers = {k: v for k, v in unsigned.headers.items() if k != SIGNATURE_HEADER}
        await expect("unsigned delivery refused", _Request(headers, unsigned.body), False)
    return results


def render(results: list[CheckResult]) -> str:
    lines = [f"{'PASS' if r.passed else 'FAIL'}  {r.name}: {r.detail}" for r in results]
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(lines) + "\n"

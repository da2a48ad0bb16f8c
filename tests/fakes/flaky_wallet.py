"""Fakes as real servers: the reference wallet on a loopback socket, and a proxy in front of any wallet that
fails calls by rule, so tests and the soak benchmark can break settlement on purpose.

``FaultPlan().on("win", "fail_before", times=2)`` answers the first two wins with a 500 the wallet never saw.

Faults (what happens to one call):

- ``pass``: forwarded, the wallet's answer returned;
- ``fail_before`` / ``fail_after``: HTTP 500 instead of the answer, the call not forwarded / forwarded first;
- ``hang_before`` / ``hang_after``: held for ``hang`` seconds, then forwarded / answered (the caller has timed
  out);
- ``reset_after``: forwarded, then the connection is dropped without an answer;
- ``garbage_after``: forwarded, then a 200 whose body is not JSON;
- ``refuse:CODE``: a 4xx protocol refusal with that code, not forwarded; ``fail5xx:CODE`` the same code with
  500.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from simulator.clock import Clock
from simulator.commands.serve import bind
from simulator.ids import RandomIds
from simulator.settings import Settings
from simulator.wallet.app import LEDGER, create_wallet_app
from simulator.wallet.ledger import Ledger

Rule = Callable[[str, dict[str, Any]], str]
FORWARDED = frozenset({"pass", "fail_after", "hang_before", "hang_after", "reset_after", "garbage_after"})


@dataclass
class FaultPlan:
    """Faults chosen per call: explicit ``on`` rules first (each for ``times`` matching calls), then, for the
    rest, seeded random draws from ``rates`` (fault -> probability)."""

    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    operations: frozenset[str] = frozenset({"bet", "win", "rollback"})
    enabled: bool = True
    _rules: list[list[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def on(self, operation: str, fault: str, *, times: int = 1, transaction_id: str | None = None) -> FaultPlan:
        self._rules.append([operation, transaction_id, fault, times])
        return self

    def __call__(self, operation: str, body: dict[str, Any]) -> str:
        if not self.enabled:
            return "pass"
        for rule in self._rules:
            op, txid, fault, left = rule
            if left > 0 and op == operation and txid in (None, body.get("transaction_id")):
                rule[3] -= 1
                return str(fault)
        if operation not in self.operations or not self.rates:
            return "pass"
        draw = self._rng.random()
        for fault, rate in sorted(self.rates.items()):
            if draw < rate:
                return fault
            draw -= rate
        return "pass"


@dataclass(frozen=True)
class Call:
    operation: str
    transaction_id: str | None
    reference_transaction_id: str | None
    fault: str


class FlakyWallet:
    """A proxy on 127.0.0.1:0 in front of ``upstream`` with a bounded request log."""

    def __init__(self, upstream: str, rule: Rule, *, hang: float = 1.0, log_limit: int = 100_000) -> None:
        self.upstream = upstream.rstrip("/")
        self.rule = rule
        self.hang = hang
        self.calls: list[Call] = []
        self.answers: list[tuple[str, str | None, int]] = []  # operation, transaction id, wallet's status
        self.in_flight = 0
        self._log_limit = log_limit
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/{operation}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = bind("127.0.0.1", 0)
        await web.SockSite(self._runner, sock).start()
        self._client = aiohttp.ClientSession()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    def faults(self) -> Counter[str]:
        return Counter(c.fault for c in self.calls)

    def attempts(self, transaction_id: str) -> list[Call]:
        return [c for c in self.calls if c.transaction_id == transaction_id]

    def assert_request_made(self, operation: str, **fields: str) -> Call:
        for call in self.calls:
            if call.operation == operation and all(getattr(call, k) == v for k, v in fields.items()):
                return call
        raise AssertionError(f"no {operation} call with {fields}; saw {self.calls[-5:]}")

    async def _forward(self, request: web.Request, body: bytes) -> tuple[int, bytes, str]:
        assert self._client is not None
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-casino-sim")}
        headers["Content-Type"] = "application/json"
        url = f"{self.upstream}/{request.match_info['operation']}"
        async with self._client.post(url, data=body, headers=headers) as response:
            return response.status, await response.read(), response.content_type

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        try:
            return await self._handle_call(request)
        finally:
            self.in_flight -= 1

    async def _handle_call(self, request: web.Request) -> web.StreamResponse:
        operation = request.match_info["operation"]
        body = await request.read()
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        fault = self.rule(operation, data) if isinstance(data, dict) else "pass"
        if len(self.calls) < self._log_limit:
            self.calls.append(Call(operation, data.get("transaction_id"), data.get("reference_transaction_id"), fault))
        if fault.startswith(("refuse:", "fail5xx:")):
            kind, code = fault.split(":", 1)
            error = {"error": {"code": code, "message": f"injected {code}"}}
            return web.json_response(error, status=500 if kind == "fail5xx" else 409)
        if fault == "fail_before":
            return web.Response(status=500, text="injected failure")
        if fault == "hang_before":
            await asyncio.sleep(self.hang)
        status, reply, content_type = await self._forward(request, body)
        if len(self.answers) < self._log_limit:
            self.answers.append((operation, data.get("transaction_id"), status))
        if fault == "fail_after":
            return web.Response(status=503, text="injected failure after the wallet applied it")
        if fault == "hang_after":
            await asyncio.sleep(self.hang)
        if fault == "reset_after":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        if fault == "garbage_after":
            return web.Response(status=200, body=b"<html>upstream proxy error</html>")
        return web.Response(status=status, body=reply, content_type=content_type)


@dataclass
class WalletServer:
    url: str
    app: web.Application

    @property
    def ledger(self) -> Ledger:
        return self.app[LEDGER]


@asynccontextmanager
async def running_wallet(settings: Settings, *, clock: Clock, keys: dict[str, bytes]) -> AsyncIterator[WalletServer]:
    """The reference wallet alone, as ``casino-sim wallet`` runs it, on 127.0.0.1:0."""
    app = create_wallet_app(settings, clock=clock, ids=RandomIds(), keys=keys)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    await web.SockSite(runner, sock).start()
    try:
        yield WalletServer(f"http://127.0.0.1:{sock.getsockname()[1]}", app)
    finally:
        await runner.cleanup()


@asynccontextmanager
async def flaky(upstream: str, rule: Rule, *, hang: float = 1.0) -> AsyncIterator[FlakyWallet]:
    proxy = FlakyWallet(upstream, rule, hang=hang)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()

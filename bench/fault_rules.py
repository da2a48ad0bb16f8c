"""Cost of fault injection on the hot path: rule matching as rules are added, and the inbound middleware and outbound
hook with no rules. Prints figures; it is not a test.

    python bench/fault_rules.py
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from simulator.clock import SystemClock
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.faults.inbound import fault_middleware
from simulator.faults.journal import Journal
from simulator.faults.outbound import FaultHook
from simulator.faults.rules import FaultRule
from simulator.faults.ruleset import FaultSet, Target
from simulator.metrics import Metrics

OPERATIONS = ("balance", "bet", "win", "rollback")


def rules(n: int, general: int = 0) -> list[FaultRule]:
    """Rules a QA team might pile up: each aims at one player and one operation; every ``general``-th rule instead
    matches every call of its operation (it never fires: probability 0, so every call walks all of them)."""
    out = []
    for i in range(n):
        match: dict[str, Any] = {"side": "outbound", "operation": OPERATIONS[i % 4]}
        if not general or i % general != 1:
            match["player"] = f"player-{i}"
        rule = {"match": match, "action": {"type": "lose"}, "schedule": {"probability": 0.0}}
        out.append(FaultRule.model_validate(rule))
    return out


def per_call(fn: Callable[[], object], seconds: float = 0.5) -> float:
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            fn()
        calls += 1000
    return elapsed / calls * 1e6


async def per_call_async(fn: Callable[[], Awaitable[object]], seconds: float = 0.5) -> float:
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            await fn()
        calls += 1000
    return elapsed / calls * 1e6


def bench_matching() -> None:
    target = Target("outbound", "bet", "POST", "bet", player="player-5", currency="USD", round="r", transaction="t")
    for general, label in ((0, "every rule names a player"), (10, "one rule in ten matches every player")):
        print(f"rule matching, FaultSet.select for a bet of player-5 ({label})")
        for n in (0, 10, 100, 1000, 10_000):
            faults = FaultSet(rules(n, general), clock=SystemClock(), rng=random.Random(0))
            met = len(faults.candidates(target))
            cost = per_call(functools.partial(faults.select, target))
            print(
                f"  {n:>6} rules: {cost:7.2f} us/call ({met} of {faults.bucket('outbound', 'bet').size} bet rules met)"
            )


async def bench_middleware() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b'{"ok":true}', content_type="application/json")

    handler.__name__ = "play_round"
    app = web.Application()
    app.router.add_post("/play/{token}/rounds", handler)
    print("inbound middleware per request (mocked request, trivial handler)")

    async def direct() -> None:
        await handler(request)

    request = make_mocked_request("POST", "/play/abc/rounds", app=app)
    match_info = await app.router.resolve(request)
    match_info.add_app(app)
    request._match_info = match_info
    base = await per_call_async(direct)
    print(f"  handler alone:                 {base:6.2f} us")
    for label, size in (("no rules, journal off", 0), ("no rules, journal on", 1000)):
        clock = SystemClock()
        journal = Journal(size, clock=clock)
        mw = fault_middleware(
            rules=FaultSet(clock=clock, rng=random.Random(0)),
            rng=random.Random(0),
            sleep=asyncio.sleep,
            journal=journal,
            metrics=Metrics(),
        )

        async def through(mw: Any = mw) -> None:
            await mw(request, handler)

        print(f"  {label + ':':<30} {await per_call_async(through) - base:6.2f} us over the handler")


class _Dialect:
    name = "native"

    def build(self, call: WalletCall) -> WalletRequest:
        return WalletRequest("http://wallet/bet", {"X-Casino-Sim-Signature": "sha256=00"}, b'{"amount":100}')

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        return WalletReply(100, "USD", call.transaction_id)


class _Client:
    """The parts of ``WalletClient`` the hook uses, with a transport that answers at once."""

    dialect = _Dialect()
    timeout = 5.0

    async def post(self, call: WalletCall, request: WalletRequest) -> tuple[int, bytes]:
        return 200, b"{}"

    async def exchange(self, call: WalletCall, request: WalletRequest, post: Any = None) -> WalletReply:
        return self.dialect.parse(call, *await (post or self.post)(call, request))


async def bench_hook() -> None:
    print("outbound hook per wallet call (transport replaced by a no-op)")
    client: Any = _Client()
    call = WalletCall("bet", "p", "s", "USD", transaction_id="t", round_id="r", amount=100)

    async def direct() -> None:
        await client.exchange(call, client.dialect.build(call))

    base = await per_call_async(direct)
    print(f"  build + exchange alone:        {base:6.2f} us")
    for label, size, n in (
        ("no rules, journal off", 0, 0),
        ("no rules, journal on", 1000, 0),
        ("1000 rules, journal on", 1000, 1000),
    ):
        clock = SystemClock()
        faults = FaultSet(rules(n), clock=clock, rng=random.Random(0))
        hook = FaultHook(faults, sleep=asyncio.sleep, journal=Journal(size, clock=clock), metrics=Metrics())

        async def through(hook: FaultHook = hook) -> None:
            await hook.send(call, client)

        print(f"  {label + ':':<30} {await per_call_async(through) - base:6.2f} us over that")


if __name__ == "__main__":
    bench_matching()
    asyncio.run(bench_middleware())
    asyncio.run(bench_hook())

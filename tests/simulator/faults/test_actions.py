"""Every fault action through its seams: the injected sleep records each wait (nothing waits on the wall clock) and
each draw comes from the seeded fault RNG, so a copy of that RNG predicts the delay or the bytes exactly; an action
that draws nothing leaves the RNG untouched."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulator.clock import ManualClock
from simulator.errors import WalletError, WalletRefused
from simulator.faults.inbound import fault_middleware
from simulator.faults.journal import Journal
from simulator.faults.rules import HANG_POLL, INBOUND_ACTIONS, OUTBOUND_ACTIONS, FaultRule
from simulator.faults.ruleset import FaultSet
from simulator.faults.timing import VirtualSleep
from tests.simulator.faults.conftest import WalletWorld, op

BODY = json.dumps({"studios": [{"studio_id": f"studio-{i:03}"} for i in range(8)]}).encode()
TIMEOUT = 5.0  # the wallet fixture's client timeout


def replica(rng: random.Random) -> random.Random:
    """A copy of ``rng`` as it is now: what it will draw next, drawn in advance."""
    copy = random.Random()
    copy.setstate(rng.getstate())
    return copy


# inbound: a bare app with the middleware, its own seeded RNG and a recording sleep


@dataclass
class Served:
    server: TestServer
    rules: FaultSet
    rng: random.Random
    sleep: VirtualSleep

    def use(self, action: dict[str, Any]) -> random.Random:
        rule = {"id": "a", "match": {"side": "inbound", "operation": "studios"}, "action": action}
        self.rules.replace_all([FaultRule.model_validate(rule)])
        return replica(self.rng)

    async def raw(self) -> bytes:
        """The whole answer as bytes on the wire, up to the connection's end (a reset ends it too)."""
        reader, writer = await asyncio.open_connection(self.server.host, self.server.port)
        writer.write(b"GET /v1/studios HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        data = b""
        with contextlib.suppress(ConnectionError):
            data = await reader.read()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
        return data


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    async def list_studios(request: web.Request) -> web.Response:
        return web.Response(body=BODY, content_type="application/json")

    clock, rng = ManualClock(), random.Random(7)
    rules = FaultSet(clock=clock, rng=rng)
    sleep = VirtualSleep(clock)
    app = web.Application(
        middlewares=[fault_middleware(rules=rules, rng=rng, sleep=sleep, journal=Journal(10, clock=clock))]
    )
    app.router.add_get("/v1/studios", list_studios)
    server = TestServer(app)
    await server.start_server()
    try:
        yield Served(server, rules, rng, sleep)
    finally:
        await server.close()


def _body(raw: bytes) -> bytes:
    return raw.partition(b"\r\n\r\n")[2]


InboundCheck = Callable[[bytes, list[float], random.Random], None]


def _delayed(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert sleeps == [rng.uniform(1.0, 3.0)] and _body(raw) == BODY


def _lognormal(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert sleeps == [min(rng.lognormvariate(math.log(0.2), 1.5), 0.5)] and _body(raw) == BODY


def _status(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert raw.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in raw and sleeps == []


def _dropped(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert raw == b"" and sleeps == []


def _garbage(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert raw == rng.randbytes(40) and sleeps == []


def _malformed(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert raw.startswith(b"HTTP/1.1 200 OK") and _body(raw) == b'{"balance": 10' + rng.randbytes(12) and sleeps == []


def _truncated(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert f"Content-Length: {len(BODY)}".encode() in raw and _body(raw) == BODY[: len(BODY) // 4] and sleeps == []


def _hung(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert raw == b"" and sleeps == [HANG_POLL] * len(sleeps) and sum(sleeps) == pytest.approx(0.5, abs=HANG_POLL)


def _dribbled(raw: bytes, sleeps: list[float], rng: random.Random) -> None:
    assert _body(raw) == BODY and sleeps == [0.25] * (-(-len(BODY) // 100) - 1)


INBOUND_CASES = [
    pytest.param({"type": "delay", "distribution": "uniform", "low": 1, "high": 3}, _delayed, True, id="delay"),
    pytest.param(
        {"type": "delay", "distribution": "lognormal", "median": 0.2, "sigma": 1.5, "cap": 0.5, "when": "after"},
        _lognormal,
        True,
        id="delay-lognormal-after",
    ),
    pytest.param({"type": "status", "status": 503}, _status, False, id="status"),
    pytest.param({"type": "reset"}, _dropped, False, id="reset"),
    pytest.param({"type": "close", "when": "after"}, _dropped, False, id="close"),
    pytest.param({"type": "garbage", "bytes": 40}, _garbage, True, id="garbage"),
    pytest.param({"type": "malformed"}, _malformed, True, id="malformed"),
    pytest.param({"type": "truncate", "fraction": 0.25}, _truncated, False, id="truncate"),
    pytest.param({"type": "hang", "max_seconds": 0.5}, _hung, False, id="hang"),
    pytest.param({"type": "slow_body", "chunk": 100, "interval": 0.25}, _dribbled, False, id="slow_body"),
]


@pytest.mark.parametrize(("action", "check", "draws"), INBOUND_CASES)
async def test_inbound_action(served: Served, action: dict[str, Any], check: InboundCheck, draws: bool) -> None:
    predicted = served.use(action)
    untouched = served.rng.getstate()
    raw = await served.raw()
    check(raw, served.sleep.calls, predicted)
    assert (served.rng.getstate() == predicted.getstate()) if draws else (served.rng.getstate() == untouched)


def test_every_action_is_tested_on_each_side_it_exists_on() -> None:
    assert {case.values[0]["type"] for case in INBOUND_CASES} == INBOUND_ACTIONS  # type: ignore[index]
    assert {case.values[0]["type"] for case in OUTBOUND_CASES} == OUTBOUND_ACTIONS  # type: ignore[index]


# outbound: the real reference wallet behind the fault hook, whose sleep records and whose RNG is seeded


OutboundCheck = Callable[[WalletWorld, random.Random, int], None]


def _waited(*seconds: float) -> OutboundCheck:
    def check(world: WalletWorld, rng: random.Random, size: int) -> None:
        assert world.sleep.calls == list(seconds)

    return check


def _drawn_delay(world: WalletWorld, rng: random.Random, size: int) -> None:
    assert world.sleep.calls == [rng.uniform(0.5, 2.0)]


def _garbage_body(world: WalletWorld, rng: random.Random, size: int) -> None:
    garbage = rng.randbytes(size)
    assert world.journal.query()[0]["request"]["body"] == world.journal.redact(garbage) and world.sleep.calls == []


OUTBOUND_CASES = [
    pytest.param({"type": "delay", "distribution": "uniform", "low": 0.5, "high": 2}, _drawn_delay, True, id="delay"),
    pytest.param({"type": "delay", "seconds": 60}, _waited(TIMEOUT), False, id="delay-past-timeout"),
    pytest.param({"type": "status", "status": 503, "deliver": True}, _waited(), False, id="status"),
    pytest.param({"type": "reset"}, _waited(), False, id="reset"),
    pytest.param({"type": "lose"}, _waited(TIMEOUT), False, id="lose"),
    pytest.param({"type": "duplicate", "copies": 3, "spacing": 0.2}, _waited(0.2, 0.2), False, id="duplicate"),
    pytest.param({"type": "reorder"}, _waited(TIMEOUT), False, id="reorder"),
    pytest.param({"type": "reorder", "reply": "ack"}, _waited(), False, id="reorder-ack"),
    pytest.param({"type": "bad_signature"}, _waited(), False, id="bad_signature"),
    pytest.param({"type": "clock_skew", "seconds": -900}, _waited(), False, id="clock_skew"),
    pytest.param({"type": "malformed_body", "how": "garbage"}, _garbage_body, True, id="malformed_body"),
    pytest.param({"type": "timeout"}, _waited(TIMEOUT), False, id="timeout"),
    pytest.param({"type": "timeout", "deliver": False}, _waited(TIMEOUT), False, id="timeout-not-sent"),
]


@pytest.mark.parametrize(("action", "check", "draws"), OUTBOUND_CASES)
async def test_outbound_action(wallet: WalletWorld, action: dict[str, Any], check: OutboundCheck, draws: bool) -> None:
    player = await wallet.player()
    call = op(player, "bet", "t1")
    size = len(wallet.client.dialect.build(call).body)
    wallet.use({"id": "a", "match": {"side": "outbound", "operation": "bet"}, "action": action})
    predicted, untouched = replica(wallet.faults.rng), wallet.faults.rng.getstate()
    with contextlib.suppress(WalletError, WalletRefused):
        await wallet.client.call(call)
    check(wallet, predicted, size)
    assert (
        (wallet.faults.rng.getstate() == predicted.getstate()) if draws else (wallet.faults.rng.getstate() == untouched)
    )

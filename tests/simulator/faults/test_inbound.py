"""Inbound faults as an operator's client meets them, on a real loopback socket: delays, error statuses with
Retry-After, resets, closes, garbage, broken bodies, hangs and dribbled bodies."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.faults.rules import FaultRule
from simulator.faults.timing import VirtualSleep
from simulator.settings import Settings
from simulator.state import CATALOG, FAULTS
from tests.harness import Sim, client_for, running_sim


@pytest.fixture
async def faulty(settings: Settings) -> AsyncIterator[tuple[Sim, VirtualSleep]]:
    clock = ManualClock()
    sleep = VirtualSleep(clock)
    async with running_sim(settings, clock=clock, sleep=sleep) as sim:
        yield sim, sleep


def install(sim: Sim, action: dict[str, Any], operation: str = "studios", **schedule: Any) -> None:
    rule = {"id": "f", "match": {"side": "inbound", "operation": operation}, "action": action, "schedule": schedule}
    sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(rule)])


async def raw_get(sim: Sim, path: str = "/v1/studios", give_up: float = 5.0) -> tuple[int, bytes]:
    async with (
        client_for(sim.app, sim.settings) as http,
        http.get(sim.url + path, timeout=aiohttp.ClientTimeout(total=give_up)) as response,
    ):
        return response.status, await response.read()


def last_entry(sim: Sim) -> dict[str, Any]:
    entry: dict[str, Any] = sim.app[FAULTS].journal.query()[-1]
    return entry


async def test_delay_before_and_after(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, sleep = faulty
    install(sim, {"type": "delay", "seconds": 2})
    assert (await raw_get(sim))[0] == 200
    install(sim, {"type": "delay", "distribution": "uniform", "low": 1, "high": 3, "when": "after"})
    assert (await raw_get(sim))[0] == 200
    assert sleep.calls[0] == 2 and 1 <= sleep.calls[1] <= 3
    assert last_entry(sim)["elapsed"] == pytest.approx(sleep.calls[1])
    assert last_entry(sim)["faults"] == ["f:delay"]


@pytest.mark.parametrize(
    ("action", "status", "retry_after"),
    [
        pytest.param({"type": "status", "status": 429}, 429, "1", id="429-default-retry-after"),
        pytest.param({"type": "status", "status": 503, "retry_after": 2.5}, 503, "3", id="503-rounded-up"),
        pytest.param({"type": "status", "status": 500}, 500, None, id="500-no-retry-after"),
    ],
)
async def test_error_status(
    faulty: tuple[Sim, VirtualSleep], action: dict[str, Any], status: int, retry_after: str | None
) -> None:
    sim, _ = faulty
    install(sim, action, operation="games")
    async with sim.http.get(sim.url + "/v1/games") as response:
        assert response.status == status
        assert response.headers.get("Retry-After") == retry_after
        assert (await response.json())["error"]["code"] == "INJECTED_FAULT"
    assert last_entry(sim)["response"]["headers"].get("Retry-After") == retry_after


async def test_status_with_a_custom_body(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, _ = faulty
    install(sim, {"type": "status", "status": 418, "body": {"teapot": True}})
    assert await raw_get(sim) == (418, b'{"teapot": true}')


@pytest.mark.parametrize(
    ("action", "errors"),
    [
        pytest.param({"type": "reset"}, (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError), id="reset"),
        pytest.param({"type": "close"}, (aiohttp.ServerDisconnectedError,), id="close"),
        pytest.param(
            {"type": "garbage", "bytes": 200},
            (aiohttp.ClientResponseError, aiohttp.ServerDisconnectedError),
            id="garbage",
        ),
        pytest.param({"type": "truncate", "fraction": 0.5}, (aiohttp.ClientPayloadError,), id="truncate"),
        pytest.param(
            {"type": "reset", "when": "after"},
            (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError),
            id="reset-after",
        ),
    ],
)
async def test_transport_faults(
    faulty: tuple[Sim, VirtualSleep], action: dict[str, Any], errors: tuple[type[Exception], ...]
) -> None:
    sim, _ = faulty
    install(sim, action)
    with pytest.raises(errors):
        await raw_get(sim)
    entry = last_entry(sim)
    assert entry["outcome"] == action["type"] and entry["response"] is None
    install(sim, {"type": "delay", "seconds": 0})
    assert (await raw_get(sim))[0] == 200


async def test_malformed_body_after_a_200(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, _ = faulty
    install(sim, {"type": "malformed"})
    status, body = await raw_get(sim)
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)


async def test_slow_body_arrives_whole(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, sleep = faulty
    install(sim, {"type": "slow_body", "chunk": 100, "interval": 0.5})
    status, body = await raw_get(sim)
    assert status == 200
    studios = json.loads(body)["studios"]
    assert len(studios) == len(sim.app[CATALOG].studios)
    assert sleep.calls == [0.5] * ((len(body) - 1) // 100)


async def test_hang_ends_at_max_seconds_in_virtual_time(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, sleep = faulty
    install(sim, {"type": "hang", "max_seconds": 2})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await raw_get(sim)
    entries = sim.app[FAULTS].journal.query()  # aiohttp retries an idempotent GET once after a disconnect
    assert all(e["elapsed"] == pytest.approx(2.0) and e["outcome"] == "hang" for e in entries)
    assert sleep.total == pytest.approx(2.0 * len(entries))


async def test_hang_until_the_client_gives_up(settings: Settings) -> None:
    async with running_sim(settings) as sim:
        install(sim, {"type": "hang", "max_seconds": 30})
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await raw_get(sim, give_up=0.3)
        for _ in range(100):
            if last_entry(sim)["outcome"] is not None:
                break
            await asyncio.sleep(0.02)
        assert last_entry(sim)["outcome"] == "hang"
        assert time.monotonic() - started < 5


async def test_admin_metrics_and_wallet_are_never_faulted(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, _ = faulty
    rule = {"id": "all", "match": {"side": "inbound"}, "action": {"type": "status", "status": 503}}
    sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(rule)])
    assert (await sim.request("GET", "/admin/faults")).status == 200
    assert (await sim.request("GET", "/healthz")).status == 200
    assert (await sim.request("GET", "/metrics")).status == 200
    assert (await sim.request("POST", "/wallet/sandbox/players", {"currency": "USD"})).status == 201
    assert (await sim.request("GET", "/v1/studios")).status == 503
    assert [e["operation"] for e in sim.app[FAULTS].journal.query()] == ["studios"]


async def test_schedule_and_match_on_path_and_header(faulty: tuple[Sim, VirtualSleep]) -> None:
    sim, _ = faulty
    rule = {
        "id": "qa",
        "match": {"side": "inbound", "path": "/v1/*", "method": "get", "headers": {"X-Team": "qa-*"}},
        "action": {"type": "status", "status": 500},
        "schedule": {"every": 2},
    }
    sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(rule)])
    qa = {"X-Team": "qa-1"}
    statuses = [(await sim.request("GET", "/v1/studios", headers=qa)).status for _ in range(4)]
    assert statuses == [200, 500, 200, 500]
    assert (await sim.request("GET", "/v1/studios")).status == 200


async def test_every_inbound_route_has_an_operation_name(faulty: tuple[Sim, VirtualSleep]) -> None:
    from simulator.faults.inbound import OPERATIONS, UNFAULTED_PREFIXES
    from simulator.openapi import iter_routes

    sim, _ = faulty
    named = {
        OPERATIONS.get(handler.__name__)
        for _, path, handler in iter_routes(sim.app)
        if not path.startswith((*UNFAULTED_PREFIXES, "/wallet"))
    }
    assert None not in named, "a new inbound route needs a name in OPERATIONS (and in docs/faults.md)"

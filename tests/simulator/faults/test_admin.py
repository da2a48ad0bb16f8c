"""Managing faults at run time through /admin/faults, reading /admin/journal and /metrics, and choosing a fault per
request with the X-Casino-Sim-Fault header."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from simulator.settings import Settings
from simulator.state import FAULTS
from tests.harness import Sim, running_sim
from tests.simulator.security.test_bad_input import assert_error

SLOW = {"id": "slow", "match": {"side": "inbound", "operation": "studios"}, "action": {"type": "delay", "seconds": 0}}
BUSY = {"match": {"side": "inbound", "operation": "games"}, "action": {"type": "status", "status": 429}}


async def test_add_list_replace_remove_reset(sim: Sim) -> None:
    reply = await sim.request("POST", "/admin/faults", SLOW)
    assert reply.status == 201 and reply.body["id"] == "slow"
    reply = await sim.request("POST", "/admin/faults", BUSY)
    assert reply.status == 201 and reply.body["id"] == "rule-1"
    assert (await sim.request("GET", "/v1/games")).status == 429
    listing = (await sim.request("GET", "/admin/faults")).body
    assert [r["id"] for r in listing["rules"]] == ["slow", "rule-1"]
    assert listing["rules"][1]["counters"] == {"calls": 1, "injected": 1, "keys": 1}
    assert listing["header"] == {"enabled": False, "active": 0, "max_active": 10}

    reply = await sim.request("PUT", "/admin/faults/rule-1", BUSY | {"action": {"type": "status", "status": 503}})
    assert reply.status == 200 and reply.body["action"]["status"] == 503
    assert reply.body["counters"]["calls"] == 0
    assert (await sim.request("GET", "/v1/games")).status == 503
    assert (await sim.request("POST", "/admin/faults/rule-1/reset")).body["counters"]["calls"] == 0
    assert (await sim.request("POST", "/admin/faults/reset")).status == 200
    assert (await sim.request("DELETE", "/admin/faults/rule-1")).body == {"removed": "rule-1"}
    assert (await sim.request("GET", "/v1/games")).status == 200

    reply = await sim.request("PUT", "/admin/faults", {"rules": [BUSY, BUSY | {"id": "b"}]})
    assert [r["id"] for r in reply.body["rules"]] == ["rule-1", "b"]
    assert (await sim.request("GET", "/admin/faults/b")).body["id"] == "b"
    assert (await sim.request("DELETE", "/admin/faults")).body["rules"] == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "named"),
    [
        pytest.param(
            "POST",
            "/admin/faults",
            {"match": {"side": "outbound"}, "action": {"type": "hang"}},
            400,
            "INVALID_FAULT",
            "action.type",
            id="wrong-side",
        ),
        pytest.param(
            "POST",
            "/admin/faults",
            SLOW | {"schedule": {"probability": 2}},
            400,
            "INVALID_FAULT",
            "schedule.probability",
            id="probability",
        ),
        pytest.param(
            "POST", "/admin/faults", {"action": {"type": "close"}}, 400, "INVALID_FAULT", "match", id="missing-match"
        ),
        pytest.param("POST", "/admin/faults", [1, 2], 400, "INVALID_FAULT", None, id="not-an-object"),
        pytest.param(
            "PUT", "/admin/faults", {"rules": [SLOW, SLOW]}, 400, "INVALID_FAULT", "used twice", id="duplicate-ids"
        ),
        pytest.param("GET", "/admin/faults/nope", None, 404, "UNKNOWN_FAULT", None, id="unknown-rule"),
        pytest.param("DELETE", "/admin/faults/nope", None, 404, "UNKNOWN_FAULT", None, id="remove-unknown"),
        pytest.param("PUT", "/admin/faults/nope", SLOW, 404, "UNKNOWN_FAULT", None, id="replace-unknown"),
        pytest.param("GET", "/admin/journal?limit=0", None, 400, "INVALID_REQUEST", "limit", id="journal-limit"),
        pytest.param("GET", "/admin/journal?side=up", None, 400, "INVALID_REQUEST", "side", id="journal-side"),
        pytest.param("GET", "/admin/journal?after=x", None, 400, "INVALID_REQUEST", "after", id="journal-after"),
    ],
)
async def test_bad_requests_are_4xx_json(
    sim: Sim, method: str, path: str, body: Any, status: int, code: str, named: str | None
) -> None:
    reply = await sim.request(method, path, body)
    assert_error(reply, status, code)
    if named is not None:
        assert named in reply.body["error"]["message"]


async def test_invalid_json_and_duplicates(sim: Sim) -> None:
    reply = await sim.request("POST", "/admin/faults", data=b"{", headers={"Content-Type": "application/json"})
    assert_error(reply, 400, "INVALID_JSON")
    assert (await sim.request("POST", "/admin/faults", SLOW)).status == 201
    assert_error(await sim.request("POST", "/admin/faults", SLOW), 409, "DUPLICATE_FAULT")
    assert_error(await sim.request("PUT", "/admin/faults/slow", SLOW | {"id": "other"}), 409, "FAULT_ID_MISMATCH")


async def test_journal_filters(sim: Sim) -> None:
    await sim.request("POST", "/admin/faults", BUSY)
    await sim.request("GET", "/v1/games")
    await sim.request("GET", "/v1/studios")
    page = (await sim.request("GET", "/admin/journal?operation=games")).body
    assert [e["operation"] for e in page["entries"]] == ["games"] and page["size"] == 1000
    assert [e["operation"] for e in (await sim.request("GET", "/admin/journal?fault=*")).body["entries"]] == ["games"]
    assert (await sim.request("GET", "/admin/journal?status=200")).body["entries"][0]["operation"] == "studios"
    assert (await sim.request("GET", "/admin/journal?after=1")).body["entries"][0]["seq"] == 2
    assert (await sim.request("DELETE", "/admin/journal")).body["entries"] == []
    assert (await sim.request("GET", "/admin/journal")).body["entries"] == []


async def test_metrics_in_prometheus_text(sim: Sim) -> None:
    await sim.request("POST", "/admin/faults", BUSY)
    await sim.request("GET", "/v1/games")
    async with sim.http.get(sim.url + "/metrics") as response:
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = await response.text()
    assert 'casino_sim_faults_injected_total{action="status",rule="rule-1",side="inbound"} 1.0' in text
    assert 'casino_sim_http_requests_total{operation="games",status="429"} 1.0' in text
    assert "# TYPE casino_sim_faults_injected_total counter" in text
    assert "casino_sim_journal_entries 1.0" in text


async def test_faults_file_is_loaded_at_start(settings: Settings) -> None:
    path = settings.data_dir.parent / "faults.yaml"
    path.write_text(
        "rules:\n  - id: busy\n    match: {side: inbound, operation: games}\n    action: {type: status, status: 429}\n"
    )
    async with running_sim(settings.model_copy(update={"faults_file": path})) as sim:
        assert (await sim.request("GET", "/v1/games")).status == 429
        assert [r["id"] for r in (await sim.request("GET", "/admin/faults")).body["rules"]] == ["busy"]


# the X-Casino-Sim-Fault header


@pytest.fixture
async def header_sim(settings: Settings) -> AsyncIterator[Sim]:
    async with running_sim(settings.model_copy(update={"fault_header": True, "fault_header_max_active": 1})) as sim:
        yield sim


def chosen(rule: Any) -> dict[str, str]:
    return {"X-Casino-Sim-Fault": rule if isinstance(rule, str) else json.dumps(rule)}


async def test_header_is_ignored_unless_enabled(sim: Sim) -> None:
    reply = await sim.request("GET", "/v1/games", headers=chosen({"action": {"type": "status", "status": 500}}))
    assert reply.status == 200
    text = (await sim.request("GET", "/metrics")).body
    assert 'casino_sim_fault_header_ignored_total{reason="disabled"} 1.0' in text


async def test_header_rules_and_names(header_sim: Sim) -> None:
    sim = header_sim
    assert (
        await sim.request("GET", "/v1/games", headers=chosen({"action": {"type": "status", "status": 503}}))
    ).status == 503
    assert (await sim.request("GET", "/v1/games")).status == 200
    await sim.request("POST", "/admin/faults", BUSY | {"id": "busy", "enabled": False})
    assert (await sim.request("GET", "/v1/games")).status == 200
    assert (await sim.request("GET", "/v1/games", headers=chosen("busy"))).status == 429
    entry = (await sim.request("GET", "/admin/journal?fault=busy")).body["entries"][0]
    assert entry["request"]["headers"]["X-Casino-Sim-Fault"] == "busy"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        pytest.param("{", "not valid JSON", id="not-json"),
        pytest.param(json.dumps({"action": {"type": "status", "status": 99}}), "action.status.status", id="field"),
        pytest.param("no-such-rule", "no configured fault rule", id="unknown-name"),
        pytest.param("[]", "give 1 to", id="empty-list"),
        pytest.param(
            json.dumps({"match": {"side": "socket"}, "action": {"type": "close"}}),
            "socket rules apply to live tables' messages",
            id="socket-rule",
        ),
    ],
)
async def test_bad_header_is_a_400_naming_the_problem(header_sim: Sim, value: str, named: str) -> None:
    reply = await header_sim.request("GET", "/v1/games", headers=chosen(value))
    assert_error(reply, 400, "INVALID_FAULT")
    assert named in reply.body["error"]["message"]
    assert (await header_sim.request("GET", "/v1/games")).status == 200


async def test_header_faults_are_capped(settings: Settings) -> None:
    gate = asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        await gate.wait()

    capped = settings.model_copy(update={"fault_header": True, "fault_header_max_active": 1})
    async with running_sim(capped, sleep=held_sleep) as sim:
        slow = chosen({"action": {"type": "delay", "seconds": 1}})
        first = asyncio.create_task(sim.request("GET", "/v1/studios", headers=slow))
        for _ in range(100):
            if sim.app[FAULTS].requested.active:
                break
            await asyncio.sleep(0.01)
        second = await sim.request("GET", "/v1/games", headers=chosen({"action": {"type": "status", "status": 500}}))
        assert second.status == 200
        gate.set()
        assert (await first).status == 200
        assert sim.app[FAULTS].requested.active == 0
        text = (await sim.request("GET", "/metrics")).body
        assert 'casino_sim_fault_header_ignored_total{reason="max_active"} 1.0' in text


def test_serve_takes_a_faults_file(tmp_path: Path) -> None:
    from simulator.cli import parser
    from simulator.commands.common import settings_from_args

    args = parser().parse_args(["serve", "--faults", str(tmp_path / "f.yaml"), "--data-dir", str(tmp_path)])
    assert settings_from_args(args).faults_file == tmp_path / "f.yaml"

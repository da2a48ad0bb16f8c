"""The smaller promises of the HTTP surface: a 405 names the allowed methods; the document types query parameters as
the server checks them; the game client's POSTs take JSON only and no route invites cross-origin calls; a
malformed HTTP request costs one log line; fault rules keep JSON types as written."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from simulator.openapi import build_openapi
from tests.harness import Sim


@pytest.fixture
async def token(sim: Sim) -> tuple[str, str]:
    player = await sim.create_player(10_000)
    session = await sim.launch(player, await sim.game_for("dice"))
    return str(session["session_token"]), str(player["player_id"])


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/play/some-token/rounds", "POST"),
        ("DELETE", "/v1/sessions", "POST"),
        ("PUT", "/healthz", "GET"),
        ("GET", "/wallet/bet", "POST"),  # the wallet's own application, mounted under /wallet
    ],
)
async def test_a_405_names_the_allowed_methods(sim: Sim, method: str, path: str, allowed: str) -> None:
    async with sim.http.request(method, sim.url + path) as response:
        assert response.status == 405
        assert set(response.headers["Allow"].split(",")) >= {allowed}
        assert (await response.json())["error"]["code"] == "METHOD_NOT_ALLOWED"


def _typed_query(sim: Sim) -> list[tuple[str, str, dict[str, Any]]]:
    document, _ = build_openapi(sim.app, title="t", version="t")
    out = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                if param["in"] == "query" and (param["schema"].get("type") != "string" or "enum" in param["schema"]):
                    out.append((method.upper(), path, param))
    return out


async def test_integer_and_enum_query_parameters_are_typed_and_the_server_agrees(sim: Sim) -> None:
    typed = _typed_query(sim)
    names = {(path, p["name"]) for _, path, p in typed}
    for expected in [
        ("/v1/games", "limit"),
        ("/v1/games", "sort"),
        ("/v1/games/changes", "since"),
        ("/v1/rounds", "limit"),
        ("/v1/transactions", "after"),
        ("/v1/transactions", "kind"),
        ("/admin/journal", "status"),
        ("/admin/journal", "side"),
        ("/wallet/ledger", "format"),
    ]:
        assert expected in names, expected
    for method, path, param in typed:
        if "{" in path:
            continue
        schema, name = param["schema"], param["name"]
        if schema["type"] == "integer":
            good, bad = [str(schema["minimum"]), str(schema["maximum"])], [str(schema["maximum"] + 1), "x"]
        elif "enum" in schema:
            good, bad = list(schema["enum"]), ["not-one-of-them"]
        else:
            continue
        for value in good:
            reply = await sim.request(method, f"{path}?{name}={value}")
            assert reply.status == 200, (path, name, value, reply.body)
        for value in bad:
            reply = await sim.request(method, f"{path}?{name}={value}")
            assert reply.status == 400, (path, name, value, reply.body)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
async def test_play_posts_take_json_only(sim: Sim, token: tuple[str, str], content_type: str | None) -> None:
    session, player = token
    before = await sim.balance(player)
    headers = {} if content_type is None else {"Content-Type": content_type}
    for path in (f"/play/{session}/rounds", f"/play/{session}/rounds/r-1/actions", f"/play/{session}/fairness/rotate"):
        body = b'{"amount": 100, "params": {}}'
        async with sim.http.post(sim.url + path, data=body, headers=headers) as response:
            assert response.status == 415, (path, await response.text())
            assert (await response.json())["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await sim.balance(player) == before
    assert (await sim.play(session, 100)).status == 200  # the client's own fetch, with application/json


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"])
async def test_play_posts_take_json_however_its_type_is_written(
    sim: Sim, token: tuple[str, str], content_type: str
) -> None:
    session, _ = token
    body = b'{"amount": 100, "params": {"target": "50.50", "direction": "over"}}'
    async with sim.http.post(
        f"{sim.url}/play/{session}/rounds", data=body, headers={"Content-Type": content_type}
    ) as r:
        assert r.status == 200, await r.text()


async def test_no_route_invites_a_cross_origin_call(sim: Sim, token: tuple[str, str]) -> None:
    session, _ = token
    origin = {"Origin": "https://elsewhere.example"}
    async with sim.http.get(f"{sim.url}/play/{session}", headers=origin) as response:
        assert response.status == 200
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    preflight = origin | {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    async with sim.http.options(f"{sim.url}/play/{session}/rounds", headers=preflight) as response:
        assert response.status == 405
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


async def test_a_malformed_request_is_one_log_line(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    for request in (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\n\x01\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.settings.port)
        writer.write(request)
        await writer.drain()
        reply = await reader.read()
        writer.close()
        assert reply.split(b" ")[1] == b"400", reply[:100]
    records = [r for r in caplog.records if r.name.startswith("aiohttp")]
    assert len(records) == 2, [r.getMessage() for r in records]
    for record in records:
        assert record.levelno == logging.WARNING
        assert record.exc_info is None
        assert "malformed HTTP request from 127.0.0.1" in record.getMessage()
        assert "\n" not in record.getMessage()


@pytest.mark.parametrize(
    "rule",
    [
        {"match": {"side": "inbound"}, "action": {"type": "delay", "seconds": False}},
        {"match": {"side": "inbound"}, "action": {"type": "status", "status": "503"}},
        {"match": {"side": "inbound"}, "action": {"type": "delay", "seconds": 0}, "enabled": "yes"},
        {"match": {"side": "inbound"}, "action": {"type": "delay", "seconds": 0}, "schedule": {"every": 2.0}},
        {"match": {"side": "inbound"}, "action": {"type": "delay", "seconds": 0}, "schedule": {"probability": True}},
    ],
)
async def test_fault_rules_keep_json_types_as_written(sim: Sim, rule: dict[str, Any]) -> None:
    reply = await sim.request("POST", "/admin/faults", rule)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "INVALID_FAULT"
    assert (await sim.request("GET", "/admin/faults")).body["rules"] == []

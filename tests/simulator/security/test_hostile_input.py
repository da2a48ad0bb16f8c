"""Hostile bodies and headers on every route: nesting deep enough to exhaust a recursive parser, repeated keys,
and header numbers that ``str.isdigit`` accepts but ``int`` or float arithmetic does not. Each is refused with the
surface's own 4xx (or its dialect's error status), never a 500."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, urlencode

import pytest

from simulator.dialects import config as dialect_config
from simulator.dialects import hub88, md5_form, rsa_json, token_query
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.http import RouteDoc
from simulator.openapi import iter_routes
from simulator.settings import Settings
from simulator.state import CLOCK, CREDENTIALS
from tests.harness import Reply, Sim, signed_headers

NESTED_ARRAYS = b"[" * 1025 + b"]" * 1025  # 2 KiB, well under the body limit
NESTED_OBJECTS = b'{"amount":100,"params":' + b'{"a":' * 1025 + b"1" + b"}" * 1026
GROOVE_FRB_USER = ("frb@casino.example", "a-back-office-password")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A Groove back-office user, so the FRB API reads the bodies it is sent."""
    return Settings(data_dir=settings.data_dir, port=0, groove_frb_users=dict([GROOVE_FRB_USER]))


def _json_routes(sim: Sim) -> list[tuple[str, str, RouteDoc]]:
    out = []
    for method, path, handler in iter_routes(sim.app):
        doc: RouteDoc | None = getattr(handler, "__route_doc__", None)
        if doc is not None and doc.request is not None and doc.request_content_type == "application/json":
            out.append((method, path, doc))
    return out


async def _send(sim: Sim, method: str, path: str, body: bytes, token: str) -> Reply:
    """``body`` to ``path`` with the credentials the route takes, so the body itself is what gets judged."""
    values = {
        "token": token,
        "round_id": "r-1",
        "player_id": "p-1",
        "rule_id": "x",
        "game_id": "g",
        "campaign_id": "c-1",
        "endpoint_id": "e",
        "version": "1.0",
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    headers = {"Content-Type": "application/json"}
    endpoints = dialect_config.resolve(sim.settings, sim.app[CREDENTIALS])
    if path.startswith("/wallet/rsa_json/"):
        pem = (sim.settings.data_dir / rsa_keys.PRIVATE_FILE).read_bytes()
        headers[rsa_json.KEY_HEADER] = endpoints["rsa_json"].key_id
        headers[rsa_json.SIGNATURE_HEADER] = rsa_keys.RsaSigner(pem).sign(body)
    elif path.startswith("/wallet/hub88/"):
        pem = rsa_keys.key_files(sim.settings.data_dir, hub88.NAME).private_path.read_bytes()
        headers[hub88.SIGNATURE_HEADER] = rsa_keys.RsaSigner(pem).sign(body)
    elif path.startswith("/groove/frb/"):
        headers["Authorization"] = "Bearer " + base64.b64encode(":".join(GROOVE_FRB_USER).encode()).decode()
    elif path.startswith("/wallet/token_query/"):
        path += "?" + urlencode({token_query.TOKEN_PARAM: endpoints["token_query"].secret.decode()})
    elif path.startswith("/wallet/") and path.count("/") == 2 and path != "/wallet/ledger":
        now = int(sim.app[CLOCK].now())
        headers |= signed_headers(sim.app[CREDENTIALS].wallet_secret, body, timestamp=now)
    return await sim.request(method, path, data=body, headers=headers)


def _refused(path: str, reply: Reply) -> None:
    assert reply.status < 500, (path, reply.status, reply.body)
    assert isinstance(reply.body, dict), (path, reply.body)
    if path.startswith(("/wallet/rsa_json/", "/wallet/hub88/")):
        assert reply.body["status"] == "RS_ERROR_WRONG_SYNTAX", (path, reply.body)
    elif path.startswith("/hub88/"):  # Hub88's Games API answers in Hub88's shape
        assert reply.status == 400 and isinstance(reply.body["error"], str), (path, reply.status, reply.body)
    elif path.startswith("/groove/frb/"):  # Groove's FRB API answers in its own shape
        assert (reply.status, reply.body["code"]) == (400, 400), (path, reply.status, reply.body)
    elif path.startswith("/wallet/token_query/"):
        assert reply.body["status"] == "INVALID_PARAMETER", (path, reply.body)
    else:
        assert reply.status == 400, (path, reply.status, reply.body)
        assert reply.body["error"]["code"] in ("INVALID_JSON", "INVALID_REQUEST"), (path, reply.body)


@pytest.fixture
async def token(sim: Sim) -> str:
    player = await sim.create_player(10_000)
    session = await sim.launch(player, await sim.game_for("dice"))
    return str(session["session_token"])


@pytest.mark.skipif(not rsa_keys.available(), reason="the cryptography package is not installed")
@pytest.mark.parametrize("body", [NESTED_ARRAYS, NESTED_OBJECTS], ids=["arrays", "objects"])
async def test_deeply_nested_bodies_are_refused_on_every_json_route(sim: Sim, token: str, body: bytes) -> None:
    routes = _json_routes(sim)
    assert {"/play/{token}/rounds", "/v1/sessions", "/admin/faults", "/wallet/bet", "/sandbox/players"} & {
        p.removeprefix("/wallet") if p.startswith("/wallet/sandbox") else p for _, p, _ in routes
    }
    assert any(p.startswith("/wallet/rsa_json/") for _, p, _ in routes)
    assert any(p.startswith("/wallet/token_query/") for _, p, _ in routes)
    assert any(p.startswith("/wallet/hub88/") for _, p, _ in routes) and any(
        p.startswith("/hub88/") for _, p, _ in routes
    )
    for method, path, _ in routes:
        _refused(path, await _send(sim, method, path, body, token))


@pytest.mark.skipif(not rsa_keys.available(), reason="the cryptography package is not installed")
async def test_a_repeated_key_is_refused_on_every_json_route(sim: Sim, token: str) -> None:
    body = b'{"amount": 1, "amount": 100, "action": "hit", "action": "stand"}'
    for method, path, _ in _json_routes(sim):
        _refused(path, await _send(sim, method, path, body, token))


async def test_a_round_with_a_repeated_amount_moves_no_money(sim: Sim, token: str) -> None:
    body = b'{"amount": 1, "params": {}, "amount": 5000}'
    reply = await _send(sim, "POST", "/play/{token}/rounds", body, token)
    assert reply.status == 400
    assert "'amount' appears twice" in reply.body["error"]["message"]
    fine = await _send(sim, "POST", "/play/{token}/rounds", b'{"amount": 1, "params": {"note": "a:b"}}', token)
    assert fine.status in (200, 400), fine.body  # a colon inside a string only costs the careful parse
    assert fine.body.get("error", {}).get("code") != "INVALID_JSON"


# a superscript two, Arabic-Indic digits, 310 and 5,000 digits (a float overflows; int() refuses past 4,300),
# a space, underscores: all pass str.isdigit or int(), none is a number a client should send
HOSTILE_NUMBERS = ["²", "١٧٠٠٠٠٠٠٠٠", "1" * 310, "9" * 5000, " 1700000000", "1_700_000_000"]


async def test_native_wallet_timestamps_are_ascii_digits_or_a_401(sim: Sim) -> None:
    for stamp in HOSTILE_NUMBERS:
        await _native_with_timestamp(sim, stamp)


async def _native_with_timestamp(sim: Sim, stamp: str) -> None:
    body = json.dumps({"request_id": "r", "player_id": "p", "session_id": "s", "currency": "USD"}).encode()
    headers = signed_headers(sim.app[CREDENTIALS].wallet_secret, body, timestamp=0)
    headers["X-Casino-Sim-Timestamp"] = stamp
    reply = await sim.request("POST", "/wallet/balance", data=body, headers=headers)
    assert reply.status == 401, (stamp[:20], reply.body)
    assert reply.body["error"]["code"] == "INVALID_SIGNATURE"


async def test_md5_form_timestamps_are_ascii_digits_or_its_signature_error(sim: Sim) -> None:
    for stamp in HOSTILE_NUMBERS:
        await _md5_with_timestamp(sim, stamp)


async def _md5_with_timestamp(sim: Sim, stamp: str) -> None:
    endpoint = dialect_config.resolve(sim.settings, sim.app[CREDENTIALS])["md5_form"]
    params = {"providerId": endpoint.key_id, "timestamp": stamp, "userId": "p", "token": "s"}
    params["hash"] = md5_form.digest(params, endpoint.secret)
    reply = await sim.request(
        "POST",
        "/wallet/md5_form/balance",
        data=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 200, (stamp[:20], reply.body)
    assert reply.body["error"] == 5, (stamp[:20], reply.body)  # the dialect's "bad hash or timestamp"


async def test_query_integers_are_ascii_digits_or_a_400(sim: Sim) -> None:
    for path in ["/v1/games?limit={}", "/v1/games/changes?since={}", "/v1/rounds?limit={}", "/admin/journal?limit={}"]:
        for value in HOSTILE_NUMBERS:
            reply = await sim.request("GET", path.format(quote(value)))
            assert reply.status == 400, (path, value[:20], reply.body)
            assert reply.body["error"]["code"] == "INVALID_REQUEST"

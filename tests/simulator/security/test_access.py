"""Who may call what: every route is classified, the admin API (the reference wallet's sandbox and ledger included)
takes the admin token only, the game client needs nothing but its session token, health and the API description
are open, and with ``auth = false`` nothing is asked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.openapi import iter_routes
from simulator.settings import Settings
from tests.fakes.flaky_wallet import running_wallet
from tests.harness import Reply, Sim, authed_session, running_sim

# what each family of routes expects; a new route must fit one of these lines or this test says so
EXPECTED = [
    (r"^/v[12]/", "operator"),
    (r"^/play/", "session"),
    (r"^/wallet/(balance|bet|win|rollback|rsa_json/|md5_form/|token_query/|hub88/|groove)", "signature"),
    (r"^/groove/game/$", "none"),  # Groove signs no launch: the casino's session id, checked by its wallet
    (r"^/(hub88|groove)/", "signature"),  # the real aggregators' operator APIs check their own signatures
    (r"^/(healthz|openapi\.json)$", "none"),
    (r"^/static/\{name\}$", "none"),  # the pages' scripts and styles
    (r"^/rounds/\{round_id\}/\{tag\}(/data|/verify)?$", "none"),  # the tag in the link is the authorisation
    (r"^/admin/$", "none"),  # the dashboard's empty shell; every call it makes needs the admin token
    (r"^/(admin/|metrics$|wallet/sandbox/|wallet/ledger$)", "admin"),
]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def assert_unauthorized(reply: Reply, code: str = "UNAUTHORIZED") -> None:
    assert reply.status == 401, reply.body
    assert reply.body["error"]["code"] == code
    assert reply.body["error"]["message"]


def test_every_route_is_classified_as_its_family_expects(settings: Settings) -> None:
    from simulator.app import create_app

    app = create_app(settings)
    for method, path, handler in iter_routes(app):
        expected = next((access for pattern, access in EXPECTED if re.search(pattern, path)), None)
        assert expected is not None, f"{method} {path} is in no family of EXPECTED"
        assert handler.__route_doc__.auth == expected, f"{method} {path}"


async def test_every_admin_route_refuses_without_the_token(sim: Sim) -> None:
    admin = [(m, concrete(p)) for m, p, h in iter_routes(sim.app) if h.__route_doc__.auth == "admin"]
    assert {"/wallet/sandbox/players", "/wallet/ledger", "/admin/settlement"} <= {p for _, p in admin}
    for method, path in admin:
        body: dict[str, object] | None = {} if method in ("POST", "PATCH") else None
        assert_unauthorized(await sim.request(method, path, body, auth=False))
        wrong = {"Authorization": "Bearer " + "x" * 43}
        assert_unauthorized(await sim.request(method, path, body, headers=wrong, auth=False), "INVALID_TOKEN")


async def test_the_admin_challenge_and_the_operator_signature_are_not_interchangeable(sim: Sim) -> None:
    async with sim.http.get(sim.url + "/wallet/ledger", middlewares=()) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    token = {"Authorization": f"Bearer {sim.keys.admin_token}"}
    assert (await sim.request("GET", "/wallet/ledger", headers=token, auth=False)).status == 200
    assert (await sim.request("GET", "/v1/studios", headers=token, auth=False)).status == 401


async def test_the_standalone_wallet_guards_its_sandbox_and_ledger(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "wallet", port=0)
    async with running_wallet(settings, clock=ManualClock(), keys={"k": b"s"}) as wallet:
        async with authed_session(settings) as http, http.get(f"{wallet.url}/ledger", middlewares=()) as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "UNAUTHORIZED"
        async with authed_session(settings) as http, http.get(f"{wallet.url}/ledger") as response:
            assert response.status == 200


async def test_the_game_client_needs_only_its_session_token(sim: Sim) -> None:
    player = await sim.create_player(10_000)
    session = await sim.launch(player, await sim.game_for("dice"))
    token = session["session_token"]
    for method, path, body in [
        ("GET", f"/play/{token}", None),
        ("GET", f"/play/{token}/session", None),
        ("POST", f"/play/{token}/rounds", {"amount": 100, "params": {"target": "50.50", "direction": "over"}}),
        ("GET", f"/play/{token}/rounds/open", None),
        ("POST", f"/play/{token}/fairness/rotate", {}),
    ]:
        reply = await sim.request(method, path, body, auth=False)
        assert reply.status == 200, (path, reply.body)
    forged = await sim.request("POST", "/play/not-a-session/rounds", {"amount": 100}, auth=False)
    assert forged.status == 404 and forged.body["error"]["code"] != "UNAUTHORIZED"


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json"])
async def test_health_and_the_api_description_are_open(sim: Sim, path: str) -> None:
    assert (await sim.request("GET", path, auth=False)).status == 200


async def test_the_document_declares_how_each_route_is_secured(sim: Sim) -> None:
    document: dict[str, Any] = (await sim.request("GET", "/openapi.json")).body
    assert set(document["components"]["securitySchemes"]) == {"operatorSignature", "adminToken"}
    paths = document["paths"]
    assert paths["/v1/sessions"]["post"]["security"] == [{"operatorSignature": []}]
    assert paths["/wallet/sandbox/players"]["post"]["security"] == [{"adminToken": []}]
    assert paths["/play/{token}/rounds"]["post"]["security"] == []
    assert paths["/healthz"]["get"]["security"] == []


@pytest.fixture
async def open_sim(tmp_path: Path) -> AsyncIterator[Sim]:
    async with running_sim(Settings(data_dir=tmp_path / "data", port=0, auth=False)) as sim:
        yield sim


async def test_with_auth_off_nothing_is_asked(open_sim: Sim) -> None:
    player = (await open_sim.request("POST", "/wallet/sandbox/players", {"currency": "USD", "balance": 500})).body
    assert player["balance"] == 500
    assert (await open_sim.request("GET", "/v1/studios", auth=False)).status == 200
    assert (await open_sim.request("GET", "/admin/settlement", auth=False)).status == 200

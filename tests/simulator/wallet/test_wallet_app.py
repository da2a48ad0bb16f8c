"""The reference wallet over HTTP: sandbox controls, bonus grants, refusals on the wire, the ledger export."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.dialects.call import Operation, WalletCall
from simulator.dialects.native import NativeDialect
from simulator.settings import Settings
from simulator.wallet.records import EXPORT_COLUMNS
from tests.fakes.flaky_wallet import WalletServer, running_wallet

KEYS = {"k": b"secret"}
_n = itertools.count(1)


class Client:
    def __init__(self, server: WalletServer, http: aiohttp.ClientSession, clock: ManualClock) -> None:
        self.url = server.url
        self.http = http
        self.dialect = NativeDialect(server.url, "k", KEYS["k"], clock)

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, str]]:
        async with self.http.request(method, self.url + path, json=body) as response:
            text = await response.text()
            data = await response.json(content_type=None) if response.content_type == "application/json" else text
            return response.status, data, dict(response.headers)

    async def player(self, balance: int = 1_000) -> dict[str, Any]:
        status, body, _ = await self.call("POST", "/sandbox/players", {"currency": "USD", "balance": balance})
        assert status == 201, body
        player: dict[str, Any] = body
        return player

    async def protocol(
        self, operation: Operation, player: dict[str, Any], amount: int, **fields: Any
    ) -> tuple[int, Any]:
        call = WalletCall(
            operation,
            player["player_id"],
            player["token"],
            "USD",
            transaction_id=f"tx-{next(_n)}",
            round_id=f"r-{next(_n)}",
            game_id="g",
            studio_id="s",
            amount=amount,
            **fields,
        )
        request = self.dialect.build(call)
        async with self.http.post(request.url, data=request.body, headers=request.headers) as response:
            return response.status, await response.json()


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    clock = ManualClock()
    settings = Settings(data_dir=tmp_path / "data", port=0)
    async with running_wallet(settings, clock=clock, keys=KEYS) as server, aiohttp.ClientSession() as http:
        yield Client(server, http, clock)


async def test_player_controls_are_set_and_removed_through_the_sandbox(client: Client) -> None:
    player = await client.player(1_000)
    pid = player["player_id"]
    status, state, _ = await client.call("PATCH", f"/sandbox/players/{pid}", {"daily_wager_limit": 150})
    assert status == 200 and (state["daily_wager_limit"], state["daily_loss_limit"]) == (150, None)
    assert (await client.protocol("bet", player, 100))[0] == 200
    status, refusal = await client.protocol("bet", player, 100)
    assert status == 403 and refusal["error"]["code"] == "LIMIT_EXCEEDED" and refusal["balance"] == 900
    status, state, _ = await client.call("PATCH", f"/sandbox/players/{pid}", {"blocked": True})
    assert state["blocked"] is True and state["daily_wager_limit"] == 150  # fields not sent stay
    assert (await client.protocol("bet", player, 10))[1]["error"]["code"] == "PLAYER_BLOCKED"
    status, state, _ = await client.call(
        "PATCH", f"/sandbox/players/{pid}", {"blocked": False, "daily_wager_limit": None}
    )
    assert state["daily_wager_limit"] is None and (await client.protocol("bet", player, 100))[0] == 200
    assert state["today"]["wagered"] == 100


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        pytest.param("/sandbox/players/nobody", {"blocked": True}, 404, "NOT_FOUND", id="unknown-player"),
        pytest.param("/sandbox/players/{pid}", {"daily_loss_limit": -1}, 400, "INVALID_REQUEST", id="negative"),
        pytest.param("/sandbox/players/{pid}", {"daily_loss_limit": "10"}, 400, "INVALID_REQUEST", id="string"),
        pytest.param("/sandbox/players/{pid}", {"limit": 10}, 400, "INVALID_REQUEST", id="unknown-field"),
    ],
)
async def test_bad_controls_are_4xx(client: Client, path: str, body: Any, status: int, code: str) -> None:
    player = await client.player()
    got, reply, _ = await client.call("PATCH", path.format(pid=player["player_id"]), body)
    assert (got, reply["error"]["code"]) == (status, code)


async def test_bonus_grants_are_idempotent_and_validated(client: Client) -> None:
    player = await client.player(1_000)
    path = f"/sandbox/players/{player['player_id']}/bonus"
    grant = {"amount": 500, "free_rounds": 3, "campaign_id": "welcome", "transaction_id": "grant-1"}
    status, first, _ = await client.call("POST", path, grant)
    assert status == 200 and first["applied"] is True
    assert (first["player"]["bonus_balance"], first["player"]["free_rounds"]) == (500, {"welcome": 3})
    status, again, _ = await client.call("POST", path, grant)
    assert again["applied"] is False and again["player"]["bonus_balance"] == 500
    for bad in ({}, {"free_rounds": 2}, {"amount": -5}, {"amount": 1.5}):
        status, reply, _ = await client.call("POST", path, bad)
        assert status == 400 and reply["error"]["code"] == "INVALID_REQUEST", bad
    status, bet = await client.protocol("bet", player, 100, bonus={"campaign_id": "welcome"})
    assert status == 200 and (bet["balance"], bet["bonus_balance"]) == (1_000, 500)


async def test_a_token_issued_with_ttl_zero_is_already_expired(client: Client) -> None:
    player = await client.player(1_000)
    status, issued, _ = await client.call("POST", f"/sandbox/players/{player['player_id']}/tokens", {"ttl": 0})
    assert status == 201
    status, refusal = await client.protocol("bet", player | {"token": issued["token"]}, 100)
    assert (status, refusal["error"]["code"]) == (401, "SESSION_EXPIRED")


async def test_the_export_is_complete_in_json_and_csv(client: Client) -> None:
    player = await client.player(1_000)
    await client.protocol("bet", player, 100)
    status, page, _ = await client.call("GET", "/ledger?limit=1")
    assert status == 200 and page["next_after"] == 1 and page["entries"][0]["kind"] == "deposit"
    assert set(page["entries"][0]) == set(EXPORT_COLUMNS)
    status, text, headers = await client.call("GET", "/ledger?format=csv&after=1")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert headers["X-Next-After"] == "2" and [r["kind"] for r in rows] == ["bet"]
    assert rows[0]["round_closed"] == "false" and rows[0]["campaign_id"] == "" and rows[0]["amount"] == "100"
    status, empty, headers = await client.call("GET", "/ledger?format=csv&after=99")
    assert empty.splitlines() == [",".join(EXPORT_COLUMNS)] and headers["X-Next-After"] == "99"


@pytest.mark.parametrize("query", ["format=xml", "limit=0", "limit=10001", "after=-1", "after=x", "kind=refund"])
async def test_bad_export_queries_are_4xx(client: Client, query: str) -> None:
    status, reply, _ = await client.call("GET", f"/ledger?{query}")
    assert status == 400 and reply["error"]["code"] == "INVALID_REQUEST"


def test_every_wallet_route_is_documented(tmp_path: Path) -> None:
    from simulator import __version__
    from simulator.ids import RandomIds
    from simulator.openapi import build_openapi
    from simulator.wallet.app import create_wallet_app

    app = create_wallet_app(Settings(data_dir=tmp_path), clock=ManualClock(), ids=RandomIds(), keys=KEYS)
    document, undocumented = build_openapi(app, title="wallet", version=__version__)
    assert undocumented == []
    assert "patch" in document["paths"]["/sandbox/players/{player_id}"]

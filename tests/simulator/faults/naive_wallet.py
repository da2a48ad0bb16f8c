"""A wallet with the classic integration bugs, as a real server on port 0: it applies every request it receives (no
idempotency on transaction ids) and refunds any rollback, even of a bet it never took. Scenarios must catch it."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from simulator.commands.serve import bind


class NaiveWallet:
    def __init__(self) -> None:
        self.balances: dict[str, int] = {}
        self.entries: list[dict[str, Any]] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/sandbox/players", self._create)
        app.router.add_get("/sandbox/players/{player_id}", self._player)
        app.router.add_get("/ledger", self._ledger)
        app.router.add_post("/{operation}", self._operation)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = bind("127.0.0.1", 0)
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def assert_request_made(self, operation: str) -> None:
        assert any(op == operation for op, _ in self.requests), f"no {operation} request reached the wallet"

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.balances[body["player_id"]] = body["balance"]
        player = {"player_id": body["player_id"], "currency": body["currency"], "balance": body["balance"]}
        return web.json_response(player | {"token": f"t-{body['player_id']}", "blocked": False}, status=201)

    async def _player(self, request: web.Request) -> web.Response:
        player_id = request.match_info["player_id"]
        return web.json_response({"player_id": player_id, "currency": "USD", "balance": self.balances[player_id]})

    async def _ledger(self, request: web.Request) -> web.Response:
        after = int(request.query.get("after", "0"))
        page = [e for e in self.entries if e["seq"] > after]
        return web.json_response({"entries": page, "next_after": page[-1]["seq"] if page else after})

    async def _operation(self, request: web.Request) -> web.Response:
        operation = request.match_info["operation"]
        body = json.loads(await request.read())
        self.requests.append((operation, body))
        player = body["player_id"]
        amount = int(body.get("amount", 0))
        if operation == "bet":
            self.balances[player] -= amount
        elif operation in ("win", "rollback"):
            self.balances[player] += amount
        if operation != "balance":
            self.entries.append(
                {
                    "seq": len(self.entries) + 1,
                    "transaction_id": body["transaction_id"],
                    "kind": operation,
                    "player_id": player,
                    "round_id": body["round_id"],
                    "currency": body["currency"],
                    "amount": amount,
                    "reference_transaction_id": body.get("reference_transaction_id"),
                }
            )
        reply = {"balance": self.balances[player], "currency": body["currency"], "request_id": body["request_id"]}
        return web.json_response(reply | {"transaction_id": body.get("transaction_id")})

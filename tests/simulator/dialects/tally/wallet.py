"""The reference wallet's side of ``tally``: check the MAC, translate to a ledger operation, answer."""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web

from simulator.dialects.wallet_common import LedgerOp, apply, bound, native_code
from simulator.errors import SimulatorError
from simulator.http import RouteDoc, documented, json_response
from simulator.state import LEDGER
from tests.simulator.dialects import tally


class TallyEndpoints:
    def __init__(self, secrets: dict[str, bytes]) -> None:
        self._secrets = secrets

    async def handle(self, request: web.Request, op: LedgerOp) -> web.Response:
        body = await request.read()
        secret = self._secrets.get(request.headers.get(tally.KEY_HEADER, ""))
        given = request.headers.get(tally.MAC_HEADER, "").encode("utf-8", "replace")
        if secret is None or not hmac.compare_digest(tally.mac(secret, body).encode(), given):
            return json_response({"status": "INVALID_SIGNATURE"})
        data = json.loads(body)
        fields: dict[str, Any] = {
            "request_id": f"{op}:{data.get('tx', data['session'])}",
            "player_id": data["player"],
            "session_id": data["session"],
            "currency": data["currency"],
        }
        if op != "balance":
            fields |= {
                "transaction_id": data["tx"],
                "round_id": data["round"],
                "game_id": data["game"],
                "amount": data["amount"],
                "round_closed": data["closes"],
                "reference_transaction_id": data.get("of"),
            }
        try:
            result = await apply(request.app[LEDGER], op, fields)
        except SimulatorError as exc:
            balance = exc.extra.get("balance")
            refusal = {"status": native_code(exc), "message": exc.message}
            return json_response(refusal | ({"balance": balance} if isinstance(balance, int) else {}))
        return json_response({"status": tally.OK, "balance": result["balance"], "currency": result["currency"]})


def add_routes(app: web.Application, endpoints: TallyEndpoints, prefix: str) -> None:
    for op in ("balance", "bet", "win", "rollback"):
        doc = RouteDoc(f"tally dialect (tests only): {op}.", "wallet dialects", auth="signature")
        app.router.add_post(f"{prefix}/{op}", documented(doc)(bound(endpoints.handle, op)))

"""Reference-wallet endpoint of the ``groove`` dialect: the one GET endpoint a casino exposes to Groove, the
``request`` parameter naming the call (getaccount, getbalance, wager, result, rollback), over the one ledger.

Every reply is HTTP 200 with a numeric ``code`` and a ``status`` text. A signature that does not verify
(``X-Groove-Signature``) is ``1003`` and changes nothing. Groove's calls carry no currency: the player's account
currency is used. A result names no wager, so the wallet settles the round's first bet; a rollback names the
wager's ``transactionid`` and is booked under an id derived from it (``rollback_ledger_id``). A repeated
transaction gets the original result, its ``status`` saying "Success - duplicate request".
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from simulator.dialects import groove as wire
from simulator.dialects.amounts import from_decimal, to_decimal
from simulator.dialects.wallet_common import LedgerOp, apply, native_code, refusal_balance, route_doc
from simulator.errors import SimulatorError, WalletProtocolError
from simulator.http import QueryParam, documented
from simulator.state import LEDGER
from simulator.store.database import Tx
from simulator.wallet.records import entry, lock_player

MAX_ID = 255
COMMON = ("accountid", "gamesessionid", "device", "apiversion")
NEEDED = {
    "getaccount": COMMON,
    "getbalance": (*COMMON, "gameid"),
    "wager": (*COMMON, "gameid", "betamount", "roundid", "transactionid"),
    "result": (*COMMON, "gameid", "result", "roundid", "transactionid", "gamestatus"),
    "rollback": (*COMMON, "gameid", "roundid", "transactionid"),
}
OPS: dict[str, LedgerOp] = {
    "getaccount": "balance",
    "getbalance": "balance",
    "wager": "bet",
    "result": "win",
    "rollback": "rollback",
}


class GrooveReply(BaseModel):
    code: int = Field(description="200 on success, else Groove's numeric code.")
    status: str
    apiversion: str | None = None
    balance: float | None = Field(None, description="Decimal number: real plus bonus money.")
    real_balance: float | None = None
    bonus_balance: float | None = None
    accounttransactionid: str | None = None
    walletTx: str | None = None


def _reply(code: int, status: str | None = None, **fields: Any) -> dict[str, Any]:
    out = {"code": code, "status": status or wire.STATUS_TEXT[code], "apiversion": wire.API_VERSION}
    return out | {k: v for k, v in fields.items() if v is not None}


def _balances(result: dict[str, Any], currency: str) -> dict[str, Any]:
    cash, bonus = int(result["balance"]), int(result.get("bonus_balance") or 0)
    return {
        "balance": to_decimal(cash + bonus, currency),
        "real_balance": to_decimal(cash, currency),
        "bonus_balance": to_decimal(bonus, currency),
    }


MONEY = frozenset(
    {"balance", "real_balance", "bonus_balance", "realmoneybet", "bonusmoneybet", "realMoneyWin", "bonusWin"}
)
_NUMBER = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?)"')  # the marker as json.dumps escapes it


def reply_json(fields: dict[str, Any]) -> bytes:
    """JSON with every amount written as an exact decimal number (``1.50``), as Groove's replies carry them."""
    marked = {k: f"\u0000{v}" if k in MONEY else v for k, v in fields.items()}
    return _NUMBER.sub(r"\1", json.dumps(marked, separators=(",", ":"))).encode()


class GrooveEndpoint:
    def __init__(self, key: bytes) -> None:
        self._key = key

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(body=reply_json(await self._answer(request)), content_type="application/json")

    async def _answer(self, request: web.Request) -> dict[str, Any]:
        query = request.query
        if any(len(query.getall(k)) > 1 for k in query):
            return _reply(110, "a parameter is repeated")
        params = {k: query[k] for k in query}
        given = request.headers.get(wire.SIGNATURE_HEADER, "")
        if not given or not wire.signature_valid(params, self._key, given):
            return _reply(1003)
        name = params.get("request", "").lower()
        needed = NEEDED.get(name)
        if needed is None:
            return _reply(110, f"request {params.get('request')!r} is not served here")
        missing = [k for k in needed if not params.get(k)]
        if missing or any(len(v) > MAX_ID for v in params.values()):
            return _reply(110, f"missing or too long: {', '.join(missing) or 'a parameter'}")
        if name == "result" and params["gamestatus"] not in ("completed", "pending"):
            return _reply(110, "gamestatus must be completed or pending")
        ledger = request.app[LEDGER]
        async with ledger.db.transaction() as tx:
            try:
                currency = (await lock_player(tx, params["accountid"], for_update=False)).currency
            except SimulatorError:
                return _reply(1000 if name in ("getaccount", "getbalance", "wager") else 110, "unknown account")
            existed, reference = await self._lookups(tx, name, params)
        fields: dict[str, Any] = {
            "request_id": params.get("transactionid") or params["gamesessionid"],
            "player_id": params["accountid"],
            "session_id": params["gamesessionid"],
            "currency": currency,
        }
        try:
            fields |= self._operation(name, params, currency, reference)
            result = await apply(ledger, OPS[name], fields)
        except WalletProtocolError:
            return _reply(110, "an amount is not a decimal of the account's currency")
        except SimulatorError as exc:
            native = native_code(exc)
            code = 110 if name == "rollback" and native == "ROUND_CLOSED" else wire.FROM_NATIVE[native]
            balance = refusal_balance(exc)
            return _reply(code, balance=None if balance is None else to_decimal(balance, currency))
        status = "Success - duplicate request" if existed else None
        out = _reply(200, status, **_balances(result, currency))
        if name == "getaccount":
            return out | {
                "accountid": params["accountid"],
                "gamesessionid": params["gamesessionid"],
                "currency": currency,
                "city": "",
                "country": "",
            }
        txid = str(result.get("transaction_id") or "")
        if name == "result":
            return out | {"walletTx": txid, "realMoneyWin": params["result"], "bonusWin": to_decimal(0, currency)}
        if name == "wager":
            return out | {
                "accounttransactionid": txid,
                "realmoneybet": params["betamount"],
                "bonusmoneybet": to_decimal(0, currency),
            }
        return out | ({"accounttransactionid": txid} if name == "rollback" else {})

    async def _lookups(self, tx: Tx, name: str, params: dict[str, str]) -> tuple[bool, str | None]:
        """Whether the transaction was booked before, and the bet a result settles (the round's first)."""
        if name in ("getaccount", "getbalance"):
            return False, None
        booked = params["transactionid"] if name != "rollback" else wire.rollback_ledger_id(params["transactionid"])
        existed = await entry(tx, booked) is not None
        if name != "result":
            return existed, None
        row = await tx.fetchone(
            "SELECT transaction_id FROM entries WHERE round_id = ? AND player_id = ? AND kind = 'bet' ORDER BY seq",
            params["roundid"],
            params["accountid"],
        )
        return existed, None if row is None else str(row["transaction_id"])

    @staticmethod
    def _operation(name: str, params: dict[str, str], currency: str, reference: str | None) -> dict[str, Any]:
        if name in ("getaccount", "getbalance"):
            return {}
        common: dict[str, Any] = {"round_id": params["roundid"], "game_id": params["gameid"]}
        if params.get("frbid"):
            common["bonus"] = {"campaign_id": params["frbid"]}
        if name == "wager":
            return common | {
                "transaction_id": params["transactionid"],
                "amount": from_decimal(params["betamount"], currency),
            }
        if name == "result":
            return common | {
                "transaction_id": params["transactionid"],
                "amount": from_decimal(params["result"], currency),
                "round_closed": params["gamestatus"] == "completed",
                "reference_transaction_id": reference,
            }
        amount = params.get("rollbackamount")
        return common | {
            "transaction_id": wire.rollback_ledger_id(params["transactionid"]),
            "reference_transaction_id": params["transactionid"],
            "amount": from_decimal(amount, currency) if amount else 0,
        }


QUERY: tuple[QueryParam, ...] = tuple(
    (name, text)
    for name, text in (
        ("request", "getaccount, getbalance, wager, result or rollback"),
        ("accountid", "the player"),
        ("gamesessionid", "the casino's session id given at launch"),
        ("device", "desktop or mobile"),
        ("gameid", "the game"),
        ("apiversion", "1.2"),
        ("betamount", "wager: decimal"),
        ("result", "result: decimal win, 0 for a loss"),
        ("gamestatus", "result: completed or pending"),
        ("rollbackamount", "rollback: decimal"),
        ("roundid", "the round"),
        ("transactionid", "the transaction (a rollback: the wager's)"),
        ("frbid", "a free-round bonus id"),
    )
)


def add_routes(app: web.Application, endpoint: GrooveEndpoint, prefix: str = "/groove") -> None:
    doc = route_doc(
        "groove dialect: Groove's Transaction API as a casino serves it; one GET, the call named by `request`,"
        " signed in X-Groove-Signature; decimal amounts; HTTP 200 with a numeric code",
        wire.CODES,
        response=GrooveReply,
        query=QUERY,
    )

    async def handler(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    app.router.add_get(prefix, documented(doc)(handler))

"""A casino's side of a Groove integration, written from Groove's public casino documentation only.

It serves the one Transaction API endpoint Groove calls (a GET whose ``request`` parameter names the call:
getaccount, getbalance, wager, result, rollback), checks ``X-Groove-Signature`` (HMAC-SHA256 with the security
key over the parameter values in name order, ``request`` left out), keeps money as exact decimals, answers
with Groove's numeric codes, launches games through Groove's Start Game URL, and grants, reads and cancels free
round bonuses through Groove's FRB API (a back-office user's Bearer token). A wager carrying an ``frbid`` is a
free round the casino granted: it debits nothing. It imports nothing from the simulator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp
from aiohttp import web

SIGNATURE = "X-Groove-Signature"
MONEY = ("balance", "real_balance", "bonus_balance", "realmoneybet", "bonusmoneybet", "realMoneyWin", "bonusWin")


def sign(params: dict[str, str], key: bytes) -> str:
    names = sorted((k for k in params if k != "request"), key=lambda k: "gameid" if k == "nogsgameid" else k)
    return hmac.new(key, "".join(params[k] for k in names).encode(), hashlib.sha256).hexdigest()


def dumps(reply: dict[str, Any]) -> str:
    """JSON with the amounts as plain decimal numbers (never through a float)."""
    marked = {k: f"@@{v}@@" if k in MONEY and v is not None else v for k, v in reply.items()}
    return re.sub(r'"@@(-?[0-9.]+)@@"', r"\1", json.dumps(marked))


@dataclass
class Account:
    currency: str
    balance: Decimal
    sessions: set[str] = field(default_factory=set)
    blocked: bool = False


@dataclass
class Entry:
    transactionid: str
    kind: str  # wager, result, rollback
    accountid: str
    roundid: str
    amount: Decimal
    params: dict[str, str]


class GrooveCasino:
    def __init__(self, key: bytes, operator_id: str, back_office: tuple[str, str] = ("", "")) -> None:
        self.key = key
        self.operator_id = operator_id
        self.back_office = back_office  # (email, password) of the casino's Groove back-office user
        self.bonuses: dict[str, dict[str, Any]] = {}  # templateId: the grant as Groove answered it
        self.accounts: dict[str, Account] = {}
        self.ledger: dict[tuple[str, str], Entry] = {}  # (kind, transactionid)
        self.closed_rounds: set[str] = set()
        self.calls: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/groove", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/groove"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def start_game(
        self, http: aiohttp.ClientSession, groove_url: str, accountid: str, game: str, *, country: str
    ) -> tuple[int, str]:
        """Groove's Start Game: the URL the player is sent to (the redirect's Location), or the error body."""
        account = self.accounts[accountid]
        session = f"{self.operator_id}_{accountid}-{len(account.sessions) + 1}"
        account.sessions.add(session)
        params = {
            "accountid": accountid,
            "country": country,
            "nogsgameid": game,
            "nogslang": "en_US",
            "nogsmode": "real",
            "nogsoperatorid": self.operator_id,
            "nogscurrency": account.currency,
            "sessionid": session,
            "homeurl": "https://casino.example",
            "device_type": "desktop",
            "license": "Malta",
            "is_test_account": "false",
        }
        async with http.get(groove_url + "/game/", params=params, allow_redirects=False) as response:
            if response.status in (301, 302):
                return response.status, response.headers["Location"]
            return response.status, await response.text()

    # the FRB API, as the casino calls it

    def _bearer(self) -> dict[str, str]:
        token = base64.b64encode(":".join(self.back_office).encode()).decode()
        return {"Authorization": f"Bearer {token}"}

    async def grant_frb(self, http: aiohttp.ClientSession, groove_url: str, body: dict[str, Any]) -> tuple[int, Any]:
        """Create a template and grant it to one player at once; the granted templateId is the wagers' frbid."""
        url = groove_url + "/frb/create/1.0/template-and-grant"
        async with http.post(url, json=body, headers=self._bearer()) as response:
            reply = await response.json()
        if response.status == 200:
            for awarded in reply["succeeded_frb_awarded"]:
                self.bonuses[awarded["templateId"]] = awarded
        return response.status, reply

    async def frb(
        self, http: aiohttp.ClientSession, groove_url: str, template_id: str, player_id: str, *, cancel: bool = False
    ) -> tuple[int, Any]:
        params = {"operator_id": self.operator_id, "template_id": template_id, "player_id": player_id}
        method = "DELETE" if cancel else "GET"
        async with http.request(method, groove_url + "/frb/1.0/bonus", params=params, headers=self._bearer()) as r:
            return r.status, await r.json()

    # the Transaction API

    async def _serve(self, request: web.Request) -> web.Response:
        params = {k: request.query[k] for k in request.query}
        if not hmac.compare_digest(sign(params, self.key), request.headers.get(SIGNATURE, "")):
            reply = self._code(1003, "Authentication failed")
        else:
            reply = self._handle(params)
        self.calls.append((params, reply))
        return web.Response(text=dumps(reply), content_type="application/json")

    def _code(self, code: int, status: str, account: Account | None = None) -> dict[str, Any]:
        reply: dict[str, Any] = {"code": code, "status": status, "apiversion": "1.2"}
        if account is not None:
            reply |= {"balance": account.balance, "real_balance": account.balance, "bonus_balance": Decimal(0)}
        return reply

    def _handle(self, p: dict[str, str]) -> dict[str, Any]:
        account = self.accounts.get(p.get("accountid", ""))
        name = p.get("request")
        if account is None:
            return self._code(1000 if name in ("getaccount", "getbalance", "wager") else 110, "Operation not allowed")
        logged_on = p.get("gamesessionid") in account.sessions
        if name == "getaccount":
            if not logged_on:
                return self._code(1000, "Not logged on")
            return self._code(200, "Success", account) | {
                "accountid": p["accountid"],
                "city": "Tallinn",
                "country": "EE",
                "currency": account.currency,
                "gamesessionid": p["gamesessionid"],
            }
        if name == "getbalance":
            return self._code(200, "Success", account) if logged_on else self._code(1000, "Not logged on")
        if name == "wager":
            return self._wager(p, account, logged_on)
        if name == "result":
            return self._result(p, account)  # a result is taken even after the session expired
        if name == "rollback":
            return self._rollback(p, account)
        return self._code(110, "Operation not allowed")

    def _amount(self, value: str | None) -> Decimal | None:
        try:
            amount = Decimal(value or "")
        except InvalidOperation:
            return None
        return amount if amount.is_finite() and amount >= 0 else None

    def _repeat(self, kind: str, p: dict[str, str], amount_field: str, account: Account) -> dict[str, Any] | None:
        entry = self.ledger.get((kind, p["transactionid"]))
        if entry is None:
            return None
        essential = ("accountid", "roundid", amount_field)
        if any(entry.params.get(k) != p.get(k) for k in essential):
            return self._code(400, "Transaction parameter mismatch")
        return self._code(200, "Success - duplicate request", account) | {"accounttransactionid": entry.transactionid}

    def _wager(self, p: dict[str, str], account: Account, logged_on: bool) -> dict[str, Any]:
        if not logged_on:
            return self._code(1000, "Not logged on")
        amount = self._amount(p.get("betamount"))
        if amount is None:
            return self._code(110, "Operation not allowed")
        if (repeated := self._repeat("wager", p, "betamount", account)) is not None:
            return repeated
        if ("rollback", p["transactionid"]) in self.ledger or p["roundid"] in self.closed_rounds:
            return self._code(409, "Round closed or transaction ID exists")
        if account.blocked:
            return self._code(1035, "Account blocked")
        free = "frbid" in p
        if free and p["frbid"] not in self.bonuses:
            return self._code(110, "Operation not allowed")
        if not free and amount > account.balance:
            return self._code(1006, "Out of money", account)
        if not free:  # a free round's stake is the bonus's, not the player's
            account.balance -= amount
        self.ledger[("wager", p["transactionid"])] = Entry(
            p["transactionid"], "wager", p["accountid"], p["roundid"], amount, p
        )
        return self._code(200, "Success", account) | {
            "accounttransactionid": p["transactionid"],
            "realmoneybet": amount,
            "bonusmoneybet": Decimal(0),
        }

    def _result(self, p: dict[str, str], account: Account) -> dict[str, Any]:
        amount = self._amount(p.get("result"))
        if amount is None:
            return self._code(110, "Operation not allowed")
        if (repeated := self._repeat("result", p, "result", account)) is not None:
            return repeated
        if p["roundid"] in self.closed_rounds:
            return self._code(409, "Round closed or transaction ID exists")
        account.balance += amount
        self.ledger[("result", p["transactionid"])] = Entry(
            p["transactionid"], "result", p["accountid"], p["roundid"], amount, p
        )
        if p.get("gamestatus") == "completed":
            self.closed_rounds.add(p["roundid"])
        return self._code(200, "Success", account) | {
            "walletTx": p["transactionid"],
            "realMoneyWin": amount,
            "bonusWin": Decimal(0),
        }

    def _rollback(self, p: dict[str, str], account: Account) -> dict[str, Any]:
        if (repeated := self._repeat("rollback", p, "rollbackamount", account)) is not None:
            return repeated
        wager = self.ledger.get(("wager", p["transactionid"]))
        if wager is None:
            return self._code(102, "Wager not found")
        if any(e.kind == "result" and e.roundid == wager.roundid for e in self.ledger.values()):
            return self._code(110, "Operation not allowed")
        account.balance += wager.amount
        self.ledger[("rollback", p["transactionid"])] = Entry(
            p["transactionid"], "rollback", p["accountid"], p["roundid"], wager.amount, p
        )
        return self._code(200, "Success", account) | {"accounttransactionid": p["transactionid"]}

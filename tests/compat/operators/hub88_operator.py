"""An operator's side of a Hub88 integration, written from Hub88's public operator documentation only.

It serves the seamless-wallet endpoints Hub88 calls (user info, balance, bet, win, rollback), checks every
call's ``X-Hub88-Signature`` against Hub88's public key, keeps balances as integers of 1/100000 of the
currency's unit, and calls the Games API (game list, game URL) and the Freebets API (prepaids, rewards) with
requests signed by its own private key. A bet flagged ``is_free`` is the player's reward, not their money: it
debits nothing, and its ``reward_uuid`` must be a reward the operator created. It imports nothing from the
simulator.
"""

from __future__ import annotations

import base64
import binascii
import json
import socket
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE = "X-Hub88-Signature"


def sign(private_key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(private_key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(public_key: rsa.RSAPublicKey, body: bytes, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


@dataclass
class Account:
    currency: str
    balance: int  # 1/100000 of the currency's unit
    tokens: set[str] = field(default_factory=set)
    disabled: bool = False


@dataclass
class Entry:
    transaction_uuid: str
    kind: str  # bet, win, rollback
    user: str
    round: str
    amount: int  # 1/100000 units; a rollback's is what it gave back
    currency: str
    reference: str | None
    content: dict[str, Any]
    reply: dict[str, Any]


class Hub88Operator:
    """The wallet endpoints at ``url`` and a Games API client for ``api_url`` (Hub88's base URL)."""

    def __init__(self, hub88_public_pem: bytes, private_key: rsa.RSAPrivateKey, operator_id: int) -> None:
        loaded = serialization.load_pem_public_key(hub88_public_pem)
        assert isinstance(loaded, rsa.RSAPublicKey)
        self.hub88_key = loaded
        self.private_key = private_key
        self.operator_id = operator_id
        self.accounts: dict[str, Account] = {}
        self.ledger: dict[str, Entry] = {}
        self.rolled_back: set[str] = set()  # bets that a rollback reached, taken or not
        self.disabled_games: set[str] = set()
        self.rewards: dict[str, dict[str, Any]] = {}  # reward_uuid: the reward as Hub88 answered its creation
        self.calls: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []  # path, body, reply
        self._seen_requests: dict[str, tuple[str, dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    # running

    async def start(self) -> None:
        app = web.Application()
        for path, handler in {
            "/user/info": self._info,
            "/user/balance": self._balance,
            "/transaction/bet": self._bet,
            "/transaction/win": self._win,
            "/transaction/rollback": self._rollback,
        }.items():
            app.router.add_post(path, self._wrapped(path, handler))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # the Games API, as the operator calls it

    async def _call(self, http: aiohttp.ClientSession, api_url: str, path: str, body: dict[str, Any]) -> Any:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", SIGNATURE: sign(self.private_key, raw)}
        async with http.post(api_url + "/operator/generic/v2" + path, data=raw, headers=headers) as response:
            return response.status, await response.json()

    async def game_list(self, http: aiohttp.ClientSession, api_url: str) -> tuple[int, Any]:
        status, games = await self._call(http, api_url, "/game/list", {"operator_id": self.operator_id})
        return status, games

    async def game_url(
        self, http: aiohttp.ClientSession, api_url: str, user: str, game_code: str, *, country: str, demo: bool = False
    ) -> tuple[int, Any]:
        account = self.accounts[user]
        token = f"session-{user}-{len(account.tokens) + 1:04d}"
        body: dict[str, Any] = {
            "operator_id": self.operator_id,
            "platform": "GPL_DESKTOP",
            "game_code": game_code,
            "currency": "XXX" if demo else account.currency,
            "lang": "en",
            "country": country,
            "lobby_url": "https://casino.example/lobby",
        }
        if not demo:
            account.tokens.add(token)
            body |= {"user": user, "token": token}
        status, reply = await self._call(http, api_url, "/game/url", body)
        return status, reply

    # the Freebets API

    async def prepaids(self, http: aiohttp.ClientSession, api_url: str, **filters: Any) -> tuple[int, Any]:
        status, reply = await self._call(
            http, api_url, "/freebet/prepaids/list", {"operator_id": self.operator_id} | filters
        )
        return status, reply

    async def create_reward(self, http: aiohttp.ClientSession, api_url: str, **fields: Any) -> tuple[int, Any]:
        status, reply = await self._call(
            http, api_url, "/freebet/rewards/create", {"operator_id": self.operator_id} | fields
        )
        if status == 200:
            self.rewards[reply["reward_uuid"]] = reply
        return status, reply

    async def rewards_list(self, http: aiohttp.ClientSession, api_url: str, **filters: Any) -> tuple[int, Any]:
        status, reply = await self._call(
            http, api_url, "/freebet/rewards/list", {"operator_id": self.operator_id} | filters
        )
        return status, reply

    async def cancel_reward(self, http: aiohttp.ClientSession, api_url: str, reward_uuid: str) -> tuple[int, Any]:
        body = {"operator_id": self.operator_id, "reward_uuid": reward_uuid}
        status, reply = await self._call(http, api_url, "/freebet/rewards/cancel", body)
        return status, reply

    # the wallet

    def _wrapped(self, path: str, handler: Any) -> Any:
        async def serve(request: web.Request) -> web.Response:
            raw = await request.read()
            body: dict[str, Any] | None = None
            if not verify(self.hub88_key, raw, request.headers.get(SIGNATURE, "")):
                reply: dict[str, Any] = {"status": "RS_ERROR_INVALID_SIGNATURE"}
            else:
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = None
                if not isinstance(parsed, dict):
                    reply = {"status": "RS_ERROR_WRONG_SYNTAX"}
                else:
                    body = parsed
                    reply = self._once(path, body, handler)
            self.calls.append((path, body, reply))
            return web.json_response(reply)  # always HTTP 200: the outcome is the status field

        return serve

    def _once(self, path: str, body: dict[str, Any], handler: Any) -> dict[str, Any]:
        """A request_uuid answered before gets the same answer (balance enquiries are always answered anew)."""
        request_uuid = body.get("request_uuid")
        if not isinstance(request_uuid, str):
            return {"status": "RS_ERROR_WRONG_TYPES"}
        seen = self._seen_requests.get(request_uuid)
        if seen is not None and path != "/user/balance":
            if seen[0] != json.dumps(body, sort_keys=True):
                return {"status": "RS_ERROR_DUPLICATE_TRANSACTION", "request_uuid": request_uuid}
            return self.calls_reply(request_uuid)
        reply: dict[str, Any] = handler(body) | {"request_uuid": request_uuid}
        if reply["status"] != "RS_ERROR_UNKNOWN":
            self._seen_requests[request_uuid] = (json.dumps(body, sort_keys=True), reply)
        return reply

    def calls_reply(self, request_uuid: str) -> dict[str, Any]:
        return self._seen_requests[request_uuid][1]

    def _account(self, body: dict[str, Any], *, token_needed: bool) -> Account | dict[str, Any]:
        account = self.accounts.get(body.get("user"))  # type: ignore[arg-type]
        if account is None:
            return {"status": "RS_ERROR_INVALID_TOKEN"}
        if token_needed and body.get("token") not in account.tokens:
            return {"status": "RS_ERROR_INVALID_TOKEN", "user": body["user"]}
        return account

    def _answer(self, status: str, user: str, account: Account) -> dict[str, Any]:
        return {"status": status, "user": user, "currency": account.currency, "balance": account.balance}

    def _info(self, body: dict[str, Any]) -> dict[str, Any]:
        account = self._account(body, token_needed=False)
        if not isinstance(account, Account):
            return account
        return {"status": "RS_OK", "user": body["user"], "country": "EE"}

    def _balance(self, body: dict[str, Any]) -> dict[str, Any]:
        account = self._account(body, token_needed=True)
        if not isinstance(account, Account):
            return account
        return self._answer("RS_OK", body["user"], account)

    def _repeat(self, body: dict[str, Any], kind: str, account: Account) -> dict[str, Any] | None:
        """The same transaction_uuid again: the first answer if nothing essential differs, else a duplicate."""
        entry = self.ledger.get(body["transaction_uuid"])
        if entry is None:
            return None
        essential = ("user", "round", "amount", "currency", "game_code", "reference_transaction_uuid")
        if entry.kind != kind or any(entry.content.get(k) != body.get(k) for k in essential):
            return self._answer("RS_ERROR_DUPLICATE_TRANSACTION", body["user"], account)
        return self._answer("RS_OK", body["user"], account)

    def _record(self, body: dict[str, Any], kind: str, amount: int, currency: str, account: Account) -> dict[str, Any]:
        reply = self._answer("RS_OK", body["user"], account)
        self.ledger[body["transaction_uuid"]] = Entry(
            body["transaction_uuid"],
            kind,
            body["user"],
            body["round"],
            amount,
            currency,
            body.get("reference_transaction_uuid"),
            body,
            reply,
        )
        return reply

    def _types_ok(self, body: dict[str, Any], money: bool) -> bool:
        strings = ("user", "transaction_uuid", "round")
        if not all(isinstance(body.get(k), str) for k in strings) or not isinstance(body.get("round_closed"), bool):
            return False
        amount = body.get("amount")
        return not money or (isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0)

    def _bet(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self._types_ok(body, money=True):
            return {"status": "RS_ERROR_WRONG_TYPES"}
        account = self._account(body, token_needed=True)
        if not isinstance(account, Account):
            return account
        if (repeated := self._repeat(body, "bet", account)) is not None:
            return repeated
        if body["transaction_uuid"] in self.rolled_back:
            return self._answer("RS_ERROR_TRANSACTION_ROLLED_BACK", body["user"], account)
        if body.get("currency") != account.currency:
            return self._answer("RS_ERROR_WRONG_CURRENCY", body["user"], account)
        if body.get("game_code") in self.disabled_games:
            return self._answer("RS_ERROR_INVALID_GAME", body["user"], account)
        if account.disabled:
            return self._answer("RS_ERROR_USER_DISABLED", body["user"], account)
        if body.get("is_free"):  # the reward pays the stake: nothing leaves the player's balance
            if body.get("reward_uuid") not in self.rewards:
                return self._answer("RS_ERROR_WRONG_TYPES", body["user"], account)
            return self._record(body, "bet", 0, account.currency, account)
        if body["amount"] > account.balance:
            return self._answer("RS_ERROR_NOT_ENOUGH_MONEY", body["user"], account)
        account.balance -= body["amount"]
        return self._record(body, "bet", body["amount"], account.currency, account)

    def _win(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self._types_ok(body, money=True):
            return {"status": "RS_ERROR_WRONG_TYPES"}
        account = self._account(body, token_needed=False)  # wins may arrive after the session ended
        if not isinstance(account, Account):
            return account
        if (repeated := self._repeat(body, "win", account)) is not None:
            return repeated
        bet = self.ledger.get(body.get("reference_transaction_uuid") or "")
        if bet is None or bet.kind != "bet":
            if body.get("reference_transaction_uuid") in self.rolled_back:
                return self._answer("RS_ERROR_TRANSACTION_ROLLED_BACK", body["user"], account)
            return self._answer("RS_ERROR_TRANSACTION_DOES_NOT_EXIST", body["user"], account)
        if bet.transaction_uuid in self.rolled_back:
            return self._answer("RS_ERROR_TRANSACTION_ROLLED_BACK", body["user"], account)
        account.balance += body["amount"]
        return self._record(body, "win", body["amount"], account.currency, account)

    def _rollback(self, body: dict[str, Any]) -> dict[str, Any]:
        if not self._types_ok(body, money=False):
            return {"status": "RS_ERROR_WRONG_TYPES"}
        account = self._account(body, token_needed=False)  # rollbacks too
        if not isinstance(account, Account):
            return account
        if (repeated := self._repeat(body, "rollback", account)) is not None:
            return repeated
        reference = body.get("reference_transaction_uuid")
        if not isinstance(reference, str):
            return {"status": "RS_ERROR_WRONG_TYPES"}
        first_time = reference not in self.rolled_back
        self.rolled_back.add(reference)
        bet = self.ledger.get(reference)
        if bet is None or bet.kind != "bet":
            return self._answer("RS_ERROR_TRANSACTION_DOES_NOT_EXIST", body["user"], account)
        refund = bet.amount if first_time else 0
        account.balance += refund
        return self._record(body, "rollback", refund, account.currency, account)

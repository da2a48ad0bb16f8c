"""A tiny operator wallet speaking the simulator's native dialect (docs/dialects/native.md), standard library only:
``POST /balance``, ``/bet``, ``/win`` and ``/rollback``, signed with HMAC-SHA256 over ``timestamp + "." + body``.

It keeps the rules a seamless wallet must keep: a transaction id is applied once and a repeat gets the first
answer; a bet never takes the balance below zero; a rollback refunds its bet once, and a rollback that arrives before
its bet leaves a tombstone so that the late bet is refused. This is the operator's own code: the tests next to it
drive it through the casino-sim pytest plugin.

    wallet = OperatorWallet(secret="...")
    wallet.start()                 # listens on 127.0.0.1, a free port: wallet.url
    account = wallet.open_account("USD", 100_000)
    ...
    wallet.stop()
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SIGNATURE_WINDOW = 300
MAX_BODY = 64 * 1024


class Refusal(Exception):
    """A definitive ``4xx {"error": {"code", "message"}}`` answer; nothing was applied."""

    def __init__(self, status: int, code: str, message: str, balance: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.balance = status, code, message, balance


@dataclass
class Account:
    player_id: str
    currency: str
    balance: int
    token: str


@dataclass
class Entry:
    """One applied transaction and the answer it got, replayed to every repeat of it."""

    kind: str
    player_id: str
    amount: int
    round_id: str
    reference: str | None
    balance_after: int
    refunded: bool = False


@dataclass
class Ledger:
    accounts: dict[str, Account] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    tombstones: set[str] = field(default_factory=set)  # bets rolled back before they arrived
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open_account(self, currency: str, balance: int) -> Account:
        account = Account(f"op-player-{secrets.token_hex(4)}", currency, balance, secrets.token_urlsafe(16))
        with self.lock:
            self.accounts[account.player_id] = account
        return account

    def apply(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            account = self._account(body, check_session=operation in ("balance", "bet"))
            if operation != "balance":
                self._operation(operation, account, body)
            return {
                "balance": account.balance,
                "bonus_balance": 0,
                "currency": account.currency,
                "transaction_id": body.get("transaction_id"),
                "request_id": body["request_id"],
            }

    def _account(self, body: dict[str, Any], *, check_session: bool) -> Account:
        account = self.accounts.get(str(body.get("player_id")))
        if account is None or (check_session and body.get("session_id") != account.token):
            raise Refusal(401, "INVALID_SESSION", "unknown player or session")
        if body.get("currency") != account.currency:
            raise Refusal(400, "CURRENCY_MISMATCH", f"the player's wallet is in {account.currency}")
        return account

    def _operation(self, operation: str, account: Account, body: dict[str, Any]) -> None:
        tx, amount = body.get("transaction_id"), body.get("amount")
        if not isinstance(tx, str) or not tx or not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise Refusal(400, "INVALID_REQUEST", "transaction_id and a non-negative integer amount are required")
        reference = body.get("reference_transaction_id")
        if (seen := self.entries.get(tx)) is not None:
            if (seen.kind, seen.player_id, seen.amount) != (operation, account.player_id, amount):
                raise Refusal(409, "TRANSACTION_MISMATCH", f"{tx} was applied with other content")
            return  # a repeat: the same answer, nothing applied again
        if operation == "bet":
            if tx in self.tombstones:
                raise Refusal(409, "TRANSACTION_ROLLED_BACK", f"{tx} was rolled back before it arrived")
            if amount > account.balance:
                raise Refusal(402, "INSUFFICIENT_FUNDS", "not enough money", balance=account.balance)
            account.balance -= amount
        elif operation == "win":
            bet = self.entries.get(str(reference))
            if bet is None or bet.kind != "bet":
                raise Refusal(404, "TRANSACTION_NOT_FOUND", f"no bet {reference}")
            if bet.refunded:
                raise Refusal(409, "TRANSACTION_ROLLED_BACK", f"bet {reference} was rolled back")
            account.balance += amount
        else:  # rollback
            bet = self.entries.get(str(reference))
            if bet is None:
                self.tombstones.add(str(reference))
            elif not bet.refunded:
                bet.refunded = True
                account.balance += bet.amount
        self.entries[tx] = Entry(operation, account.player_id, amount, str(body.get("round_id")), reference,
                                 account.balance)  # fmt: skip


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class OperatorWallet:
    def __init__(self, secret: str, key_id: str = "casino-sim") -> None:
        self.secret, self.key_id = secret, key_id
        self.ledger = Ledger()
        self.requests: list[tuple[str, dict[str, Any]]] = []  # every accepted call, in arrival order
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def open_account(self, currency: str, balance: int) -> Account:
        return self.ledger.open_account(currency, balance)

    def balance(self, player_id: str) -> int:
        with self.ledger.lock:
            return self.ledger.accounts[player_id].balance

    def start(self) -> None:
        wallet = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                status, reply = wallet.handle(self.path, self.headers, self._body())
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(min(length, MAX_BODY))

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the tests read the ledger, not the access log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="operator-wallet", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        operation = path.strip("/")
        if operation not in ("balance", "bet", "win", "rollback"):
            return 404, {"error": {"code": "INVALID_REQUEST", "message": f"no such operation {path}"}}
        timestamp = str(headers.get("X-Casino-Sim-Timestamp", ""))
        given = str(headers.get("X-Casino-Sim-Signature", ""))
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= SIGNATURE_WINDOW
        if headers.get("X-Casino-Sim-Key") != self.key_id or not fresh:
            return 401, {"error": {"code": "INVALID_SIGNATURE", "message": "unknown key or stale timestamp"}}
        if not hmac.compare_digest(signature(self.secret, timestamp, body).encode(), given.encode()):
            return 401, {"error": {"code": "INVALID_SIGNATURE", "message": "signature does not match the body"}}
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("request_id"), str):
                raise Refusal(400, "INVALID_REQUEST", "a JSON object with a request_id is required")
            reply = self.ledger.apply(operation, data)
        except ValueError:
            return 400, {"error": {"code": "INVALID_REQUEST", "message": "the body is not JSON"}}
        except Refusal as exc:
            error: dict[str, Any] = {"error": {"code": exc.code, "message": exc.message}}
            if exc.balance is not None:
                error["balance"] = exc.balance
            return exc.status, error
        self.requests.append((operation, data))
        return 200, reply

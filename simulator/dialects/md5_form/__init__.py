"""The ``md5_form`` dialect: form-encoded POSTs authenticated by an MD5 hash over the sorted non-empty
parameters plus a shared secret, decimal amounts, numeric error codes and an explicit end-of-round call.
Modelled on publicly documented studio wallets; names and codes are our own (see docs/dialects/md5_form.md).

A closing win is two requests, ``result`` (skipped when the win is zero) then ``endRound``; the operation is
acknowledged only when ``endRound`` is, and a retry repeats both (each is idempotent on the wallet side).
A rollback (``refund``) names its own reference and the bet it reverses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from simulator.clock import Clock
from simulator.dialects.amounts import from_decimal, to_decimal
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.common import Codes, check_currency, reply_object, reverse
from simulator.errors import WalletProtocolError

NAME = "md5_form"
HASH_FIELD = "hash"
VERBS = {"balance": "balance", "bet": "bet", "win": "result", "rollback": "refund"}
END_ROUND = "endRound"
BONUS_VERBS = {"campaign_total": "bonusWin", "promo": "promoWin", "jackpot": "promoWin"}
"""Wins with no bet, each on its own call: a campaign's total, a promotional payout and a jackpot win (the dialect
has no call of its own for jackpots: ``bonusType`` tells them apart)."""

OK = 0
TO_NATIVE = {
    1: "INSUFFICIENT_FUNDS",
    2: "INVALID_SESSION",
    3: "SESSION_EXPIRED",
    4: "PLAYER_BLOCKED",
    5: "INVALID_SIGNATURE",
    6: "INVALID_REQUEST",
    7: "UNKNOWN_GAME",
    8: "CURRENCY_MISMATCH",
    9: "LIMIT_EXCEEDED",
    10: "TRANSACTION_NOT_FOUND",
    11: "TRANSACTION_MISMATCH",
    12: "TRANSACTION_ROLLED_BACK",
    13: "ROUND_CLOSED",
    14: "SELF_EXCLUDED",
}
UNCERTAIN = frozenset({100})
FROM_NATIVE = reverse(TO_NATIVE, {"INTERNAL_ERROR": 100})
CODES = Codes(NAME, OK, TO_NATIVE, UNCERTAIN)
DESCRIPTIONS = {
    0: "Success",
    1: "Insufficient balance",
    2: "Player or token not found",
    3: "Token expired",
    4: "Player is blocked",
    5: "Invalid hash",
    6: "Bad parameters",
    7: "Game not found",
    8: "Wrong currency",
    9: "Bet limit reached",
    10: "Transaction not found",
    11: "Reference reused with other content",
    12: "Bet already refunded",
    13: "Round already ended",
    14: "Player is self-excluded",
    100: "Internal error, try again",
}


def digest(params: Mapping[str, str], secret: bytes) -> str:
    """MD5 hex of ``k1=v1&k2=v2...`` over the sorted non-empty parameters (``hash`` excluded), then the
    secret."""
    joined = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v != "" and k != HASH_FIELD)
    return hashlib.md5(joined.encode() + secret, usedforsecurity=False).hexdigest()


def hash_valid(params: Mapping[str, str], secret: bytes) -> bool:
    given = params.get(HASH_FIELD, "").encode("utf-8", "replace")  # compare_digest refuses non-ASCII text
    return hmac.compare_digest(digest(params, secret).encode(), given)


def bonus_fields(bonus: Mapping[str, Any], currency: str) -> dict[str, str]:
    """The bonus context as form fields: ``bonusCode`` (the campaign), ``bonusType``, ``bonusBet`` (a free round's
    stake, decimal), ``promoReference`` and ``promotion``."""
    fields = {"bonusType": str(bonus.get("type", ""))}
    if "campaign_id" in bonus:
        fields["bonusCode"] = str(bonus["campaign_id"])
    if isinstance(bonus.get("bet_value"), int):
        fields["bonusBet"] = to_decimal(bonus["bet_value"], currency)
    if "reference" in bonus:
        fields["promoReference"] = str(bonus["reference"])
        fields["promotion"] = str(bonus.get("promotion", ""))
    return fields


def bonus_context(params: Mapping[str, str], currency: str) -> dict[str, Any] | None:
    """``bonus_fields`` read back as the dialect-neutral context (``None`` when the call carries none)."""
    kind = params.get("bonusType") or None
    if kind is None and not params.get("bonusCode"):
        return None
    bonus: dict[str, Any] = {} if kind is None else {"type": kind}
    if params.get("bonusCode"):
        bonus["campaign_id"] = params["bonusCode"]
    if params.get("bonusBet"):
        bonus["bet_value"] = from_decimal(params["bonusBet"], currency)
    if params.get("promoReference"):
        bonus["reference"] = params["promoReference"]
        bonus["promotion"] = params.get("promotion", "")
    return bonus


class Md5FormDialect:
    name = NAME

    def __init__(self, base_url: str, provider_id: str, secret: bytes, clock: Clock) -> None:
        self._base = base_url.rstrip("/")
        self._provider_id = provider_id
        self._secret = secret
        self._clock = clock

    def _request(self, verb: str, params: dict[str, str], then: WalletRequest | None = None) -> WalletRequest:
        params = {"providerId": self._provider_id, "timestamp": str(int(self._clock.now() * 1000))} | params
        params[HASH_FIELD] = digest(params, self._secret)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode(params).encode()
        check = None if then is None else self._check
        return WalletRequest(f"{self._base}/{verb}", headers, body, then=then, check_reply=check)

    def _check(self, call: WalletCall, status: int, body: bytes) -> None:
        self.parse(call, status, body)

    def build(self, call: WalletCall) -> WalletRequest:
        common = {"userId": call.player_id, "token": call.session_id, "currency": call.currency}
        if call.operation == "balance":
            return self._request("balance", common)
        common |= {
            "gameId": call.game_id,
            "roundId": call.round_id,
            "reference": call.transaction_id,
            "amount": to_decimal(call.amount, call.currency),
        }
        if call.reference_transaction_id is not None:
            common["betReference"] = call.reference_transaction_id
        special = None
        if call.bonus is not None:
            common |= bonus_fields(call.bonus, call.currency)
            special = BONUS_VERBS.get(call.bonus.get("type", ""))
        if call.operation == "win" and special is not None:
            return self._request(special, common)  # a win with no bet: one call, no round to end
        if call.operation != "win" or not call.round_closed:
            return self._request(VERBS[call.operation], common)
        end = self._request(
            END_ROUND,
            {
                "userId": call.player_id,
                "gameId": call.game_id,
                "roundId": call.round_id,
                "currency": call.currency,
            },
        )
        if call.amount == 0:
            return end
        return self._request("result", common, then=end)

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        data = reply_object(call, status, body, decimals=True)
        code = data.get("error")
        if type(code) is not int:
            raise WalletProtocolError(f"wallet answered {call.operation} without a numeric error code")
        cash = data.get("cash")
        if code != OK:
            balance = from_decimal(cash, call.currency) if cash is not None else None
            CODES.refuse(call, code, message=data.get("description"), balance=balance)
        check_currency(call, data.get("currency"))
        txid = data.get("transactionId")
        return WalletReply(from_decimal(cash, call.currency), call.currency, txid if isinstance(txid, str) else None)

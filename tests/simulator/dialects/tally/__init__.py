"""``tally``: a dialect that exists only in the tests, to show that a new dialect is one package plus one
registration. JSON bodies signed with HMAC-SHA256 over the body alone (``X-Tally-Mac``), integer minor units,
every reply HTTP 200 with a ``status`` that is ``OK`` or a native code."""

from __future__ import annotations

import hmac
from typing import Any

from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.common import check_currency, raise_for_code, reply_object
from simulator.dialects.native import ERROR_CODES, UNCERTAIN_CODES
from simulator.errors import WalletProtocolError
from simulator.jsonbytes import dumps

NAME = "tally"
KEY_HEADER = "X-Tally-Key"
MAC_HEADER = "X-Tally-Mac"
OK = "OK"
TO_NATIVE = {code: code for code in ERROR_CODES - UNCERTAIN_CODES}


def mac(secret: bytes, body: bytes) -> str:
    return hmac.digest(secret, body, "sha256").hex()


class TallyDialect:
    name = NAME

    def __init__(self, base_url: str, key_id: str, secret: bytes, clock: Clock) -> None:
        self._base = base_url.rstrip("/")
        self._key_id = key_id
        self._secret = secret
        self._clock = clock

    def build(self, call: WalletCall) -> WalletRequest:
        fields: dict[str, Any] = {"player": call.player_id, "session": call.session_id, "currency": call.currency}
        if call.operation != "balance":
            fields |= {
                "tx": call.transaction_id,
                "round": call.round_id,
                "game": call.game_id,
                "amount": call.amount,
                "closes": call.round_closed,
            }
            if call.reference_transaction_id is not None:
                fields["of"] = call.reference_transaction_id
        body = dumps(fields)
        headers = {"Content-Type": "application/json", KEY_HEADER: self._key_id, MAC_HEADER: mac(self._secret, body)}
        return WalletRequest(f"{self._base}/{call.operation}", headers, body)

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        data = reply_object(call, status, body)
        code = data.get("status")
        balance = data.get("balance")
        if code != OK:
            raise_for_code(
                call,
                NAME,
                code,
                to_native=TO_NATIVE,
                uncertain=UNCERTAIN_CODES,
                balance=balance if type(balance) is int else None,
            )
        check_currency(call, data.get("currency"))
        if type(balance) is not int:
            raise WalletProtocolError(f"tally reply to {call.operation} lacks an integer balance")
        return WalletReply(balance, call.currency, call.transaction_id or None)

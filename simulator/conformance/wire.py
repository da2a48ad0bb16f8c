"""What the suite does to requests that a studio never would: strip, forge or break the authentication, change
a field after signing, age the timestamp, put amounts on the wire that do not exist. One class per dialect,
each on top of that dialect's own module (``simulator.dialects``), which still builds every request and reads
every reply; this module only edits a built request and signs it again.

``MISSING`` says which capabilities a dialect lacks and why; checks that need one are skipped with that
reason. ``reply_problems`` reads a reply against the dialect's documented shape, field by field.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from simulator.clock import Clock
from simulator.conformance.errors import SetupError
from simulator.conformance.registry import Capability
from simulator.dialects import md5_form, native, rsa_json, rsa_keys, token_query
from simulator.dialects.amounts import to_decimal, to_scaled
from simulator.dialects.call import WalletCall, WalletRequest
from simulator.money import exponent
from simulator.wallet_client.client import Dialect

AmountVariant = Literal["negative", "finer", "huge"]
HUGE = 10**20  # minor units: more than any balance, and past a signed 64-bit integer once scaled
_WRONG_KEY = b"casino-sim-conformance: not the key"  # never derived from the real secret
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@dataclasses.dataclass(frozen=True, slots=True)
class Keys:
    """What the suite signs with: the key id, and the HMAC / MD5 secret or operator token, or the rsa_json
    private key (PEM). ``signer`` replaces the private key (tests use a stand-in scheme)."""

    key_id: str
    secret: bytes | None = None
    private_key: bytes | None = dataclasses.field(default=None, repr=False)
    signer: rsa_keys.Signer | None = None

    def __repr__(self) -> str:
        return f"Keys(key_id={self.key_id!r}, secret={'set' if self.secret else None})"


class _Shifted:
    """The suite's clock, ``age`` seconds in the past: requests that look as if they were signed earlier."""

    def __init__(self, clock: Clock, age: float) -> None:
        self._clock = clock
        self._age = age

    def now(self) -> float:
        return self._clock.now() - self._age

    def monotonic(self) -> float:
        return self._clock.monotonic()


class Wire(ABC):
    """What every dialect shares. The defaults are the common case: a JSON body, and replies that are always HTTP
    200 with the outcome as a code in the body; each dialect states only where it departs from them."""

    name: ClassVar[str]
    MISSING: ClassVar[dict[Capability, str]] = {}
    amount_path: ClassVar[tuple[str, ...]] = ("amount",)
    open_wins: ClassVar[bool] = True  # a win may leave its round open (false: every win ends the round)
    setup_hint: ClassVar[str]  # the setup error when a dialect that needs keys.secret has none
    id_field: ClassVar[str | None] = None  # the request id, in requests and in replies (None: there is none)
    # replies: the field with the outcome code and what a code is, the success code, every code the dialect defines
    # (success included), the problem with any other code (a format string for the code), where a success echoes
    # the transaction id
    code_field: ClassVar[str] = "status"
    code_kind: ClassVar[str] = "a string code"
    ok_code: ClassVar[object]
    codes: ClassVar[frozenset[object]]
    unknown_code: ClassVar[str]
    tx_field: ClassVar[str | None] = None

    def __init__(self, url: str, keys: Keys, clock: Clock) -> None:
        self.url = url.rstrip("/")
        self.keys = keys
        self.clock = clock
        self.studio = self.dialect()

    # building

    @abstractmethod
    def dialect(self, age: float = 0.0) -> Dialect:
        """The dialect's own client, signing with the suite's clock moved ``age`` seconds back."""

    def build(self, call: WalletCall, *, age: float = 0.0) -> WalletRequest:
        return (self.dialect(age) if age else self.studio).build(call)

    def supports(self, currency: str) -> bool:
        return True

    def secrets(self) -> list[str]:
        """Values that must never appear in a report."""
        return [self.keys.secret.decode(errors="replace")] if self.keys.secret else []

    def _secret(self) -> bytes:
        if not self.keys.secret:
            raise SetupError(self.setup_hint)
        return self.keys.secret

    # editing a built request (the head of a chain; what follows it is kept)

    def fields(self, request: WalletRequest) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(request.body)
        return data

    @abstractmethod
    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        """The request with this body, signed again (``sign``), or keeping its old signature (a tampered copy)."""

    @abstractmethod
    def unsigned(self, request: WalletRequest) -> WalletRequest: ...

    @abstractmethod
    def wrongly_signed(self, request: WalletRequest) -> WalletRequest: ...

    def edited(self, request: WalletRequest, *, sign: bool = True, **changes: Any) -> WalletRequest:
        return self.with_fields(request, self.fields(request) | changes, sign=sign)

    def with_amount(self, request: WalletRequest, value: object, *, sign: bool = True) -> WalletRequest:
        fields = self.fields(request)
        target = fields
        for key in self.amount_path[:-1]:
            target[key] = dict(target[key])
            target = target[key]
        target[self.amount_path[-1]] = value
        return self.with_fields(request, fields, sign=sign)

    def amount(self, request: WalletRequest) -> object:
        value: Any = self.fields(request)
        for key in self.amount_path:
            value = value[key]
        return value

    @abstractmethod
    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        """The wire form of a negative amount, one finer than the currency's minor unit, or ``HUGE``; ``None``
        when the dialect cannot write it."""

    # request ids

    def request_id(self, request: WalletRequest) -> str | None:
        return None if self.id_field is None else str(self.fields(request)[self.id_field])

    def echoed_id(self, reply: Mapping[str, Any]) -> object:
        return None if self.id_field is None else reply.get(self.id_field)

    def renewed(self, request: WalletRequest) -> WalletRequest:
        """The same request under a new request id (a new attempt, not a retry)."""
        if self.id_field is None:
            return request
        return self.with_fields(request, self.fields(request) | {self.id_field: str(uuid.uuid4())})

    # replies

    def reply_problems(self, call: WalletCall, status: int, body: bytes) -> list[str]:
        """What in this reply departs from the dialect's documented shape (empty when nothing does)."""
        data, problem = read_object(body)
        if data is None:
            return [f"HTTP {status}: {problem}"]
        return self._problems(call, status, data)

    def unreadable(self, status: int, body: bytes) -> str | None:
        """What makes this reply one the dialect's own parser cannot be handed (``None``: it can read it, or
        refuse it itself)."""
        return None

    def _problems(self, call: WalletCall, status: int, data: dict[str, Any]) -> list[str]:
        """HTTP 200 always, a code the dialect defines, the dialect's own fields; on success the currency and,
        where the dialect echoes it, the transaction id."""
        out = [] if status == 200 else [f"every reply is HTTP 200, got {status}"]
        code = data.get(self.code_field)
        if (container := _container(code)) is not None:
            out.append(f"{self.code_field} is {container}, not {self.code_kind}")
            code = None  # no code: the fields that depend on it are judged as for an unknown one
        elif not self._known(code):
            out.append(self.unknown_code.format(code))
        out += self._field_problems(call, code, data)
        if code == self.ok_code:
            if data.get("currency") != call.currency:
                out.append(f"currency must be {call.currency!r}, got {data.get('currency')!r}")
            if self.tx_field and call.operation != "balance" and data.get(self.tx_field) != call.transaction_id:
                out.append(f"{self.tx_field} must echo {call.transaction_id!r}, got {data.get(self.tx_field)!r}")
        return out

    def _known(self, code: object) -> bool:
        return code in self.codes

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        """What is wrong with the dialect's own fields of a reply with this code (never a list or an object)."""
        return []


class _HeaderSigned(Wire):
    """A dialect that signs the JSON body into one header."""

    signature_header: ClassVar[str]

    @abstractmethod
    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        """The signature of the request's body, or (``wrong``) one that no wallet may accept."""

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        edited = dataclasses.replace(request, body=_json(fields), headers=dict(request.headers))
        return self._with_signature(edited, self._signature(edited)) if sign else edited

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        headers = {k: v for k, v in request.headers.items() if k != self.signature_header}
        return dataclasses.replace(request, headers=headers)

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        return self._with_signature(request, self._signature(request, wrong=True))

    def _with_signature(self, request: WalletRequest, signature: str) -> WalletRequest:
        return dataclasses.replace(request, headers={**request.headers, self.signature_header: signature})


def _json(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, separators=(",", ":")).encode()


def read_object(body: bytes, *, decimals: bool = True) -> tuple[dict[str, Any] | None, str]:
    """A reply as the JSON object every dialect answers with (numbers with a fraction as ``Decimal`` when
    ``decimals``), or ``None`` and what it is instead: "the reply is not JSON", "the reply is a JSON array, not
    an object"."""
    try:
        data = json.loads(body, parse_float=Decimal if decimals else float)
    except ValueError:  # UnicodeDecodeError included
        return None, "the reply is not JSON"
    if not isinstance(data, dict):
        return None, f"the reply is {_json_kind(data)}, not an object"
    return data, ""


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool):
        return "a JSON boolean"
    if value is None:
        return "JSON null"
    return "a JSON number"


def _container(value: object) -> str | None:
    """What a field that must hold a single code holds instead, when it is a list or an object."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _exact_decimal(value: object, currency: str, *, numbers: bool, strings: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | Decimal | int):
        return False
    if not (strings if isinstance(value, str) else numbers):
        return False
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        return False
    number = Decimal(value)
    if not number.is_finite():
        return False
    # digit by digit, outside any decimal context: scaling overflows past its exponent limits and rounds long
    # numbers to 28 digits, which made an absurd exponent crash the check and a 35th decimal place vanish
    _, digits, exp = number.as_tuple()
    assert isinstance(exp, int)  # finite
    beyond = -(exp + exponent(currency))  # digits after the currency's last decimal place
    return beyond <= 0 or not any(digits[-beyond:])


def _decimal_amount(variant: AmountVariant, amount: int, currency: str) -> str:
    """``Wire.wire_amount`` for the dialects that write amounts as decimal strings of the major unit."""
    if variant == "negative":
        return "-" + to_decimal(amount, currency)
    if variant == "finer":
        exp = exponent(currency)
        return f"{Decimal(amount).scaleb(-exp) + Decimal(1).scaleb(-exp - 1):f}"
    return to_decimal(HUGE, currency)


class NativeWire(_HeaderSigned):
    name = "native"
    setup_hint = "the native dialect signs with a shared secret: give --secret"
    id_field = "request_id"
    signature_header = native.SIGNATURE_HEADER

    def dialect(self, age: float = 0.0) -> Dialect:
        return native.NativeDialect(self.url, self.keys.key_id, self._secret(), _Shifted(self.clock, age))

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        secret = _WRONG_KEY if wrong else self._secret()
        return native.sign(secret, request.headers[native.TIMESTAMP_HEADER], request.body)

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        if variant == "negative":
            return -amount
        if variant == "finer":
            return amount + 0.5  # half a minor unit: a JSON number with a fraction
        return HUGE

    def _problems(self, call: WalletCall, status: int, data: dict[str, Any]) -> list[str]:
        """Native replies say success or refusal with the HTTP status, not with a code in the body."""
        out: list[str] = []
        if 200 <= status < 300:
            if not _is_int(data.get("balance")) or data["balance"] < 0:
                out.append(f"balance must be a non-negative integer of minor units, got {data.get('balance')!r}")
            if data.get("currency") != call.currency:
                out.append(f"currency must be {call.currency!r}, got {data.get('currency')!r}")
            if "bonus_balance" in data and not _is_int(data["bonus_balance"]):
                out.append(f"bonus_balance must be an integer, got {data['bonus_balance']!r}")
            if call.operation != "balance" and data.get("transaction_id") != call.transaction_id:
                out.append(f"transaction_id must echo {call.transaction_id!r}, got {data.get('transaction_id')!r}")
            return out
        if not 400 <= status < 500:
            return [f"a refusal must be a 4xx, got HTTP {status}"]
        error = data.get("error")
        if not isinstance(error, dict):
            return ['a refusal must carry {"error": {"code": ..., "message": ...}}']
        if (container := _container(error.get("code"))) is not None:
            out.append(f"error.code is {container}, not a string code")
        elif error.get("code") not in native.ERROR_CODES:
            out.append(f"error.code {error.get('code')!r} is not a native code")
        if not isinstance(error.get("message"), str):
            out.append("error.message must be a string")
        if error.get("code") == "INSUFFICIENT_FUNDS" and not _is_int(data.get("balance")):
            out.append("INSUFFICIENT_FUNDS must carry the integer balance")
        return out

    def unreadable(self, status: int, body: bytes) -> str | None:
        """The native parser looks a refusal's error.code up among the native codes: a list or an object there
        is named here instead."""
        if 200 <= status < 300:
            return None
        data, _ = read_object(body)
        error = data.get("error") if data is not None else None
        container = _container(error.get("code")) if isinstance(error, dict) else None
        return None if container is None else f"HTTP {status}: error.code is {container}, not a string code"


class RsaJsonWire(_HeaderSigned):
    name = "rsa_json"
    id_field = "request_id"
    signature_header = rsa_json.SIGNATURE_HEADER
    ok_code = rsa_json.OK
    codes = frozenset({rsa_json.OK, *rsa_json.TO_NATIVE, *rsa_json.UNCERTAIN})
    unknown_code = "status {!r} is not an rsa_json status"
    tx_field = "tx_id"

    def __init__(self, url: str, keys: Keys, clock: Clock) -> None:
        if keys.signer is not None:
            self.signer: rsa_keys.Signer = keys.signer
        elif keys.private_key is None:
            raise SetupError("rsa_json signs with an RSA private key: give --private-key")
        elif not rsa_keys.available():
            raise SetupError("rsa_json needs the 'cryptography' package to sign")
        else:
            try:
                self.signer = rsa_keys.RsaSigner(keys.private_key)
            except ValueError as exc:
                raise SetupError(f"the rsa_json private key cannot be read: {exc}") from None
        super().__init__(url, keys, clock)

    def dialect(self, age: float = 0.0) -> Dialect:
        return rsa_json.RsaJsonDialect(self.url, self.keys.key_id, self.signer, _Shifted(self.clock, age))

    def supports(self, currency: str) -> bool:
        return rsa_json.supports(currency)

    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        return self.signer.sign(request.body + b" " if wrong else request.body)  # wrong: genuine, of other bytes

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        if variant == "negative":
            return -to_scaled(amount, currency, rsa_json.SCALE)
        if variant == "finer":
            if exponent(currency) >= rsa_json.SCALE:
                return None
            return to_scaled(amount, currency, rsa_json.SCALE) + 1
        return to_scaled(HUGE, currency, rsa_json.SCALE)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        out: list[str] = []
        factor = 10 ** (rsa_json.SCALE - exponent(call.currency))
        balance = data.get("balance")
        needs_balance = code in (rsa_json.OK, "RS_ERROR_NOT_ENOUGH_MONEY")
        whole = isinstance(balance, int) and not isinstance(balance, bool) and balance >= 0 and balance % factor == 0
        if (needs_balance or balance is not None) and not whole:
            out.append(
                f"balance must be a non-negative integer of 1/100000 units, whole {call.currency}, got {balance!r}"
            )
        if code != rsa_json.OK and "message" in data and not isinstance(data["message"], str):
            out.append("message must be a string")
        return out


class Md5FormWire(Wire):
    name = "md5_form"
    MISSING: ClassVar[dict[Capability, str]] = {
        "request_id": "md5_form requests carry no request id: idempotency rests on `reference` alone",
    }
    setup_hint = "md5_form hashes with a shared secret: give --secret"
    code_field = "error"
    code_kind = "a numeric code"
    ok_code = md5_form.OK
    codes = frozenset({md5_form.OK, *md5_form.TO_NATIVE, *md5_form.UNCERTAIN})
    unknown_code = "error must be one of the dialect's numeric codes, got {!r}"

    def dialect(self, age: float = 0.0) -> Dialect:
        return md5_form.Md5FormDialect(self.url, self.keys.key_id, self._secret(), _Shifted(self.clock, age))

    def fields(self, request: WalletRequest) -> dict[str, Any]:
        return dict(parse_qsl(request.body.decode(), keep_blank_values=True))

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        params = {k: str(v) for k, v in fields.items()}
        if sign:
            params.pop(md5_form.HASH_FIELD, None)
            params[md5_form.HASH_FIELD] = md5_form.digest(params, self._secret())
        return dataclasses.replace(request, body=urlencode(params).encode())

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        params = {k: v for k, v in self.fields(request).items() if k != md5_form.HASH_FIELD}
        return dataclasses.replace(request, body=urlencode(params).encode())

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        params = {k: v for k, v in self.fields(request).items() if k != md5_form.HASH_FIELD}
        params[md5_form.HASH_FIELD] = md5_form.digest(params, _WRONG_KEY)
        return dataclasses.replace(request, body=urlencode(params).encode())

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        return _decimal_amount(variant, amount, currency)

    def _known(self, code: object) -> bool:
        return _is_int(code) and code in self.codes

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        out = [] if isinstance(data.get("description"), str) else ["description must be a string"]
        cash = data.get("cash")
        if code in (md5_form.OK, 1) and not _exact_decimal(cash, call.currency, numbers=True, strings=False):
            out.append(f"cash must be a JSON number with at most the {call.currency} decimal places, got {cash!r}")
        return out


class TokenQueryWire(Wire):
    name = "token_query"
    amount_path = ("transaction", "amount")
    open_wins = False
    MISSING: ClassVar[dict[Capability, str]] = {
        "body_signature": "token_query authenticates with the operator token in the query string; the body carries"
        " no signature that a changed field could break",
        "timestamp": "token_query requests carry no timestamp, so there is no replay window to test",
        "win_only": "token_query's credit always settles a debit (refId): a win without a bet is not expressible",
    }
    setup_hint = "token_query sends the operator token: give it with --secret"
    id_field = "uuid"
    ok_code = token_query.OK
    codes = frozenset({token_query.OK, *token_query.TO_NATIVE, *token_query.UNCERTAIN})
    unknown_code = "status {!r} is not a token_query status"

    def dialect(self, age: float = 0.0) -> Dialect:
        return token_query.TokenQueryDialect(self.url, self.keys.key_id, self._secret(), _Shifted(self.clock, age))

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        return dataclasses.replace(request, body=_json(fields))  # the token in the query string stays

    def _with_token(self, request: WalletRequest, token: str | None) -> WalletRequest:
        parts = urlsplit(request.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != token_query.TOKEN_PARAM]
        if token is not None:
            query.append((token_query.TOKEN_PARAM, token))
        return dataclasses.replace(request, url=urlunsplit(parts._replace(query=urlencode(query))))

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        return self._with_token(request, None)

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        return self._with_token(request, _WRONG_KEY.decode())

    def wire_amount(self, variant: AmountVariant, amount: int, currency: str) -> object | None:
        return _decimal_amount(variant, amount, currency)

    def _field_problems(self, call: WalletCall, code: object, data: dict[str, Any]) -> list[str]:
        balance = data.get("balance")
        if code in (token_query.OK, "INSUFFICIENT_FUNDS") and not _exact_decimal(
            balance, call.currency, numbers=True, strings=True
        ):
            return [f"balance must be a decimal with at most the {call.currency} decimal places, got {balance!r}"]
        return []


WIRES: dict[str, type[Wire]] = {w.name: w for w in (NativeWire, RsaJsonWire, Md5FormWire, TokenQueryWire)}


def make_wire(dialect: str, url: str, keys: Keys, clock: Clock) -> Wire:
    try:
        cls = WIRES[dialect]
    except KeyError:
        raise SetupError(f"unknown dialect {dialect!r}; known: {', '.join(WIRES)}") from None
    return cls(url, keys, clock)

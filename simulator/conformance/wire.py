"""What the suite does to requests that a studio never would: strip, forge or break the authentication, change
a field after signing, age the timestamp, put amounts on the wire that do not exist. This module holds what
every dialect shares; each dialect's own ``Wire`` lives in its package (``simulator.dialects.<name>.tamper``),
on top of that dialect's client, which still builds every request and reads every reply: a ``Wire`` only edits
a built request and signs it again.

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

from simulator.clock import Clock
from simulator.conformance.errors import SetupError
from simulator.conformance.registry import Capability
from simulator.dialects.amounts import to_decimal
from simulator.dialects.call import WalletCall, WalletRequest
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.money import exponent


def _room(name: str) -> Room:
    """The dialect's room, looked up when used: the rooms import this module for their ``Wire`` classes."""
    from simulator.dialects.registry import room

    return room(name)


AmountVariant = Literal["negative", "finer", "huge"]
HUGE = 10**20  # minor units: more than any balance, and past a signed 64-bit integer once scaled
WRONG_KEY = b"casino-sim-conformance: not the key"  # never derived from the real secret
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


class Shifted:
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
    remembers_request_ids: ClassVar[bool] = False  # a reused request id with other content must be refused
    # native codes a dialect folds into one of its own: a refusal with the key code may stand for any of these
    conflated: ClassVar[Mapping[str, frozenset[str]]] = {}

    def __init__(self, url: str, keys: Keys, clock: Clock) -> None:
        self.url = url.rstrip("/")
        self.keys = keys
        self.clock = clock
        self.studio = self.dialect()

    # building

    def dialect(self, age: float = 0.0) -> Dialect:
        """The dialect's own client, the one its room gives the simulator, signing with the suite's clock moved
        ``age`` seconds back."""
        endpoint = DialectEndpoint(self.name, self.url, self.keys.key_id, self._secret())
        return _room(self.name).client(endpoint, Shifted(self.clock, age), None)

    def build(self, call: WalletCall, *, age: float = 0.0) -> WalletRequest:
        return (self.dialect(age) if age else self.studio).build(call)

    def supports(self, currency: str) -> bool:
        return _room(self.name).supports(currency)

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
        if (container := container_kind(code)) is not None:
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


class HeaderSigned(Wire):
    """A dialect that signs the JSON body into one header."""

    signature_header: ClassVar[str]

    @abstractmethod
    def _signature(self, request: WalletRequest, *, wrong: bool = False) -> str:
        """The signature of the request's body, or (``wrong``) one that no wallet may accept."""

    def with_fields(self, request: WalletRequest, fields: Mapping[str, Any], *, sign: bool = True) -> WalletRequest:
        edited = dataclasses.replace(request, body=json_body(fields), headers=dict(request.headers))
        return self._with_signature(edited, self._signature(edited)) if sign else edited

    def unsigned(self, request: WalletRequest) -> WalletRequest:
        headers = {k: v for k, v in request.headers.items() if k != self.signature_header}
        return dataclasses.replace(request, headers=headers)

    def wrongly_signed(self, request: WalletRequest) -> WalletRequest:
        return self._with_signature(request, self._signature(request, wrong=True))

    def _with_signature(self, request: WalletRequest, signature: str) -> WalletRequest:
        return dataclasses.replace(request, headers={**request.headers, self.signature_header: signature})


def json_body(fields: Mapping[str, Any]) -> bytes:
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


def container_kind(value: object) -> str | None:
    """What a field that must hold a single code holds instead, when it is a list or an object."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return None


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def exact_decimal(value: object, currency: str, *, numbers: bool, strings: bool) -> bool:
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


def decimal_amount(variant: AmountVariant, amount: int, currency: str) -> str:
    """``Wire.wire_amount`` for the dialects that write amounts as decimal strings of the major unit."""
    if variant == "negative":
        return "-" + to_decimal(amount, currency)
    if variant == "finer":
        exp = exponent(currency)
        return f"{Decimal(amount).scaleb(-exp) + Decimal(1).scaleb(-exp - 1):f}"
    return to_decimal(HUGE, currency)


def make_wire(dialect: str, url: str, keys: Keys, clock: Clock) -> Wire:
    from simulator.dialects.registry import DIALECTS

    if dialect not in DIALECTS:
        raise SetupError(f"unknown dialect {dialect!r}; known: {', '.join(DIALECTS)}")
    return _room(dialect).wire(url, keys, clock)

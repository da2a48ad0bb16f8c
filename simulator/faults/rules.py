"""Fault rules as data: what to match, what to do, and when. Frozen pydantic models, so a file, the admin API and the
``X-Casino-Sim-Fault`` header all go through the same validation and the same error messages.

>>> rule = FaultRule.model_validate(
...     {"id": "slow-bets", "match": {"side": "outbound", "operation": "bet"},
...      "action": {"type": "delay", "distribution": "fixed", "seconds": 2}, "schedule": {"probability": 0.1}}
... )
>>> rule.action.type, rule.schedule.probability
('delay', 0.1)

A rule whose action does not exist on its side is refused with the field named: an ``outbound`` rule cannot ``hang``
(the wallet is the server there), an ``inbound`` rule cannot ``lose`` a callback, a ``socket`` rule (the messages a
live table's WebSocket pushes to a player) can only ``delay``, ``close`` or ``reset``.

Each action carries its own behaviour, one method per side it exists on: an ``InboundAction`` says what it does to a
request (``inbound``), an ``OutboundAction`` what it does to a wallet call (``outbound``), a ``SocketAction`` what it
does to a message on a player's live socket (``socket``). The base classes an action derives from are the one place
that says which sides it belongs to; the rule validator and the side sets read them.
Actions get the fault RNG and the sleep function from the side they act on, so a test records a delay, never waits.
"""

from __future__ import annotations

import abc
import asyncio
import dataclasses
import json
import math
import random
import re
import typing
from typing import TYPE_CHECKING, Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.errors import WalletError, WalletRefused
from simulator.wallet_client.transport import ConnectionLost

if TYPE_CHECKING:
    from simulator.faults.inbound import InboundCall
    from simulator.faults.outbound import OutboundCall
    from simulator.faults.sockets import SocketCall

Side = Literal["inbound", "outbound", "socket"]
StrOrList = str | list[str]
RULE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
GLOB = re.compile(r"[*?\[]")  # a match value with any of these is a glob pattern
MAX_PATTERN = 256  # characters in one glob pattern: translating one grows with the square of its length
KEYS = ("global", "player", "session", "round", "transaction", "studio", "game")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # JSON types as written: false is no number


def _as_list(value: StrOrList | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _bounded(value: str) -> None:
    if len(value) > MAX_PATTERN and GLOB.search(value):
        raise ValueError(f"a glob pattern may have at most {MAX_PATTERN} characters, this one has {len(value)}")


class Match(_Model):
    """Every field given must match (AND); a list matches any of its values (OR). Values with ``*``, ``?`` or ``[``
    are glob patterns. ``operation`` names: inbound ``launch``, ``games`` (the games feed), ``changes``, ``game``,
    ``thumbnail``, ``studios``, ``round``, ``rounds``, ``transactions``, ``verify``, ``client``, ``session``, ``play``,
    ``act``, ``open_rounds``, ``rotate``, ``parameters``, ``free_round``, the bonus API's and the reports'
    (docs/faults.md); outbound ``balance``, ``bet``, ``win``, ``rollback``, and ``webhook`` (a webhook delivery);
    socket: the type of the message pushed to the player (``round_opened``, ``result``, ``settlement`` ...)."""

    side: Side
    operation: StrOrList | None = None
    studio: StrOrList | None = None
    game: StrOrList | None = None
    dialect: StrOrList | None = None
    player: StrOrList | None = None
    currency: StrOrList | None = None
    method: StrOrList | None = None
    path: StrOrList | None = None
    bonus: StrOrList | None = Field(
        None, description="outbound only: the bonus the call carries (free_round, campaign_total, promo, jackpot)"
    )
    event: StrOrList | None = Field(
        None, description="outbound webhook deliveries only: the event type (round.closed, campaign.finished ...)"
    )
    headers: dict[str, str] | None = Field(None, description="header name -> value (glob); inbound requests only")

    @field_validator("operation", "studio", "game", "dialect", "player", "currency", "method", "path", "bonus", "event")
    @classmethod
    def _not_empty(cls, value: StrOrList | None) -> StrOrList | None:
        if isinstance(value, list) and not value:
            raise ValueError("give at least one value, or leave the field out to match anything")
        for item in _as_list(value) or ():
            _bounded(item)
        return value

    @field_validator("headers")
    @classmethod
    def _bounded_headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for item in (value or {}).values():
            _bounded(item)
        return value

    def values(self, name: str) -> tuple[str, ...] | None:
        raw = getattr(self, name)
        return _as_list(raw)


class Schedule(_Model):
    """When a matching call is faulted. Counters are kept per ``per`` key (a player, a round...), so ``first: 1`` with
    ``per: transaction`` fails every transaction's first attempt and lets its retry through. Times are seconds since
    the rule was activated (loaded, added, or its counters reset), on the injected clock."""

    probability: float = Field(1.0, ge=0.0, le=1.0, description="drawn from the seeded fault RNG")
    skip: int | None = Field(None, ge=1, description="let the first N matching calls through before counting")
    nth: int | None = Field(None, ge=1, description="only the nth counted call")
    every: int | None = Field(None, ge=1, description="every nth counted call")
    first: int | None = Field(None, ge=1, description="the first N counted calls, then pass")
    after: float | None = Field(None, ge=0, description="only from this many seconds after activation")
    until: float | None = Field(None, gt=0, description="only before this many seconds after activation")
    max_count: int | None = Field(None, ge=1, description="at most this many injections per key")
    max_total: int | None = Field(None, ge=1, description="at most this many injections in all")
    per: Literal["global", "player", "session", "round", "transaction", "studio", "game"] = "global"

    @model_validator(mode="after")
    def _window(self) -> Schedule:
        if self.after is not None and self.until is not None and self.until <= self.after:
            raise ValueError("until must be later than after")
        return self


class InboundAction(abc.ABC):
    """An action that exists on the inbound side: what it does to a request the simulator serves."""

    @property
    def handler_first(self) -> bool:
        """Whether the handler runs (and changes state) before the action; the side hands its answer over."""
        return True

    @abc.abstractmethod
    async def inbound(self, side: InboundCall) -> web.StreamResponse: ...


class OutboundAction(abc.ABC):
    """An action that exists on the outbound side: what it does to a wallet call the simulator makes."""

    @abc.abstractmethod
    async def outbound(self, side: OutboundCall) -> WalletReply: ...


class SocketAction(abc.ABC):
    """An action that exists on the socket side: what it does to one message pushed to one player's live socket."""

    @abc.abstractmethod
    async def socket(self, side: SocketCall) -> None: ...


class _Timed(_Model, InboundAction):
    when: Literal["before", "after"] = Field(
        "before",
        description="inbound: before the handler runs (it never does) or after (it did, state changed); socket close "
        "and reset: before the message is written (it is lost) or after it",
    )

    @property
    def handler_first(self) -> bool:
        return self.when == "after"

    async def _drop(self, side: SocketCall, *, reset: bool) -> None:
        if self.when == "after":
            await side.write()
        side.drop(reset=reset)


_DELAY_PARAMETERS = {"fixed": ("seconds",), "uniform": ("low", "high"), "lognormal": ("median", "sigma")}


class DelayAction(_Timed, OutboundAction, SocketAction):
    """Inbound: the response waits. Outbound: latency of the wallet call; reaching the client's timeout means the
    wallet still gets the call but the simulator stops waiting (the classic applied-but-timed-out case). Socket: the
    message reaches the player late, and the player's later messages wait behind it (one connection keeps order)."""

    type: Literal["delay"]
    distribution: Literal["fixed", "uniform", "lognormal"] = "fixed"
    seconds: float | None = Field(None, ge=0)
    low: float | None = Field(None, ge=0)
    high: float | None = Field(None, ge=0)
    median: float | None = Field(None, gt=0)
    sigma: float | None = Field(None, ge=0)
    cap: float = Field(300.0, gt=0, description="no drawn delay exceeds this")

    @model_validator(mode="after")
    def _parameters(self) -> DelayAction:
        needed = _DELAY_PARAMETERS[self.distribution]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.distribution} delay needs {' and '.join(missing)}")
        if self.distribution == "uniform" and self.high is not None and self.low is not None and self.high < self.low:
            raise ValueError("high must not be below low")
        return self

    def draw(self, rng: random.Random) -> float:
        """Seconds to wait, from the seeded fault RNG; lognormal draws use ``median`` as exp(mu)."""
        if self.distribution == "fixed":
            value = self.seconds or 0.0
        elif self.distribution == "uniform":
            value = rng.uniform(self.low or 0.0, self.high or 0.0)
        else:
            value = rng.lognormvariate(math.log(self.median or 1.0), self.sigma or 0.0)
        return min(value, self.cap)

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        delay = self.draw(side.rng)
        await side.sleep(delay)
        side.note(f"delayed {delay:.3f}s")
        return await side.respond()

    async def outbound(self, side: OutboundCall) -> WalletReply:
        request = side.build()
        delay = self.draw(side.rng)
        if delay >= side.timeout:
            note = f"delayed {delay:.3f}s; the simulator gave up at its timeout"
            return await side.exchange(request, note, wait=side.timeout, gave_up=True)
        return await side.exchange(request, f"delayed {delay:.3f}s", wait=delay)

    async def socket(self, side: SocketCall) -> None:
        side.later(self.draw(side.rng))


class StatusAction(_Timed, OutboundAction):
    """Answer with this status instead. Inbound 429 and 503 carry ``Retry-After``. Outbound: the simulator reads this
    reply instead of the wallet's; with ``deliver`` the wallet got the call first (so it may have applied it)."""

    type: Literal["status"]
    status: int = Field(500, ge=400, le=599)
    body: dict[str, Any] | str | None = Field(
        None, description="default: a JSON error, code INJECTED_FAULT (INTERNAL_ERROR for an outbound 5xx)"
    )
    retry_after: float | None = Field(None, ge=0, description="seconds; default 1 on 429 and 503")
    deliver: bool = False

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        body = self.body
        if body is None:
            body = {"error": {"code": "INJECTED_FAULT", "message": f"HTTP {self.status} injected by a fault rule"}}
        retry_after = self.retry_after
        if retry_after is None and self.status in (429, 503):
            retry_after = 1.0
        headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after is not None else None
        if isinstance(body, str):
            return web.Response(text=body, status=self.status, headers=headers)
        return web.Response(
            body=json.dumps(body).encode(), status=self.status, headers=headers, content_type="application/json"
        )

    async def outbound(self, side: OutboundCall) -> WalletReply:
        request = side.build()
        if self.deliver:
            await side.deliver(request, "delivered; the reply is replaced")
        body = self.body if self.body is not None else _wallet_error_body(self.status)
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        await side.record(request, "answered by the fault", "fabricated", status=self.status, body=raw)
        return side.parse(self.status, raw)


def _wallet_error_body(status: int) -> dict[str, object]:
    """A 5xx reads like the wallet's own INTERNAL_ERROR (outcome unknown); other statuses carry a code no dialect
    knows, which the simulator must treat as an unreadable reply."""
    code = "INTERNAL_ERROR" if status >= 500 else "INJECTED_FAULT"
    return {"error": {"code": code, "message": f"HTTP {status} injected by a fault rule"}}


class ResetAction(_Timed, OutboundAction, SocketAction):
    """A TCP reset (SO_LINGER 0). Outbound, with ``deliver`` the reset comes after the wallet got the call. Socket: the
    player's connection is reset with no closing handshake, before the message (or after it, ``when: after``)."""

    type: Literal["reset"]
    deliver: bool = False

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        return side.abort(reset=True)

    async def outbound(self, side: OutboundCall) -> WalletReply:
        request = side.build()
        if self.deliver:
            await side.deliver(request, "delivered; the connection is reset before the reply")
        else:
            await side.record(request, "connection reset before sending", "reset")
        side.fail(ConnectionLost("connection reset by peer (injected)"))

    async def socket(self, side: SocketCall) -> None:
        await self._drop(side, reset=True)


class CloseAction(_Timed, SocketAction):
    """Inbound: the connection closes with no response. Socket: the server closes the player's WebSocket (close code
    4001) before the message (or after it, ``when: after``)."""

    type: Literal["close"]

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        return side.abort(reset=False)

    async def socket(self, side: SocketCall) -> None:
        await self._drop(side, reset=False)


class GarbageAction(_Timed):
    type: Literal["garbage"]
    bytes: int = Field(64, ge=1, le=65536)

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        return side.send_raw(side.rng.randbytes(self.bytes))


class MalformedAction(_Timed):
    """A valid status line and headers, then a body that is not what the Content-Type says."""

    type: Literal["malformed"]
    status: int = Field(200, ge=100, le=599)

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        body = b'{"balance": 10' + side.rng.randbytes(12)
        return side.send_raw(side.head(self.status, {"Content-Type": "application/json"}, len(body)) + body)


class TruncateAction(_Model, InboundAction):
    """The real response, cut short: its headers promise the full length, the connection closes early."""

    type: Literal["truncate"]
    fraction: float = Field(0.5, ge=0.0, lt=1.0)

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        response = await side.respond()
        if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
            return side.abort(reset=False)
        body = response.body
        head = side.head(response.status, dict(response.headers), len(body))
        return side.send_raw(head + body[: int(len(body) * self.fraction)])


class HangAction(_Timed):
    """Keep the connection open and silent until the client gives up (or ``max_seconds``)."""

    type: Literal["hang"]
    max_seconds: float = Field(60.0, gt=0)

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        waited = 0.0
        while waited < self.max_seconds and side.connected():
            await side.sleep(HANG_POLL)
            waited += HANG_POLL
        return side.abort(reset=False)


HANG_POLL = 0.05  # seconds between looks at whether a hung client has given up


class SlowBodyAction(_Model, InboundAction):
    """The real response, dribbled: ``chunk`` bytes every ``interval`` seconds."""

    type: Literal["slow_body"]
    chunk: int = Field(16, ge=1)
    interval: float = Field(0.5, ge=0)

    async def inbound(self, side: InboundCall) -> web.StreamResponse:
        response = await side.respond()
        if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
            return response
        body = response.body
        slow = web.StreamResponse(
            status=response.status,
            headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"},
        )
        slow.content_length = len(body)
        try:
            await slow.prepare(side.request)
            for start in range(0, len(body), self.chunk):
                if start:
                    await side.sleep(self.interval)
                await slow.write(body[start : start + self.chunk])
            await slow.write_eof()
        except ConnectionError:
            pass
        return slow


class LoseAction(_Model, OutboundAction):
    """The callback is never sent; the simulator sees a timeout and its settlement policy takes over."""

    type: Literal["lose"]

    async def outbound(self, side: OutboundCall) -> WalletReply:
        await side.record(side.build(), "never sent", "lost", wait=side.timeout)
        side.fail(TimeoutError())


class DuplicateAction(_Model, OutboundAction):
    """The same request (same transaction id, same bytes) sent ``copies`` times, at once or ``spacing`` apart."""

    type: Literal["duplicate"]
    copies: int = Field(2, ge=2, le=100)
    spacing: float = Field(0.0, ge=0)

    async def outbound(self, side: OutboundCall) -> WalletReply:
        request = side.build()
        notes = [f"copy {i + 1} of {self.copies}" for i in range(self.copies)]
        results: list[WalletReply | BaseException]
        if self.spacing == 0:
            results = await asyncio.gather(*(side.exchange(request, note) for note in notes), return_exceptions=True)
        else:
            results = []
            for i, note in enumerate(notes):
                try:
                    results.append(await side.exchange(request, note, wait=self.spacing if i else 0.0))
                except (WalletError, WalletRefused) as exc:
                    results.append(exc)
        first = results[0]
        if isinstance(first, BaseException):
            raise first
        return first


class ReorderAction(_Model, OutboundAction):
    """Hold this call back and deliver it right after the round's next call (win before bet, rollback before bet).
    ``reply`` is what the simulator believes meanwhile: ``timeout`` (so a bet is rolled back) or ``ack`` (a made-up
    acceptance with balance 0, so the round goes on to its win: a deliberate protocol violation to test wallets)."""

    type: Literal["reorder"]
    reply: Literal["timeout", "ack"] = "timeout"

    async def outbound(self, side: OutboundCall) -> WalletReply:
        request = side.build()
        if not side.call.round_id:
            return await side.exchange(request, "nothing to reorder")
        note = f"held until the round's next call; the simulator sees {self.reply}"
        await side.hold(request)
        if self.reply == "timeout":
            await side.record(request, note, "held", wait=side.timeout)
            side.fail(TimeoutError())
        await side.record(request, note, "held")
        return side.fabricate()


class BadSignatureAction(_Model, OutboundAction):
    """The request no longer authenticates: by default whatever the dialect signs with is corrupted (a signature
    header, the md5_form ``hash`` field, the token_query ``authToken`` parameter); ``header`` names one instead."""

    type: Literal["bad_signature"]
    header: str | None = Field(None, min_length=1)

    async def outbound(self, side: OutboundCall) -> WalletReply:
        return await side.exchange(side.spoiled(side.build(), self.header), "credentials corrupted")


class ClockSkewAction(_Model, OutboundAction):
    """Sign with a clock this many seconds off (negative: a stale timestamp)."""

    type: Literal["clock_skew"]
    seconds: float = -600.0

    async def outbound(self, side: OutboundCall) -> WalletReply:
        return await side.exchange(side.build(skew=self.seconds), f"signed {self.seconds:+g}s off")


class MalformedBodyAction(_Model, OutboundAction):
    """``invalid_field``: one field replaced by ``value`` and signed properly, so the wallet must validate it;
    ``truncate`` / ``garbage``: the signed body damaged after signing."""

    type: Literal["malformed_body"]
    how: Literal["invalid_field", "truncate", "garbage"] = "invalid_field"
    field: str = "amount"
    value: Any = -1

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        names = [f.name for f in dataclasses.fields(WalletCall) if f.name != "operation"]
        if value not in names:
            raise ValueError(f"not a wallet call field; use one of {', '.join(names)}")
        return value

    async def outbound(self, side: OutboundCall) -> WalletReply:
        if self.how == "invalid_field":
            return await side.exchange(side.build(dataclasses.replace(side.call, **{self.field: self.value})))
        rng = side.rng

        def damage(r: WalletRequest) -> WalletRequest:
            body = r.body[: len(r.body) // 2] if self.how == "truncate" else rng.randbytes(len(r.body))
            return dataclasses.replace(r, body=body)

        return await side.exchange(each_request(side.build(), damage))


class TimeoutAction(_Model, OutboundAction):
    """The wallet's reply is thrown away and the call counts as timed out; with ``deliver: false`` nothing is sent."""

    type: Literal["timeout"]
    deliver: bool = True

    async def outbound(self, side: OutboundCall) -> WalletReply:
        request = side.build()
        if not self.deliver:
            await side.record(request, "never sent", "lost", wait=side.timeout)
            side.fail(TimeoutError())
        note = "delivered; the reply is treated as a timeout"
        return await side.exchange(request, note, wait=side.timeout, gave_up=True)


def each_request(request: WalletRequest, change: typing.Callable[[WalletRequest], WalletRequest]) -> WalletRequest:
    """``change`` applied to a request and to every request chained after it."""
    then = each_request(request.then, change) if request.then is not None else None
    return dataclasses.replace(change(request), then=then)


Action = Annotated[
    DelayAction
    | StatusAction
    | ResetAction
    | CloseAction
    | GarbageAction
    | MalformedAction
    | TruncateAction
    | HangAction
    | SlowBodyAction
    | LoseAction
    | DuplicateAction
    | ReorderAction
    | BadSignatureAction
    | ClockSkewAction
    | MalformedBodyAction
    | TimeoutAction,
    Field(discriminator="type"),
]

ACTION_TYPES: tuple[type[BaseModel], ...] = typing.get_args(typing.get_args(Action)[0])


def _type_name(action: type[BaseModel]) -> str:
    name: str = typing.get_args(action.model_fields["type"].annotation)[0]
    return name


INBOUND_ACTIONS = frozenset(_type_name(a) for a in ACTION_TYPES if issubclass(a, InboundAction))
OUTBOUND_ACTIONS = frozenset(_type_name(a) for a in ACTION_TYPES if issubclass(a, OutboundAction))
SOCKET_ACTIONS = frozenset(_type_name(a) for a in ACTION_TYPES if issubclass(a, SocketAction))
_ACTIONS = {"inbound": INBOUND_ACTIONS, "outbound": OUTBOUND_ACTIONS, "socket": SOCKET_ACTIONS}
# match fields a socket message has no value for: a rule naming them would never fire
_NOT_ON_SOCKETS = ("dialect", "method", "path", "bonus", "event", "headers")


class FaultRule(_Model):
    id: str | None = Field(None, pattern=RULE_ID, description="unique; generated (rule-1, rule-2...) when absent")
    description: str = Field("", max_length=500)
    enabled: bool = Field(True, description="disabled rules never fire on their own but can be named in the header")
    match: Match
    action: Action
    schedule: Schedule = Field(default_factory=Schedule)

    @model_validator(mode="after")
    def _fits_side(self) -> FaultRule:
        side, kind = self.match.side, self.action.type
        allowed = _ACTIONS[side]
        if kind not in allowed:
            article = "a" if side == "socket" else "an"
            raise ValueError(
                f"action.type {kind!r} is not {article} {side} action; use one of {', '.join(sorted(allowed))}"
            )
        fields_set = self.action.model_fields_set
        if side == "outbound" and "when" in fields_set:
            raise ValueError("action.when applies to inbound and socket rules only")
        if side != "outbound" and "deliver" in fields_set:
            raise ValueError("action.deliver applies to outbound rules only")
        if side == "outbound" and self.match.headers is not None:
            raise ValueError("match.headers applies to inbound rules only")
        if side == "inbound" and self.match.event is not None:
            raise ValueError("match.event applies to outbound rules (webhook deliveries) only")
        if side == "socket" and (unused := [name for name in _NOT_ON_SOCKETS if getattr(self.match, name)]):
            raise ValueError(f"match.{unused[0]} does not apply to socket rules")
        if side == "socket" and kind == "delay" and "when" in fields_set:
            raise ValueError("action.when applies to close and reset on socket rules (a delay holds the message)")
        if self.match.values("operation") == ("webhook",) and not self._fits_webhooks():
            raise ValueError(f"action.type {kind!r} does not apply to webhook deliveries")
        return self

    def _fits_webhooks(self) -> bool:
        """A delivery has no round order to break and no wallet call field to replace."""
        action = self.action
        if isinstance(action, ReorderAction):
            return False
        return not (isinstance(action, MalformedBodyAction) and action.how == "invalid_field")

    def with_id(self, rule_id: str) -> FaultRule:
        return self.model_copy(update={"id": rule_id})


class FaultFile(_Model):
    """The shape of a faults file and of ``PUT /admin/faults``."""

    rules: list[FaultRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> FaultFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id is not None:
                if rule.id in seen:
                    raise ValueError(f"rule id {rule.id!r} is used twice")
                seen.add(rule.id)
        return self

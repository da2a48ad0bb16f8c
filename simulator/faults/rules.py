"""Fault rules as data: what to match, what to do, and when. Frozen pydantic models, so a file, the admin API and the
``X-Casino-Sim-Fault`` header all go through the same validation and the same error messages.

>>> rule = FaultRule.model_validate(
...     {"id": "slow-bets", "match": {"side": "outbound", "operation": "bet"},
...      "action": {"type": "delay", "distribution": "fixed", "seconds": 2}, "schedule": {"probability": 0.1}}
... )
>>> rule.action.type, rule.schedule.probability
('delay', 0.1)

A rule whose action does not exist on its side is refused with the field named: an ``outbound`` rule cannot ``hang``
(the wallet is the server there), an ``inbound`` rule cannot ``lose`` a callback.
"""

from __future__ import annotations

import dataclasses
import math
import random
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.dialects.call import WalletCall

Side = Literal["inbound", "outbound"]
StrOrList = str | list[str]
RULE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
KEYS = ("global", "player", "session", "round", "transaction", "studio", "game")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # JSON types as written: false is no number


def _as_list(value: StrOrList | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


class Match(_Model):
    """Every field given must match (AND); a list matches any of its values (OR). Values with ``*``, ``?`` or ``[``
    are glob patterns. ``operation`` names: inbound ``launch``, ``games`` (the games feed), ``changes``, ``game``,
    ``thumbnail``, ``studios``, ``round``, ``rounds``, ``transactions``, ``verify``, ``client``, ``session``, ``play``,
    ``act``, ``open_rounds``, ``rotate``; outbound ``balance``, ``bet``, ``win``, ``rollback``."""

    side: Side
    operation: StrOrList | None = None
    studio: StrOrList | None = None
    game: StrOrList | None = None
    dialect: StrOrList | None = None
    player: StrOrList | None = None
    currency: StrOrList | None = None
    method: StrOrList | None = None
    path: StrOrList | None = None
    headers: dict[str, str] | None = Field(None, description="header name -> value (glob); inbound requests only")

    @field_validator("operation", "studio", "game", "dialect", "player", "currency", "method", "path")
    @classmethod
    def _not_empty(cls, value: StrOrList | None) -> StrOrList | None:
        if isinstance(value, list) and not value:
            raise ValueError("give at least one value, or leave the field out to match anything")
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


class _Timed(_Model):
    when: Literal["before", "after"] = Field(
        "before", description="inbound: before the handler runs (it never does) or after (it did, state changed)"
    )


_DELAY_PARAMETERS = {"fixed": ("seconds",), "uniform": ("low", "high"), "lognormal": ("median", "sigma")}


class DelayAction(_Timed):
    """Inbound: the response waits. Outbound: latency of the wallet call; reaching the client's timeout means the
    wallet still gets the call but the simulator stops waiting (the classic applied-but-timed-out case)."""

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


class StatusAction(_Timed):
    """Answer with this status instead. Inbound 429 and 503 carry ``Retry-After``. Outbound: the simulator reads this
    reply instead of the wallet's; with ``deliver`` the wallet got the call first (so it may have applied it)."""

    type: Literal["status"]
    status: int = Field(500, ge=400, le=599)
    body: dict[str, Any] | str | None = Field(
        None, description="default: a JSON error, code INJECTED_FAULT (INTERNAL_ERROR for an outbound 5xx)"
    )
    retry_after: float | None = Field(None, ge=0, description="seconds; default 1 on 429 and 503")
    deliver: bool = False


class ResetAction(_Timed):
    """A TCP reset (SO_LINGER 0). Outbound, with ``deliver`` the reset comes after the wallet got the call."""

    type: Literal["reset"]
    deliver: bool = False


class CloseAction(_Timed):
    type: Literal["close"]


class GarbageAction(_Timed):
    type: Literal["garbage"]
    bytes: int = Field(64, ge=1, le=65536)


class MalformedAction(_Timed):
    """A valid status line and headers, then a body that is not what the Content-Type says."""

    type: Literal["malformed"]
    status: int = Field(200, ge=100, le=599)


class TruncateAction(_Model):
    """The real response, cut short: its headers promise the full length, the connection closes early."""

    type: Literal["truncate"]
    fraction: float = Field(0.5, ge=0.0, lt=1.0)


class HangAction(_Timed):
    """Keep the connection open and silent until the client gives up (or ``max_seconds``)."""

    type: Literal["hang"]
    max_seconds: float = Field(60.0, gt=0)


class SlowBodyAction(_Model):
    """The real response, dribbled: ``chunk`` bytes every ``interval`` seconds."""

    type: Literal["slow_body"]
    chunk: int = Field(16, ge=1)
    interval: float = Field(0.5, ge=0)


class LoseAction(_Model):
    """The callback is never sent; the simulator sees a timeout and its settlement policy takes over."""

    type: Literal["lose"]


class DuplicateAction(_Model):
    """The same request (same transaction id, same bytes) sent ``copies`` times, at once or ``spacing`` apart."""

    type: Literal["duplicate"]
    copies: int = Field(2, ge=2, le=100)
    spacing: float = Field(0.0, ge=0)


class ReorderAction(_Model):
    """Hold this call back and deliver it right after the round's next call (win before bet, rollback before bet).
    ``reply`` is what the simulator believes meanwhile: ``timeout`` (so a bet is rolled back) or ``ack`` (a made-up
    acceptance with balance 0, so the round goes on to its win: a deliberate protocol violation to test wallets)."""

    type: Literal["reorder"]
    reply: Literal["timeout", "ack"] = "timeout"


class BadSignatureAction(_Model):
    """The request no longer authenticates: by default whatever the dialect signs with is corrupted (a signature
    header, the md5_form ``hash`` field, the token_query ``authToken`` parameter); ``header`` names one instead."""

    type: Literal["bad_signature"]
    header: str | None = Field(None, min_length=1)


class ClockSkewAction(_Model):
    """Sign with a clock this many seconds off (negative: a stale timestamp)."""

    type: Literal["clock_skew"]
    seconds: float = -600.0


class MalformedBodyAction(_Model):
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


class TimeoutAction(_Model):
    """The wallet's reply is thrown away and the call counts as timed out; with ``deliver: false`` nothing is sent."""

    type: Literal["timeout"]
    deliver: bool = True


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

INBOUND_ACTIONS = frozenset(
    {"delay", "status", "reset", "close", "garbage", "malformed", "truncate", "hang", "slow_body"}
)
OUTBOUND_ACTIONS = frozenset(
    {
        "delay",
        "status",
        "reset",
        "lose",
        "duplicate",
        "reorder",
        "bad_signature",
        "clock_skew",
        "malformed_body",
        "timeout",
    }
)


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
        allowed = INBOUND_ACTIONS if side == "inbound" else OUTBOUND_ACTIONS
        if kind not in allowed:
            raise ValueError(f"action.type {kind!r} is not an {side} action; use one of {', '.join(sorted(allowed))}")
        fields_set = self.action.model_fields_set
        if side == "outbound" and "when" in fields_set:
            raise ValueError("action.when applies to inbound rules only")
        if side == "inbound" and "deliver" in fields_set:
            raise ValueError("action.deliver applies to outbound rules only")
        if side == "outbound" and self.match.headers is not None:
            raise ValueError("match.headers applies to inbound rules only")
        return self

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

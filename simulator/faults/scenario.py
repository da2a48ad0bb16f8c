"""QA scenario files: faults + traffic + what must hold afterwards. One YAML file per scenario under ``scenarios/``.

```yaml
name: lost-win-retried
description: Every win's first delivery is lost; the settlement worker retries it with the same transaction id.
players: {count: 3, balance: 100000}
games: [dice]
faults:
  - id: lose-first-win
    match: {side: outbound, operation: win}
    action: {type: lose}
    schedule: {first: 1, per: transaction}
traffic:
  - {type: play, rounds: 5}
  - {type: settle, seconds: 120}
expect:
  settled_within: 120
  faults: {lose-first-win: {min: 15}}
```

Every run checks that money is intact (the ledger reconciles with the provider's log, nothing is debited twice, each
player's balance is what the log says) and that every round ended within ``settled_within`` seconds; ``expect`` adds
counts the scenario must show (rounds by status, responses, injections, wallet latency, the games feed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.faults.loader import read_document
from simulator.faults.rules import FaultRule
from simulator.http import parse_model

# settings a scenario may change; the rest (ports, files, seeds of ids) belong to the runner
SCENARIO_SETTINGS = frozenset(
    {
        "wallet_timeout",
        "retry_base_delay",
        "retry_max_delay",
        "retry_max_age",
        "session_ttl",
        "signature_window",
        "unknown_rollback",
        "fault_header",
        "fault_header_max_active",
        "live_betting_seconds",
        "live_draw_seconds",
        "live_pause_seconds",
    }
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Model):
    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def __str__(self) -> str:
        if self.min is not None and self.max is not None:
            return f"between {self.min:g} and {self.max:g}" if self.min != self.max else f"exactly {self.min:g}"
        if self.min is not None:
            return f"at least {self.min:g}"
        return f"at most {self.max:g}" if self.max is not None else "anything"


def _range(value: Any) -> Any:
    return {"min": value, "max": value} if isinstance(value, int | float) and not isinstance(value, bool) else value


Bound = Annotated[Range, Field(description="a number (exactly) or {min, max}")]


class Players(_Model):
    count: int = Field(2, ge=1, le=200)
    currency: str = "USD"
    balance: int = Field(1_000_000, ge=0, description="starting balance in minor units")
    prefix: str = Field("player", pattern=r"^[a-z][a-z0-9-]{0,30}$")
    country: str = Field("MT", pattern=r"^[A-Z]{2}$", description="sent at launch; games must be playable there")


class PlayStep(_Model):
    """Each player plays ``rounds`` rounds, one request at a time, players taking turns; games rotate."""

    type: Literal["play"]
    rounds: int = Field(ge=1, le=10_000)
    amount: int = Field(100, ge=1)
    params: dict[str, Any] = Field(default_factory=dict)
    interval: float = Field(0.0, ge=0, description="seconds between two requests (virtual time)")


class FreeRoundsStep(_Model):
    """Grant every player a free-round campaign of ``rounds`` rounds on the scenario's games (the stake: the lowest bet
    step they share), then each plays its rounds; a round given back after a failed bet is played again, between
    settlement passes, up to ``passes`` times."""

    type: Literal["free_rounds"]
    rounds: int = Field(ge=1, le=1000)
    payout: Literal["per_round", "total"] = "total"
    passes: int = Field(5, ge=1, le=50)


class LiveStep(_Model):
    """Every player joins the scenario's live table over its WebSocket and bets ``amount`` on ``bet`` in each of
    ``rounds`` table rounds; the run's clock moves the table through betting, no more bets and the result."""

    type: Literal["live"]
    rounds: int = Field(ge=1, le=1000)
    amount: int = Field(100, ge=1)
    bet: str = Field("banker", description="the bet spot, e.g. banker (baccarat) or red (roulette)")


class SettleStep(_Model):
    """Run the settlement worker, moving time to each next retry, until nothing is left or ``seconds`` pass."""

    type: Literal["settle"]
    seconds: float = Field(600.0, gt=0)


class RestartStep(_Model):
    """Stop the simulator (settlements still pending stay in its store) and start it again on the same data."""

    type: Literal["restart"]
    faults: list[FaultRule] | None = Field(None, description="rules after the restart; default: none")


class FaultsStep(_Model):
    """Replace the fault rules from here on (an empty list clears them)."""

    type: Literal["faults"]
    rules: list[FaultRule]


class AdvanceStep(_Model):
    type: Literal["advance"]
    seconds: float = Field(gt=0)


class FeedStep(_Model):
    """Read the whole games feed ``reads`` times, a page at a time, honouring Retry-After on 429 and 503."""

    type: Literal["feed"]
    reads: int = Field(3, ge=1, le=100)
    page: int = Field(100, ge=1, le=500)
    max_retries: int = Field(20, ge=0)


Step = Annotated[
    PlayStep | FreeRoundsStep | LiveStep | SettleStep | RestartStep | FaultsStep | AdvanceStep | FeedStep,
    Field(discriminator="type"),
]


class Expect(_Model):
    settled_within: float | None = Field(600.0, gt=0, description="every round ends within this; null: no limit")
    allow_manual: bool = Field(False, description="rounds flagged for manual reconciliation are acceptable")
    rounds: dict[str, Bound] = Field(default_factory=dict, description="round status -> count")
    responses: dict[str, Bound] = Field(default_factory=dict, description="HTTP status or transport error -> count")
    faults: dict[str, Bound] = Field(default_factory=dict, description="rule id -> injections")
    wallet_p99: Bound | None = Field(None, description="p99 of wallet call time as the simulator saw it, seconds")
    feed_complete: bool = Field(False, description="every feed read ended with the whole catalogue")

    @field_validator("rounds", "responses", "faults", mode="before")
    @classmethod
    def _bounds(cls, value: Any) -> Any:
        return {str(k): _range(v) for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("wallet_p99", mode="before")
    @classmethod
    def _bound(cls, value: Any) -> Any:
        return _range(value)


class Scenario(_Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    description: str = Field(min_length=1)
    seed: int = 20261120
    settings: dict[str, Any] = Field(default_factory=dict)
    players: Players = Field(default_factory=Players)
    games: list[str] = Field(default_factory=lambda: ["dice"], min_length=1, description="engine ids or game ids")
    faults: list[FaultRule] = Field(default_factory=list)
    traffic: list[Step] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)

    @field_validator("settings")
    @classmethod
    def _settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - SCENARIO_SETTINGS)
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} cannot be set by a scenario; use {', '.join(sorted(SCENARIO_SETTINGS))}"
            )
        return value

    @model_validator(mode="after")
    def _rule_ids(self) -> Scenario:
        lists = [self.faults] + [s.rules for s in self.traffic if isinstance(s, FaultsStep)]
        lists += [s.faults for s in self.traffic if isinstance(s, RestartStep) and s.faults]
        for rules in lists:
            ids = [r.id for r in rules if r.id is not None]
            if len(ids) != len(set(ids)):
                raise ValueError("rule ids repeat within one fault list")
        return self


def load_scenario(path: Path) -> Scenario:
    return parse_model(Scenario, read_document(path), strict=None, code="INVALID_SCENARIO", where=f"{path}: ")

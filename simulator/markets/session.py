"""The rules one session is launched under: the jurisdiction's profile for the game's category, resolved into the
session's currency, together with the operator's responsible-gaming settings. Fixed at launch, stored beside the
session (``simulator.markets.store``) and read by the round gate (``simulator.markets.gate``)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simulator.errors import Forbidden, RequestError
from simulator.markets.profiles import Profile
from simulator.rates import Rates


class ResponsibleGaming(BaseModel):
    """The operator's limits for this session, sent at launch. Amounts are minor units of ``currency``, which must be
    the session's own (a limit in another currency is refused rather than converted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str | None = Field(
        None, min_length=3, max_length=8, description="Currency of the limits (default: the session's)."
    )
    reality_check_interval: int | None = Field(
        None, gt=0, le=86_400, description="Seconds of play between reality checks."
    )
    session_time_limit: int | None = Field(None, gt=0, le=604_800, description="Seconds; no new round after it.")
    loss_limit: int | None = Field(None, gt=0, description="Highest net loss of the session (stakes less wins).")
    stake_limit: int | None = Field(None, gt=0, description="Highest stake per round.")
    autoplay_requires_loss_limit: bool = Field(False, description="Refuse autoplay unless a loss limit is set.")


@dataclass(frozen=True, slots=True)
class SessionRules:
    jurisdiction: str | None
    profile: str
    category: str
    currency: str
    min_round_seconds: float = 0.0
    autoplay: bool = True
    turbo: bool = True
    max_stake: int | None = None  # the jurisdiction's cap, in the session's currency
    max_win: int | None = None
    celebrate_wins_below_stake: bool = True
    show_rtp: bool = False
    show_clock: bool = False
    show_net_position: bool = False
    reality_check_interval: int | None = None
    session_time_limit: int | None = None
    loss_limit: int | None = None
    stake_limit: int | None = None
    autoplay_requires_loss_limit: bool = False

    @property
    def regulated(self) -> bool:
        """Whether anything here can refuse a round or shape an answer; the plain default needs no gate."""
        plain = SessionRules(self.jurisdiction, self.profile, self.category, self.currency)
        return dataclasses.replace(self, jurisdiction=None) != dataclasses.replace(plain, jurisdiction=None)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)

    @staticmethod
    def loads(text: str) -> SessionRules:
        return SessionRules(**json.loads(text))


def _cap(caps: dict[str, int], currency: str, rates: Rates) -> int | None:
    """The cap in ``currency``: as written for it, else converted (rounded down) from the first currency written."""
    if not caps:
        return None
    if currency in caps:
        return caps[currency]
    source = sorted(caps)[0]
    return rates.convert(caps[source], source, currency)


def session_rules(
    profile: Profile,
    jurisdiction: str | None,
    category: str,
    currency: str,
    *,
    young_adult: bool,
    rg: ResponsibleGaming | None,
    rates: Rates,
) -> SessionRules:
    """The rules of a session of a ``category`` game in ``currency``; raises a 4xx on settings that cannot hold."""
    if category not in profile.categories:
        raise Forbidden(
            f"{category} games may not be offered under {profile.id} ({profile.name})", code="GAME_NOT_CERTIFIED"
        )
    rg = rg or ResponsibleGaming()
    if rg.currency is not None and rg.currency != currency:
        raise RequestError(
            f"the responsible-gaming limits are in {rg.currency} but the session plays in {currency}; send them in"
            f" {currency}",
            code="LIMIT_CURRENCY_MISMATCH",
        )
    demands = profile.responsible_gaming
    if demands.session_limits_required and (rg.session_time_limit is None or rg.loss_limit is None):
        raise RequestError(
            f"{profile.id} requires a session time limit and a loss limit at launch"
            " (responsible_gaming.session_time_limit and loss_limit)",
            code="SESSION_LIMITS_REQUIRED",
        )
    interval = rg.reality_check_interval
    if demands.reality_check_max_interval is not None:
        interval = min(interval or demands.reality_check_max_interval, demands.reality_check_max_interval)
    rules = profile.for_category(category)
    caps = rules.max_stake_young_adult if young_adult and rules.max_stake_young_adult else rules.max_stake
    return SessionRules(
        jurisdiction=jurisdiction,
        profile=profile.id,
        category=category,
        currency=currency,
        min_round_seconds=rules.min_round_seconds,
        autoplay=rules.autoplay,
        turbo=rules.turbo,
        max_stake=_cap(caps, currency, rates),
        max_win=_cap(rules.max_win, currency, rates),
        celebrate_wins_below_stake=rules.celebrate_wins_below_stake,
        show_rtp=profile.client.show_rtp,
        show_clock=profile.client.show_clock,
        show_net_position=profile.client.show_net_position,
        reality_check_interval=interval,
        session_time_limit=rg.session_time_limit,
        loss_limit=rg.loss_limit,
        stake_limit=rg.stake_limit,
        autoplay_requires_loss_limit=rg.autoplay_requires_loss_limit or demands.autoplay_requires_loss_limit,
    )

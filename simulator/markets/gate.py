"""The gate a regulated session's rounds pass: what the server can enforce of a jurisdiction and of the operator's
responsible-gaming settings.

Before a round is recorded, ``admit`` refuses an autoplay or turbo round where the profile bans it, a stake above the
jurisdiction's cap or the operator's stake limit, and, in one conditional update of the session's market row, a round
started sooner than the minimum time after the previous one, past the session time limit, while a reality check is
due, or whose stake would take the session past its loss limit. Nothing is written for a refused round. When the round
is over, ``finished`` counts its win and closes the session once the loss limit is reached; a round that never took
money (the wallet refused the bet, or its fate was unknown and it is rolled back) gives its stake back with ``void``.

A multi-step round (blackjack, mines...) is admitted when it opens; its extra bets (double, split) are counted against
the loss limit as they are placed (``add_bet``), and its actions stay allowed after the time limit passes or a reality
check falls due, so that no round is left half-played: the limit stops the *next* round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from simulator.catalog.models import Game
from simulator.clock import Clock
from simulator.errors import Conflict, Forbidden, NotFound, SessionExpired
from simulator.markets.profiles import Profiles
from simulator.markets.session import ResponsibleGaming, SessionRules, session_rules
from simulator.markets.store import ACTIVE, CLOSED, REALITY_CHECK, MarketState, MarketStore
from simulator.rates import Rates


@dataclass(frozen=True, slots=True)
class PlayFlags:
    """How the client says a round was started: by an autoplay feature, with turbo / quick spin."""

    autoplay: bool = False
    turbo: bool = False


NO_FLAGS = PlayFlags()


def _closed(state: MarketState) -> SessionExpired:
    return SessionExpired(
        f"this session was closed ({state.closed_reason}); launch the game again",
        code="SESSION_CLOSED",
        extra={"reason": state.closed_reason},
    )


class MarketGate:
    def __init__(self, store: MarketStore, profiles: Profiles, rates: Rates, clock: Clock) -> None:
        self.store = store
        self.profiles = profiles
        self.rates = rates
        self._clock = clock

    # launch

    def launch_rules(
        self,
        game: Game,
        jurisdiction: str | None,
        currency: str,
        *,
        young_adult: bool,
        rg: ResponsibleGaming | None,
    ) -> SessionRules:
        """The rules a session of ``game`` would play under; a 4xx when it may not be launched at all."""
        profile = self.profiles.resolve(jurisdiction)
        if profile.certification_required and profile.id not in game.jurisdictions:
            raise Forbidden(
                f"{game.game_id} is not certified for {profile.id};"
                f" certified for: {', '.join(game.jurisdictions) or 'none'}",
                code="GAME_NOT_CERTIFIED",
            )
        rules = session_rules(
            profile, jurisdiction, game.category, currency, young_adult=young_adult, rg=rg, rates=self.rates
        )
        if rules.max_win is not None and game.max_win_multiplier is None:
            raise Forbidden(
                f"{game.game_id} has no bounded win, and {profile.id} caps the win per round", code="GAME_NOT_CERTIFIED"
            )
        return rules

    async def open(self, token: str, rules: SessionRules) -> None:
        if rules.regulated:
            await self.store.create(token, rules, self._clock.now())

    # rounds

    def unregulated(self, token: str) -> bool:
        """Whether the session is known to play without rules: then ``admit`` would only say ``None``, and a round
        need not await it."""
        return self.store.unregulated(token)

    async def admit(self, token: str, game: Game, amount: int, flags: PlayFlags, now: float) -> SessionRules | None:
        """Count the round as started, or refuse it with nothing written; ``None`` for an unregulated session."""
        rules = await self.store.rules(token)
        if rules is None:
            return None
        if flags.autoplay and not rules.autoplay:
            raise Forbidden(f"autoplay is not allowed under {rules.profile}", code="AUTOPLAY_NOT_ALLOWED")
        if flags.autoplay and rules.autoplay_requires_loss_limit and rules.loss_limit is None:
            raise Forbidden(
                "autoplay needs a session loss limit, and none was set at launch", code="AUTOPLAY_NEEDS_LOSS_LIMIT"
            )
        if flags.turbo and not rules.turbo:
            raise Forbidden(f"turbo and quick spin are not allowed under {rules.profile}", code="TURBO_NOT_ALLOWED")
        if rules.max_stake is not None and amount > rules.max_stake:
            raise Forbidden(
                f"stake {amount} is above the {rules.profile} cap of {rules.max_stake} {rules.currency} per round",
                code="STAKE_ABOVE_JURISDICTION_CAP",
                extra={"max_stake": rules.max_stake},
            )
        if rules.stake_limit is not None and amount > rules.stake_limit:
            raise Forbidden(
                f"stake {amount} is above this session's stake limit of {rules.stake_limit} {rules.currency}",
                code="STAKE_ABOVE_SESSION_LIMIT",
                extra={"stake_limit": rules.stake_limit},
            )
        multiplier = game.max_win_multiplier
        if rules.max_win is not None and multiplier is not None and amount * Decimal(str(multiplier)) > rules.max_win:
            raise Forbidden(
                f"stake {amount} could win more than the {rules.profile} cap of {rules.max_win} {rules.currency}",
                code="STAKE_ABOVE_WIN_CAP",
                extra={"max_win": rules.max_win},
            )
        if not await self.store.start_round(token, rules, amount, now):
            await self._refuse(token, rules, game, amount, now)
        return rules

    async def _refuse(self, token: str, rules: SessionRules, game: Game, amount: int, now: float) -> None:
        """Say why ``start_round`` refused (moving the session on when the reason is a check or a limit)."""
        state = await self.store.state(token)
        assert state is not None
        if state.status == CLOSED:
            raise _closed(state)
        if state.status == REALITY_CHECK or (state.next_check_at is not None and state.next_check_at <= now):
            await self.store.move(token, ACTIVE, REALITY_CHECK, now)
            raise Conflict(
                "reality check: the player must choose to continue or quit before the next round",
                code="REALITY_CHECK_DUE",
                extra={"market": self.summary(state, now)},
            )
        if rules.session_time_limit is not None and now >= state.started_at + rules.session_time_limit:
            await self.store.move(token, ACTIVE, CLOSED, now, reason="time_limit")
            raise _closed((await self.store.state(token)) or state)
        if state.last_round_at is not None and now < state.last_round_at + rules.min_round_seconds:
            wait = state.last_round_at + rules.min_round_seconds - now
            raise Conflict(
                f"under {rules.profile} a round may start {rules.min_round_seconds:g} s after the previous one;"
                f" wait {wait:.2f} s",
                code="ROUND_TOO_SOON",
                extra={"retry_after": round(wait, 3)},
                headers={"Retry-After": str(math.ceil(wait))},
            )
        if rules.loss_limit is not None:
            remaining = rules.loss_limit - (state.staked - state.won)
            if remaining < game.min_bet.get(rules.currency, 1):
                await self.store.move(token, ACTIVE, CLOSED, now, reason="loss_limit")
                raise _closed((await self.store.state(token)) or state)
            raise Forbidden(
                f"stake {amount} would take the session past its loss limit; at most {remaining} remains",
                code="LOSS_LIMIT_REACHED",
                extra={"remaining": remaining},
            )
        raise Conflict("another round of this session changed its state; play again", code="SESSION_BUSY")

    async def add_bet(self, token: str, amount: int, now: float) -> SessionRules | None:
        """Count an extra bet in an open round against the loss limit."""
        rules = await self.store.rules(token)
        if rules is None:
            return None
        if not await self.store.add_stake(token, rules, amount, now):
            raise Forbidden("this bet would take the session past its loss limit", code="LOSS_LIMIT_REACHED")
        return rules

    async def void(self, token: str, stake: int) -> None:
        """A round (or extra bet) that took no money after all: its stake no longer counts."""
        if await self.store.rules(token) is not None:
            await self.store.settle(token, refunded=stake, now=self._clock.now())

    async def finished(self, token: str, stake: int, win: int) -> dict[str, Any] | None:
        """Count a finished round's win; close the session when the loss limit is reached. The market part of the
        round's answer, ``None`` for an unregulated session."""
        rules = await self.store.rules(token)
        if rules is None:
            return None
        now = self._clock.now()
        state = await self.store.settle(token, won=win, now=now)
        limit = rules.loss_limit
        if (
            limit is not None
            and state.net <= -limit
            and await self.store.move(token, ACTIVE, CLOSED, now, reason="loss_limit")
        ):
            state = (await self.store.state(token)) or state
        out = self.summary(state, now)
        del out["rules"]  # fixed at launch; the session info repeats them
        out["celebrate"] = win > 0 and (win > stake or rules.celebrate_wins_below_stake)
        return out

    # the client

    def summary(self, state: MarketState, now: float) -> dict[str, Any]:
        rules = state.rules
        ends = None if rules.session_time_limit is None else state.started_at + rules.session_time_limit
        due = state.status == REALITY_CHECK or (
            state.status == ACTIVE and state.next_check_at is not None and state.next_check_at <= now
        )
        return {
            "jurisdiction": rules.jurisdiction,
            "profile": rules.profile,
            "status": state.status,
            "closed_reason": state.closed_reason,
            "rounds": state.rounds,
            "staked": state.staked,
            "won": state.won,
            "net": state.net,
            "elapsed": now - state.started_at,
            "reality_check_due": due,
            "next_reality_check_at": state.next_check_at,
            "next_round_at": None
            if state.last_round_at is None or not rules.min_round_seconds
            else state.last_round_at + rules.min_round_seconds,
            "session_ends_at": ends,
            "rules": rules.to_json(),
        }

    async def session_summary(self, token: str) -> dict[str, Any] | None:
        state = await self.store.state(token)
        return None if state is None else self.summary(state, self._clock.now())

    async def reality_check(self, token: str, decision: Literal["continue", "quit"]) -> dict[str, Any]:
        """The player's answer to a reality check: continue (the next check is one interval away) or quit (the
        session closes). Refused when no check is due."""
        state = await self.store.state(token)
        if state is None:
            raise NotFound("this session has no reality checks", code="NO_REALITY_CHECK")
        now = self._clock.now()
        if state.status == CLOSED:
            raise _closed(state)
        if self.summary(state, now)["reality_check_due"] is False:
            raise Conflict("no reality check is due in this session", code="NO_REALITY_CHECK")
        if decision == "quit":
            await self.store.move(token, state.status, CLOSED, now, reason="player_quit")
        else:
            interval = state.rules.reality_check_interval
            assert interval is not None
            await self.store.move(token, state.status, ACTIVE, now, next_check_at=now + interval)
        after = await self.store.state(token)
        assert after is not None
        return self.summary(after, now)

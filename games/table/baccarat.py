"""Baccarat (punto banco) with player, banker, tie and pair bets, dealt from an infinite deck.

Every card is ``rng.index(52)`` with the public card mapping, i.e. drawn with replacement as public provably-fair
baccarat does, which also makes the math exactly enumerable: the first four cards by rank (13**4) and the two
possible third cards by value class, weighted to a denominator of 13**6.

Payouts per unit: player 1:1, banker 0.95:1 (5% commission, exact before the round is settled), tie 8:1 with
player and banker bets returned on a tie, player pair and banker pair (the first two cards of that side share a
rank) 11:1. Each bet's ``win`` in the outcome is its exact return rounded down, for display; the round's win is the
sum of the exact returns settled once by ``games.common.money.settle`` (unbiased rounding), so it can exceed the sum
of the bets' wins by one minor unit.

Params are ``{"bets": [{"type": "banker", "amount": 100}, ...]}`` with amounts adding up to the stake; a
lone bet may omit its amount. The reference bet is banker for the whole stake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from games.common.money import check_amount, check_stake, exact_text, settle_from
from games.common.params import check_keys, check_mapping
from games.common.profile import Distribution, distribution, profile
from games.common.schema import Parameters, amounts_rule, params_schema
from games.engine import JSON, MathProfile, Outcome, SingleStep
from games.errors import InvalidBet
from games.rng import RandomSource
from games.table.baccarat_rules import Coup, Coups, deal, deal_many
from games.table.cards import label

BET_TYPES = ("player", "banker", "tie", "player_pair", "banker_pair")
_TWENTIETHS = {"player": 40, "banker": 39, "push": 20, "tie": 180, "player_pair": 240, "banker_pair": 240}
"""Return per unit staked, in twentieths, when the bet wins (``push``: player or banker bet on a tie)."""
_DECK_WEIGHT = 13**6
_THIRD_CARD_CLASSES = ((8, 4), (12, 1), *((r, 1) for r in range(8)))
"""Third cards only matter by value: (representative rank, number of ranks with that value)."""
_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class Bet:
    type: str
    amount: int


def _unit_returns(bet_type: str, coups: Coups) -> npt.NDArray[np.int64]:
    """Return per unit staked on ``bet_type`` for every coup, in twentieths."""
    player_wins = coups.player_total > coups.banker_total
    banker_wins = coups.banker_total > coups.player_total
    tie = ~player_wins & ~banker_wins
    if bet_type in ("player", "banker"):
        wins = player_wins if bet_type == "player" else banker_wins
        return np.where(wins, _TWENTIETHS[bet_type], np.where(tie, _TWENTIETHS["push"], 0))
    if bet_type == "tie":
        return np.where(tie, _TWENTIETHS["tie"], 0)
    pair = coups.player_pair if bet_type == "player_pair" else coups.banker_pair
    return np.where(pair, _TWENTIETHS[bet_type], 0)


def _all_coups(by_rank: bool) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every distinct deal as rank rows with integer weights out of 13**6.

    Only pair bets care about the first four cards' exact ranks; without them the first four are enumerated by
    value class too, which is 10**4 rather than 13**4 rows (the representative ranks then make pairs meaningless).
    """
    classes = [(r, 1) for r in range(13)] if by_rank else list(_THIRD_CARD_CLASSES)
    ranks = np.array([r for r, _ in classes], dtype=np.int64)
    class_weights = np.array([w for _, w in classes], dtype=np.int64)
    grid = np.stack(np.meshgrid(*[np.arange(len(classes))] * 4, indexing="ij"), axis=-1).reshape(-1, 4)
    first_four = ranks[grid]
    first_weights = class_weights[grid].prod(axis=1)
    thirds = np.array([(a, b) for a, _ in _THIRD_CARD_CLASSES for b, _ in _THIRD_CARD_CLASSES], dtype=np.int64)
    third_weights = np.array([wa * wb for _, wa in _THIRD_CARD_CLASSES for _, wb in _THIRD_CARD_CLASSES])
    rows = np.hstack([np.repeat(first_four, len(thirds), axis=0), np.tile(thirds, (len(first_four), 1))])
    weights = np.repeat(first_weights, len(thirds)) * np.tile(third_weights, len(first_four))
    return rows, weights.astype(np.int64)


@cache
def _exact(bets: tuple[Bet, ...]) -> Distribution:
    rows, weights = _all_coups(by_rank=any(bet.type.endswith("_pair") for bet in bets))
    coups = deal_many(rows)
    total = sum(bet.amount for bet in bets)
    returns = sum((bet.amount * _unit_returns(bet.type, coups) for bet in bets), np.zeros(len(rows), np.int64))
    values, inverse = np.unique(returns, return_inverse=True)
    mass = np.bincount(inverse.ravel(), weights=weights, minlength=len(values))
    return distribution(
        (Fraction(int(m), _DECK_WEIGHT), Fraction(int(v), 20 * total)) for v, m in zip(values, mass, strict=True)
    )


class BaccaratEngine(SingleStep):
    """Single-step punto banco."""

    engine_id = "baccarat"
    category = "table"

    def reference_params(self) -> JSON:
        return {"bets": [{"type": "banker"}]}

    def parameters(self) -> Parameters:
        bet = {
            "type": "object",
            "properties": {
                "type": {"enum": list(BET_TYPES), "description": "One bet of each type at most."},
                "amount": {"type": "integer", "minimum": 1, "description": "Minor units on this bet."},
            },
            "required": ["type"],
            "additionalProperties": False,
        }
        return Parameters(
            params_schema(
                "baccarat bet",
                {"bets": amounts_rule(bet) | {"maxItems": len(BET_TYPES)}},
                description="Punto banco bets; when several are placed each says its amount and the amounts add up"
                " to the round's stake (a lone bet without an amount stakes everything).",
                examples=[
                    {"bets": [{"type": "banker"}]},
                    {
                        "bets": [
                            {"type": "player", "amount": 80},
                            {"type": "tie", "amount": 10},
                            {"type": "player_pair", "amount": 10},
                        ]
                    },
                    {},
                ],
                invalid=[
                    {"bets": []},
                    {"bets": [{"type": "dragon"}]},
                    {"bets": [{"type": "player", "amount": 50}, {"type": "tie"}]},
                    {"bets": [{"type": "banker", "amount": 0}]},
                ],
            )
        )

    def parse_bets(self, params: Mapping[str, Any], stake: int | None) -> list[Bet]:
        params = check_mapping(params, "baccarat")
        check_keys(params, ("bets",), "baccarat")
        raw = params.get("bets", self.reference_params()["bets"])
        if not isinstance(raw, list) or not raw:
            raise InvalidBet("baccarat: bets must be a non-empty list of bet objects")
        if len(raw) == 1 and isinstance(raw[0], Mapping) and "amount" not in raw[0]:
            raw = [{**raw[0], "amount": 1 if stake is None else stake}]
        bets: list[Bet] = []
        for position, bet in enumerate(raw):
            where = f"baccarat bet #{position + 1}"
            if not isinstance(bet, Mapping):
                raise InvalidBet(f"{where}: must be an object with type and amount")
            check_keys(bet, ("type", "amount"), where)
            bet_type = bet.get("type")
            if not isinstance(bet_type, str) or bet_type not in BET_TYPES:
                raise InvalidBet(f"{where}: unknown bet type {bet_type!r}; expected one of {list(BET_TYPES)}")
            if any(seen.type == bet_type for seen in bets):
                raise InvalidBet(f"{where}: only one {bet_type} bet per round")
            bets.append(Bet(bet_type, check_amount(bet.get("amount"), where)))
        total = sum(bet.amount for bet in bets)
        if stake is not None and total != stake:
            raise InvalidBet(f"baccarat: bet amounts add up to {total} but the stake is {stake}")
        return bets

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        bets = self.parse_bets(params, stake)
        coup = deal(lambda: rng.index(52))
        exacts = [self._payout(bet, coup) for bet in bets]
        results = [
            {"type": bet.type, "amount": bet.amount, "win": exact.numerator // exact.denominator}
            for bet, exact in zip(bets, exacts, strict=True)
        ]
        exact = sum(exacts, Fraction(0))
        return Outcome(
            win=settle_from(exact, rng),
            detail={
                "player": {"cards": [label(c) for c in coup.player], "total": coup.player_total},
                "banker": {"cards": [label(c) for c in coup.banker], "total": coup.banker_total},
                "result": coup.winner,
                "player_pair": coup.player_pair,
                "banker_pair": coup.banker_pair,
                "bets": results,
                "exact_win": exact_text(exact),
            },
        )

    @staticmethod
    def _payout(bet: Bet, coup: Coup) -> Fraction:
        """The bet's exact return in minor units."""
        if bet.type in ("player", "banker"):
            if coup.winner == "tie":
                return Fraction(bet.amount)
            return Fraction(bet.amount * _TWENTIETHS[bet.type], 20) if coup.winner == bet.type else Fraction(0)
        won = {"tie": coup.winner == "tie", "player_pair": coup.player_pair, "banker_pair": coup.banker_pair}
        return Fraction(bet.amount * _TWENTIETHS[bet.type], 20) if won[bet.type] else Fraction(0)

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        """Exact returns per unit stake by full enumeration of the infinite-deck deal (cached per bet set)."""
        bets = self.parse_bets(self.reference_params() if params is None else params, None)
        return _exact(tuple(bets))

    def math(self) -> MathProfile:
        return profile(self.distribution(), "enumeration", max_win=Fraction(_TWENTIETHS["player_pair"], 20))

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        bets = self.parse_bets(self.reference_params(), None)
        stake = sum(bet.amount for bet in bets)
        out = np.empty(rounds, dtype=np.float64)
        for start in range(0, rounds, _CHUNK):
            size = min(_CHUNK, rounds - start)
            coups = deal_many(rng.integers(0, 52, size=(size, 6)) // 4)
            returns = sum((bet.amount * _unit_returns(bet.type, coups) for bet in bets), np.zeros(size, np.int64))
            out[start : start + size] = returns / (20 * stake)
        return out

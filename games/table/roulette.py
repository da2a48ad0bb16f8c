"""Roulette: European (single zero), American (double zero, five-number bet), French (la partage, call bets).

Params ``{"bets": [{"type": "split", "numbers": [17, 20], "amount": 50}, ...]}``; ``"00"`` names double
zero. Dozens and columns take ``"which": 1 | 2 | 3`` (or their twelve numbers); even-money bets need no
numbers. A lone bet may omit its amount and then stakes everything; otherwise amounts must add up to the
stake, so the wallet debit and the table agree. The pocket is ``rng.index(pockets)``, i.e. the public
``floor(f * 37)`` (or 38) mapping.

The French table also takes the announced bets ``voisins`` (9 chips), ``tiers`` (6), ``orphelins`` (5) and
``jeu_zero`` (4), e.g. ``{"type": "voisins", "amount": 90}``: the amount must be a whole number of chips and is
placed as the sector's inside bets, which the outcome lists with ``"call"`` set.

The reference bet is red for the whole stake: RTP 36/37 (European), 36/38 (American), 73/74 (French, where
zero returns half). Those are exact: the math enumerates all pockets with ``Fraction`` returns.

Money: each bet's ``win`` in the outcome is its exact return rounded down, for display; the round's win is the sum
of the exact returns (la partage halves included) settled once by ``games.common.money.settle``, so it can exceed
the sum of the bets' wins by one minor unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
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
from games.table.roulette_layout import (
    CALL_BET_CHIPS,
    CALL_BETS,
    DOUBLE_ZERO,
    PAYOUT_TO_ONE,
    Layout,
    color,
    label,
    make_layout,
)

MAX_BETS = 200
_BET_KEYS = ("type", "numbers", "which", "amount")


@dataclass(frozen=True, slots=True)
class Bet:
    type: str
    covered: frozenset[int]
    amount: int
    call: str | None = None
    """The announced bet this part belongs to, if any."""

    def to_json(self) -> JSON:
        shown: JSON = {
            "type": self.type,
            "numbers": [_number_json(n) for n in sorted(self.covered)],
            "amount": self.amount,
        }
        if self.call:
            shown["call"] = self.call
        return shown


def _number_json(pocket: int) -> int | str:
    return "00" if pocket == DOUBLE_ZERO else pocket


class RouletteEngine(SingleStep):
    """Single-step roulette over one ``Layout``."""

    category = "table"

    def __init__(self, engine_id: str, layout: Layout) -> None:
        self.engine_id = engine_id
        self.layout = layout

    def reference_params(self) -> JSON:
        return {"bets": [{"type": "red"}]}

    def parameters(self) -> Parameters:
        american = self.layout.pockets == 38
        pocket_names = [str(n) for n in range(37)] + (["00"] if american else [])
        number = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 36}, {"enum": pocket_names}]}
        bet = {
            "type": "object",
            "properties": {
                "type": {"enum": self._types(), "description": "The bet on the felt (announced bets: French table)."},
                "numbers": {
                    "type": "array",
                    "items": number,
                    "minItems": 1,
                    "uniqueItems": True,
                    "description": "Pockets covered; inside bets need them and they must be a legal bet on this"
                    " layout (a split of neighbouring boxes, a real corner...). "
                    + ('"00" is double zero.' if american else ""),
                },
                "which": {"type": "integer", "minimum": 1, "maximum": 3, "description": "Dozen or column 1, 2 or 3."},
                "amount": {"type": "integer", "minimum": 1, "description": "Minor units on this bet."},
            },
            "required": ["type"],
            "additionalProperties": False,
        }
        bets = amounts_rule(bet) | {"maxItems": MAX_BETS}
        examples: list[JSON] = [
            {"bets": [{"type": "red"}]},
            {"bets": [{"type": "dozen", "which": 2}]},
            {
                "bets": [
                    {"type": "straight", "numbers": [17], "amount": 50},
                    {"type": "split", "numbers": [17, 20], "amount": 30},
                    {"type": "corner", "numbers": [1, 2, 4, 5], "amount": 20},
                ]
            },
            {},
        ]
        if american:
            examples.append(
                {"bets": [{"type": "straight", "numbers": ["00"], "amount": 10}, {"type": "black", "amount": 90}]}
            )
        if self.layout.call_bets:
            examples.append({"bets": [{"type": "voisins", "amount": 90}]})
        return Parameters(
            params_schema(
                f"{self.engine_id} bet",
                {"bets": bets},
                description="Bets on the table; when several are placed each says its amount and the amounts add"
                " up to the round's stake (a lone bet without an amount stakes everything).",
                examples=examples,
                invalid=[
                    {"bets": []},
                    {"bets": [{"type": "orange"}]},
                    {"bets": [{"type": "red", "amount": 50}, {"type": "black"}]},
                    {"bets": [{"type": "dozen", "which": 4}]},
                    {"bets": [{"type": "straight", "numbers": [37]}]},
                ],
            )
        )

    def felt(self) -> JSON:
        """The table a client draws: its pockets, every legal inside bet other than a straight as the numbers it
        covers (ascending, ``"00"`` last), and the announced bets it takes with their chips."""
        inside = {
            kind: [[_number_json(n) for n in numbers] for numbers in sorted(sorted(covered) for covered in sets)]
            for kind, sets in self.layout.legal.items()
            if kind != "straight" and kind not in self.layout.outside
        }
        calls = CALL_BET_CHIPS if self.layout.call_bets else {}
        return {"pockets": self.layout.pockets, "inside": inside, "call_bets": dict(calls)}

    def parse_bets(self, params: Mapping[str, Any], stake: int | None) -> list[Bet]:
        """Validated bets; ``stake=None`` (math only) takes the stake to be the sum of the amounts."""
        params = check_mapping(params, self.engine_id)
        check_keys(params, ("bets",), self.engine_id)
        raw = params.get("bets", self.reference_params()["bets"])
        if not isinstance(raw, list) or not raw:
            raise InvalidBet(f"{self.engine_id}: bets must be a non-empty list of bet objects")
        if len(raw) > MAX_BETS:
            raise InvalidBet(f"{self.engine_id}: at most {MAX_BETS} bets per round, got {len(raw)}")
        if len(raw) == 1 and isinstance(raw[0], Mapping) and "amount" not in raw[0]:
            raw = [{**raw[0], "amount": 1 if stake is None else stake}]
        bets = [part for position, bet in enumerate(raw) for part in self._parse_bet(position, bet)]
        total = sum(bet.amount for bet in bets)
        if stake is not None and total != stake:
            raise InvalidBet(f"{self.engine_id}: bet amounts add up to {total} but the stake is {stake}")
        return bets

    def _types(self) -> list[str]:
        return sorted([*self.layout.legal, *(CALL_BETS if self.layout.call_bets else ())])

    def _parse_bet(self, position: int, bet: object) -> list[Bet]:
        """One bet as placed; an announced bet becomes its inside parts, each with an equal share per chip."""
        where = f"{self.engine_id} bet #{position + 1}"
        if not isinstance(bet, Mapping):
            raise InvalidBet(f"{where}: must be an object with type, numbers and amount")
        check_keys(bet, _BET_KEYS, where)
        bet_type = bet.get("type")
        if not isinstance(bet_type, str) or bet_type not in self._types():
            raise InvalidBet(f"{where}: unknown bet type {bet_type!r}; expected one of {self._types()}")
        amount = check_amount(bet.get("amount"), where)
        if bet_type in CALL_BETS:
            return self._call(bet_type, bet, amount, where)
        numbers = self._numbers(bet["numbers"], where) if "numbers" in bet else None
        if bet_type in self.layout.outside:
            return [Bet(bet_type, self._outside(bet_type, bet.get("which"), numbers, where), amount)]
        if "which" in bet:
            raise InvalidBet(f"{where}: 'which' applies only to dozen and column bets")
        if numbers is None:
            raise InvalidBet(f"{where}: a {bet_type} bet needs its numbers")
        if numbers not in self.layout.legal[bet_type]:
            shown = [_number_json(n) for n in sorted(numbers)]
            raise InvalidBet(f"{where}: {shown} is not a legal {bet_type} on the {self.layout.name} table")
        return [Bet(bet_type, numbers, amount)]

    @staticmethod
    def _call(name: str, bet: Mapping[str, Any], amount: int, where: str) -> list[Bet]:
        if "numbers" in bet or "which" in bet:
            raise InvalidBet(f"{where}: {name} is an announced bet and takes no numbers")
        chips = CALL_BET_CHIPS[name]
        if amount % chips:
            raise InvalidBet(f"{where}: {name} is {chips} chips, so its amount must be a multiple of {chips}")
        unit = amount // chips
        return [Bet(kind, covered, unit * count, call=name) for kind, covered, count in CALL_BETS[name]]

    def _outside(self, bet_type: str, which: object, numbers: frozenset[int] | None, where: str) -> frozenset[int]:
        options = self.layout.outside[bet_type]
        if which is not None:
            if len(options) == 1:
                raise InvalidBet(f"{where}: 'which' applies only to dozen and column bets")
            if isinstance(which, bool) or not isinstance(which, int) or not 1 <= which <= len(options):
                raise InvalidBet(f"{where}: which must be 1, 2 or 3, got {which!r}")
            chosen = options[which - 1]
            if numbers is not None and numbers != chosen:
                raise InvalidBet(f"{where}: numbers do not match {bet_type} {which}")
            return chosen
        if numbers is None:
            if len(options) > 1:
                raise InvalidBet(f"{where}: a {bet_type} bet needs which (1, 2 or 3) or its twelve numbers")
            return options[0]
        if numbers not in options:
            raise InvalidBet(f"{where}: those numbers are not a {bet_type}")
        return numbers

    def _numbers(self, raw: object, where: str) -> frozenset[int]:
        if not isinstance(raw, list) or not raw:
            raise InvalidBet(f"{where}: numbers must be a non-empty list")
        pockets = [self._pocket(item, where) for item in raw]
        if len(set(pockets)) != len(pockets):
            raise InvalidBet(f"{where}: numbers contain duplicates")
        return frozenset(pockets)

    def _pocket(self, item: object, where: str) -> int:
        if isinstance(item, str):
            if item == "00" and self.layout.pockets == 38:
                return DOUBLE_ZERO
            if item.isdigit() and item == str(int(item)):
                item = int(item)
        if isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 36:
            return item
        allowed = "0-36 or '00'" if self.layout.pockets == 38 else "0-36"
        raise InvalidBet(f"{where}: {item!r} is not a number on the {self.layout.name} table ({allowed})")

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        stake = check_stake(stake)
        bets = self.parse_bets(params, stake)
        pocket = rng.index(self.layout.pockets)
        results = []
        exact = Fraction(0)
        for bet in bets:
            bet_exact = bet.amount * self.layout.unit_return(bet.type, bet.covered, pocket)
            exact += bet_exact
            results.append({**bet.to_json(), "win": bet_exact.numerator // bet_exact.denominator})
        return Outcome(
            win=settle_from(exact, rng),
            detail={
                "pocket": _number_json(pocket),
                "label": label(pocket),
                "color": color(pocket),
                "bets": results,
                "exact_win": exact_text(exact),
            },
        )

    def pocket_returns(self, params: Mapping[str, Any] | None = None) -> list[Fraction]:
        """Exact return per unit stake for each pocket index (``DOUBLE_ZERO`` last on the American table)."""
        bets = self.parse_bets(self.reference_params() if params is None else params, None)
        stake = sum(bet.amount for bet in bets)
        return [
            sum((bet.amount * self.layout.unit_return(bet.type, bet.covered, p) for bet in bets), Fraction(0)) / stake
            for p in range(self.layout.pockets)
        ]

    def distribution(self, params: Mapping[str, Any] | None = None) -> Distribution:
        share = Fraction(1, self.layout.pockets)
        return distribution((share, value) for value in self.pocket_returns(params))

    def math(self) -> MathProfile:
        return profile(self.distribution(), "enumeration", max_win=PAYOUT_TO_ONE["straight"] + 1)

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
        table = np.array([float(value) for value in self.pocket_returns()], dtype=np.float64)
        return table[rng.integers(0, self.layout.pockets, size=rounds)]


def roulette_engines() -> dict[str, RouletteEngine]:
    layouts = [
        make_layout("european", american=False, la_partage=False),
        make_layout("american", american=True, la_partage=False),
        make_layout("french", american=False, la_partage=True),
    ]
    return {f"roulette-{layout.name}": RouletteEngine(f"roulette-{layout.name}", layout) for layout in layouts}

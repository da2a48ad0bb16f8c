"""The roulette table layout: pockets, colours and every legal bet as the exact set of pockets it covers.

Legality is decided by membership in these precomputed sets rather than by rules about differences between
numbers, so a split must really be two neighbouring boxes on the felt (17-20 is legal, 18-19 is not) and a
corner really four. The double zero pocket is index 37 internally and ``"00"`` in every message.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

DOUBLE_ZERO = 37

RED = frozenset({1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36})
BLACK = frozenset(range(1, 37)) - RED
EVEN_MONEY = ("red", "black", "odd", "even", "low", "high")
"""Outside bets paying 1:1; the French la partage rule refunds half of these on zero."""

PAYOUT_TO_ONE = {
    "straight": 35,
    "split": 17,
    "street": 11,
    "corner": 8,
    "six_line": 5,
    "five_number": 6,
    "dozen": 2,
    "column": 2,
    **dict.fromkeys(EVEN_MONEY, 1),
}
"""Net payout per unit of a winning bet (the bet is returned on top)."""

BET_TYPES = tuple(PAYOUT_TO_ONE)

CALL_BETS: dict[str, tuple[tuple[str, frozenset[int], int], ...]] = {
    "voisins": (
        ("street", frozenset({0, 2, 3}), 2),
        ("split", frozenset({4, 7}), 1),
        ("split", frozenset({12, 15}), 1),
        ("split", frozenset({18, 21}), 1),
        ("split", frozenset({19, 22}), 1),
        ("corner", frozenset({25, 26, 28, 29}), 2),
        ("split", frozenset({32, 35}), 1),
    ),
    "tiers": tuple(
        ("split", frozenset(pair), 1) for pair in ((5, 8), (10, 11), (13, 16), (23, 24), (27, 30), (33, 36))
    ),
    "orphelins": (
        ("straight", frozenset({1}), 1),
        ("split", frozenset({6, 9}), 1),
        ("split", frozenset({14, 17}), 1),
        ("split", frozenset({17, 20}), 1),
        ("split", frozenset({31, 34}), 1),
    ),
    "jeu_zero": (
        ("split", frozenset({0, 3}), 1),
        ("split", frozenset({12, 15}), 1),
        ("straight", frozenset({26}), 1),
        ("split", frozenset({32, 35}), 1),
    ),
}
"""French announced bets: sectors of the single-zero wheel as (inside bet, pockets, chips) parts."""

CALL_BET_CHIPS = {name: sum(count for _, _, count in parts) for name, parts in CALL_BETS.items()}
"""Chips per announced bet: its amount must be a whole number of them."""


def label(pocket: int) -> str:
    return "00" if pocket == DOUBLE_ZERO else str(pocket)


def color(pocket: int) -> str:
    return "red" if pocket in RED else "black" if pocket in BLACK else "green"


@dataclass(frozen=True, slots=True)
class Layout:
    """One table: its pockets and, per bet type, the legal sets of covered pockets."""

    name: str
    pockets: int
    la_partage: bool
    legal: dict[str, frozenset[frozenset[int]]]
    outside: dict[str, tuple[frozenset[int], ...]]
    """Outside bets by type; dozens and columns have three choices (``which`` 1-3), the rest one."""
    call_bets: bool = False
    """Whether the announced bets of ``CALL_BETS`` are taken (French table)."""

    def unit_return(self, bet_type: str, covered: frozenset[int], pocket: int) -> Fraction:
        """Return per unit staked on one bet, exact (la partage is exactly half before rounding)."""
        if pocket in covered:
            return Fraction(PAYOUT_TO_ONE[bet_type] + 1)
        if self.la_partage and pocket == 0 and bet_type in EVEN_MONEY:
            return Fraction(1, 2)
        return Fraction(0)


def _inside(american: bool) -> dict[str, set[frozenset[int]]]:
    zero_splits = [(0, 1), (0, 2), (0, 3)]
    zero_streets = [(0, 1, 2), (0, 2, 3)]
    zero_corners = [(0, 1, 2, 3)]
    if american:
        zero_splits = [(0, 1), (0, 2), (0, DOUBLE_ZERO), (DOUBLE_ZERO, 2), (DOUBLE_ZERO, 3)]
        zero_streets = [(0, 1, 2), (0, DOUBLE_ZERO, 2), (DOUBLE_ZERO, 2, 3)]
        zero_corners = []
    zeros = [0, DOUBLE_ZERO] if american else [0]
    rows = range(1, 37, 3)
    legal: dict[str, set[frozenset[int]]] = {
        "straight": {frozenset({n}) for n in [*zeros, *range(1, 37)]},
        "split": {frozenset(s) for s in zero_splits},
        "street": {frozenset(s) for s in zero_streets} | {frozenset({r, r + 1, r + 2}) for r in rows},
        "corner": {frozenset(s) for s in zero_corners},
        "six_line": {frozenset(range(r, r + 6)) for r in rows if r <= 31},
    }
    for n in range(1, 37):
        if n % 3 != 0:
            legal["split"].add(frozenset({n, n + 1}))
            if n <= 32:
                legal["corner"].add(frozenset({n, n + 1, n + 3, n + 4}))
        if n <= 33:
            legal["split"].add(frozenset({n, n + 3}))
    if american:
        legal["five_number"] = {frozenset({0, DOUBLE_ZERO, 1, 2, 3})}
    return legal


def _outside() -> dict[str, tuple[frozenset[int], ...]]:
    numbers = range(1, 37)
    return {
        "dozen": tuple(frozenset(range(d, d + 12)) for d in (1, 13, 25)),
        "column": tuple(frozenset(n for n in numbers if n % 3 == c % 3) for c in (1, 2, 3)),
        "red": (RED,),
        "black": (BLACK,),
        "odd": (frozenset(n for n in numbers if n % 2),),
        "even": (frozenset(n for n in numbers if not n % 2),),
        "low": (frozenset(range(1, 19)),),
        "high": (frozenset(range(19, 37)),),
    }


def make_layout(name: str, *, american: bool, la_partage: bool) -> Layout:
    inside = {kind: frozenset(sets) for kind, sets in _inside(american).items()}
    outside = _outside()
    return Layout(
        name=name,
        pockets=38 if american else 37,
        la_partage=la_partage,
        legal={**inside, **{kind: frozenset(sets) for kind, sets in outside.items()}},
        outside=outside,
        call_bets=la_partage,
    )

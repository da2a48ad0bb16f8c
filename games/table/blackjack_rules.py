"""Blackjack table rules and hand arithmetic shared by the engine, the basic-strategy player and the math.

Cards are handled by value here (ace 1, tens and court cards 10): nothing in blackjack depends on suit, and pairs are
split by value, so 10-K is a pair like 10-10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

MAX_HAND_CARDS = 21
"""20 aces make a hard 20; the 21st card reaches 21 or busts, and a hand at 21 takes no more cards."""
MAX_DEALER_CARDS = 18
"""The dealer draws below 17: 16 aces make 16, the 17th card settles it, plus the hole card's slot."""


@dataclass(frozen=True, slots=True)
class Rules:
    """One table's rules. ``decks=None`` is an infinite deck (every card ``rng.index(52)``, the public mapping)."""

    decks: int | None
    hit_soft_17: bool
    double_after_split: bool = True
    max_hands: int = 4
    blackjack_pays: Fraction = Fraction(3, 2)

    @property
    def cards_per_round(self) -> int:
        """Cards drawn in ``open``: enough for the longest possible round, capped by the shoe."""
        needed = self.max_hands * MAX_HAND_CARDS + MAX_DEALER_CARDS
        return needed if self.decks is None else min(needed, 52 * self.decks)

    def to_json(self) -> dict[str, object]:
        return {
            "decks": self.decks,
            "dealer_hits_soft_17": self.hit_soft_17,
            "double_after_split": self.double_after_split,
            "max_hands": self.max_hands,
            "blackjack_pays": f"{self.blackjack_pays.numerator}:{self.blackjack_pays.denominator}",
            "insurance_pays": "2:1",
            "split_aces_one_card": True,
            "resplit_aces": False,
            "dealer_peeks": True,
        }


def hand_total(values: Sequence[int]) -> tuple[int, bool]:
    """Best total and whether it is soft (an ace counted as 11)."""
    hard = sum(values)
    if 1 in values and hard + 10 <= 21:
        return hard + 10, True
    return hard, False


def is_blackjack(values: Sequence[int]) -> bool:
    return len(values) == 2 and sorted(values) == [1, 10]


def dealer_hits(values: Sequence[int], hit_soft_17: bool) -> bool:
    total, soft = hand_total(values)
    return total < 17 or (total == 17 and soft and hit_soft_17)

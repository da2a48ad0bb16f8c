"""Basic strategy for a multi-deck shoe, the player that ``simulate`` and the math use and that load tests may use.

The chart is the standard total-dependent one for four or more decks with the dealer peeking, no surrender, and
never insurance; it adapts to S17/H17 (11 v A, soft 18 v 2, soft 19 v 6) and to double after split (which pairs
are split). It is used unchanged for the infinite deck and for one- or two-deck tables, where it is within a few
hundredths of a percent of optimal, so the declared RTP is the RTP of this player, not of perfect play.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from games.table.blackjack_rules import hand_total

_VALUE_OF_RANK_TEXT = {"A": 1, "J": 10, "Q": 10, "K": 10}


def _split(pair: int, up: int, das: bool) -> bool:
    if pair in (1, 8):
        return True
    if pair == 9:
        return up in (2, 3, 4, 5, 6, 8, 9)
    if pair == 7:
        return up <= 7
    if pair == 6:
        return up <= 6 if das else 3 <= up <= 6
    if pair == 4:
        return das and up in (5, 6)
    if pair in (2, 3):
        return up <= 7 if das else 4 <= up <= 7
    return False


def _soft(total: int, up: int, h17: bool) -> str:
    if total >= 20:
        return "stand"
    if total == 19:
        return "double-or-stand" if h17 and up == 6 else "stand"
    if total == 18:
        if (3 <= up <= 6) or (h17 and up == 2):
            return "double-or-stand"
        return "stand" if up <= 8 else "hit"
    if total == 17:
        return "double" if 3 <= up <= 6 else "hit"
    if total in (15, 16):
        return "double" if 4 <= up <= 6 else "hit"
    if total in (13, 14):
        return "double" if up in (5, 6) else "hit"
    return "hit"


def _hard(total: int, up: int, h17: bool) -> str:
    if total >= 17:
        return "stand"
    if total >= 13:
        return "stand" if up <= 6 else "hit"
    if total == 12:
        return "stand" if 4 <= up <= 6 else "hit"
    if total == 11:
        return "double" if up <= 10 or h17 else "hit"
    if total == 10:
        return "double" if up <= 9 else "hit"
    if total == 9:
        return "double" if 3 <= up <= 6 else "hit"
    return "hit"


def decide(
    values: Sequence[int], dealer_up: int, *, can_double: bool, can_split: bool, hit_soft_17: bool, das: bool
) -> str:
    """``"hit" | "stand" | "double" | "split"`` for a hand of card values (ace 1) against the dealer's up card."""
    up = 11 if dealer_up == 1 else dealer_up
    if can_split and len(values) == 2 and values[0] == values[1] and _split(values[0], up, das):
        return "split"
    total, soft = hand_total(values)
    choice = _soft(total, up, hit_soft_17) if soft else _hard(total, up, hit_soft_17)
    if choice == "double-or-stand":
        return "double" if can_double else "stand"
    if choice == "double" and not can_double:
        return "hit"
    return choice


def card_value(label: str) -> int:
    """Blackjack value of a card label such as ``"10♠"`` or ``"K♦"``."""
    text = label[:-1]
    return _VALUE_OF_RANK_TEXT.get(text) or int(text)


def basic_strategy_action(view: Mapping[str, Any], actions: Sequence[str]) -> str:
    """The basic-strategy choice among ``actions`` for a blackjack ``Step.view``; declines insurance.

    Works from what the player can see, so a load-test bot can play with it exactly as ``simulate`` does.
    """
    if "no_insurance" in actions:
        return "no_insurance"
    rules = view["rules"]
    hand = view["hands"][view["active"]]
    return decide(
        [card_value(card) for card in hand["cards"]],
        card_value(view["dealer"]["cards"][0]),
        can_double="double" in actions,
        can_split="split" in actions,
        hit_soft_17=rules["dealer_hits_soft_17"],
        das=rules["double_after_split"],
    )

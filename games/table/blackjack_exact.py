"""Exact blackjack math for an infinite deck under the basic-strategy player.

With an infinite deck every card is independent (value 1-9 with probability 1/13 each, 10 with 4/13), so a round
splits into independent parts that can be summed exactly with ``Fraction``:

- the dealer's final total depends only on the up card (the hole card conditioned on no blackjack after the peek);
- each player hand's final total (and whether it was doubled) depends only on its cards and the up card, because
  the player's decisions never see the hole card;
- given the dealer's final total the hands of a split are independent, so the round's net is their convolution;
  how many hands a split yields (resplits up to ``max_hands``) is a small Markov chain of its own.

The result is the full distribution of ``(1 + net per initial stake, paid anything)``, from which RTP, hit frequency
and sigma follow exactly. ``tests/games/test_blackjack_exact.py`` holds it against the Monte Carlo loop and the engine.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction
from functools import cache

from games.engine import MathProfile
from games.table.blackjack_rules import Rules
from games.table.blackjack_strategy import decide

CARD = {value: Fraction(4 if value == 10 else 1, 13) for value in range(1, 11)}
BUST = 22
LOW = 16
"""Player totals below 17 all lose to any standing dealer, so they are merged into 16."""

Outcome = tuple[Fraction, bool]
"""(net per initial stake, paid anything back)."""


def _best(hard: int, ace: bool) -> tuple[int, bool]:
    if ace and hard + 10 <= 21:
        return hard + 10, True
    return hard, False


class ExactBlackjack:
    def __init__(self, rules: Rules) -> None:
        if rules.decks is not None:
            raise ValueError("exact math is for the infinite deck only")
        self.rules = rules

    # -- dealer ----------------------------------------------------------------------------------------------

    @cache  # noqa: B019 - one instance per rule set, kept for the process lifetime
    def _dealer_from(self, hard: int, ace: bool) -> dict[int, Fraction]:
        total, soft = _best(hard, ace)
        if total > 21:
            return {BUST: Fraction(1)}
        if total > 17 or (total == 17 and not (soft and self.rules.hit_soft_17)):
            return {total: Fraction(1)}
        out: dict[int, Fraction] = defaultdict(Fraction)
        for value, p in CARD.items():
            for final, q in self._dealer_from(hard + value, ace or value == 1).items():
                out[final] += p * q
        return dict(out)

    @cache  # noqa: B019
    def dealer_final(self, up: int) -> dict[int, Fraction]:
        """Dealer's final total given the up card, conditioned on no dealer blackjack."""
        excluded = {1: 10, 10: 1}.get(up)
        mass = 1 - (CARD[excluded] if excluded else 0)
        out: dict[int, Fraction] = defaultdict(Fraction)
        for hole, p in CARD.items():
            if hole == excluded:
                continue
            for final, q in self._dealer_from(up + hole, up == 1 or hole == 1).items():
                out[final] += p / mass * q
        return dict(out)

    # -- one player hand -------------------------------------------------------------------------------------

    def hand_final(self, cards: tuple[int, int], up: int, can_double: bool) -> dict[tuple[int, int], Fraction]:
        """(final total, bet multiple) of a two-card hand played by basic strategy without splitting."""
        return self._play(sum(cards), 1 in cards, up, can_double)

    @cache  # noqa: B019
    def _play(self, hard: int, ace: bool, up: int, can_double: bool) -> dict[tuple[int, int], Fraction]:
        """A hand matters only by hard total and whether it holds an ace once pairs are out of the picture, which
        keeps the cache to a few hundred states."""
        total, _ = _best(hard, ace)
        if total > 21:
            return {(BUST, 1): Fraction(1)}
        if total == 21:
            return {(21, 1): Fraction(1)}
        representative = [1, hard - 1] if ace else [hard]
        action = decide(
            representative,
            up,
            can_double=can_double,
            can_split=False,
            hit_soft_17=self.rules.hit_soft_17,
            das=self.rules.double_after_split,
        )
        if action == "stand":
            return {(max(total, LOW), 1): Fraction(1)}
        out: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
        for value, p in CARD.items():
            if action == "double":
                final = _best(hard + value, ace or value == 1)[0]
                out[(BUST if final > 21 else max(final, LOW), 2)] += p
            else:
                for result, q in self._play(hard + value, ace or value == 1, up, False).items():
                    out[result] += p * q
        return dict(out)

    # -- a round ---------------------------------------------------------------------------------------------

    @staticmethod
    def _hand_outcomes(finals: dict[tuple[int, int], Fraction], dealer: int) -> dict[tuple[int, bool], Fraction]:
        out: dict[tuple[int, bool], Fraction] = defaultdict(Fraction)
        for (total, bet), p in finals.items():
            if total == BUST or (dealer != BUST and total < dealer):
                out[(-bet, False)] += p
            elif dealer == BUST or total > dealer:
                out[(bet, True)] += p
            else:
                out[(0, True)] += p
        return dict(out)

    @staticmethod
    def _convolve(parts: Iterable[dict[tuple[int, bool], Fraction]]) -> dict[tuple[int, bool], Fraction]:
        acc: dict[tuple[int, bool], Fraction] = {(0, False): Fraction(1)}
        for part in parts:
            nxt: dict[tuple[int, bool], Fraction] = defaultdict(Fraction)
            for (net_a, paid_a), p in acc.items():
                for (net_b, paid_b), q in part.items():
                    nxt[(net_a + net_b, paid_a or paid_b)] += p * q
            acc = dict(nxt)
        return acc

    def _split_counts(self, pair: int) -> dict[tuple[int, int], Fraction]:
        """Distribution of (hands with a non-pair second card, hands stuck with the pair) after splitting."""
        p_pair = CARD[pair]

        @cache
        def walk(pending: int, hands: int) -> dict[tuple[int, int], Fraction]:
            if pending == 0:
                return {(0, 0): Fraction(1)}
            out: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
            if hands < self.rules.max_hands:
                for key, q in walk(pending + 1, hands + 1).items():
                    out[key] += p_pair * q
            else:
                for (n1, n2), q in walk(pending - 1, hands).items():
                    out[(n1, n2 + 1)] += p_pair * q
            for (n1, n2), q in walk(pending - 1, hands).items():
                out[(n1 + 1, n2)] += (1 - p_pair) * q
            return dict(out)

        return walk(2, 2)

    def _split_round(self, pair: int, up: int, dealer: int) -> dict[tuple[int, bool], Fraction]:
        das = self.rules.double_after_split
        if pair == 1:
            one: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
            for value, p in CARD.items():
                one[(_best(1 + value, True)[0], 1)] += p
            hand = self._hand_outcomes(dict(one), dealer)
            return self._convolve([hand, hand])
        other: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
        for value, p in CARD.items():
            if value != pair:
                for result, q in self.hand_final((pair, value), up, das).items():
                    other[result] += p / (1 - CARD[pair]) * q
        normal = self._hand_outcomes(dict(other), dealer)
        stuck = self._hand_outcomes(self.hand_final((pair, pair), up, das), dealer)
        out: dict[tuple[int, bool], Fraction] = defaultdict(Fraction)
        for (n1, n2), q in self._split_counts(pair).items():
            for key, r in self._convolve([normal] * n1 + [stuck] * n2).items():
                out[key] += q * r
        return dict(out)

    def _round(self, first: int, second: int, up: int) -> dict[tuple[int, bool], Fraction]:
        """Net (in initial stakes) after the peek found no dealer blackjack and the player has none either."""
        rules = self.rules
        split = (
            first == second
            and decide(
                [first, second],
                up,
                can_double=True,
                can_split=True,
                hit_soft_17=rules.hit_soft_17,
                das=rules.double_after_split,
            )
            == "split"
        )
        finals = None if split else self.hand_final((first, second), up, True)
        out: dict[tuple[int, bool], Fraction] = defaultdict(Fraction)
        for dealer, p in self.dealer_final(up).items():
            part = self._split_round(first, up, dealer) if split else self._hand_outcomes(finals or {}, dealer)
            for key, q in part.items():
                out[key] += p * q
        return dict(out)

    @cache  # noqa: B019
    def distribution(self) -> dict[Outcome, Fraction]:
        """Exact distribution of ``(1 + net per initial stake, paid anything)`` for one round."""
        out: dict[Outcome, Fraction] = defaultdict(Fraction)
        for up, p_up in CARD.items():
            p_dealer_bj = CARD[{1: 10, 10: 1}[up]] if up in (1, 10) else Fraction(0)
            for first, p1 in CARD.items():
                for second, p2 in CARD.items():
                    p = p_up * p1 * p2
                    player_bj = sorted((first, second)) == [1, 10]
                    if p_dealer_bj:
                        out[(Fraction(1), True) if player_bj else (Fraction(0), False)] += p * p_dealer_bj
                    rest = p * (1 - p_dealer_bj)
                    if player_bj:
                        out[(1 + self.rules.blackjack_pays, True)] += rest
                        continue
                    for (net, paid), q in self._round(first, second, up).items():
                        out[(Fraction(1 + net), paid)] += rest * q
        return dict(out)

    def profile(self) -> MathProfile:
        dist = self.distribution()
        rtp = sum((value * p for (value, _), p in dist.items()), Fraction(0))
        second = sum((value * value * p for (value, _), p in dist.items()), Fraction(0))
        return MathProfile(
            rtp=float(rtp),
            hit_frequency=float(sum((p for (_, paid), p in dist.items() if paid), Fraction(0))),
            std_dev=math.sqrt(second - rtp * rtp),
            max_win_multiplier=float(1 + 2 * self.rules.max_hands),
            method="analytic",
        )


@cache
def exact_blackjack(rules: Rules) -> ExactBlackjack:
    """One calculator per rule set, so its caches are shared by every caller."""
    return ExactBlackjack(rules)

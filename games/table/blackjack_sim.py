"""Monte Carlo for blackjack under basic strategy: card draws are vectorised, rounds are played one by one.

Branching play (hits, splits, doubles) does not vectorise cleanly, so this is the documented exception to the
all-numpy ``simulate``: numpy draws every round's cards at once (an infinite deck's ``rng.integers(0, 52)``, or a
freshly shuffled shoe per round with ``Generator.permuted``) and a lean loop plays each round on card values. The loop
is a second, independent implementation of the engine's rules, so the tests can hold one against the other.

Each round's figure is ``1 + net / initial stake``: the per-initial-bet convention of published house edges, which
can go below zero when split or doubled hands lose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from games.table.blackjack_rules import Rules, dealer_hits, hand_total, is_blackjack
from games.table.blackjack_strategy import decide

_VALUE_OF_CARD = np.array([min(r + 2, 10) if r < 12 else 1 for r in range(13) for _ in range(4)], dtype=np.int8)
_CHUNK = 8_192


@dataclass(frozen=True, slots=True)
class Simulation:
    returns: npt.NDArray[np.float64]
    """``1 + net / initial stake`` per round."""
    paid: npt.NDArray[np.bool_]
    """Whether the round paid anything back (a win, a push, a blackjack or insurance): the hit-frequency event."""


def play_values(values: list[int], rules: Rules) -> tuple[float, bool]:
    """Net result per initial stake and whether anything was paid, for one round dealt from ``values`` in order."""
    dealer = [values[1], values[3]]
    up = values[1]
    player_bj = is_blackjack([values[0], values[2]])
    if is_blackjack(dealer):
        return (0.0, True) if player_bj else (-1.0, False)
    if player_bj:
        return float(rules.blackjack_pays), True
    position = 4
    hands: list[list[object]] = [[[values[0], values[2]], 1, False, False]]
    index = 0
    while index < len(hands):
        hand = hands[index]
        cards: list[int] = hand[0]  # type: ignore[assignment]
        if len(cards) == 1:
            cards.append(values[position])
            position += 1
            if hand[3]:
                index += 1
                continue
        while hand_total(cards)[0] < 21:
            action = decide(
                cards,
                up,
                can_double=len(cards) == 2 and (not hand[2] or rules.double_after_split),
                can_split=len(cards) == 2 and cards[0] == cards[1] and len(hands) < rules.max_hands,
                hit_soft_17=rules.hit_soft_17,
                das=rules.double_after_split,
            )
            if action == "stand":
                break
            if action == "split":
                second = cards.pop()
                hand[2] = True
                hand[3] = second == 1
                hands.insert(index + 1, [[second], hand[1], True, second == 1])
                cards.append(values[position])
                position += 1
                if hand[3]:
                    break
                continue
            cards.append(values[position])
            position += 1
            if action == "double":
                hand[1] = 2
                break
        index += 1
    totals = [hand_total(hand[0])[0] for hand in hands]  # type: ignore[arg-type]
    if min(totals) <= 21:
        while dealer_hits(dealer, rules.hit_soft_17):
            dealer.append(values[position])
            position += 1
    dealer_total = hand_total(dealer)[0]
    net = 0
    paid = False
    for hand, total in zip(hands, totals, strict=True):
        bet: int = hand[1]  # type: ignore[assignment]
        if total > 21 or (dealer_total <= 21 and total < dealer_total):
            net -= bet
        elif dealer_total > 21 or total > dealer_total:
            net += bet
            paid = True
        else:
            paid = True
    return float(net), paid


def _card_values(rules: Rules, rows: int, rng: np.random.Generator) -> npt.NDArray[np.int8]:
    count = rules.cards_per_round
    if rules.decks is None:
        return _VALUE_OF_CARD[rng.integers(0, 52, size=(rows, count))]
    shoe = np.tile(_VALUE_OF_CARD, (rows, rules.decks))
    return rng.permuted(shoe, axis=1)[:, :count]


def simulate(rules: Rules, rounds: int, rng: np.random.Generator) -> Simulation:
    returns = np.empty(rounds, dtype=np.float64)
    paid = np.empty(rounds, dtype=np.bool_)
    for start in range(0, rounds, _CHUNK):
        size = min(_CHUNK, rounds - start)
        for offset, row in enumerate(_card_values(rules, size, rng).tolist()):
            net, any_paid = play_values(row, rules)
            returns[start + offset] = 1.0 + net
            paid[start + offset] = any_paid
    return Simulation(returns=returns, paid=paid)


def record(rules: Rules, entropy: int, rounds: int, *, block: int = 1_000_000) -> tuple[float, float, float]:
    """(RTP, hit frequency, sigma) by the procedure behind the recorded shoe-table figures: one PCG64DXSM child of
    ``SeedSequence(entropy)`` per ``block`` rounds. Re-run it after any change to the rules or the strategy."""
    total = squares = paid = 0.0
    for child in np.random.SeedSequence(entropy).spawn(rounds // block):
        result = simulate(rules, block, np.random.Generator(np.random.PCG64DXSM(child)))
        total += float(result.returns.sum())
        squares += float((result.returns**2).sum())
        paid += float(result.paid.sum())
    count = block * (rounds // block)
    mean = total / count
    return mean, paid / count, (squares / count - mean * mean) ** 0.5

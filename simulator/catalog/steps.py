"""The stake ladder a catalogue game publishes per currency.

Clients offer a short list of stakes rather than a free amount: ``min_bet``, then every 1-2-5 amount of minor units
(1, 2, 5, 10, 20, 50, ...) strictly between ``min_bet`` and ``max_bet``, then ``max_bet``. The ladder is advice,
not a limit: any stake from ``min_bet`` to ``max_bet`` is accepted, because wins are settled by unbiased rounding
(docs/fairness.md) and the declared RTP holds at every stake, on the ladder or not.
"""

from __future__ import annotations

_MANTISSAS = (1, 2, 5)


def bet_ladder(min_bet: int, max_bet: int) -> list[int]:
    """``[min_bet, <1-2-5 amounts strictly between>, max_bet]``, ascending, without duplicates."""
    steps = [min_bet]
    scale = 1
    while scale < max_bet:
        steps += [m * scale for m in _MANTISSAS if min_bet < m * scale < max_bet]
        scale *= 10
    if max_bet > min_bet:
        steps.append(max_bet)
    return steps

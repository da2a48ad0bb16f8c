"""Card shuffles through a source's ``index``: every card equally likely in every position.

A Fisher-Yates shuffle is exactly uniform only if each ``index(i)`` is; an off-by-one in the loop, a modulo
bias or a generator with short-range structure shows up as some cards favouring some positions. The test
counts, over many shuffles, how often each card lands in each position and compares the table with the
uniform S/k per cell. Rows and columns of the table are fixed by construction (every shuffle puts each card
in exactly one position), so the statistic has (k - 1)**2 degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats

from games.certify.outcome_tests import Finding
from games.certify.power import Effect
from games.rng import RandomSource


def fisher_yates(source: RandomSource, size: int) -> list[int]:
    """The deck order a game would deal: position i holds card ``deck[i]``."""
    deck = list(range(size))
    for i in range(size - 1, 0, -1):
        j = source.index(i + 1)
        deck[i], deck[j] = deck[j], deck[i]
    return deck


def position_counts(source: RandomSource, shuffles: int, size: int = 52) -> npt.NDArray[np.int64]:
    """Table[position, card] of how often each card landed in each position."""
    table = np.zeros((size, size), dtype=np.int64)
    positions = np.arange(size)
    for _ in range(shuffles):
        table[positions, fisher_yates(source, size)] += 1
    return table


def position_card_test(table: npt.NDArray[np.int64]) -> Finding:
    size = table.shape[0]
    expected = table.sum() / (size * size)
    statistic = float(((table - expected) ** 2).sum() / expected)
    df = (size - 1) ** 2
    worst = np.unravel_index(int(np.argmax(np.abs(table - expected))), table.shape)
    detail = {"df": df, "shuffles": int(table[0].sum()), "worst_cell": [int(worst[0]), int(worst[1])]}
    effect = Effect("chi_square", int(table[0].sum()), df=df, cell_probability=1 / size)
    return Finding(statistic, float(stats.chi2.sf(statistic, df)), detail, effect)

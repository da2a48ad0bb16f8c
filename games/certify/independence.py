"""Independence checks a single-stream test cannot make.

- Outcome versus bet size: a game must draw the same way whatever the stake. Rounds are played through the
  caller's draw function with stakes picked by an unrelated generator, and a contingency chi-square asks
  whether the outcome class depends on the stake bucket. An engine that re-draws, skips or maps differently
  for large bets fails it.
- Spawned streams: children of one source must not move in lock-step. Cross-correlation at small lags and a
  contingency table of paired outcomes catch identical, shifted or related child streams.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
from scipy import stats

from games.certify.outcome_tests import Finding
from games.certify.power import Effect
from games.rng import RandomSource

OutcomeForBet = Callable[[RandomSource, int], int]
"""Plays one round at ``stake`` minor units through the source and returns the outcome class."""


def roulette_outcome(source: RandomSource, stake: int) -> int:
    """The reference draw path: one roulette pocket, whatever the stake."""
    del stake
    return source.index(37)


def bet_size_table(
    source: RandomSource,
    rounds: int,
    stakes: Sequence[int],
    outcome_for_bet: OutcomeForBet,
    classes: int,
    *,
    seed: int = 0,
) -> npt.NDArray[np.int64]:
    """Table[stake bucket, outcome class]. Stakes come from their own generator, never from ``source``."""
    chooser = np.random.default_rng(seed)
    buckets = chooser.integers(0, len(stakes), size=rounds)
    table = np.zeros((len(stakes), classes), dtype=np.int64)
    for bucket in buckets.tolist():
        table[bucket, outcome_for_bet(source, stakes[bucket])] += 1
    return table


def contingency(table: npt.NDArray[np.int64]) -> Finding:
    """Chi-square test of independence between the rows and columns of a count table."""
    used = table[:, table.sum(axis=0) > 0]
    result = stats.chi2_contingency(used, correction=False)
    effect = Effect("chi_square", int(used.sum()), df=int(result.dof))
    return Finding(float(result.statistic), float(result.pvalue), {"df": int(result.dof)}, effect)


def cross_correlation(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], max_lag: int) -> Finding:
    """Correlation of two streams at lags -max_lag..max_lag; under independence sum(N r**2) ~ chi2(2L+1)."""
    n = min(len(x), len(y)) - 2 * max_lag
    a = (x - x.mean()) / x.std()
    b = (y - y.mean()) / y.std()
    lags = range(-max_lag, max_lag + 1)
    r = np.array([float(a[max_lag : max_lag + n] @ b[max_lag + k : max_lag + k + n]) / n for k in lags])
    statistic = float(n * (r**2).sum())
    worst = int(np.argmax(np.abs(r))) - max_lag
    detail = {"lags": len(r), "max_abs_r": float(np.abs(r).max()), "at_lag": worst}
    effect = Effect("chi_square", n, df=len(r), unit="correlation")
    return Finding(statistic, float(stats.chi2.sf(statistic, len(r))), detail, effect)


def joint_table(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], d: int) -> npt.NDArray[np.int64]:
    """Table[a outcome, b outcome] of outcomes drawn side by side from two streams."""
    table = np.zeros((d, d), dtype=np.int64)
    np.add.at(table, (a, b), 1)
    return table

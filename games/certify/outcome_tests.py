"""Classical tests on outcomes as games use them (Knuth, TAOCP vol. 2, 3.3.2), each returning a ``Finding``.

Regulators ask for these on *scaled* output, not raw bits: a perfect generator still fails them if the
mapping to 37 pockets or 52 cards is wrong. Every function here is pure: it takes an array of outcomes and
returns a statistic and its P-value; drawing the outcomes is the battery's job.

Categories whose expected count would fall below five are merged into their neighbour so the chi-square
approximation holds; ``detail["cells"]`` says how many cells were finally compared.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from games.certify.power import Effect

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

MIN_EXPECTED = 5.0


@dataclass(frozen=True, slots=True)
class Finding:
    """A test's statistic and P-value; ``effect`` says what the test can see (``games.certify.power``)."""

    statistic: float
    p_value: float
    detail: dict[str, Any] = field(default_factory=dict)
    effect: Effect | None = None


def _merge_small(observed: Floats, expected: Floats, minimum: float) -> tuple[Floats, Floats]:
    """Merge adjacent categories, left to right, until every merged cell expects at least ``minimum``."""
    merged_obs: list[float] = []
    merged_exp: list[float] = []
    acc_obs = acc_exp = 0.0
    for o, e in zip(observed, expected, strict=True):
        acc_obs += o
        acc_exp += e
        if acc_exp >= minimum:
            merged_obs.append(acc_obs)
            merged_exp.append(acc_exp)
            acc_obs = acc_exp = 0.0
    if acc_exp > 0 or acc_obs > 0:
        if merged_exp:
            merged_obs[-1] += acc_obs
            merged_exp[-1] += acc_exp
        else:
            merged_obs.append(acc_obs)
            merged_exp.append(acc_exp)
    return np.asarray(merged_obs), np.asarray(merged_exp)


def chi_square(observed: npt.ArrayLike, probabilities: npt.ArrayLike, *, merge: bool = True) -> Finding:
    """Pearson goodness of fit of counts against category probabilities."""
    obs = np.asarray(observed, dtype=np.float64)
    probs = np.asarray(probabilities, dtype=np.float64)
    total = obs.sum()
    expected = total * probs / probs.sum()
    if merge:
        obs, expected = _merge_small(obs, expected, MIN_EXPECTED)
    cells = len(obs)
    if cells < 2:
        raise ValueError("too few observations for a chi-square test")
    statistic = float(((obs - expected) ** 2 / expected).sum())
    effect = Effect("chi_square", int(total), df=cells - 1, cell_probability=float(expected.max() / total))
    p_value = float(stats.chi2.sf(statistic, cells - 1))
    return Finding(statistic, p_value, {"cells": cells, "df": cells - 1}, effect)


def chi_square_uniform(outcomes: Ints, n: int) -> Finding:
    """Every one of ``n`` outcomes equally frequent (roulette pockets, cards, dice values)."""
    if outcomes.size and (outcomes.min() < 0 or outcomes.max() >= n):
        raise ValueError(f"outcomes outside [0, {n})")
    return chi_square_counts(np.bincount(outcomes, minlength=n))


def chi_square_counts(counts: Ints) -> Finding:
    """``chi_square_uniform`` over counts already made (so outcomes can be counted a chunk at a time)."""
    n = len(counts)
    finding = chi_square(counts, np.ones(n), merge=False)
    spread = counts / (counts.sum() / n) - 1.0
    finding.detail.update(max_excess=float(spread.max()), max_deficit=float(spread.min()))
    assert finding.effect is not None  # chi_square always says what it can see; uniform cells add their count
    return dataclasses.replace(finding, effect=dataclasses.replace(finding.effect, cells=n))


def max_cell(counts: Ints) -> Finding:
    """The one outcome furthest from its share, by an exact binomial test of each, Bonferroni over all of them.

    A defect that favours a single pocket spreads its weight over the chi-square's many degrees of freedom;
    this test puts it all on one cell, so it needs fewer rounds to see it (``games.certify.power``). The
    statistic is that outcome's z-score; its P-value is the exact two-sided binomial tail times ``n``.
    """
    n = len(counts)
    total = int(counts.sum())
    p = 1 / n
    tails = np.minimum(stats.binom.sf(counts - 1, total, p), stats.binom.cdf(counts, total, p))
    worst = int(np.argmin(tails))
    p_value = min(1.0, 2 * n * float(tails[worst]))
    z = (counts[worst] - total * p) / math.sqrt(total * p * (1 - p))
    detail = {"outcome": worst, "relative_excess": float(counts[worst] / (total * p) - 1.0), "cells": n}
    return Finding(float(z), p_value, detail, Effect("max_cell", total, cells=n))


def kolmogorov_smirnov(floats: Floats) -> Finding:
    """Floats distributed uniformly on [0, 1) (largest gap between empirical and ideal CDF)."""
    result = stats.kstest(floats, "uniform")
    return Finding(float(result.statistic), float(result.pvalue), effect=Effect("ks", len(floats)))


def runs_up_down(values: Floats) -> Finding:
    """Number of monotone runs (trends) against (2N - 1) / 3 with variance (16N - 29) / 90; ties dropped."""
    steps = np.sign(np.diff(values))
    steps = steps[steps != 0]
    n = len(steps) + 1
    if n < 3:
        raise ValueError("runs test needs at least three distinct consecutive values")
    runs = 1 + int(np.count_nonzero(steps[1:] != steps[:-1]))
    mean = (2 * n - 1) / 3
    z = (runs - mean) / math.sqrt((16 * n - 29) / 90)
    effect = Effect("normal", n, unit="runs_relative_change", scale=math.sqrt(16 / 90) / (2 / 3))
    return Finding(z, float(math.erfc(abs(z) / math.sqrt(2))), {"runs": runs, "expected": mean}, effect)


def serial_correlation(floats: Floats, max_lag: int) -> Finding:
    """Autocorrelation at lags 1..max_lag combined by Ljung-Box; each lag's r is in the detail."""
    x = floats - floats.mean()
    n = len(x)
    denominator = float(x @ x)
    r = np.array([float(x[:-k] @ x[k:]) / denominator for k in range(1, max_lag + 1)])
    q = n * (n + 2) * float((r**2 / (n - np.arange(1, max_lag + 1))).sum())
    effect = Effect("chi_square", n, df=max_lag, unit="correlation")
    return Finding(q, float(stats.chi2.sf(q, max_lag)), {"lags": max_lag, "r": r.round(6).tolist()}, effect)


def serial_pairs(outcomes: Ints, d: int) -> Finding:
    """Non-overlapping pairs of consecutive outcomes in [0, d) equally spread over the d*d cells."""
    pairs = outcomes[: len(outcomes) // 2 * 2].reshape(-1, 2)
    return chi_square_uniform(pairs[:, 0] * d + pairs[:, 1], d * d)


def gap_lengths(floats: Floats, low: float, high: float) -> Ints:
    """Values outside [low, high) before each value inside it (the run before the first hit counts too)."""
    hits = np.flatnonzero((floats >= low) & (floats < high))
    result: Ints = np.diff(np.concatenate([[-1], hits])) - 1
    return result


def gap_test(floats: Floats, low: float, high: float, max_gap: int) -> Finding:
    """Lengths of gaps between floats in [low, high) geometric; catches clustering and periodicity."""
    gaps = gap_lengths(floats, low, high)
    p = high - low
    counts = np.bincount(np.minimum(gaps, max_gap), minlength=max_gap + 1)
    probs = [p * (1 - p) ** r for r in range(max_gap)] + [(1 - p) ** max_gap]
    finding = chi_square(counts, probs)
    finding.detail.update(gaps=len(gaps))
    return finding


def repetition(words: npt.NDArray[np.uint32]) -> Finding:
    """Repeated 64-bit windows (each word with the next) in a raw stream: a cycle shorter than the stream.

    Among ``W - 1`` overlapping windows of an ideal stream, repeats are Poisson with mean ``C(W - 1, 2) /
    2**64`` (about 2e-6 for eight million words), so one repeat is already damning; a generator that cycles
    after ``P < W - 1`` words repeats ``W - 1 - P`` windows. Outcome and bit tests cannot see such a cycle: every
    stretch of it looks random.
    """
    w = np.asarray(words, dtype=np.uint64)
    if len(w) < 3:
        raise ValueError("the repetition test needs at least three words")
    windows = (w[:-1] << np.uint64(32)) | w[1:]
    repeats = len(windows) - len(np.unique(windows))
    mean = len(windows) * (len(windows) - 1) / 2 / 2.0**64
    p_value = float(stats.poisson.sf(repeats - 1, mean)) if repeats else 1.0
    detail = {"words": len(w), "repeated_windows": repeats, "expected": mean}
    return Finding(float(repeats), p_value, detail)


@cache
def stirling2(n: int, k: int) -> int:
    """Stirling number of the second kind: ways to split n labelled items into k non-empty groups."""
    if n == k:
        return 1
    if k == 0 or k > n:
        return 0
    return k * stirling2(n - 1, k) + stirling2(n - 1, k - 1)


def poker_test(outcomes: Ints, d: int, hand: int = 5) -> Finding:
    """Number of distinct values in non-overlapping hands of ``hand`` outcomes from [0, d)."""
    hands = np.sort(outcomes[: len(outcomes) // hand * hand].reshape(-1, hand), axis=1)
    distinct = 1 + np.count_nonzero(np.diff(hands, axis=1), axis=1)
    counts = np.bincount(distinct, minlength=hand + 1)[1:]
    probs = [math.perm(d, r) * stirling2(hand, r) / d**hand for r in range(1, hand + 1)]
    finding = chi_square(counts, probs)
    finding.detail.update(hands=len(hands))
    return finding


def coupon_segments(outcomes: Ints, d: int) -> Ints:
    """Lengths of successive segments that each contain every value of [0, d) at least once."""
    full = (1 << d) - 1
    lengths = []
    seen = length = 0
    for value in outcomes.tolist():
        seen |= 1 << value
        length += 1
        if seen == full:
            lengths.append(length)
            seen = length = 0
    return np.asarray(lengths, dtype=np.int64)


def coupon_collector(outcomes: Ints, d: int, max_length: int) -> Finding:
    """Segment lengths needed to collect all d values follow the coupon-collector distribution."""
    lengths = coupon_segments(outcomes, d)
    counts = np.bincount(np.minimum(lengths, max_length), minlength=max_length + 1)[d:]
    factorial = math.factorial(d)
    probs = [factorial * stirling2(r - 1, d - 1) / d**r for r in range(d, max_length)]
    probs.append(1.0 - factorial * stirling2(max_length - 1, d) / d ** (max_length - 1))
    finding = chi_square(counts, probs)
    finding.detail.update(segments=len(lengths))
    return finding

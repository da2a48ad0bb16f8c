from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from games.certify import independence
from games.certify import outcome_tests as ot
from games.certify.shuffle import fisher_yates, position_card_test, position_counts
from games.rng import SeededSource


def _floats(seed: int, n: int) -> np.ndarray:
    return SeededSource(seed).words(n).astype(np.float64) / 2**32


def test_chi_square_uniform_agrees_with_scipy() -> None:
    outcomes = np.array([0, 1, 1, 2, 2, 2, 3, 3, 3, 3] * 20, dtype=np.int64)
    finding = ot.chi_square_uniform(outcomes, 4)
    reference = stats.chisquare(np.bincount(outcomes, minlength=4))
    assert finding.statistic == pytest.approx(reference.statistic)
    assert finding.p_value == pytest.approx(reference.pvalue)
    assert finding.detail["max_excess"] == pytest.approx(0.6)


def test_chi_square_rejects_outcomes_out_of_range() -> None:
    with pytest.raises(ValueError):
        ot.chi_square_uniform(np.array([0, 5], dtype=np.int64), 5)


def test_small_expected_cells_are_merged() -> None:
    finding = ot.chi_square([50, 30, 15, 4, 1], [0.5, 0.3, 0.15, 0.04, 0.01])
    assert finding.detail["cells"] == 4  # 4 + 1 expected -> one cell of 5
    assert finding.p_value == pytest.approx(1.0)


def test_kolmogorov_smirnov_agrees_with_scipy() -> None:
    x = _floats(1, 5000)
    assert ot.kolmogorov_smirnov(x).p_value == pytest.approx(stats.kstest(x, "uniform").pvalue)
    assert ot.kolmogorov_smirnov(x**2).p_value < 1e-10


def test_runs_up_down_counts_monotone_runs() -> None:
    finding = ot.runs_up_down(np.array([1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 2.0, 5.0]))
    assert finding.detail["runs"] == 3  # up, down, up (the tie is dropped)


def test_serial_correlation_sees_a_lagged_copy() -> None:
    x = _floats(2, 20_000)
    assert ot.serial_correlation(x, 5).p_value > 0.01
    lagged = x.copy()
    lagged[3:] = 0.7 * x[3:] + 0.3 * x[:-3]
    finding = ot.serial_correlation(lagged, 5)
    assert finding.p_value < 1e-10
    assert max(range(5), key=lambda k: abs(finding.detail["r"][k])) == 2  # lag 3


def test_serial_pairs_sees_repeated_values() -> None:
    outcomes = SeededSource(3).words(20_000).astype(np.int64) % 16
    assert ot.serial_pairs(outcomes, 16).p_value > 0.01
    outcomes[1::2] = outcomes[::2]
    assert ot.serial_pairs(outcomes, 16).p_value < 1e-10


def test_gap_lengths() -> None:
    floats = np.array([0.05, 0.5, 0.6, 0.01, 0.02, 0.9])
    assert ot.gap_lengths(floats, 0.0, 0.1).tolist() == [0, 2, 0]


def test_gap_test_sees_evenly_spaced_hits() -> None:
    x = _floats(11, 40_000)
    assert ot.gap_test(x, 0.0, 0.125, 32).p_value > 0.01
    x[x < 0.125] = 0.5
    x[::8] = 0.01  # a hit exactly every eighth value: right frequency, wrong gaps
    assert ot.gap_test(x, 0.0, 0.125, 32).p_value < 1e-10


def test_stirling_numbers() -> None:
    assert [ot.stirling2(5, k) for k in range(1, 6)] == [1, 15, 25, 10, 1]


@pytest.mark.parametrize(("d", "hand"), [(10, 5), (6, 5), (52, 5)])
def test_poker_probabilities_sum_to_one(d: int, hand: int) -> None:
    probs = [math.perm(d, r) * ot.stirling2(hand, r) / d**hand for r in range(1, hand + 1)]
    assert sum(probs) == pytest.approx(1.0)


def test_poker_test_counts_distinct_values() -> None:
    hands = np.array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5], dtype=np.int64)
    finding = ot.poker_test(np.tile(hands, 100), 10)
    assert finding.detail["hands"] == 200
    assert finding.p_value < 1e-10


def test_coupon_segments() -> None:
    outcomes = np.array([0, 0, 1, 2, 2, 1, 0, 1, 2, 0], dtype=np.int64)
    assert ot.coupon_segments(outcomes, 3).tolist() == [4, 3, 3]


def test_coupon_probabilities_sum_to_one() -> None:
    d, t = 6, 40
    probs = [math.factorial(d) * ot.stirling2(r - 1, d - 1) / d**r for r in range(d, t)]
    tail = 1 - math.factorial(d) * ot.stirling2(t - 1, d) / d ** (t - 1)
    assert sum(probs) + tail == pytest.approx(1.0)
    assert tail > 0


def test_coupon_collector_on_good_and_cyclic_outcomes() -> None:
    good = SeededSource(4).words(30_000).astype(np.int64) % 6
    assert ot.coupon_collector(good, 6, 40).p_value > 0.01
    cyclic = np.tile(np.arange(6, dtype=np.int64), 5000)
    assert ot.coupon_collector(cyclic, 6, 40).p_value < 1e-10


def test_fisher_yates_is_a_permutation_and_uses_index() -> None:
    deck = fisher_yates(SeededSource(5), 52)
    assert sorted(deck) == list(range(52))


def test_shuffle_table_has_fixed_margins() -> None:
    table = position_counts(SeededSource(6), 300, 10)
    assert (table.sum(axis=0) == 300).all()
    assert (table.sum(axis=1) == 300).all()
    assert position_card_test(table).detail["df"] == 81


def test_contingency_and_cross_correlation() -> None:
    a = SeededSource(7).words(10_000).astype(np.int64) % 5
    b = SeededSource(8).words(10_000).astype(np.int64) % 5
    assert independence.contingency(independence.joint_table(a, b, 5)).p_value > 0.01
    assert independence.contingency(independence.joint_table(a, a, 5)).p_value < 1e-10
    x, y = _floats(9, 10_000), _floats(10, 10_000)
    assert independence.cross_correlation(x, y, 3).p_value > 0.01
    shifted = np.roll(x, 2)
    finding = independence.cross_correlation(x, shifted, 3)
    assert finding.p_value < 1e-10
    assert finding.detail["at_lag"] == 2

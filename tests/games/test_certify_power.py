"""The power the battery reports is the power its tests have: checked against simulated counts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from games.certify import outcome_tests as ot
from games.certify.power import (
    Effect,
    chi_square_effect,
    detectable,
    max_cell_bias,
    monobit_bias,
    noncentrality,
    samples_for_max_cell,
    samples_for_one_cell,
)

TRIALS = 400


def _biased_counts(rng: np.random.Generator, samples: int, n: int, bias: float) -> ot.Ints:
    p = np.full(n, (1 - (1 + bias) / n) / (n - 1))
    p[0] = (1 + bias) / n
    return rng.multinomial(samples, p)


@pytest.mark.parametrize(
    ("test", "samples_for"),
    [
        pytest.param(ot.max_cell, samples_for_max_cell, id="max_cell"),
        pytest.param(ot.chi_square_counts, samples_for_one_cell, id="chi_square"),
    ],
)
def test_stated_sample_size_catches_the_stated_bias_four_times_in_five(
    test: Callable[[ot.Ints], ot.Finding], samples_for: Callable[[float, int, float], int]
) -> None:
    rng = np.random.Generator(np.random.PCG64(7))
    samples = samples_for(0.05, 37, 0.01)
    caught = sum(test(_biased_counts(rng, samples, 37, 0.05)).p_value < 0.01 for _ in range(TRIALS))
    low, high = stats.binom.ppf([0.0005, 0.9995], TRIALS, 0.8)
    assert low <= caught <= high, caught


def test_without_a_bias_the_tests_reject_at_about_alpha() -> None:
    rng = np.random.Generator(np.random.PCG64(8))
    rejected = sum(ot.max_cell(_biased_counts(rng, 100_000, 37, 0.0)).p_value < 0.01 for _ in range(TRIALS))
    assert rejected <= stats.binom.ppf(0.9995, TRIALS, 0.01)


def test_noncentrality_gives_the_requested_power() -> None:
    lam = noncentrality(36, 0.01)
    assert stats.ncx2.sf(stats.chi2.isf(0.01, 36), 36, lam) == pytest.approx(0.8, abs=1e-6)
    assert chi_square_effect(1_000_000, 36, 0.01) == pytest.approx((lam / 1_000_000) ** 0.5)


def test_sample_sizes_and_biases_are_inverse() -> None:
    needed = samples_for_max_cell(0.005, 37, 0.01)
    assert max_cell_bias(needed, 37, 0.01) <= 0.005 < max_cell_bias(needed - 1000, 37, 0.01)
    assert max_cell_bias(10_000_000, 37, 0.01) > 0.005, "ten million rounds cannot see half a percent"


def test_monobit_bias_shrinks_with_longer_sequences() -> None:
    assert monobit_bias(1_000_000, 100, 0.01, 0.96) < monobit_bias(10_000, 100, 0.01, 0.96)


def test_detectable_names_the_effect_in_the_reports_units() -> None:
    found = detectable(Effect("chi_square", 10_000, df=4, unit="correlation"), 0.01)
    assert found["correlation"] == found["effect_size_w"]
    with pytest.raises(ValueError, match="number of cells"):
        detectable(Effect("max_cell", 10_000), 0.01)

"""Exact scaling-bias figures quoted in docs/fairness.md; if one changes, the document must change too."""

from __future__ import annotations

import numpy as np
import pytest

from games.certify.bias import boundaries, cell_counts, low_cells_bias, scaling_bias


@pytest.mark.parametrize(
    ("n", "low", "high", "at_low", "at_high"),
    [
        pytest.param(37, 116_080_197, 116_080_198, 30, 7, id="roulette"),
        pytest.param(52, 82_595_524, 82_595_525, 4, 48, id="cards"),
        pytest.param(10_001, 429_453, 429_454, 2_158, 7_843, id="dice"),
        pytest.param(10**6, 4_294, 4_295, 32_704, 967_296, id="million"),
    ],
)
def test_cell_counts_split_into_two_sizes(n: int, low: int, high: int, at_low: int, at_high: int) -> None:
    bias = scaling_bias(n)
    assert (bias.min_count, bias.max_count, bias.cells_at_min, bias.cells_at_max) == (low, high, at_low, at_high)
    assert bias.cells_at_min * low + bias.cells_at_max * high == 2**32
    assert bias.cells_at_max == 2**32 % n


def test_roulette_bias_is_parts_per_billion() -> None:
    bias = scaling_bias(37)
    assert bias.max_excess == pytest.approx(6.985e-9, rel=1e-3)
    assert bias.max_deficit == pytest.approx(-1.630e-9, rel=1e-3)
    assert bias.unbiased_rejection_rate == (2**32 % 37) / 2**32


def test_dice_bias_is_parts_per_million() -> None:
    bias = scaling_bias(10_001)
    assert bias.max_excess == pytest.approx(5.024e-7, rel=1e-3)
    assert bias.max_deficit == pytest.approx(-1.826e-6, rel=1e-3)


def test_limbo_cells() -> None:
    counts = cell_counts(10**8, np.arange(0, 40))
    assert counts[:19].tolist() == [43] * 19  # the biggest multipliers are each 0.117% too likely
    assert counts[19] == 42  # and some cells 2.2% too unlikely
    ideal = 2**32 / 10**8
    assert (43 / ideal - 1, 42 / ideal - 1) == pytest.approx((0.001172, -0.02211), rel=1e-3)
    assert low_cells_bias(10**8, 1) == pytest.approx(0.001172, rel=1e-3)
    assert abs(low_cells_bias(10**8, 99_000)) < 1e-6


def test_boundaries_match_brute_force_where_doubles_round() -> None:
    n = 3_755_744_309  # large enough for w / 2**32 * n to round across integers near the top
    words = np.arange(2**32 - 2**20, 2**32, dtype=np.int64)
    mapped = np.floor(words.astype(np.float64) / 2**32 * n).astype(np.int64)
    cells = np.arange(mapped[0] + 1, mapped[-1] + 1)
    expected = words[np.searchsorted(mapped, cells, side="left")]
    assert boundaries(n, cells).tolist() == expected.tolist()
    exact_arithmetic = [-((-c << 32) // n) for c in cells.tolist()]
    assert exact_arithmetic != expected.tolist()  # the rounding really happens in this range


def test_cells_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError):
        cell_counts(37, [37])


@pytest.mark.slow
def test_limbo_range_over_all_cells() -> None:
    bias = scaling_bias(10**8)
    assert (bias.min_count, bias.max_count) == (42, 43)
    assert (bias.cells_at_min, bias.cells_at_max) == (5_032_704, 94_967_296)

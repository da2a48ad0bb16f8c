"""Exact scaling bias of the compatible mapping ``floor(word / 2**32 * n)``, counted word by word.

Sampling cannot measure a bias of a few parts per billion, but counting can: index ``i`` receives every
word from the first one that maps to ``i`` up to the first one that maps to ``i + 1``. That boundary is
``ceil(i * 2**32 / n)`` in exact arithmetic; in IEEE doubles (what verifiers compute) the product can round
up across an integer when ``n`` is large, which moves a boundary a few words down. ``boundaries`` starts
from the exact value and steps down while the double computation still reaches ``i``, so the counts are
those of the mapping as implemented, not of its idealisation. All 2**32 words are accounted for without
enumerating them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_WORD = 1 << 32
_CHUNK = 1 << 22


def _mapped(words: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    result: npt.NDArray[np.int64] = np.floor(words.astype(np.float64) / _WORD * n).astype(np.int64)
    return result


def _exact_first(i: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """``ceil(i * 2**32 / n)`` without overflow: split 2**32 = q*n + r so only ``i * r`` needs dividing."""
    if n >= 1 << 31:
        return np.array([-((-int(c) * _WORD) // n) for c in i.ravel()], dtype=np.int64).reshape(i.shape)
    q, r = divmod(_WORD, n)
    result: npt.NDArray[np.int64] = i * q + (i * r + n - 1) // n
    return result


def boundaries(n: int, cells: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """For each cell ``i``, the smallest word the compatible mapping sends to ``i`` or above."""
    i = np.asarray(cells, dtype=np.int64)
    if n <= 0 or n > _WORD or (i.size and (i.min() < 0 or i.max() > n)):
        raise ValueError(f"cells must lie in [0, {n}] with 0 < n <= 2**32")
    first = _exact_first(i, n)
    if not np.all((_mapped(np.minimum(first, _WORD - 1), n) >= i) | (first == _WORD)):
        raise AssertionError("rounding moved a boundary up, which IEEE multiplication cannot do")
    while True:
        lower = first > 0
        candidates = np.where(lower, first - 1, 0)
        moved = lower & (_mapped(candidates, n) >= i)
        if not moved.any():
            return first
        first = np.where(moved, first - 1, first)


def cell_counts(n: int, cells: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Number of 32-bit words mapped to each cell; an unbiased mapping would give ``2**32 / n`` to all."""
    i = np.asarray(cells, dtype=np.int64)
    result: npt.NDArray[np.int64] = boundaries(n, i + 1) - boundaries(n, i)
    return result


@dataclass(frozen=True, slots=True)
class ScalingBias:
    """How unequal the ``n`` cells of the compatible mapping are, relative to the ideal ``2**32 / n`` words."""

    n: int
    ideal: float
    min_count: int
    max_count: int
    cells_at_min: int
    cells_at_max: int
    unbiased_rejection_rate: float

    @property
    def max_excess(self) -> float:
        """Largest relative over-weighting of a cell (probability / (1/n) - 1)."""
        return self.max_count / self.ideal - 1.0

    @property
    def max_deficit(self) -> float:
        """Largest relative under-weighting of a cell, a negative number."""
        return self.min_count / self.ideal - 1.0


def scaling_bias(n: int) -> ScalingBias:
    """Bias over all ``n`` cells, in chunks so that n = 10**8 (limbo) needs little memory."""
    low = high = None
    at_low = at_high = 0
    for start in range(0, n, _CHUNK):
        counts = cell_counts(n, np.arange(start, min(n, start + _CHUNK)))
        c_min, c_max = int(counts.min()), int(counts.max())
        if low is None or c_min < low:
            low, at_low = c_min, 0
        if high is None or c_max > high:
            high, at_high = c_max, 0
        at_low += int(np.count_nonzero(counts == low))
        at_high += int(np.count_nonzero(counts == high))
    assert low is not None and high is not None
    return ScalingBias(n, _WORD / n, low, high, at_low, at_high, (_WORD % n) / _WORD)


def low_cells_bias(n: int, k: int) -> float:
    """Relative bias of P(index < k) against k/n: how far a tail of ``k`` outcomes is off.

    Limbo's largest multipliers are the lowest cells of ``floor(f * 10**8)``; a target that wins on the
    ``k`` lowest cells is over- or under-paid by this fraction.
    """
    words = int(boundaries(n, [k])[0])
    return (words / _WORD) / (k / n) - 1.0

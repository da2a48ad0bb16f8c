"""Deliberately bad generators, each with one textbook defect, to prove the battery can fail.

A battery that only ever says PASS proves nothing; these sources give each family of tests a defect it is
built to find, and the test-suite asserts the matching FAIL:

- ``LowBitLcg``: ``x = (a * x + c) mod 2**32`` returned whole. Bit k of the output repeats every 2**(k+1)
  draws, so the raw bit stream is periodic (NIST spectral, block frequency); an unbiased ``index`` reduces
  ``w mod n`` and so hands those low bits straight to the outcomes (serial pairs, poker).
- ``ModuloBiased``: good raw words, but ``index(n)`` reduces one byte modulo n, so for n that does not
  divide 256 some outcomes are too frequent (chi-square on outcomes, shuffle test). Raw-bit tests pass.
- ``SeriallyCorrelated``: every float is uniform on its own, but consecutive floats are correlated through a
  Gaussian AR(1) copula (serial correlation, runs up/down, serial pairs).
- ``SynchronisedChildren``: a good generator whose ``spawn`` hands out identical streams, the "instances in
  lock-step" failure regulators ask about (independence between spawned streams).
- ``ShortPeriod``: Mersenne Twister output that cycles after ``period`` words (65,536 by default), as a
  generator whose state is truncated or reseeded in a loop would. Every stretch of it is good output, so the
  NIST and outcome tests pass; the repetition test sees the cycle.
- ``PocketBiased``: good output, but one outcome of ``index(outcomes)`` (pocket 0 of 37 by default) comes up
  ``1 + bias`` times as often as it should: the small, targeted defect whose detection needs the sample size
  the report's power states (``max_cell``, ``chi_square``).
"""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter
from scipy.special import ndtr, ndtri

from games.rng import Mapping, SeededSource, draw_index

_WORD = 1 << 32
_LCG_A = 1664525  # Numerical Recipes constants: full period, notoriously weak low bits
_LCG_C = 1013904223
_LCG_BLOCK = 4096


class _WordStream:
    """Shared plumbing: a subclass supplies ``_generate(count)``; word, float, index and words follow."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self._buffer: list[int] = []
        self._offset = 0

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        raise NotImplementedError

    def word(self) -> int:
        if self._offset >= len(self._buffer):
            self._buffer = self._generate(1024).tolist()
            self._offset = 0
        w: int = self._buffer[self._offset]
        self._offset += 1
        return w

    def words(self, count: int) -> npt.NDArray[np.uint32]:
        pending = self._buffer[self._offset : self._offset + count]
        self._offset += len(pending)
        fresh = self._generate(count - len(pending))
        return np.concatenate([np.asarray(pending, dtype=np.uint32), fresh])

    def float(self) -> float:
        return self.word() / _WORD

    def index(self, n: int) -> int:
        return draw_index(self.word, n, self.mapping)


def _lcg_jumps(block: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``A_k, C_k`` with ``x_k = (A_k * x_0 + C_k) mod 2**32`` for k = 1..block: a whole block in one step."""
    mults = np.empty(block, dtype=np.uint64)
    adds = np.empty(block, dtype=np.uint64)
    a, c = 1, 0
    for k in range(block):
        a, c = (a * _LCG_A) % _WORD, (c * _LCG_A + _LCG_C) % _WORD
        mults[k], adds[k] = a, c
    return mults, adds


_JUMPS = _lcg_jumps(_LCG_BLOCK)


class LowBitLcg(_WordStream):
    def __init__(self, seed: int = 1, *, mapping: Mapping = Mapping.COMPATIBLE) -> None:
        super().__init__(mapping)
        self.seed = seed
        self._state = seed % _WORD

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        mults, adds = _JUMPS
        out = np.empty(count, dtype=np.uint32)
        for start in range(0, count, _LCG_BLOCK):
            take = min(_LCG_BLOCK, count - start)
            block = (mults[:take] * np.uint64(self._state) + adds[:take]) % np.uint64(_WORD)
            out[start : start + take] = block
            self._state = int(block[-1])
        return out

    def spawn(self, n: int) -> list[LowBitLcg]:
        return [LowBitLcg(self.seed + i + 1, mapping=self.mapping) for i in range(n)]


class ModuloBiased(_WordStream):
    def __init__(self, seed: int | SeededSource = 1, *, mapping: Mapping = Mapping.COMPATIBLE) -> None:
        super().__init__(mapping)
        self._inner = seed if isinstance(seed, SeededSource) else SeededSource(seed)

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        return self._inner.words(count)

    def index(self, n: int) -> int:
        return (self.word() & 0xFF) % n

    def spawn(self, n: int) -> list[ModuloBiased]:
        return [ModuloBiased(inner, mapping=self.mapping) for inner in self._inner.spawn(n)]


class SeriallyCorrelated(_WordStream):
    def __init__(
        self, seed: int | SeededSource = 1, *, rho: float = 0.1, mapping: Mapping = Mapping.COMPATIBLE
    ) -> None:
        super().__init__(mapping)
        if not -1.0 < rho < 1.0:
            raise ValueError(f"correlation must be in (-1, 1), got {rho}")
        self.rho = rho
        self._noise = seed if isinstance(seed, SeededSource) else SeededSource(seed)
        self._state = 0.0

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        if count == 0:
            return np.empty(0, dtype=np.uint32)
        uniforms = (self._noise.words(count).astype(np.float64) + 0.5) / _WORD
        shocks = np.sqrt(1.0 - self.rho**2) * ndtri(uniforms)
        z, _ = lfilter([1.0], [1.0, -self.rho], shocks, zi=[self.rho * self._state])
        self._state = float(z[-1])
        scaled: npt.NDArray[np.float64] = np.floor(ndtr(z) * _WORD)
        return np.minimum(scaled, _WORD - 1).astype(np.uint32)

    def spawn(self, n: int) -> list[SeriallyCorrelated]:
        return [SeriallyCorrelated(noise, rho=self.rho, mapping=self.mapping) for noise in self._noise.spawn(n)]


class SynchronisedChildren(_WordStream):
    def __init__(self, seed: int = 1, *, mapping: Mapping = Mapping.COMPATIBLE) -> None:
        super().__init__(mapping)
        self.seed = seed
        self._inner = SeededSource(seed)

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        return self._inner.words(count)

    def spawn(self, n: int) -> list[SynchronisedChildren]:
        return [SynchronisedChildren(self.seed + 1, mapping=self.mapping) for _ in range(n)]


class ShortPeriod(_WordStream):
    def __init__(self, seed: int = 1, *, period: int = 65_536, mapping: Mapping = Mapping.COMPATIBLE) -> None:
        super().__init__(mapping)
        if period < 1:
            raise ValueError(f"period must be positive, got {period}")
        self.seed = seed
        twister = random.Random(seed)
        self._cycle = np.array([twister.getrandbits(32) for _ in range(period)], dtype=np.uint32)
        self._position = 0

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        positions = (self._position + np.arange(count)) % len(self._cycle)
        self._position = (self._position + count) % len(self._cycle)
        return self._cycle[positions]

    def spawn(self, n: int) -> list[ShortPeriod]:
        return [ShortPeriod(self.seed + i + 1, period=len(self._cycle), mapping=self.mapping) for i in range(n)]


class PocketBiased(_WordStream):
    def __init__(
        self,
        seed: int | SeededSource = 1,
        *,
        bias: float = 0.005,
        outcomes: int = 37,
        pocket: int = 0,
        mapping: Mapping = Mapping.COMPATIBLE,
    ) -> None:
        super().__init__(mapping)
        if not 0.0 < bias < outcomes - 1:
            raise ValueError(f"bias must be in (0, {outcomes - 1}), got {bias}")
        self.bias, self.outcomes, self.pocket = bias, outcomes, pocket
        self._inner = seed if isinstance(seed, SeededSource) else SeededSource(seed)
        # Moving a share bias / (n - 1) of every other outcome onto the pocket makes it (1 + bias) / n.
        self._threshold = round(bias / (outcomes - 1) * _WORD)

    def _generate(self, count: int) -> npt.NDArray[np.uint32]:
        return self._inner.words(count)

    def index(self, n: int) -> int:
        outcome = draw_index(self.word, n, self.mapping)
        if n == self.outcomes and outcome != self.pocket and self.word() < self._threshold:
            return self.pocket
        return outcome

    def spawn(self, n: int) -> list[PocketBiased]:
        return [
            PocketBiased(inner, bias=self.bias, outcomes=self.outcomes, pocket=self.pocket, mapping=self.mapping)
            for inner in self._inner.spawn(n)
        ]

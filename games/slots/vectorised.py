"""Vectorised Monte Carlo of slot rounds: millions of spins per second through lookup tables.

Every line (or, for ways games, every paying symbol) of a spin is reduced to one integer *code* built digit by digit
from the five reels, and a precomputed table maps each code to its pay. Per reel the digits of all lines are tabulated
once by stop, and reels 1-2 and 4-5 are paired, so a spin costs three row lookups, two additions and one table lookup
per line. Drawing a pair index uniformly from ``L1 * L2`` is the same as drawing the two stops independently.

- lines: the digit of reel ``k`` is the symbol on the line's row, so a code is the line's five symbols;
- ways: the digit of reel ``k`` is how many cells of that reel show the symbol or the wild, so a code is the symbol's
  five counts (and the symbol itself, as an offset).

This code shares nothing with ``games.slots.evaluate`` (the live path) or ``games.slots.exact`` beyond the model, so the
tests comparing them are real checks.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from games.slots.model import REELS, ReelSet, SlotModel

Ints = npt.NDArray[np.int64]
BLOCK = 1 << 16
"""Rounds per block: keeps the (rounds x lines) intermediates a few megabytes, within reach of the CPU caches."""


class SpinTables:
    """Everything needed to evaluate many spins of one reel set at once."""

    def __init__(self, model: SlotModel, reels: ReelSet) -> None:
        cols = [reels.columns(k, model.rows) for k in range(REELS)]
        digits, radix, offsets, self._pay = _ways_codes(model, cols) if model.ways else _line_codes(model, cols)
        weights = radix ** np.arange(REELS - 1, -1, -1)  # reel 1 is the most significant digit, as in np.indices
        per_reel = [d * w for d, w in zip(digits, weights, strict=True)]
        per_reel[0] = per_reel[0] + offsets
        self._head = _pair(per_reel[0], per_reel[1]).astype(np.int32)
        self._mid = per_reel[2].astype(np.int32)
        self._tail = _pair(per_reel[3], per_reel[4]).astype(np.int32)
        scatters = [(c == model.scatter).sum(axis=1) for c in cols]
        self._head_sc = _pair(scatters[0][:, None], scatters[1][:, None]).ravel()
        self._mid_sc = scatters[2]
        self._tail_sc = _pair(scatters[3][:, None], scatters[4][:, None]).ravel()
        self._scatter_pay = np.array(model.scatter_pays, dtype=np.int64)

    def spin(self, n: int, rng: np.random.Generator) -> tuple[Ints, Ints]:
        """Pays (bet units, scatter pays included, before multipliers) and scatter counts of ``n`` independent spins."""
        a = rng.integers(0, len(self._head), n)
        b = rng.integers(0, len(self._mid), n)
        c = rng.integers(0, len(self._tail), n)
        codes = self._head[a]
        codes += self._mid[b]
        codes += self._tail[c]
        scatters = self._head_sc[a] + self._mid_sc[b] + self._tail_sc[c]
        return self._pay[codes].sum(axis=1, dtype=np.int64) + self._scatter_pay[scatters], scatters


def _pair(first: Ints, second: Ints) -> Ints:
    """Codes of reel pairs, indexed by ``stop1 * len(reel2) + stop2``."""
    return (first[:, None, :] + second[None, :, :]).reshape(len(first) * len(second), -1)


def _line_codes(model: SlotModel, cols: list[Ints]) -> tuple[list[Ints], int, Ints, npt.NDArray[np.int32]]:
    n = len(model.symbols)
    rows = np.array(model.lines).T
    digits = [col[:, r] for col, r in zip(cols, rows, strict=True)]
    symbols = np.indices((n,) * REELS).reshape(REELS, -1)
    lead = symbols[0]
    run = np.ones_like(lead)
    open_ = np.ones(len(lead), dtype=bool)
    for s in symbols[1:]:
        open_ &= (s == lead) | (s == model.wild)
        run += open_
    pay = np.array(model.pays, dtype=np.int32)[lead, run]
    return digits, n, np.zeros(len(model.lines), dtype=np.int64), pay


def _ways_codes(model: SlotModel, cols: list[Ints]) -> tuple[list[Ints], int, Ints, npt.NDArray[np.int32]]:
    radix = model.rows + 1
    paying = np.array(model.paying)
    span = radix**REELS
    digits = [((col[:, :, None] == paying) | (col[:, :, None] == model.wild)).sum(axis=1) for col in cols]
    counts = np.indices((radix,) * REELS).reshape(REELS, -1)
    run = np.zeros(span, dtype=np.int64)
    ways = np.ones(span, dtype=np.int64)
    open_ = np.ones(span, dtype=bool)
    for c in counts:
        open_ &= c > 0
        run += open_
        ways *= np.where(open_, c, 1)
    pays = np.array(model.pays, dtype=np.int64)[paying]
    offsets = np.arange(len(paying), dtype=np.int64) * span
    return digits, radix, offsets, (ways[None, :] * pays[:, run]).reshape(-1).astype(np.int32)


class RoundSimulator:
    """Whole rounds of one RTP variant: a base spin (or a bought feature) plus every free spin it leads to."""

    def __init__(self, model: SlotModel, variant: str) -> None:
        sets = model.variants[variant]
        self._base = SpinTables(model, sets.base)
        self._free = SpinTables(model, sets.free)
        size = len(model.scatter_pays)
        self._award = _by_count(model.free_spins.award, size)
        self._retrigger = _by_count(model.free_spins.retrigger, size)
        self._wheel = np.array(model.free_spins.multipliers, dtype=np.int64)

    def base_rounds(self, rounds: int, rng: np.random.Generator) -> Ints:
        """Pays in bet units of ``rounds`` paid spins, free spins included."""
        return self._blocks(rounds, rng, bought=None)

    def bought_rounds(self, rounds: int, spins: int, rng: np.random.Generator) -> Ints:
        """Pays in bet units of ``rounds`` bought features of ``spins`` free spins each."""
        return self._blocks(rounds, rng, bought=spins)

    def _blocks(self, rounds: int, rng: np.random.Generator, bought: int | None) -> Ints:
        out = np.empty(rounds, dtype=np.int64)
        for start in range(0, rounds, BLOCK):
            n = min(BLOCK, rounds - start)
            if bought is None:
                pays, scatters = self._base.spin(n, rng)
                out[start : start + n] = pays + self._feature(self._award[scatters], rng)
            else:
                out[start : start + n] = self._feature(np.full(n, bought, dtype=np.int64), rng)
        return out

    def _feature(self, spins: Ints, rng: np.random.Generator) -> Ints:
        """Plays each round's free spins a generation at a time: those awarded, then those they retrigger, ..."""
        total = np.zeros(len(spins), dtype=np.int64)
        owners = np.flatnonzero(spins)
        pending = spins[owners]
        while len(owners):
            who = np.repeat(owners, pending)
            pays, scatters = self._free.spin(len(who), rng)
            pays *= self._wheel[rng.integers(0, len(self._wheel), len(who))] if len(self._wheel) > 1 else self._wheel[0]
            np.add.at(total, who, pays)
            more = np.bincount(who, self._retrigger[scatters], len(spins)).astype(np.int64)
            owners = np.flatnonzero(more)
            pending = more[owners]
        return total


def _by_count(spins: Mapping[int, int], size: int) -> Ints:
    table = np.zeros(size, dtype=np.int64)
    for count, n in spins.items():
        table[count] = n
    return table

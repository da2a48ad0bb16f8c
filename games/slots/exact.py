"""Exact slot math: full reel-cycle sums of one spin, then free spins by the geometric (branching) series.

Enumerating every stop combination of five strips one by one (tens of millions per reel set) is too slow to do on
demand, so the cycle is split after reel 3. For every combination of reels 1-3 (the *head*) each line (or, for ways
games, each symbol) is either settled, with a pay that reels 4-5 cannot change, or *alive*: a run of three still open.
For every combination of reels 4-5 (the *tail*) a table gives what each alive line or symbol finally pays. A spin pays

    X(h, j) = settled(h) + scatter_pay(scatters(h) + scatters(j)) + sum over alive entries e of h: coef(e) * tail[e, j]

so the sums of X and X^2 over all (h, j) follow from per-head sums and a few tail matrices (tail sums by scatter count,
tail x scatter pay, and tail x tail products for pairs of lines alive together). Everything is integer arithmetic,
exact. Because every paying symbol pays for three (checked on load), a spin pays nothing exactly when no line is alive,
nothing settled pays and the scatters pay nothing.

Free spins form a branching process. One free spin pays Y (its pay times a wheel multiplier M, independent of the reels)
and awards T more spins (retriggers); G, the value of a spin with everything it retriggers, satisfies

    E[G] = E[Y] / (1 - E[T])
    E[G^2] = (E[Y^2] + 2 E[Y T] E[G] + E[T (T - 1)] E[G]^2) / (1 - E[T])

(the geometric series in E[T]). A base round pays R = X + G_1 + ... + G_N with N the spins its scatters award, so
E[R] = E[X] + E[N] E[G] and E[R^2] = E[X^2] + 2 E[X N] E[G] + E[N] E[G^2] + E[N (N - 1)] E[G]^2. A bonus buy is the
same sum with N fixed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from games.engine import MathProfile
from games.slots.model import ReelSet, SlotModel

Ints = npt.NDArray[np.int64]
_FLOAT_EXACT = 2**52


@dataclass(frozen=True, slots=True)
class CycleSums:
    """Sums over the full reel cycle of one reel set, in bet units, before any multiplier.

    ``count[c]`` and ``total[c]`` are the number of stop combinations showing ``c`` scatters and the sum of their pays.
    """

    cycle: int
    count: tuple[int, ...]
    total: tuple[int, ...]
    square: int
    zero: int


@dataclass(frozen=True, slots=True)
class RoundMath:
    """Exact first and second moments (per unit stake) and hit frequency of one kind of round."""

    mean: Fraction
    square: Fraction
    hit: Fraction

    def profile(self) -> MathProfile:
        return MathProfile(
            rtp=float(self.mean),
            hit_frequency=float(self.hit),
            std_dev=math.sqrt(float(self.square - self.mean**2)),
            max_win_multiplier=math.inf,
            method="enumeration",
        )


def spin_math(model: SlotModel, variant: str) -> RoundMath:
    """A paid base-game spin with every free spin it triggers."""
    sets = model.variants[variant]
    base = cycle_sums(model, sets.base)
    g1, g2, _ = _free_spin_value(model, cycle_sums(model, sets.free))
    award = model.free_spins.award
    cycle = Fraction(1, base.cycle)
    mean_x = sum(base.total, 0) * cycle
    n1 = sum(base.count[c] * n for c, n in award.items()) * cycle
    n2 = sum(base.count[c] * n * (n - 1) for c, n in award.items()) * cycle
    xn = sum(base.total[c] * n for c, n in award.items()) * cycle
    units = Fraction(model.bet_units)
    return RoundMath(
        mean=(mean_x + n1 * g1) / units,
        square=(base.square * cycle + 2 * xn * g1 + n1 * g2 + n2 * g1**2) / units**2,
        hit=1 - base.zero * cycle,
    )


def bonus_buy_math(model: SlotModel, variant: str) -> RoundMath:
    """A bought feature, per unit of the buy price."""
    if model.bonus_buy is None:
        raise ValueError(f"slot model {model.name!r} has no bonus buy")
    g1, g2, zero = _free_spin_value(model, cycle_sums(model, model.variants[variant].free))
    n = model.bonus_buy.spins
    price = Fraction(model.bet_units * model.bonus_buy.price)
    return RoundMath(mean=n * g1 / price, square=(n * g2 + n * (n - 1) * g1**2) / price**2, hit=1 - zero**n)


def _free_spin_value(model: SlotModel, free: CycleSums) -> tuple[Fraction, Fraction, Fraction]:
    """E[G], E[G^2] and P(G = 0) for one free spin with its retriggers, in bet units."""
    wheel = model.free_spins.multipliers
    m1 = Fraction(sum(wheel), len(wheel))
    m2 = Fraction(sum(m * m for m in wheel), len(wheel))
    cycle = Fraction(1, free.cycle)
    retrigger = model.free_spins.retrigger
    t1 = sum(free.count[c] * n for c, n in retrigger.items()) * cycle
    if t1 >= 1:
        raise ValueError(
            f"slot model {model.name!r}: free spins retrigger {float(t1):.3f} spins per spin and never end"
        )
    t2 = sum(free.count[c] * n * (n - 1) for c, n in retrigger.items()) * cycle
    y1 = m1 * sum(free.total, 0) * cycle
    y2 = m2 * free.square * cycle
    yt = m1 * sum(free.total[c] * n for c, n in retrigger.items()) * cycle
    g1 = y1 / (1 - t1)
    g2 = (y2 + 2 * yt * g1 + t2 * g1**2) / (1 - t1)
    # A spin that retriggers pays its scatters (checked on load), so G = 0 exactly when the spin itself pays nothing.
    return g1, g2, free.zero * cycle


@functools.lru_cache(maxsize=64)
def cycle_sums(model: SlotModel, reels: ReelSet) -> CycleSums:
    """Cached: a paid spin, its free spins and a bonus buy of the same variant all need the free-spin sums."""
    head_cols = [reels.columns(k, model.rows) for k in range(3)]
    tail_cols = [reels.columns(k, model.rows) for k in range(3, 5)]
    h1, h2, h3 = (a.ravel() for a in np.indices([len(c) for c in head_cols]))
    t4, t5 = (a.ravel() for a in np.indices([len(c) for c in tail_cols]))
    head_at = (head_cols[0][h1], head_cols[1][h2], head_cols[2][h3])
    tail_at = (tail_cols[0][t4], tail_cols[1][t5])
    if model.ways:
        head, tail = _ways_head(model, head_at), _ways_tail(model, tail_at)
    else:
        head, tail = _lines_head(model, head_at), _lines_tail(model, tail_at)
    return _sums(model, head, tail, _scatters(model, head_at), _scatters(model, tail_at), reels.cycle)


@dataclass(frozen=True, slots=True)
class _Head:
    """Per head combination: what is settled, plus the alive entries (owner head, tail row, coefficient)."""

    settled: Ints
    owner: Ints
    entry: Ints
    coef: Ints


def _lines_head(model: SlotModel, cols: tuple[Ints, ...]) -> _Head:
    pays = np.array(model.pays, dtype=np.int64)
    paying = np.array([any(row) for row in model.pays])
    settled = np.zeros(len(cols[0]), dtype=np.int64)
    owner, entry = [], []
    for u, line in enumerate(model.lines):
        lead, second, third = (c[:, row] for c, row in zip(cols, line[:3], strict=True))
        run2 = (second == lead) | (second == model.wild)
        run3 = run2 & ((third == lead) | (third == model.wild))
        alive = run3 & paying[lead]
        settled += np.where(alive, 0, pays[lead, 1 + run2 + run3])
        at = np.flatnonzero(alive)
        owner.append(at)
        entry.append(u * len(model.symbols) + lead[at])
    owners = np.concatenate(owner)
    return _Head(settled, owners, np.concatenate(entry), np.ones_like(owners))


def _lines_tail(model: SlotModel, cols: tuple[Ints, ...]) -> Ints:
    """Row ``u * symbols + s``: what line ``u`` pays on each tail combination when alive with lead symbol ``s``."""
    pays = np.array(model.pays, dtype=np.int64)
    lead = np.arange(len(model.symbols))[:, None]
    rows = []
    for line in model.lines:
        fourth, fifth = (c[:, row][None, :] for c, row in zip(cols, line[3:], strict=True))
        run4 = (fourth == lead) | (fourth == model.wild)
        run5 = run4 & ((fifth == lead) | (fifth == model.wild))
        rows.append(pays[lead, 3 + run4 + run5])
    return np.concatenate(rows)


def _matching(model: SlotModel, cols: Ints, symbol: int) -> Ints:
    matching: Ints = ((cols == symbol) | (cols == model.wild)).sum(axis=1)
    return matching


def _ways_head(model: SlotModel, cols: tuple[Ints, ...]) -> _Head:
    settled = np.zeros(len(cols[0]), dtype=np.int64)
    owner, entry, coef = [], [], []
    for symbol in model.paying:
        a, b, c = (_matching(model, col, symbol) for col in cols)
        p = model.pays[symbol]
        settled += np.where(b == 0, a * p[1], np.where(c == 0, a * b * p[2], 0))
        at = np.flatnonzero(a * b * c)
        owner.append(at)
        entry.append(np.full(len(at), symbol))
        coef.append((a * b * c)[at])
    return _Head(settled, np.concatenate(owner), np.concatenate(entry), np.concatenate(coef))


def _ways_tail(model: SlotModel, cols: tuple[Ints, ...]) -> Ints:
    """Row ``s``: what one open way of symbol ``s`` pays on each tail combination."""
    tail = np.zeros((len(model.symbols), len(cols[0])), dtype=np.int64)
    for symbol in model.paying:
        d, e = (_matching(model, col, symbol) for col in cols)
        p = model.pays[symbol]
        tail[symbol] = np.where(d == 0, p[3], np.where(e == 0, d * p[4], d * e * p[5]))
    return tail


def _scatters(model: SlotModel, cols: tuple[Ints, ...]) -> Ints:
    return sum(((c == model.scatter).sum(axis=1) for c in cols), np.zeros(len(cols[0]), dtype=np.int64))


def _sums(model: SlotModel, head: _Head, tail: Ints, head_sc: Ints, tail_sc: Ints, cycle: int) -> CycleSums:
    scatter_pay = np.array(model.scatter_pays, dtype=np.int64)
    n_tail = np.bincount(tail_sc)
    h_vals, t_vals = np.arange(head_sc.max() + 1), np.arange(len(n_tail))
    pay_ht = scatter_pay[h_vals[:, None] + t_vals[None, :]]  # scatter pay by (head scatters, tail scatters)
    sum_s, sum_s2 = pay_ht @ n_tail, (pay_ht * pay_ht) @ n_tail
    zero_s = (pay_ht == 0).astype(np.int64) @ n_tail

    used = np.unique(head.entry)
    local = np.searchsorted(used, head.entry)
    rows = tail[used]
    by_tail_sc = _exact_matmul(rows, (tail_sc[:, None] == t_vals[None, :]).astype(np.int64))
    with_scatter = _exact_matmul(rows, scatter_pay[h_vals[None, :] + tail_sc[:, None]])
    pair = _exact_matmul(rows, rows.T)

    n_head, n_t = len(head.settled), len(tail_sc)
    owner_sc = head_sc[head.owner]
    line_sum = _per_head(head.owner, head.coef * rows.sum(axis=1)[local], n_head)
    line_scatter = _per_head(head.owner, head.coef * with_scatter[local, owner_sc], n_head)
    line_sq = _pair_sums(head, local, pair, n_head)
    b = head.settled
    per_head_sq = n_t * b * b + 2 * b * sum_s[head_sc] + sum_s2[head_sc] + 2 * b * line_sum + 2 * line_scatter + line_sq

    max_c = len(scatter_pay) - 1
    count, total = [0] * (max_c + 1), [0] * (max_c + 1)
    open_by = np.zeros((len(h_vals), len(t_vals)), dtype=np.int64)
    np.add.at(open_by, owner_sc, head.coef[:, None] * by_tail_sc[local])
    heads_by = np.bincount(head_sc, minlength=len(h_vals))
    settled_by = _per_head(head_sc, b, len(h_vals))
    for h in h_vals:
        for t in t_vals:
            c = int(h + t)
            combos = int(heads_by[h]) * int(n_tail[t])
            count[c] += combos
            total[c] += int(settled_by[h]) * int(n_tail[t]) + int(scatter_pay[c]) * combos + int(open_by[h, t])

    dead = np.ones(n_head, dtype=bool)
    dead[head.owner] = False
    dead &= b == 0
    zero = sum(int(n) * int(zero_s[h]) for h, n in enumerate(np.bincount(head_sc[dead], minlength=len(h_vals))))
    if sum(count) != cycle:
        raise AssertionError("reel cycle split lost combinations")
    return CycleSums(
        cycle=cycle,
        count=tuple(count),
        total=tuple(total),
        square=int(per_head_sq.astype(object).sum()),
        zero=zero,
    )


def _per_head(index: Ints, values: Ints, size: int) -> Ints:
    """Integer ``bincount``: numpy's sums its weights in float64, which is not exact for large pays."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _pair_sums(head: _Head, local: Ints, pair: Ints, n_head: int) -> Ints:
    """Per head, sum over tail combinations of (sum of its alive entries)^2, from the pairwise product matrix."""
    order = np.argsort(head.owner, kind="stable")
    owner, entry, coef = head.owner[order], local[order], head.coef[order]
    out = np.zeros(n_head, dtype=np.int64)
    np.add.at(out, owner, coef * coef * pair[entry, entry])
    gap = 1
    while True:
        same = np.flatnonzero(owner[gap:] == owner[:-gap])
        if len(same) == 0:
            return out
        np.add.at(out, owner[same], 2 * coef[same] * coef[same + gap] * pair[entry[same], entry[same + gap]])
        gap += 1


def _exact_matmul(a: Ints, b: Ints) -> Ints:
    """Integer matrix product through float64 BLAS when every partial sum is provably exact, else in int64."""
    bound = int(np.abs(a).max(initial=0)) * int(np.abs(b).max(initial=0)) * a.shape[1]
    if bound < _FLOAT_EXACT:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    return a @ b

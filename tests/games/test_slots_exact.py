"""The exact slot math, checked by methods that share nothing with it.

- a tiny model small enough to enumerate stop by stop through the live evaluator;
- the free-spin series against a Markov chain on the number of pending spins, solved as a linear system;
- on every real model, line (or ways) pays and scatter counts from per-reel frequencies, as exact fractions.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from games.slots import ENGINES, SlotEngine
from games.slots.evaluate import evaluate
from games.slots.exact import CycleSums, bonus_buy_math, cycle_sums, spin_math
from games.slots.model import ReelSet, SlotModel, parse_model

TINY: dict[str, Any] = {
    "name": "tiny",
    "title": "Tiny",
    "volatility": "test",
    "rows": 3,
    "symbols": ["W", "S", "A", "B", "C"],
    "wild": "W",
    "scatter": "S",
    "paytable": {
        "A": {"3": 5, "4": 10, "5": 20},
        "B": {"2": 1, "3": 2, "4": 5, "5": 10},
        "C": {"3": 1, "4": 2, "5": 5},
    },
    "scatter_pays": {"2": 1, "3": 2, "4": 5},
    "free_spins": {"award": {"3": 3, "4": 5}, "retrigger": {"3": 2}, "multipliers": [1, 2, 3]},
    "bonus_buy": {"price": 30, "spins": 5},
    "variants": {
        "x": {
            "base": ["A B C S A", "B W C A", "S A W B C", "A C B W", "C S A B W B"],
            "free": ["A B S C", "W A B C S", "A W C B", "B S A W C", "C A W B"],
        }
    },
}
TINY_LINES = {
    "pays": "lines",
    "bet_units": 4,
    "lines": [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [2, 2, 2, 2, 2], [0, 1, 2, 1, 0]],
}
TINY_WAYS = {"pays": "ways", "bet_units": 5}

LINE_ENGINES = [e for e in ENGINES.values() if isinstance(e, SlotEngine) and not e.model.ways]
WAYS_ENGINES = [e for e in ENGINES.values() if isinstance(e, SlotEngine) and e.model.ways]


def tiny(kind: Mapping[str, Any]) -> SlotModel:
    return parse_model({**TINY, **kind})


def brute_force(model: SlotModel, reels: ReelSet) -> CycleSums:
    size = len(model.scatter_pays)
    count, total = [0] * size, [0] * size
    square = zero = 0
    for stops in itertools.product(*(range(len(s)) for s in reels.strips)):
        spin = evaluate(model, reels, stops)
        count[spin.scatters] += 1
        total[spin.scatters] += spin.pay
        square += spin.pay**2
        zero += spin.pay == 0
    return CycleSums(cycle=reels.cycle, count=tuple(count), total=tuple(total), square=square, zero=zero)


KINDS = [pytest.param(TINY_LINES, id="lines"), pytest.param(TINY_WAYS, id="ways")]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strips", ["base", "free"])
def test_split_enumeration_equals_brute_force(kind: Mapping[str, Any], strips: str) -> None:
    model = tiny(kind)
    reels = getattr(model.variants["x"], strips)
    assert cycle_sums(model, reels) == brute_force(model, reels)


def pending_chain(model: SlotModel, cap: int = 400) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """E[win] and E[win^2] of the rest of a feature with p spins pending, p = 0..cap, solving the chain directly."""
    free = model.variants["x"].free
    outcomes: dict[tuple[int, int], int] = {}
    for stops in itertools.product(*(range(len(s)) for s in free.strips)):
        spin = evaluate(model, free, stops)
        more = model.free_spins.retrigger.get(spin.scatters, 0)
        for m in model.free_spins.multipliers:
            outcomes[spin.pay * m, more] = outcomes.get((spin.pay * m, more), 0) + 1
    n = sum(outcomes.values())
    a = np.zeros((cap + 1, cap + 1))
    b = np.zeros((cap + 1, cap + 1))
    r1 = np.zeros(cap + 1)
    r2 = np.zeros(cap + 1)
    for p in range(1, cap + 1):
        for (y, t), k in outcomes.items():
            q = min(p - 1 + t, cap)
            a[p, q] += k / n
            b[p, q] += y * k / n
            r1[p] += y * k / n
            r2[p] += y * y * k / n
    identity = np.eye(cap + 1)
    m1 = np.linalg.solve(identity - a, r1)
    m2 = np.linalg.solve(identity - a, r2 + 2 * b @ m1)
    return m1.astype(np.float64), m2.astype(np.float64)


@pytest.mark.parametrize("kind", KINDS)
def test_free_spin_series_equals_pending_spins_chain(kind: Mapping[str, Any]) -> None:
    model = tiny(kind)
    m1, m2 = pending_chain(model)
    base = model.variants["x"].base
    mean = square = 0.0
    for stops in itertools.product(*(range(len(s)) for s in base.strips)):
        spin = evaluate(model, base, stops)
        n = model.free_spins.award.get(spin.scatters, 0)
        mean += spin.pay + m1[n]
        square += spin.pay**2 + 2 * spin.pay * m1[n] + m2[n]
    units = model.bet_units
    exact = spin_math(model, "x")
    assert float(exact.mean) == pytest.approx(mean / base.cycle / units, rel=1e-9)
    assert float(exact.square) == pytest.approx(square / base.cycle / units**2, rel=1e-9)

    bought = bonus_buy_math(model, "x")
    assert model.bonus_buy is not None
    price = units * model.bonus_buy.price
    assert float(bought.mean) == pytest.approx(m1[model.bonus_buy.spins] / price, rel=1e-9)
    assert float(bought.square) == pytest.approx(m2[model.bonus_buy.spins] / price**2, rel=1e-9)


def test_hit_frequency_counts_spins_that_pay() -> None:
    model = tiny(TINY_LINES)
    sums = brute_force(model, model.variants["x"].base)
    assert spin_math(model, "x").hit == 1 - Fraction(sums.zero, sums.cycle)


def test_feature_that_never_ends_is_rejected() -> None:
    model = tiny({**TINY_LINES, "free_spins": {**TINY["free_spins"], "retrigger": {"3": 9}}})
    with pytest.raises(ValueError, match="never end"):
        spin_math(model, "x")


def _frequencies(model: SlotModel, reels: ReelSet, symbol: int) -> list[Fraction]:
    return [Fraction(strip.count(symbol), len(strip)) for strip in reels.strips]


def analytic_lines(model: SlotModel, reels: ReelSet) -> Fraction:
    """Expected line pays of a spin: each cell of a line shows a symbol with its strip frequency, reels independent."""
    wild = _frequencies(model, reels, model.wild)
    expected = Fraction(0)
    for symbol in model.paying:
        own = _frequencies(model, reels, symbol)
        at_least = [Fraction(1), own[0]]
        for reel in range(1, 5):
            at_least.append(at_least[-1] * (own[reel] + wild[reel]))
        at_least.append(Fraction(0))
        expected += sum(model.pays[symbol][m] * (at_least[m] - at_least[m + 1]) for m in range(1, 6))
    return expected * len(model.lines)


def analytic_ways(model: SlotModel, reels: ReelSet) -> Fraction:
    """Expected ways pays: per reel, the mean number of matching cells and the chance of none, reels independent."""
    expected = Fraction(0)
    for symbol in model.paying:
        mean, none = [], []
        for reel in range(5):
            matches = np.isin(reels.columns(reel, model.rows), [symbol, model.wild]).sum(axis=1)
            mean.append(Fraction(int(matches.sum()), len(matches)))
            none.append(Fraction(int((matches == 0).sum()), len(matches)))
        ways = Fraction(1)
        for m in range(1, 6):
            ways *= mean[m - 1]
            expected += model.pays[symbol][m] * ways * (none[m] if m < 5 else 1)
    return expected


def scatter_distribution(model: SlotModel, reels: ReelSet) -> list[Fraction]:
    dist = [Fraction(1)]
    for reel in range(5):
        shown = (reels.columns(reel, model.rows) == model.scatter).sum(axis=1)
        per = [Fraction(int((shown == k).sum()), len(shown)) for k in range(model.rows + 1)]
        dist = [
            sum((dist[i] * per[c - i] for i in range(len(dist)) if 0 <= c - i < len(per)), Fraction(0))
            for c in range(len(dist) + model.rows)
        ]
    return dist + [Fraction(0)] * (len(model.scatter_pays) - len(dist))


def reel_sets(engines: list[SlotEngine]) -> list[Any]:
    return [
        pytest.param(e.model, getattr(e.model.variants[e.variant], kind), id=f"{e.engine_id}-{kind}")
        for e in engines
        for kind in ("base", "free")
    ]


@pytest.mark.parametrize(("model", "reels"), reel_sets(LINE_ENGINES) + reel_sets(WAYS_ENGINES))
def test_enumeration_matches_per_reel_analysis(model: SlotModel, reels: ReelSet) -> None:
    sums = cycle_sums(model, reels)
    scatters = scatter_distribution(model, reels)
    assert [Fraction(c, sums.cycle) for c in sums.count] == scatters
    scatter_pay = sum((p * pay for p, pay in zip(scatters, model.scatter_pays, strict=True)), Fraction(0))
    line_pay = analytic_ways(model, reels) if model.ways else analytic_lines(model, reels)
    assert Fraction(sum(sums.total), sums.cycle) == line_pay + scatter_pay


@pytest.mark.parametrize("rtp", ["965", "940", "920"])
def test_volatility_families_genuinely_differ(rtp: str) -> None:
    sigma = {name: ENGINES[f"slot-{name}-{rtp}"].math().std_dev for name in ("classic20", "jungle25", "temple30")}
    assert 2 * sigma["classic20"] < sigma["jungle25"]
    assert 2 * sigma["jungle25"] < sigma["temple30"]

"""Statistical checks shared by the table and instant engine tests.

Every check is seeded, so a pass or a failure is reproducible; the thresholds are 99% two-sided, which is
what the acceptance rule in the fairness notes asks of a declared RTP.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats

from games.engine import JSON, AnyEngine, MultiStepEngine, Outcome, Step
from games.rng import ProvablyFairStream, RandomSource

Z_99 = 2.576
ALPHA = 0.01


ROUND_DOWN = 2**32 - 1
"""A rounding word that never rounds an exact win up (``settle`` rounds up when ``word < frac * 2**32``)."""
ROUND_UP = 0
"""A rounding word that rounds every fractional exact win up."""


class ScriptedSource:
    """A ``RandomSource`` that replays given 32-bit words, to force exact outcomes in brute-force checks.

    ``rounding`` is appended as the last word: the rounding word a multi-step ``open`` always draws and a
    single-step round draws when its exact win is fractional."""

    def __init__(self, words: Sequence[int], rounding: int = ROUND_DOWN) -> None:
        self._words = [*words, rounding]
        self._position = 0

    def word(self) -> int:
        value = self._words[self._position]
        self._position += 1
        return value

    def float(self) -> float:
        return self.word() / 2**32

    def index(self, n: int) -> int:
        return int(self.float() * n)


class WordRecorder:
    """Wraps a source and keeps the words drawn through ``word`` (not those behind ``float`` or ``index``): for an
    engine whose outcome draws use ``index`` alone, that is the rounding word, if the round drew one."""

    def __init__(self, inner: RandomSource) -> None:
        self.inner = inner
        self.words: list[int] = []

    def word(self) -> int:
        value = self.inner.word()
        self.words.append(value)
        return value

    def float(self) -> float:
        return self.inner.float()

    def index(self, n: int) -> int:
        return self.inner.index(n)


def word_for_index(index: int, n: int) -> int:
    """The smallest 32-bit word that ``floor(word / 2**32 * n)`` maps to ``index``."""
    return -((-index * 2**32) // n)


def stream(nonce: int) -> ProvablyFairStream:
    return ProvablyFairStream("table and instant test server seed", "client", nonce)


def assert_rtp_in_interval(engine: AnyEngine, rounds: int, seed: int, declared_rounds: int | None = None) -> None:
    """Declared RTP lies within the 99% interval of a seeded simulation, using the declared sigma.

    A declared figure that itself comes from a recorded simulation of ``declared_rounds`` rounds carries its own
    sampling error, so the interval is widened to the difference of two independent means.
    """
    profile = engine.math()
    returns = engine.simulate(rounds, np.random.default_rng(seed))
    assert returns.shape == (rounds,)
    assert returns.dtype == np.float64
    spread = 1 / rounds + (1 / declared_rounds if declared_rounds else 0)
    half_width = Z_99 * profile.std_dev * math.sqrt(spread)
    mean = float(returns.mean())
    assert abs(mean - profile.rtp) <= half_width, (
        f"{engine.engine_id}: simulated RTP {mean:.6f} vs declared {profile.rtp:.6f} (99% half width {half_width:.6f})"
    )


def classify(values: npt.ArrayLike, classes: Sequence[float]) -> npt.NDArray[np.int64]:
    """Index of the class each value equals (to 1e-9 relative); fails on a value that is no class."""
    array = np.asarray(values, dtype=np.float64)
    table = np.asarray(classes, dtype=np.float64)
    index: npt.NDArray[np.int64] = np.abs(array[:, None] - table[None, :]).argmin(axis=1).astype(np.int64)
    assert np.allclose(array, table[index], rtol=1e-9, atol=1e-12), "a return is not one of the outcome classes"
    return index


def counts(indices: npt.NDArray[np.int64], size: int) -> npt.NDArray[np.int64]:
    return np.asarray(np.bincount(indices, minlength=size), dtype=np.int64)


def pooled(expected: npt.NDArray[np.float64], *observed: npt.NDArray[np.int64]) -> list[npt.NDArray[np.float64]]:
    """Merge classes whose expected count is under 5 into one bin, as the chi-square approximation
    requires."""
    small = expected < 5
    out: list[npt.NDArray[np.float64]] = []
    for row in (expected, *observed):
        values = np.asarray(row, dtype=np.float64)
        merged = values[~small]
        if small.any():
            merged = np.append(merged, values[small].sum())
        out.append(merged)
    return out


def assert_fits(observed: npt.NDArray[np.int64], probabilities: Sequence[Fraction | float], label: str) -> None:
    """Chi-square goodness of fit of class counts against exact probabilities at 99%."""
    total = int(observed.sum())
    expected = np.array([float(p) for p in probabilities]) * total
    expected_pooled, observed_pooled = pooled(expected, observed)
    if len(expected_pooled) < 2:
        return
    result = stats.chisquare(observed_pooled, expected_pooled * observed_pooled.sum() / expected_pooled.sum())
    assert result.pvalue > ALPHA, f"{label}: chi-square p={result.pvalue:.5f} observed={observed.tolist()}"


def assert_same_distribution(first: npt.NDArray[np.int64], second: npt.NDArray[np.int64], label: str) -> None:
    """Two samples of class counts come from one distribution (chi-square test of homogeneity at 99%)."""
    keep = (first + second) > 0
    table = np.vstack([first[keep], second[keep]])
    if table.shape[1] < 2:
        return
    result = stats.chi2_contingency(table)
    assert result.pvalue > ALPHA, f"{label}: homogeneity p={result.pvalue:.5f} {table.tolist()}"


def returns_from_play(play_one: Callable[[int], float], rounds: int) -> npt.NDArray[np.float64]:
    """Per-unit-stake returns of ``rounds`` rounds played one by one through the per-round path, nonce
    1..rounds."""
    return np.array([play_one(nonce) for nonce in range(1, rounds + 1)], dtype=np.float64)


class SingleStepWithDistribution(Protocol):
    engine_id: str

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome: ...

    def reference_params(self) -> JSON: ...

    def simulate(self, rounds: int, rng: np.random.Generator) -> npt.NDArray[np.float64]: ...

    def distribution(self, params: Mapping[str, Any] | None = None) -> dict[Fraction, Fraction]: ...


def exact_stake(dist: Mapping[Fraction, Fraction]) -> int:
    """A stake for which every return in ``dist`` is a whole number of minor units, so floor rounding is
    moot."""
    return math.lcm(*(value.denominator for value in dist))


def assert_play_matches_simulation(engine: SingleStepWithDistribution, rounds: int, seed: int) -> None:
    """The per-round ``play`` path and the vectorised ``simulate`` path agree with the exact distribution
    and each other on outcome classes."""
    dist = engine.distribution()
    classes = [float(value) for value in dist]
    stake = exact_stake(dist)
    params = engine.reference_params()
    played = returns_from_play(lambda nonce: engine.play(stake, params, stream(nonce)).win / stake, rounds)
    simulated = engine.simulate(rounds, np.random.default_rng(seed))
    played_counts = counts(classify(played, classes), len(classes))
    simulated_counts = counts(classify(simulated, classes), len(classes))
    assert_fits(played_counts, list(dist.values()), f"{engine.engine_id} play")
    assert_fits(simulated_counts, list(dist.values()), f"{engine.engine_id} simulate")
    assert_same_distribution(played_counts, simulated_counts, engine.engine_id)


def finish_round(
    engine: MultiStepEngine,
    stake: int,
    params: Mapping[str, Any],
    rng: RandomSource,
    choose: Callable[[Step], tuple[str, JSON]],
) -> tuple[Step, int]:
    """Open a round and act with ``choose`` until it ends; returns the last step and everything staked (``cost``
    included), after checking that each state survives a JSON round trip as it would through storage."""
    step = engine.open(stake, params, rng)
    staked = stake
    while not step.finished:
        action, action_params = choose(step)
        state = json.loads(json.dumps(step.state))
        staked += engine.cost(state, action, action_params)
        step = engine.act(state, action, action_params)
    json.dumps(step.view)
    return step, staked

"""Monte Carlo RTP checks: simulate any registered engine and hold the result against the engine's declared math.

The acceptance rule is the one labs use: the simulated RTP passes when ``|sim - theory| <= 2.576 * sigma / sqrt(N)``,
with ``sigma`` the *theoretical* standard deviation, so a wrong declared RTP or volatility cannot hide behind a noisy
sample. The reported 99% confidence interval, by contrast, uses the sample's own standard deviation: it describes the
sample.

Rounds are simulated in chunks so memory stays bounded whatever N is. The stream is
``Generator(PCG64DXSM(SeedSequence(seed)))``; a run is reproducible for the same seed, rounds and chunk size on the same
numpy release (numpy does not promise ``Generator`` method streams across releases).

``play_rtp`` is the same check at a given stake in minor units, played instead of simulated: every round goes through
the engine's real ``play`` (or ``open`` and ``act`` with the engine's ``reference_action``) on a ``SeededSource``, so
the figure includes the settlement of exact wins to minor units (docs/fairness.md, "Rounding"). A round's return is
what it paid back minus any extra stake it took (doubles, splits), per initial stake, as ``math`` defines RTP.

Nothing here prints or touches files, except ``write_plot``, which writes the PNG it is asked for.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from games.engine import JSON, AnyEngine, MathProfile
from games.registry import get_engine
from games.rng import RandomSource, SeededSource

Z99 = 2.576
CHUNK = 1_000_000
"""Rounds per simulated chunk: 8 MB of returns, plus whatever the engine needs for them."""


@dataclass(frozen=True, slots=True)
class RtpReport:
    """One simulation against the declared math. Money-free: every figure is per unit stake."""

    game: str
    rounds: int
    seed: int
    rtp: float
    std_dev: float
    hit_frequency: float
    max_win: float
    theory: MathProfile
    convergence: tuple[tuple[int, float], ...]
    """Simulated RTP after n rounds, at log-spaced n ending at ``rounds``: the curve ``write_plot`` draws."""
    stake: int | None = None
    """Minor units per round when the rounds were played at a stake (``play_rtp``); ``None`` for the simulation."""

    @property
    def ci99(self) -> tuple[float, float]:
        half = Z99 * self.std_dev / math.sqrt(self.rounds)
        return self.rtp - half, self.rtp + half

    @property
    def tolerance(self) -> float:
        """Largest deviation from the theoretical RTP that passes: 2.576 theoretical sigmas of the mean."""
        return Z99 * self.theory.std_dev / math.sqrt(self.rounds)

    @property
    def deviation(self) -> float:
        return self.rtp - self.theory.rtp

    @property
    def passed(self) -> bool:
        return abs(self.deviation) <= self.tolerance

    def to_json(self) -> JSON:
        theory = self.theory
        return {
            "game": self.game,
            "stake": self.stake,
            "rounds": self.rounds,
            "seed": self.seed,
            "rtp": self.rtp,
            "ci99": list(self.ci99),
            "std_dev": self.std_dev,
            "hit_frequency": self.hit_frequency,
            "max_win": self.max_win,
            "theory": {
                "rtp": theory.rtp,
                "std_dev": theory.std_dev,
                "hit_frequency": theory.hit_frequency,
                # JSON has no infinity; null means unbounded (slot retriggers).
                "max_win": None if math.isinf(theory.max_win_multiplier) else theory.max_win_multiplier,
                "method": theory.method,
            },
            "deviation": self.deviation,
            "tolerance": self.tolerance,
            "passed": self.passed,
            "convergence": [list(point) for point in self.convergence],
        }


Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after every chunk (the chunk size stays what the results depend on)."""


def simulate_rtp(
    game: str, rounds: int, seed: int, *, chunk: int = CHUNK, points: int = 200, progress: Progress | None = None
) -> RtpReport:
    """Simulate ``rounds`` reference bets of the registered engine ``game`` (``UnknownEngine`` if there is none)."""
    return simulate_engine(get_engine(game), rounds, seed, chunk=chunk, points=points, progress=progress)


def simulate_engine(
    engine: AnyEngine,
    rounds: int,
    seed: int,
    *,
    chunk: int = CHUNK,
    points: int = 200,
    progress: Progress | None = None,
) -> RtpReport:
    _check(rounds, seed, chunk)
    rng = np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(seed)))
    return _report(engine, rounds, seed, lambda n: engine.simulate(n, rng), chunk, points, None, progress)


def play_rtp(
    game: str,
    stake: int,
    rounds: int,
    seed: int,
    *,
    chunk: int = 10_000,
    points: int = 200,
    progress: Progress | None = None,
) -> RtpReport:
    """Play ``rounds`` reference bets of ``game`` at ``stake`` minor units through the engine itself, rounding
    included. ``InvalidBet`` when the engine refuses the stake, ``UnknownEngine`` when there is no such game."""
    _check(rounds, seed, chunk)
    engine = get_engine(game)
    play_one = _round_player(engine, stake, engine.reference_params(), SeededSource(seed))

    def draw(n: int) -> npt.NDArray[np.float64]:
        return np.fromiter((play_one() for _ in range(n)), dtype=np.float64, count=n)

    return _report(engine, rounds, seed, draw, chunk, points, stake, progress)


def _round_player(engine: AnyEngine, stake: int, params: JSON, source: RandomSource) -> Callable[[], float]:
    """A function playing the next round on ``source`` and returning its return per initial stake."""
    if not engine.multi_step:
        single = engine

        def play_single() -> float:
            return single.play(stake, params, source).win / stake

        return play_single
    multi = engine

    def play_multi() -> float:
        step = multi.open(stake, params, source)
        staked = stake
        while not step.finished:
            action, action_params = multi.reference_action(step)
            staked += multi.cost(step.state, action, action_params)
            step = multi.act(step.state, action, action_params)
        return (step.win - staked + stake) / stake

    return play_multi


def _check(rounds: int, seed: int, chunk: int) -> None:
    if type(rounds) is not int or rounds <= 0:
        raise ValueError(f"rounds must be a positive integer, got {rounds!r}")
    if type(seed) is not int or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if chunk <= 0:
        raise ValueError(f"chunk must be positive, got {chunk}")


def _report(
    engine: AnyEngine,
    rounds: int,
    seed: int,
    draw: Callable[[int], npt.NDArray[np.float64]],
    chunk: int,
    points: int,
    stake: int | None,
    progress: Progress | None = None,
) -> RtpReport:
    theory = engine.math()
    marks = checkpoints(rounds, points)
    convergence: list[tuple[int, float]] = []
    total = square = 0.0
    hits = 0
    best = -math.inf
    done = 0
    for start in range(0, rounds, chunk):
        n = min(chunk, rounds - start)
        returns = np.asarray(draw(n), dtype=np.float64)
        if returns.shape != (n,):
            raise ValueError(f"{engine.engine_id}: {n} rounds returned shape {returns.shape}")
        inside = marks[(marks > done) & (marks <= done + n)]
        running = total + np.cumsum(returns)[inside - done - 1]
        convergence.extend(zip(inside.tolist(), (running / inside).tolist(), strict=True))
        total += float(returns.sum())
        square += float(np.dot(returns, returns))
        hits += int(np.count_nonzero(returns > 0))
        best = max(best, float(returns.max()))
        done += n
        if progress is not None:
            progress(done, rounds)
    mean = total / rounds
    variance = (square - rounds * mean * mean) / (rounds - 1) if rounds > 1 else 0.0
    return RtpReport(
        game=engine.engine_id,
        rounds=rounds,
        seed=seed,
        rtp=mean,
        std_dev=math.sqrt(max(variance, 0.0)),
        hit_frequency=hits / rounds,
        max_win=best,
        theory=theory,
        convergence=tuple(convergence),
        stake=stake,
    )


def checkpoints(rounds: int, points: int) -> npt.NDArray[np.int64]:
    """About ``points`` round counts, log-spaced from 100 (or fewer) up to and including ``rounds``."""
    first = min(100, rounds)
    marks = np.geomspace(first, rounds, num=max(points, 2)).round().astype(np.int64)
    return np.unique(np.append(marks, rounds))


def write_plot(report: RtpReport, path: str | os.PathLike[str]) -> None:
    """Draw the convergence curve against the theoretical RTP and its 99% acceptance funnel, as a PNG at ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    rounds = np.array([n for n, _ in report.convergence], dtype=np.float64)
    rtp = np.array([r for _, r in report.convergence])
    theory = report.theory
    funnel = Z99 * theory.std_dev / np.sqrt(rounds)

    figure = Figure(figsize=(9, 5), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.fill_between(rounds, theory.rtp - funnel, theory.rtp + funnel, alpha=0.2, label="99% acceptance")
    ax.axhline(theory.rtp, color="black", linestyle="--", label=f"theoretical {theory.rtp:.4%}")
    ax.plot(rounds, rtp, label=f"simulated {report.rtp:.4%}")
    ax.set_xscale("log")
    ax.set_xlabel("rounds")
    ax.set_ylabel("RTP")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    # Frame the second half of the run (on the log scale): the early rounds are noise and would flatten the curve.
    late = rounds >= math.sqrt(rounds[0] * rounds[-1])
    margin = 1.2 * max(float(funnel[late].max()), float(np.abs(rtp[late] - theory.rtp).max()), 1e-6)
    ax.set_ylim(max(theory.rtp - margin, 0.0), theory.rtp + margin)
    verdict = "PASS" if report.passed else "FAIL"
    ax.set_title(f"{report.game}: RTP convergence, {report.rounds:,} rounds, seed {report.seed} ({verdict})")
    ax.legend(loc="upper right")
    figure.savefig(os.fspath(path), format="png")

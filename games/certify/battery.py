"""The certification battery: raw-bit, outcome, shuffle and independence tests over one source, one report.

Each check draws its own fresh output from the source, in a fixed order, so a seeded source gives the same
report every time. Outcomes are drawn one by one through ``index`` and ``float``, the calls engines make, so
the mapping from words to outcomes is under test as much as the generator.

Every verdict carries the test's power: the smallest defect of its kind it catches four times in five at
this run's sample size (``games.certify.power``), so a PASS says how closely the source was looked at.

Outcome frequencies (``chi_square``, ``max_cell``) are counted a million outcomes at a time, so ``samples`` can
grow to catch small biases while memory stays flat; the tests that need whole sequences (floats, pairs,
shuffles, streams side by side, raw bits) use at most ``SEQUENCE_CAP`` samples and ``RAW_WORD_CAP`` words,
and the repetition test at most ``REPETITION_WORDS`` words.

Every test is judged at ``alpha`` (0.01). With two dozen tests, a perfect generator would still fail at
least one in more than a quarter of runs; so a test that fails is run once more on fresh output and its
verdict is the rerun's (the first attempt stays in the report). A real defect fails both times, as the
deliberately bad sources in ``games.certify.sources`` show; chance fails both times in about 0.5% of runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from games.certify import independence, nist
from games.certify import outcome_tests as ot
from games.certify.power import detectable, monobit_bias
from games.certify.report import CheckResult, Report
from games.certify.shuffle import position_card_test, position_counts
from games.rng import RandomSource

MIN_SAMPLES = 20_000
SEQUENCE_CAP = 10_000_000
RAW_WORD_CAP = 40_000_000
REPETITION_WORDS = 1 << 23
_COUNT_CHUNK = 1 << 20


@runtime_checkable
class CertifiableSource(RandomSource, Protocol):
    """A ``RandomSource`` that can also hand out raw words in bulk and spawn independent children."""

    def words(self, count: int) -> npt.NDArray[np.uint32]: ...

    def spawn(self, n: int) -> Sequence[CertifiableSource]: ...


@dataclass(frozen=True, slots=True)
class BatteryConfig:
    """Sizes and parameters of one battery run; ``samples`` drives everything not set explicitly.

    >>> BatteryConfig(samples=50_000).raw_word_count
    200000
    """

    samples: int = 100_000
    sequences: int = 100
    raw_words: int | None = None
    alpha: float = 0.01
    retest: bool = True
    outcome_ranges: tuple[int, ...] = (37, 52, 10001)
    serial_lags: int = 8
    pair_range: int = 16
    poker_range: int = 10
    coupon_range: int = 6
    coupon_max_length: int = 40
    gap_interval: tuple[float, float] = (0.0, 0.125)
    gap_max: int = 32
    deck: int = 52
    shuffles: int | None = None
    stakes: tuple[int, ...] = (10, 100, 1_000, 10_000)
    cross_lags: int = 4
    joint_range: int = 10

    def __post_init__(self) -> None:
        if self.samples < MIN_SAMPLES:
            raise ValueError(f"samples must be at least {MIN_SAMPLES}, got {self.samples}")
        if not 0.0 < self.alpha < 0.5:
            raise ValueError(f"alpha must be in (0, 0.5), got {self.alpha}")
        if self.raw_word_count // self.sequences * 32 < 1000:
            raise ValueError("raw words too few for the NIST tests: need 1,000 bits per sequence")

    @property
    def raw_word_count(self) -> int:
        return self.raw_words if self.raw_words is not None else min(4 * self.samples, RAW_WORD_CAP)

    @property
    def sequence_samples(self) -> int:
        return min(self.samples, SEQUENCE_CAP)

    @property
    def shuffle_count(self) -> int:
        return self.shuffles if self.shuffles is not None else self.sequence_samples // 10

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {
            "raw_words": self.raw_word_count,
            "shuffles": self.shuffle_count,
            "sequence_samples": self.sequence_samples,
        }


@dataclass(frozen=True, slots=True)
class BetPath:
    """How the bet-size check plays a round: ``draw(source, stake)`` is an outcome class in [0, classes)."""

    draw: independence.OutcomeForBet = independence.roulette_outcome
    classes: int = 37


def draw_floats(source: RandomSource, count: int) -> npt.NDArray[np.float64]:
    return np.fromiter((source.float() for _ in range(count)), dtype=np.float64, count=count)


def draw_indices(source: RandomSource, n: int, count: int) -> npt.NDArray[np.int64]:
    return np.fromiter((source.index(n) for _ in range(count)), dtype=np.int64, count=count)


def count_indices(source: RandomSource, n: int, count: int) -> npt.NDArray[np.int64]:
    """How often each of ``n`` outcomes came up in ``count`` draws, a chunk at a time (memory stays flat)."""
    counts = np.zeros(n, dtype=np.int64)
    for start in range(0, count, _COUNT_CHUNK):
        counts += np.bincount(draw_indices(source, n, min(_COUNT_CHUNK, count - start)), minlength=n)
    return counts


CheckRun = Callable[[CertifiableSource, BatteryConfig, BetPath], list[CheckResult]]


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    run: CheckRun = field(repr=False)


def _verdict(name: str, category: str, target: str, finding: ot.Finding, samples: int, alpha: float) -> CheckResult:
    return CheckResult(
        name=name,
        category=category,
        target=target,
        statistic=finding.statistic,
        p_value=finding.p_value,
        passed=finding.p_value >= alpha,
        samples=samples,
        detail=finding.detail,
        power=None if finding.effect is None else detectable(finding.effect, alpha),
    )


def _nist(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
    words = source.words(cfg.raw_word_count)
    bits_per_sequence = len(words) // cfg.sequences * 32
    results = []
    for key, p_values in nist.run_on_words(words, cfg.sequences).items():
        level = nist.second_level(p_values, cfg.alpha)
        detail = {
            "sequences": level.sequences,
            "bits_per_sequence": bits_per_sequence,
            "min_proportion": round(level.threshold, 6),
            "min_uniformity_p": 0.0001,
        }
        results.append(
            CheckResult(
                name=f"nist.{key}",
                category="raw bits",
                target=nist.TARGETS[key],
                statistic=level.proportion,
                p_value=level.uniformity_p,
                passed=level.passed,
                samples=bits_per_sequence * cfg.sequences,
                detail=detail,
                power=_nist_power(key, bits_per_sequence, cfg, level.threshold),
            )
        )
    return results


def _nist_power(key: str, bits: int, cfg: BatteryConfig, threshold: float) -> dict[str, Any] | None:
    """Only the frequency test has a closed-form power; the other NIST tests report none rather than a guess."""
    if key != "frequency":
        return None
    bias = monobit_bias(bits, cfg.sequences, cfg.alpha, threshold)
    return {"power": 0.8, "alpha": cfg.alpha, "samples": bits * cfg.sequences, "bit_bias": bias}


def _repetition(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
    words = source.words(min(cfg.raw_word_count, REPETITION_WORDS))
    finding = ot.repetition(words)
    target = "a generator that cycles or repeats its output (short period, reused state)"
    result = _verdict("repetition", "raw bits", target, finding, len(words), cfg.alpha)
    power = {"power": 1.0, "alpha": cfg.alpha, "samples": len(words), "cycle_words": len(words) - 2}
    return [dataclasses.replace(result, power=power)]


def _chi_square(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
    results = []
    for n in cfg.outcome_ranges:
        counts = count_indices(source, n, cfg.samples)
        target = f"uneven frequencies of {n} outcomes (scaling or modulo bias)"
        results.append(
            _verdict(f"chi_square.{n}", "outcomes", target, ot.chi_square_counts(counts), cfg.samples, cfg.alpha)
        )
        target = f"one of {n} outcomes too frequent or too rare (a favoured pocket or card)"
        results.append(_verdict(f"max_cell.{n}", "outcomes", target, ot.max_cell(counts), cfg.samples, cfg.alpha))
    return results


def _floats_check(
    name: str, target: str, test: Callable[[npt.NDArray[np.float64], BatteryConfig], ot.Finding]
) -> Check:
    def run(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
        finding = test(draw_floats(source, cfg.sequence_samples), cfg)
        return [_verdict(name, "outcomes", target, finding, cfg.sequence_samples, cfg.alpha)]

    return Check(name, run)


def _indices_check(
    name: str,
    target: str,
    n: Callable[[BatteryConfig], int],
    test: Callable[[ot.Ints, BatteryConfig], ot.Finding],
) -> Check:
    def run(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
        finding = test(draw_indices(source, n(cfg), cfg.sequence_samples), cfg)
        return [_verdict(name, "outcomes", target, finding, cfg.sequence_samples, cfg.alpha)]

    return Check(name, run)


def _shuffle(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
    finding = position_card_test(position_counts(source, cfg.shuffle_count, cfg.deck))
    target = "cards favouring positions (biased or wrongly looped shuffle)"
    return [_verdict(f"shuffle.{cfg.deck}", "shuffles", target, finding, cfg.shuffle_count, cfg.alpha)]


def _bet_size(source: CertifiableSource, cfg: BatteryConfig, path: BetPath) -> list[CheckResult]:
    table = independence.bet_size_table(source, cfg.sequence_samples, cfg.stakes, path.draw, path.classes)
    finding = independence.contingency(table)
    target = "outcome depending on the stake"
    return [_verdict("independence.bet_size", "independence", target, finding, cfg.sequence_samples, cfg.alpha)]


def _spawned(source: CertifiableSource, cfg: BatteryConfig, _: BetPath) -> list[CheckResult]:
    first, second = source.spawn(2)
    size = cfg.sequence_samples
    correlation = independence.cross_correlation(draw_floats(first, size), draw_floats(second, size), cfg.cross_lags)
    d = cfg.joint_range
    joint = independence.joint_table(draw_indices(first, d, size), draw_indices(second, d, size), d)
    return [
        _verdict(
            "independence.spawned_correlation",
            "independence",
            "child streams moving together (shared or related seeds)",
            correlation,
            size,
            cfg.alpha,
        ),
        _verdict(
            "independence.spawned_joint",
            "independence",
            "paired outcomes of child streams related",
            independence.contingency(joint),
            size,
            cfg.alpha,
        ),
    ]


CHECKS: tuple[Check, ...] = (
    Check("nist", _nist),
    Check("repetition", _repetition),
    Check("chi_square", _chi_square),
    _floats_check("kolmogorov_smirnov", "floats not uniform on [0, 1)", lambda x, _: ot.kolmogorov_smirnov(x)),
    _floats_check("runs_up_down", "trends: too few or too many ups and downs", lambda x, _: ot.runs_up_down(x)),
    _floats_check(
        "serial_correlation",
        "each value depending on the previous ones",
        lambda x, c: ot.serial_correlation(x, c.serial_lags),
    ),
    _floats_check(
        "gap",
        "clustering: uneven gaps between values in an interval",
        lambda x, c: ot.gap_test(x, *c.gap_interval, c.gap_max),
    ),
    _indices_check(
        "serial_pairs",
        "consecutive outcomes not independent",
        lambda c: c.pair_range,
        lambda x, c: ot.serial_pairs(x, c.pair_range),
    ),
    _indices_check(
        "poker",
        "too many or too few repeats within short groups",
        lambda c: c.poker_range,
        lambda x, c: ot.poker_test(x, c.poker_range),
    ),
    _indices_check(
        "coupon_collector",
        "some outcomes taking too long to appear",
        lambda c: c.coupon_range,
        lambda x, c: ot.coupon_collector(x, c.coupon_range, c.coupon_max_length),
    ),
    Check("shuffle", _shuffle),
    Check("bet_size", _bet_size),
    Check("spawned_streams", _spawned),
)
CHECK_NAMES = tuple(c.name for c in CHECKS)


def describe_source(source: object) -> dict[str, Any]:
    """Provenance for the report: a source's own ``describe()`` or ``record``, else its type."""
    describe = getattr(source, "describe", None)
    if callable(describe):
        return dict(describe())
    record = getattr(source, "record", None)
    if record is not None and hasattr(record, "to_json"):
        return {"kind": "numpy"} | dict(record.to_json())
    return {"kind": type(source).__name__}


def run_battery(
    source: CertifiableSource,
    config: BatteryConfig | None = None,
    *,
    only: Collection[str] | None = None,
    bet_path: BetPath | None = None,
    provenance: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Run every check (or those named in ``only``, see ``CHECK_NAMES``) and collect the verdicts;
    ``progress(done, total)`` is called after each check."""
    cfg = config or BatteryConfig()
    path = bet_path or BetPath()
    unknown = set(only or ()) - set(CHECK_NAMES)
    if unknown:
        raise ValueError(f"unknown checks {sorted(unknown)}; choose from {', '.join(CHECK_NAMES)}")
    results: list[CheckResult] = []
    chosen = [check for check in CHECKS if only is None or check.name in only]
    for done, check in enumerate(chosen, start=1):
        first = check.run(source, cfg, path)
        if cfg.retest and any(not r.passed for r in first):
            again = {r.name: r for r in check.run(source, cfg, path)}
            first = [r if r.passed else r.retested(again[r.name]) for r in first]
        results.extend(first)
        if progress is not None:
            progress(done, len(chosen))
    described = dict(provenance) if provenance is not None else describe_source(source)
    return Report(tuple(results), cfg.alpha, described, cfg.to_json())

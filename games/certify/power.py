"""How small a defect each test finds: the effect it detects with 80% power at its sample size and ``alpha``.

A PASS says nothing unless the reader knows what the test could have seen. Each test describes itself with
an ``Effect`` (the statistic's family and what one unit of its effect means for a game), and ``detectable``
turns it into the smallest such defect the test catches four times in five:

- chi-square tests (outcome frequencies, pairs, poker, coupons, gaps, shuffles, contingency tables and the
  Ljung-Box sums of correlations): the non-central chi-square with ``lambda = N w**2`` (Cohen's ``w``). For
  frequency tests ``w`` is also given as the relative excess of the likeliest outcome, with the others short
  in proportion: ``bias = w * sqrt((1 - p) / p)``.
- the largest single outcome (``max_cell``): a two-sided binomial z-test of each outcome, Bonferroni over the
  ``n`` outcomes, so ``bias = (z(1 - alpha / 2n) + z(power)) * sqrt((1 - p) / (N p))``.
- z-tests (runs up and down): the shift of the standardised statistic, ``(z(1 - alpha/2) + z(power)) / sqrt(N)``
  per unit of standard deviation.
- Kolmogorov-Smirnov: a CDF that departs from the uniform by ``D`` at one point is caught with at least this
  power once ``D >= (K(1 - alpha) + z(power) / 2) / sqrt(N)`` (the empirical CDF there has standard deviation
  at most ``1 / (2 sqrt(N))``), a conservative bound.
- NIST frequency (monobit) under the second-level proportion rule: the bit bias ``eps`` for which enough of
  the ``m`` sequences fail their own test to push the pass proportion under the threshold.

Frequency tests also state how many rounds they need to see one outcome 0.5% too frequent, at 99% power
(``SURE``) rather than 80%, so that a run at that size all but certainly fails a source with that defect.

>>> round(max_cell_bias(28_000_000, 37, 0.01), 4) <= 0.005
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from scipy import optimize, stats

POWER = 0.8
SURE = 0.99  # the power at which the report states the rounds needed for a 0.5% bias: all but certain
EffectKind = Literal["chi_square", "max_cell", "normal", "ks"]


@dataclass(frozen=True, slots=True)
class Effect:
    """What a test's statistic can see: ``kind``, its sample size, degrees of freedom, the likeliest cell."""

    kind: EffectKind
    samples: int
    df: int = 1
    cell_probability: float | None = None
    cells: int | None = None
    unit: str | None = None  # the report's name for the effect when it is not a frequency: "correlation", ...
    scale: float = 1.0  # that effect per unit of ``w`` (chi-square) or of standardised shift (normal)


def _z(q: float) -> float:
    return float(stats.norm.ppf(q))


@cache
def noncentrality(df: int, alpha: float, power: float = POWER) -> float:
    """The non-centrality at which a chi-square test with ``df`` degrees of freedom rejects with ``power``."""
    critical = float(stats.chi2.isf(alpha, df))
    return float(optimize.brentq(lambda lam: float(stats.ncx2.sf(critical, df, lam)) - power, 1e-9, 1e7))


def chi_square_effect(samples: int, df: int, alpha: float, power: float = POWER) -> float:
    """Smallest Cohen's ``w`` a chi-square test of ``samples`` observations detects with ``power``."""
    return math.sqrt(noncentrality(df, alpha, power) / samples)


def one_cell_bias(w: float, p: float) -> float:
    """Cohen's ``w`` as the relative excess of one cell of probability ``p`` (the others short in proportion)."""
    return w * math.sqrt((1 - p) / p)


def max_cell_bias(samples: int, n: int, alpha: float, power: float = POWER) -> float:
    p = 1 / n
    return (_z(1 - alpha / (2 * n)) + _z(power)) * math.sqrt((1 - p) / (samples * p))


def samples_for_max_cell(bias: float, n: int, alpha: float, power: float = POWER) -> int:
    """Outcomes the ``max_cell`` test needs to catch one of ``n`` outcomes too frequent by ``bias``."""
    p = 1 / n
    return math.ceil(((_z(1 - alpha / (2 * n)) + _z(power)) / bias) ** 2 * (1 - p) / p)


def samples_for_one_cell(bias: float, n: int, alpha: float, power: float = POWER) -> int:
    """Outcomes the uniform chi-square over ``n`` outcomes needs to catch one outcome too frequent by ``bias``."""
    return math.ceil(noncentrality(n - 1, alpha, power) * (n - 1) / bias**2)


def monobit_bias(bits: int, sequences: int, alpha: float, min_proportion: float, power: float = POWER) -> float:
    """Bit bias ``eps`` (P(1) = 1/2 + eps) at which the second-level proportion rule fails with ``power``."""
    allowed = math.floor((1 - min_proportion) * sequences)
    z = _z(1 - alpha / 2)

    def rule_fails(eps: float) -> float:
        shift = 2 * eps * math.sqrt(bits)
        fail_one = float(stats.norm.sf(z - shift) + stats.norm.cdf(-z - shift))
        return float(stats.binom.sf(allowed, sequences, fail_one)) - power

    return float(optimize.brentq(rule_fails, 0.0, 0.5))


def detectable(effect: Effect, alpha: float, power: float = POWER) -> dict[str, Any]:
    """The smallest defect ``effect``'s test finds with ``power``, in the units a reader of the report uses."""
    found: dict[str, Any] = {"power": power, "alpha": alpha, "samples": effect.samples}
    if effect.kind == "chi_square":
        w = chi_square_effect(effect.samples, effect.df, alpha, power)
        found["effect_size_w"] = w
        if effect.unit is not None:
            found[effect.unit] = w * effect.scale
        if effect.cell_probability is not None:
            found["one_outcome_relative_bias"] = one_cell_bias(w, effect.cell_probability)
        if effect.cells is not None:
            found["samples_for_half_percent_bias"] = samples_for_one_cell(0.005, effect.cells, alpha, SURE)
    elif effect.kind == "max_cell":
        if effect.cells is None:
            raise ValueError("a max_cell effect needs its number of cells")
        found["one_outcome_relative_bias"] = max_cell_bias(effect.samples, effect.cells, alpha, power)
        found["samples_for_half_percent_bias"] = samples_for_max_cell(0.005, effect.cells, alpha, SURE)
    elif effect.kind == "normal":
        shift = (_z(1 - alpha / 2) + _z(power)) / math.sqrt(effect.samples)
        found[effect.unit or "standardised_shift"] = shift * effect.scale
    else:
        found["cdf_deviation"] = (float(stats.kstwobign.isf(alpha)) + _z(power) / 2) / math.sqrt(effect.samples)
    return found


def headline(found: dict[str, Any]) -> str:
    """One short phrase for the text report: the defect size this run could see."""
    for key, label in (
        ("one_outcome_relative_bias", "one outcome +{:.2%}"),
        ("bit_bias", "bit bias {:.2%}"),
        ("correlation", "correlation {:.4f}"),
        ("runs_relative_change", "runs off by {:.2%}"),
        ("cdf_deviation", "CDF off by {:.4f}"),
        ("standardised_shift", "shift {:.4f} sd"),
        ("effect_size_w", "w {:.4f}"),
        ("cycle_words", "cycle <= {:,} words"),
    ):
        if key in found:
            return label.format(found[key])
    return "-"

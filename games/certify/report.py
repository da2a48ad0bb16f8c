"""What the battery hands to a lab or a CI job: one verdict per test, as JSON or as a text table.

Every number is made JSON-safe on the way in (numpy scalars to Python, non-finite values to None), so
``json.dumps(report.to_json(), allow_nan=False)`` always succeeds and another tool can read the result.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from games.certify.power import headline


def json_safe(value: Any) -> Any:
    """Plain JSON types only: numpy scalars and arrays unwrapped, NaN and infinities replaced by None."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "tolist"):
        return json_safe(value.tolist())
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One test's verdict. ``target`` names the defect the test is built to catch, for the reader of a FAIL.

    ``first_attempt`` holds (statistic, P-value) of a first run that failed; the test was then repeated on
    fresh output and the fields above are the repeat's, verdict included (see ``battery``).
    """

    name: str
    category: str
    target: str
    statistic: float
    p_value: float
    passed: bool
    samples: int
    detail: dict[str, Any] = field(default_factory=dict)
    first_attempt: tuple[float, float] | None = None
    power: dict[str, Any] | None = None

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"

    def retested(self, rerun: CheckResult) -> CheckResult:
        return replace(rerun, first_attempt=(self.statistic, self.p_value))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "target": self.target,
            "statistic": json_safe(float(self.statistic)),
            "p_value": json_safe(float(self.p_value)),
            "result": self.verdict,
            "samples": self.samples,
            "first_attempt": None
            if self.first_attempt is None
            else {"statistic": json_safe(self.first_attempt[0]), "p_value": json_safe(self.first_attempt[1])},
            "detail": json_safe(self.detail),
            "power": json_safe(self.power),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """The battery's outcome: it passes only if every test passes."""

    results: tuple[CheckResult, ...]
    alpha: float
    source: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    def result(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "alpha": self.alpha,
            "source": json_safe(self.source),
            "config": json_safe(self.config),
            "tests": [r.to_json() for r in self.results],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, allow_nan=False, ensure_ascii=False)

    def render_text(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        passed = len(self.results) - len(self.failures)
        lines = [
            f"RNG certification: {verdict} ({passed}/{len(self.results)} tests pass at alpha {self.alpha})",
            "source: " + ", ".join(f"{k}={v}" for k, v in json_safe(self.source).items()),
            "",
            _row("TEST", "STATISTIC", "P-VALUE", "RESULT", "SEES (80% POWER)", "TARGET"),
        ]
        lines += [_result_row(r) for r in self.results]
        retested = [r for r in self.results if r.first_attempt is not None]
        if retested:
            lines += ["", "* failed a first run and was rerun on fresh output; the row shows the rerun:"]
            lines += [
                f"  {r.name}: first run statistic {_number(r.first_attempt[0])}, P {_number(r.first_attempt[1])}"
                for r in retested
                if r.first_attempt is not None
            ]
        return "\n".join(lines)


def _row(*cells: str) -> str:
    name, statistic, p_value, verdict, sees, target = cells
    return f"{name:<34} {statistic:>12} {p_value:>10} {verdict:<7} {sees:<24} {target}"


def _number(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.6g}"


def _result_row(r: CheckResult) -> str:
    verdict = r.verdict + ("*" if r.first_attempt is not None else "")
    sees = "-" if r.power is None else headline(r.power)
    return _row(r.name, _number(r.statistic), _number(r.p_value), verdict, sees, r.target)

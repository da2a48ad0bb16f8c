"""Service-level gates checked when a run ends: the fail ratio and the 95th and 99th percentile response times.

``evaluate`` is plain arithmetic over Locust's aggregated ``StatsEntry`` (anything with ``num_requests``,
``fail_ratio`` and ``get_response_time_percentile``); ``install`` hooks it to ``events.quitting`` and turns a broken
gate into exit status 3. In distributed mode only the master has the merged statistics, so workers skip the check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner

EXIT_SLO_BROKEN = 3
log = logging.getLogger("loadtests.slo")


class Totals(Protocol):
    num_requests: int

    @property
    def fail_ratio(self) -> float: ...

    def get_response_time_percentile(self, percent: float) -> float: ...


@dataclass(frozen=True)
class Objectives:
    fail_ratio: float = 0.01
    p95_ms: float = 500.0
    p99_ms: float = 1000.0


@dataclass
class Verdict:
    lines: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def evaluate(total: Totals, objectives: Objectives) -> Verdict:
    verdict = Verdict()
    if total.num_requests == 0:
        verdict.broken.append("no request completed")
        return verdict
    checks = (
        ("fail ratio", total.fail_ratio, objectives.fail_ratio, "{:.2%}"),
        ("p95", total.get_response_time_percentile(0.95), objectives.p95_ms, "{:.0f} ms"),
        ("p99", total.get_response_time_percentile(0.99), objectives.p99_ms, "{:.0f} ms"),
    )
    for name, value, limit, fmt in checks:
        line = f"{name} {fmt.format(value)} (limit {fmt.format(limit)})"
        verdict.lines.append(line)
        if value > limit:
            verdict.broken.append(line)
    return verdict


def add_arguments(parser: Any) -> None:
    defaults = Objectives()
    parser.add_argument(
        "--slo-fail-ratio",
        type=float,
        default=defaults.fail_ratio,
        env_var="LOCUST_SLO_FAIL_RATIO",
        help="highest acceptable share of failed requests (0.01 = 1%%)",
    )
    parser.add_argument(
        "--slo-p95-ms",
        type=float,
        default=defaults.p95_ms,
        env_var="LOCUST_SLO_P95_MS",
        help="highest acceptable 95th percentile response time, ms",
    )
    parser.add_argument(
        "--slo-p99-ms",
        type=float,
        default=defaults.p99_ms,
        env_var="LOCUST_SLO_P99_MS",
        help="highest acceptable 99th percentile response time, ms",
    )


def gate(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or environment.parsed_options is None:
        return
    options = environment.parsed_options
    objectives = Objectives(options.slo_fail_ratio, options.slo_p95_ms, options.slo_p99_ms)
    verdict = evaluate(environment.stats.total, objectives)
    if environment.runner is not None and environment.runner.exceptions:
        verdict.broken.append(f"{len(environment.runner.exceptions)} kinds of exception in the locustfile's code")
    for line in verdict.lines:
        log.info("SLO %s", line)
    if verdict.ok:
        log.info("SLO met")
        environment.process_exit_code = 0
    else:
        log.error("SLO broken: %s", "; ".join(verdict.broken))
        environment.process_exit_code = EXIT_SLO_BROKEN


def install() -> None:
    events.init_command_line_parser.add_listener(add_arguments)
    events.quitting.add_listener(gate)

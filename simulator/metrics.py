"""The process's metrics, kept by the maintained Prometheus client (``prometheus_client``).

Every app gets a ``Metrics`` with a registry of its own, so apps built side by side (tests) never share a series.
With ``serve --workers N`` each worker writes its samples to files in one directory (the client's multiprocess
mode, switched on by ``multiprocess_mode`` in the parent before it forks) and ``/metrics`` answers with the
totals of all the workers, whichever of them is asked.

>>> m = Metrics()
>>> m.wallet_call("bet", "ok", studio="studio-1", dialect="native", seconds=0.004)
>>> m.value("casino_sim_wallet_calls_total", studio="studio-1", operation="bet", outcome="ok")
1.0
>>> 'casino_sim_wallet_calls_total{operation="bet",outcome="ok",studio="studio-1"} 1.0' in m.render().splitlines()
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

# no "*_created" series: scrapers here want totals, and half the text to parse
disable_created_metrics()  # type: ignore[no-untyped-call]

# wallet calls and rounds take milliseconds on loopback and seconds when a fault delays them
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Gauge = tuple[str, tuple[tuple[str, str], ...], float]
"""A point-in-time value measured when scraped: name, labels, value."""


@contextlib.contextmanager
def multiprocess_mode() -> Iterator[Path]:
    """Switch this process, and the workers it forks inside the block, to the client's multiprocess mode: each
    writes its samples to files in a fresh private directory (mode 0700) that ``/metrics`` adds up, removed when
    the block ends."""
    directory = Path(tempfile.mkdtemp(prefix="casino-sim-metrics-"))
    os.environ[MULTIPROCESS_ENV] = str(directory)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]  # read once, at import
    try:
        yield directory
    finally:
        del os.environ[MULTIPROCESS_ENV]
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        shutil.rmtree(directory, ignore_errors=True)


class _Measured(Collector):
    """Gauges the caller measures at scrape time (rounds in the store by status...), as one collector."""

    def __init__(self, gauges: Iterable[Gauge], help_text: dict[str, str]) -> None:
        self._gauges = list(gauges)
        self._help = help_text

    def collect(self) -> Iterator[Metric]:
        families: dict[str, GaugeMetricFamily] = {}
        for name, labels, value in self._gauges:
            family = families.get(name)
            if family is None:
                family = families[name] = GaugeMetricFamily(
                    name, self._help.get(name, name), labels=[k for k, _ in labels]
                )
            family.add_metric([v for _, v in labels], value)
        yield from families.values()


GAUGE_HELP = {
    "casino_sim_rounds": "Rounds in the provider's store by status.",
    "casino_sim_transactions": "Transactions in the provider's store by kind and status.",
    "casino_sim_settlement_queue": "Wins and rollbacks waiting for the wallet's acknowledgement, by kind.",
    "casino_sim_journal_entries": "Exchanges held in the journal of the process that answered.",
}


class Metrics:
    """Counters and histograms of one app. The hot path calls ``wallet_call`` and ``round_played``; the labelled
    children are cached so that a round costs a dictionary lookup per series, not the client's label check."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "casino_sim_http_requests",
            "Inbound API requests by operation and status.",
            ["operation", "status"],
            registry=r,
        )
        self.wallet_calls = Counter(
            "casino_sim_wallet_calls",
            "Wallet calls by studio, operation and outcome, as the simulator saw them.",
            ["studio", "operation", "outcome"],
            registry=r,
        )
        self.wallet_call_seconds = Histogram(
            "casino_sim_wallet_call_seconds",
            "Wallet call latency in seconds, faults included, by studio, dialect and operation.",
            ["studio", "dialect", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.round_seconds = Histogram(
            "casino_sim_round_seconds",
            "Time to answer a round or an action in seconds, wallet calls included, by engine.",
            ["engine"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.settlement_retries = Counter(
            "casino_sim_settlement_retries",
            "Wins and rollbacks rescheduled after a failed delivery, by kind.",
            ["kind"],
            registry=r,
        )
        self.faults_injected = Counter(
            "casino_sim_faults_injected",
            "Faults injected, by rule, side and action.",
            ["rule", "side", "action"],
            registry=r,
        )
        self.fault_header_ignored = Counter(
            "casino_sim_fault_header_ignored",
            "X-Casino-Sim-Fault headers not applied, by reason.",
            ["reason"],
            registry=r,
        )
        self._children: dict[tuple[object, ...], Callable[[float], None]] = {}

    def _child(self, key: tuple[object, ...], make: Callable[[], Callable[[float], None]]) -> Callable[[float], None]:
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = make()
        return child

    def http_request(self, operation: str, status: str) -> None:
        self._child(("http", operation, status), lambda: self.http_requests.labels(operation, status).inc)(1)

    def wallet_call(self, operation: str, outcome: str, *, studio: str, dialect: str, seconds: float) -> None:
        calls = ("calls", studio, operation, outcome)
        self._child(calls, lambda: self.wallet_calls.labels(studio, operation, outcome).inc)(1)
        key = ("call_seconds", studio, dialect, operation)
        self._child(key, lambda: self.wallet_call_seconds.labels(studio, dialect, operation).observe)(seconds)

    def round_played(self, engine: str, seconds: float) -> None:
        self._child(("round", engine), lambda: self.round_seconds.labels(engine).observe)(seconds)

    def settlement_retry(self, kind: str) -> None:
        self.settlement_retries.labels(kind).inc()

    def fault_injected(self, rule: str, side: str, action: str) -> None:
        self.faults_injected.labels(rule, side, action).inc()

    def fault_header_skipped(self, reason: str) -> None:
        self.fault_header_ignored.labels(reason).inc()

    def value(self, name: str, **labels: str) -> float:
        """One sample's value in this process (0 when never counted): what tests read."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def render(self, gauges: Iterable[Gauge] = ()) -> str:
        """The text exposition: every worker's counters and histograms in multiprocess mode (this process's
        otherwise), then the gauges the caller measured."""
        directory = os.environ.get(MULTIPROCESS_ENV)
        if directory:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        else:
            registry = self.registry
        measured = CollectorRegistry()
        measured.register(_Measured(gauges, GAUGE_HELP))
        return (generate_latest(registry) + generate_latest(measured)).decode()

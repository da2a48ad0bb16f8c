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

import bisect
import contextlib
import itertools
import math
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
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

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


class _Tally(Collector):
    """A labelled counter or histogram that one process keeps as plain numbers and the client renders when scraped.

    The hot path (every request and wallet call) pays a dictionary lookup and, for a histogram, one ``bisect``: the
    client's own children take a lock per bucket and per sum and check their state on every call, several times the
    work (``bench/round_calls.py`` counts the calls). Only for one process: under ``--workers`` the client's own
    metrics write to the shared files that ``/metrics`` adds up (``_Shared``)."""

    def __init__(self, name: str, doc: str, labels: list[str], buckets: tuple[float, ...] | None = None) -> None:
        self._name = name
        self._doc = doc
        self._labels = labels
        self._bounds = buckets
        # per label values: a counter's total, or a histogram's count per bucket (not cumulative; +Inf last) and sum
        self._series: dict[tuple[str, ...], list[float]] = {}

    def add(self, key: tuple[str, ...], value: float) -> None:
        """Count ``value`` (a counter's increment, a histogram's observation) for the label values ``key``."""
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = [0.0] * (1 if self._bounds is None else len(self._bounds) + 2)
        if self._bounds is None:
            series[0] += value
        else:
            series[bisect.bisect_left(self._bounds, value)] += 1  # the first bucket whose bound is >= value
            series[-1] += value

    def collect(self) -> Iterator[Metric]:
        if self._bounds is None:
            counter = CounterMetricFamily(self._name, self._doc, labels=self._labels)
            for key, (total,) in self._series.items():
                counter.add_metric(key, total)
            yield counter
            return
        histogram = HistogramMetricFamily(self._name, self._doc, labels=self._labels)
        bounds = [floatToGoString(b) for b in (*self._bounds, math.inf)]  # type: ignore[no-untyped-call]
        for key, series in self._series.items():
            cumulative = itertools.accumulate(series[:-1])
            histogram.add_metric(key, list(zip(bounds, cumulative, strict=True)), sum_value=series[-1])
        yield histogram


class _Shared:
    """The client's own labelled counter or histogram, for ``--workers``: each sample goes to the shared files at once.
    Its children are cached, so a call costs a dictionary lookup, not the client's label check."""

    def __init__(self, metric: Counter | Histogram) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Callable[[float], None]] = {}

    def add(self, key: tuple[str, ...], value: float) -> None:
        child = self._children.get(key)
        if child is None:
            labelled = self._metric.labels(*key)
            child = self._children[key] = labelled.observe if isinstance(labelled, Histogram) else labelled.inc
        child(value)


class Metrics:
    """Counters and histograms of one app. The hot path (``http_request``, ``wallet_call``, ``round_played``) counts
    into plain numbers the client renders (``_Tally``), or, with ``--workers``, into the client's shared files."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        shared = bool(os.environ.get(MULTIPROCESS_ENV))

        def hot(name: str, doc: str, labels: list[str], buckets: tuple[float, ...] | None = None) -> _Tally | _Shared:
            if shared:
                if buckets is None:
                    return _Shared(Counter(name, doc, labels, registry=r))
                return _Shared(Histogram(name, doc, labels, buckets=buckets, registry=r))
            tally = _Tally(name, doc, labels, buckets)
            r.register(tally)
            return tally

        self._http_requests = hot(
            "casino_sim_http_requests", "Inbound API requests by operation and status.", ["operation", "status"]
        )
        self._wallet_calls = hot(
            "casino_sim_wallet_calls",
            "Wallet calls by studio, operation and outcome, as the simulator saw them.",
            ["studio", "operation", "outcome"],
        )
        self._wallet_call_seconds = hot(
            "casino_sim_wallet_call_seconds",
            "Wallet call latency in seconds, faults included, by studio, dialect and operation.",
            ["studio", "dialect", "operation"],
            LATENCY_BUCKETS,
        )
        self._round_seconds = hot(
            "casino_sim_round_seconds",
            "Time to answer a round or an action in seconds, wallet calls included, by engine.",
            ["engine"],
            LATENCY_BUCKETS,
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

    def http_request(self, operation: str, status: str) -> None:
        self._http_requests.add((operation, status), 1)

    def wallet_call(self, operation: str, outcome: str, *, studio: str, dialect: str, seconds: float) -> None:
        self._wallet_calls.add((studio, operation, outcome), 1)
        self._wallet_call_seconds.add((studio, dialect, operation), seconds)

    def round_played(self, engine: str, seconds: float) -> None:
        self._round_seconds.add((engine,), seconds)

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

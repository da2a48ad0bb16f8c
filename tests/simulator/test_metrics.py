"""The hot series kept as plain numbers render exactly as the Prometheus client's own metrics would."""

from __future__ import annotations

import doctest
import random

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from simulator import metrics as metrics_module
from simulator.metrics import LATENCY_BUCKETS, MULTIPROCESS_ENV, Metrics


def _observations() -> list[tuple[str, str, str, str, float]]:
    rng = random.Random(7)
    studios, operations, outcomes = ["studio-1", "studio-2"], ["bet", "win", "rollback"], ["ok", "refused", "error"]
    values = [*LATENCY_BUCKETS, 0.0, 45.0, *(rng.expovariate(200) for _ in range(500))]  # every bound, both ends
    return [(rng.choice(studios), "native", rng.choice(operations), rng.choice(outcomes), v) for v in values]


def test_the_tallies_render_as_the_clients_own_counter_and_histogram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROCESS_ENV, raising=False)
    ours = Metrics()
    registry = CollectorRegistry()
    calls = Counter("casino_sim_wallet_calls", "x", ["studio", "operation", "outcome"], registry=registry)
    seconds = Histogram(
        "casino_sim_wallet_call_seconds",
        "x",
        ["studio", "dialect", "operation"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    for studio, dialect, operation, outcome, value in _observations():
        ours.wallet_call(operation, outcome, studio=studio, dialect=dialect, seconds=value)
        calls.labels(studio, operation, outcome).inc()
        seconds.labels(studio, dialect, operation).observe(value)

    def samples(text: str, name: str) -> list[str]:
        return sorted(line for line in text.splitlines() if line.startswith(name))

    expected, rendered = generate_latest(registry).decode(), ours.render()
    for name in ("casino_sim_wallet_calls_total", "casino_sim_wallet_call_seconds_"):
        assert samples(rendered, name) == samples(expected, name)
        assert samples(rendered, name)  # something was compared
    assert "# TYPE casino_sim_wallet_call_seconds histogram" in rendered


def test_under_workers_the_hot_series_are_the_clients_own() -> None:
    with metrics_module.multiprocess_mode() as directory:
        shared = Metrics()
        shared.round_played("dice", 0.004)
        shared.round_played("dice", 0.2)
        assert list(directory.iterdir())  # the samples went to the shared files
        text = shared.render()
    assert 'casino_sim_round_seconds_count{engine="dice"} 2.0' in text
    assert 'casino_sim_round_seconds_bucket{engine="dice",le="0.005"} 1.0' in text


def test_docstring_examples() -> None:
    result = doctest.testmod(metrics_module)
    assert result.failed == 0
    assert result.attempted > 0

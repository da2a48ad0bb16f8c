"""Process counters in the Prometheus text format, without a client library: a dict of labelled counters.

>>> m = Metrics()
>>> m.inc("casino_sim_wallet_calls_total", operation="bet", outcome="ok")
>>> print(m.render().splitlines()[-1])
casino_sim_wallet_calls_total{operation="bet",outcome="ok"} 1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

HELP = {
    "casino_sim_faults_injected_total": "Faults injected, by rule, side and action.",
    "casino_sim_fault_header_ignored_total": "X-Casino-Sim-Fault headers not applied, by reason.",
    "casino_sim_http_requests_total": "Inbound API requests by operation and status.",
    "casino_sim_wallet_calls_total": "Wallet calls by operation and outcome, as the simulator saw them.",
    "casino_sim_rounds": "Rounds in the provider's store by status.",
    "casino_sim_transactions": "Transactions in the provider's store by kind and status.",
    "casino_sim_journal_entries": "Exchanges held in the journal.",
}

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(name: str, labels: Labels, value: float) -> str:
    text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    number = int(value) if float(value).is_integer() else value
    return f"{name}{{{text}}} {number}" if text else f"{name} {number}"


class Metrics:
    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)

    def inc(self, name: str, value: float = 1, **labels: str) -> None:
        series = self._counters[name]
        key = tuple(sorted(labels.items()))
        series[key] = series.get(key, 0) + value

    def value(self, name: str, **labels: str) -> float:
        return self._counters.get(name, {}).get(tuple(sorted(labels.items())), 0)

    def render(self, gauges: Iterable[tuple[str, Labels, float]] = ()) -> str:
        """Counters, then point-in-time gauges the caller measured (rounds by status...)."""
        lines: list[str] = []
        for name in sorted(self._counters):
            lines += [f"# HELP {name} {HELP.get(name, name)}", f"# TYPE {name} counter"]
            lines += [_line(name, labels, v) for labels, v in sorted(self._counters[name].items())]
        by_name: dict[str, list[tuple[Labels, float]]] = defaultdict(list)
        for name, labels, value in gauges:
            by_name[name].append((labels, value))
        for name in sorted(by_name):
            lines += [f"# HELP {name} {HELP.get(name, name)}", f"# TYPE {name} gauge"]
            lines += [_line(name, labels, v) for labels, v in sorted(by_name[name])]
        return "\n".join(lines) + "\n"

"""The wallet conformance suite: the checks a provider runs against an operator wallet, in any dialect, with
JSON, JUnit XML and HTML reports (docs/conformance.md). ``casino-sim conformance`` is its command line."""

from simulator.conformance.errors import ConformanceError, SetupError, WalletUnreachable
from simulator.conformance.model import CheckResult, Exchange, Expectation, Status, SuiteResult
from simulator.conformance.players import Player, load_players, parse_player
from simulator.conformance.registry import Check, all_checks, select
from simulator.conformance.runner import Options, run
from simulator.conformance.wire import Keys

__all__ = [
    "Check",
    "CheckResult",
    "ConformanceError",
    "Exchange",
    "Expectation",
    "Keys",
    "Options",
    "Player",
    "SetupError",
    "Status",
    "SuiteResult",
    "WalletUnreachable",
    "all_checks",
    "load_players",
    "parse_player",
    "run",
    "select",
]

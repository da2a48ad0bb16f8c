"""Failure injection: rules (match + action + schedule) loaded from a file or the admin API, applied by an inbound
middleware and an outbound wallet hook, with a bounded journal of what happened. See docs/faults.md."""

from simulator.faults.inbound import fault_middleware
from simulator.faults.journal import Journal
from simulator.faults.loader import load_rules, parse_rules
from simulator.faults.outbound import FaultHook, SkewClock
from simulator.faults.rules import FaultFile, FaultRule, Match, Schedule
from simulator.faults.ruleset import FaultSet, Target
from simulator.faults.runtime import FaultRuntime, fault_rng

__all__ = [
    "FaultFile",
    "FaultHook",
    "FaultRule",
    "FaultRuntime",
    "FaultSet",
    "Journal",
    "Match",
    "Schedule",
    "SkewClock",
    "Target",
    "fault_middleware",
    "fault_rng",
    "load_rules",
    "parse_rules",
]

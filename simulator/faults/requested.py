"""Faults a caller chooses for one request with the ``X-Casino-Sim-Fault`` header.

The value is a JSON rule (or a list of rules) or the id of a configured rule, enabled or not. Inbound rules apply to
the request itself; outbound rules to the wallet calls that request makes (the round it plays). Socket rules act on
a live table's messages long after any one request, so they are refused here (the admin API and the faults file
take them). It is off unless
``fault_header`` is set, and at most ``fault_header_max_active`` requests carry chosen faults at once; beyond that the
header is ignored (and counted), as Envoy does with its ``max_active_faults``.

>>> import random
>>> from simulator.clock import ManualClock
>>> configured = FaultSet(clock=ManualClock(), rng=random.Random(0))
>>> chosen = RequestedFaults(configured, max_active=1, clock=ManualClock(), rng=random.Random(0))
>>> faults = chosen.acquire('{"action": {"type": "lose"}, "match": {"side": "outbound", "operation": "win"}}')
>>> [c.rule.action.type for c in faults], chosen.acquire('{"action": {"type": "lose"}}') is None
(['lose'], True)
"""

from __future__ import annotations

import random
from typing import Any

from simulator.clock import Clock
from simulator.errors import NotFound, RequestError
from simulator.faults.rules import INBOUND_ACTIONS, FaultRule
from simulator.faults.ruleset import FaultSet
from simulator.http import parse_model
from simulator.jsonbytes import loads
from simulator.metrics import Metrics

FAULT_HEADER = "X-Casino-Sim-Fault"
MAX_HEADER_RULES = 8


def _with_side(data: Any) -> Any:
    """A rule without ``match`` is for this request: inbound, or outbound when only the wallet side has the action."""
    if isinstance(data, dict) and "match" not in data:
        action = data.get("action")
        kind = action.get("type") if isinstance(action, dict) else None
        side = "inbound" if kind in INBOUND_ACTIONS else "outbound"
        return data | {"match": {"side": side}}
    return data


def parse_header(value: str, configured: FaultSet) -> list[FaultRule]:
    value = value.strip()
    if not value.startswith(("{", "[")):
        try:
            rule = configured.get(value).rule
        except NotFound:
            raise RequestError(f"{FAULT_HEADER}: no configured fault rule {value!r}", code="INVALID_FAULT") from None
        return [_for_a_request(rule.model_copy(update={"enabled": True}))]
    try:
        data = loads(value.encode())
    except ValueError:
        raise RequestError(f"{FAULT_HEADER}: not valid JSON", code="INVALID_FAULT") from None
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_HEADER_RULES:
        raise RequestError(f"{FAULT_HEADER}: give 1 to {MAX_HEADER_RULES} rules", code="INVALID_FAULT")
    rules = []
    for i, item in enumerate(items):
        where = f"{FAULT_HEADER}: [{i}] " if isinstance(data, list) else f"{FAULT_HEADER}: "
        rule = parse_model(FaultRule, _with_side(item), strict=None, code="INVALID_FAULT", where=where)
        rules.append(rule if rule.id is not None else rule.with_id(f"header-{i + 1}"))
    return [_for_a_request(rule) for rule in rules]


def _for_a_request(rule: FaultRule) -> FaultRule:
    if rule.match.side == "socket":
        raise RequestError(
            f"{FAULT_HEADER}: socket rules apply to live tables' messages, not to one request; add them through "
            "the admin API or the faults file",
            code="INVALID_FAULT",
        )
    return rule


class RequestedFaults:
    def __init__(
        self,
        configured: FaultSet,
        *,
        max_active: int,
        clock: Clock,
        rng: random.Random,
        enabled: bool = True,
        metrics: Metrics | None = None,
    ) -> None:
        self._configured = configured
        self._clock = clock
        self._rng = rng
        self.enabled = enabled
        self.max_active = max_active
        self.active = 0
        self._metrics = metrics or Metrics()

    def acquire(self, value: str) -> FaultSet | None:
        """The rules chosen by this header value, or ``None`` when the header is off or the cap is reached.
        Raises ``RequestError`` (400 ``INVALID_FAULT``) for a value that is not a valid rule. Pair with ``release``."""
        if not self.enabled:
            self._metrics.fault_header_skipped("disabled")
            return None
        rules = parse_header(value, self._configured)
        if self.active >= self.max_active:
            self._metrics.fault_header_skipped("max_active")
            return None
        self.active += 1
        return FaultSet(rules, clock=self._clock, rng=self._rng)

    def release(self) -> None:
        self.active -= 1

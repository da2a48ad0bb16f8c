"""Glob patterns in rules are bounded and compiled once: a long pattern is refused wherever a rule comes from (a rule
file, the admin API, the request header), and matching never translates a pattern again."""

from __future__ import annotations

import fnmatch
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.errors import RequestError
from simulator.faults.loader import load_rules
from simulator.faults.requested import FAULT_HEADER, RequestedFaults
from simulator.faults.rules import MAX_PATTERN, FaultRule
from simulator.faults.ruleset import FaultSet, Target, glob_pattern
from simulator.settings import Settings
from tests.harness import running_sim
from tests.simulator.security.test_bad_input import assert_error

HOSTILE = "[" * 8000


def path_rule(path: Any, *, where: str = "path") -> dict[str, Any]:
    match: dict[str, Any] = {"side": "inbound", where: path}
    return {"id": "p", "match": match, "action": {"type": "status", "status": 503}}


@pytest.fixture
def translations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every pattern ``fnmatch.translate`` is asked for, from a cold cache."""
    calls: list[str] = []
    real: Callable[[str], str] = fnmatch.translate

    def counting(pattern: str) -> str:
        calls.append(pattern)
        return real(pattern)

    monkeypatch.setattr(fnmatch, "translate", counting)
    glob_pattern.cache_clear()
    yield calls
    glob_pattern.cache_clear()


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(path_rule(HOSTILE), id="path"),
        pytest.param(path_rule([HOSTILE], where="player"), id="player-list"),
        pytest.param(path_rule({"User-Agent": HOSTILE}, where="headers"), id="header-value"),
    ],
)
def test_a_long_pattern_in_a_rule_file_is_refused(tmp_path: Path, rule: dict[str, Any]) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(json.dumps({"rules": [rule]}))
    with pytest.raises(RequestError) as caught:
        load_rules(path)
    assert caught.value.code == "INVALID_FAULT"
    assert f"at most {MAX_PATTERN} characters, this one has 8000" in caught.value.message
    assert "rules.0.match." in caught.value.message


def test_a_long_exact_value_is_not_a_pattern_and_stays_legal() -> None:
    FaultRule.model_validate(path_rule("p" * 8000, where="player"))
    FaultRule.model_validate(path_rule("/play/" + "*" * (MAX_PATTERN - 6)))


async def test_a_long_pattern_is_refused_by_the_admin_api_and_the_header(settings: Settings) -> None:
    async with running_sim(settings.model_copy(update={"fault_header": True})) as sim:
        reply = await sim.request("POST", "/admin/faults", path_rule(HOSTILE))
        assert_error(reply, 400, "INVALID_FAULT")
        assert "match.path" in reply.body["error"]["message"] and str(MAX_PATTERN) in reply.body["error"]["message"]
        assert_error(await sim.request("PUT", "/admin/faults", {"rules": [path_rule(HOSTILE)]}), 400, "INVALID_FAULT")
        headers = {FAULT_HEADER: json.dumps(path_rule(HOSTILE))}
        reply = await sim.request("GET", "/v1/studios", headers=headers)
        assert_error(reply, 400, "INVALID_FAULT")
        assert "match.path" in reply.body["error"]["message"]
        assert (await sim.request("GET", "/v1/studios")).status == 200
        legal = {FAULT_HEADER: json.dumps(path_rule("/v1/stud[a-z]o?"))}
        assert (await sim.request("GET", "/v1/studios", headers=legal)).status == 503


def test_a_legal_pattern_matches_as_before_and_is_translated_once(translations: list[str]) -> None:
    rule = FaultRule.model_validate(path_rule("/play/*/round[s]"))
    rules = FaultSet([rule], clock=ManualClock(), rng=random.Random(0))
    hits = [rules.select(Target("inbound", "play", "POST", f"/play/t{i}/rounds")) is not None for i in range(50)]
    misses = [rules.select(Target("inbound", "play", "POST", f"/play/t{i}/act")) is not None for i in range(50)]
    assert all(hits) and not any(misses)
    assert translations == ["/play/*/round[s]"]


def test_the_same_header_rule_is_translated_once(translations: list[str]) -> None:
    configured = FaultSet(clock=ManualClock(), rng=random.Random(0))
    requested = RequestedFaults(configured, max_active=1, clock=ManualClock(), rng=random.Random(0))
    value = json.dumps(path_rule("/v1/*"))
    for _ in range(20):
        chosen = requested.acquire(value)
        assert chosen is not None and chosen.select(Target("inbound", "studios", "GET", "/v1/studios")) is not None
        requested.release()
    assert translations == ["/v1/*"]

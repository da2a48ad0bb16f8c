"""The live rule set: matching, priority, the index, and management (add, replace, remove, reset)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from simulator.clock import ManualClock
from simulator.errors import Conflict, NotFound
from simulator.faults.rules import FaultRule
from simulator.faults.ruleset import FaultSet, Target


def make(*rules: dict[str, Any]) -> FaultSet:
    return FaultSet([FaultRule.model_validate(r) for r in rules], clock=ManualClock(), rng=random.Random(0))


def bet(**fields: Any) -> Target:
    return Target("outbound", "bet", "POST", "bet", **({"player": "p1", "currency": "USD"} | fields))


def lose(match: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"match": {"side": "outbound"} | match, "action": {"type": "lose"}} | extra


@pytest.mark.parametrize(
    ("match", "target", "hit"),
    [
        pytest.param({}, bet(), True, id="side-only"),
        pytest.param({"operation": "bet"}, bet(), True, id="operation"),
        pytest.param({"operation": ["win", "rollback"]}, bet(), False, id="other-operations"),
        pytest.param({"operation": "b*"}, bet(), True, id="operation-glob"),
        pytest.param({"player": ["p1", "p2"]}, bet(), True, id="player-list"),
        pytest.param({"player": "p9"}, bet(), False, id="other-player"),
        pytest.param({"player": "p*", "currency": "EUR"}, bet(), False, id="all-fields-must-match"),
        pytest.param({"studio": "studio-001"}, bet(), False, id="missing-value-never-matches"),
        pytest.param({"studio": "studio-00?"}, bet(studio="studio-003"), True, id="studio-glob"),
    ],
)
def test_matching(match: dict[str, Any], target: Target, hit: bool) -> None:
    assert (make(lose(match)).select(target) is not None) is hit


def test_headers_match_inbound_requests() -> None:
    faults = FaultSet(
        [
            FaultRule.model_validate(
                {"match": {"side": "inbound", "headers": {"X-Env": "qa-*"}}, "action": {"type": "close"}}
            )
        ],
        clock=ManualClock(),
        rng=random.Random(0),
    )
    assert faults.select(Target("inbound", "games", "GET", "/v1/games", {"X-Env": "qa-7"})) is not None
    assert faults.select(Target("inbound", "games", "GET", "/v1/games", {"X-Env": "prod"})) is None
    assert faults.select(Target("inbound", "games", "GET", "/v1/games", None)) is None


def test_first_firing_rule_wins_and_every_matching_rule_counts() -> None:
    faults = make(lose({"operation": "bet"}, id="a", schedule={"nth": 2}), lose({}, id="b"))
    assert [f.compiled.id if f else None for f in (faults.select(bet()) for _ in range(3))] == ["b", "a", "b"]
    assert faults.get("a").state.calls == 3
    assert faults.get("b").state.calls == 3
    assert faults.get("b").state.injected == 2


def test_disabled_rules_do_not_fire() -> None:
    faults = make(lose({}, enabled=False))
    assert faults.select(bet()) is None
    assert not faults.active


def test_index_only_offers_rules_of_the_side_and_operation() -> None:
    faults = make(
        lose({"operation": "win"}),
        lose({"operation": "bet"}),
        lose({}),
        {"match": {"side": "inbound"}, "action": {"type": "close"}},
    )
    assert [c.rule.match.operation for c in faults.candidates(bet())] == ["bet", None]
    assert faults.bucket("outbound", "bet").size == 2
    assert faults.bucket("inbound", "play").size == 1
    assert faults.bucket("outbound", "balance").size == 1


def test_rules_filed_by_player_are_met_only_by_that_player() -> None:
    faults = make(
        lose({"operation": "bet", "player": ["p1", "p2"]}, id="pair"),
        lose({"operation": "bet"}, id="general", schedule={"probability": 0}),
        lose({"operation": "bet", "player": "p3", "game": "g"}, id="p3"),
        lose({"operation": "bet", "player": "p*"}, id="glob", schedule={"probability": 0}),
    )
    assert [c.id for c in faults.candidates(bet(player="p2"))] == ["pair", "general", "glob"]
    assert [c.id for c in faults.candidates(bet(player="p3", game="g"))] == ["general", "p3", "glob"]
    assert [c.id for c in faults.candidates(bet(player="p9"))] == ["general", "glob"]
    firing = faults.select(bet(player="p3", game="g"))
    assert firing is not None and firing.compiled.id == "p3"
    assert faults.get("general").state.calls == 1 and faults.get("pair").state.calls == 0


def test_management() -> None:
    faults = make(lose({}, id="x"), lose({}))
    assert [c.id for c in faults] == ["x", "rule-1"]
    added = faults.add(FaultRule.model_validate(lose({"operation": "win"})))
    assert added.id == "rule-2"
    with pytest.raises(Conflict):
        faults.add(FaultRule.model_validate(lose({}, id="x")))
    faults.replace("x", FaultRule.model_validate(lose({"operation": "rollback"})))
    assert faults.get("x").rule.match.operation == "rollback"
    assert [c.id for c in faults] == ["x", "rule-1", "rule-2"]
    with pytest.raises(Conflict):
        faults.replace("x", FaultRule.model_validate(lose({}, id="y")))
    faults.select(bet())
    assert faults.get("rule-1").state.injected == 1
    faults.reset()
    assert faults.get("rule-1").state.injected == 0
    faults.remove("rule-1")
    with pytest.raises(NotFound):
        faults.get("rule-1")
    with pytest.raises(Conflict):
        faults.replace_all([FaultRule.model_validate(lose({}, id="d")), FaultRule.model_validate(lose({}, id="d"))])

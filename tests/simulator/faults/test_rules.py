"""Rule validation: a bad rule is refused with the field named, from a file, the API or the header alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from simulator.errors import RequestError
from simulator.faults.loader import load_rules, parse_rules
from simulator.faults.rules import FaultRule

INBOUND = {"side": "inbound", "operation": "games"}
OUTBOUND = {"side": "outbound", "operation": "bet"}
SOCKET = {"side": "socket", "operation": "result"}


def rule(action: dict[str, Any], match: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"match": match or INBOUND, "action": action} | extra


VALID = [
    pytest.param(rule({"type": "delay", "seconds": 0.5}), id="fixed-delay"),
    pytest.param(rule({"type": "delay", "distribution": "uniform", "low": 0.1, "high": 0.2}), id="uniform-delay"),
    pytest.param(rule({"type": "delay", "distribution": "lognormal", "median": 0.2, "sigma": 1}), id="lognormal"),
    pytest.param(rule({"type": "status", "status": 429, "retry_after": 3}), id="status-429"),
    pytest.param(rule({"type": "reset", "when": "after"}, {"side": "inbound", "operation": "play"}), id="reset-after"),
    pytest.param(rule({"type": "truncate", "fraction": 0.3}), id="truncate"),
    pytest.param(rule({"type": "slow_body", "chunk": 4, "interval": 0.1}), id="slow-body"),
    pytest.param(rule({"type": "lose"}, OUTBOUND), id="lose"),
    pytest.param(rule({"type": "duplicate", "copies": 5, "spacing": 0.1}, OUTBOUND), id="duplicate"),
    pytest.param(rule({"type": "reorder", "reply": "ack"}, OUTBOUND), id="reorder"),
    pytest.param(rule({"type": "malformed_body", "field": "currency", "value": "???"}, OUTBOUND), id="bad-field"),
    pytest.param(rule({"type": "status", "status": 500, "deliver": True}, OUTBOUND), id="wallet-500"),
    pytest.param(
        rule({"type": "lose"}, OUTBOUND, schedule={"first": 1, "per": "transaction", "after": 5, "until": 9}),
        id="schedule",
    ),
    pytest.param(rule({"type": "close"}, {"side": "inbound", "path": "/v1/*", "headers": {"X-Test": "a*"}}), id="glob"),
    pytest.param(rule({"type": "delay", "seconds": 2}, SOCKET), id="socket-delay"),
    pytest.param(rule({"type": "close", "when": "after"}, SOCKET | {"game": "live-*"}), id="socket-close"),
    pytest.param(
        rule({"type": "reset"}, {"side": "socket"}, schedule={"skip": 3, "per": "session"}), id="socket-reset"
    ),
]


@pytest.mark.parametrize("data", VALID)
def test_valid_rules(data: dict[str, Any]) -> None:
    FaultRule.model_validate(data)


INVALID = [
    pytest.param(rule({"type": "hang"}, OUTBOUND), "action.type 'hang' is not an outbound action", id="hang-outbound"),
    pytest.param(rule({"type": "lose"}), "action.type 'lose' is not an inbound action", id="lose-inbound"),
    pytest.param(rule({"type": "explode"}), "action", id="unknown-type"),
    pytest.param(rule({"type": "delay"}), "needs seconds", id="delay-without-seconds"),
    pytest.param(rule({"type": "delay", "distribution": "lognormal", "median": 1}), "needs sigma", id="no-sigma"),
    pytest.param(rule({"type": "delay", "seconds": -1}), "action.delay.seconds", id="negative-delay"),
    pytest.param(rule({"type": "status", "status": 200}), "action.status.status", id="status-not-error"),
    pytest.param(rule({"type": "lose"}, OUTBOUND, schedule={"probability": 1.5}), "schedule.probability", id="p>1"),
    pytest.param(rule({"type": "lose"}, OUTBOUND, schedule={"nth": 0}), "schedule.nth", id="nth-zero"),
    pytest.param(rule({"type": "lose"}, OUTBOUND, schedule={"per": "planet"}), "schedule.per", id="bad-key"),
    pytest.param(rule({"type": "lose"}, OUTBOUND, schedule={"after": 5, "until": 2}), "until", id="window"),
    pytest.param(rule({"type": "close"}, {"side": "sideways"}), "match.side", id="bad-side"),
    pytest.param(rule({"type": "close"}, {"side": "inbound", "player": []}), "match.player", id="empty-list"),
    pytest.param(rule({"type": "lose"}, OUTBOUND, colour="red"), "colour", id="unknown-field"),
    pytest.param(rule({"type": "reset", "deliver": True}), "action.deliver", id="deliver-inbound"),
    pytest.param(rule({"type": "reset", "when": "after"}, OUTBOUND), "action.when", id="when-outbound"),
    pytest.param(
        rule({"type": "malformed_body", "field": "nope"}, OUTBOUND), "action.malformed_body.field", id="field"
    ),
    pytest.param(rule({"type": "lose"}, OUTBOUND, id="has space"), "id", id="bad-id"),
    pytest.param(rule({"type": "status"}, SOCKET), "action.type 'status' is not a socket action", id="status-socket"),
    pytest.param(rule({"type": "lose"}, SOCKET), "is not a socket action", id="lose-socket"),
    pytest.param(rule({"type": "reset", "deliver": True}, SOCKET), "action.deliver", id="deliver-socket"),
    pytest.param(rule({"type": "delay", "seconds": 1, "when": "after"}, SOCKET), "action.when", id="when-delay-socket"),
    pytest.param(rule({"type": "close"}, SOCKET | {"headers": {"X": "y"}}), "match.headers", id="headers-socket"),
    pytest.param(rule({"type": "close"}, SOCKET | {"dialect": "native"}), "match.dialect", id="dialect-socket"),
]


@pytest.mark.parametrize(("data", "named"), INVALID)
def test_invalid_rules_name_the_field(data: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError):
        FaultRule.model_validate(data)
    with pytest.raises(RequestError) as caught:
        parse_rules([data], source="test")
    assert named in caught.value.message
    assert caught.value.code == "INVALID_FAULT"


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(RequestError, match="used twice"):
        parse_rules([rule({"type": "close"}, id="a"), rule({"type": "close"}, id="a")])


def test_yaml_and_toml_files_load_the_same_rules(tmp_path: Path) -> None:
    yaml_file = tmp_path / "faults.yaml"
    yaml_file.write_text(
        "rules:\n"
        "  - id: slow\n"
        "    match: {side: outbound, operation: [bet, win]}\n"
        "    action: {type: delay, distribution: uniform, low: 0.1, high: 0.3}\n"
        "    schedule: {probability: 0.5, per: player}\n"
    )
    toml_file = tmp_path / "faults.toml"
    toml_file.write_text(
        '[[rules]]\nid = "slow"\n'
        'match = { side = "outbound", operation = ["bet", "win"] }\n'
        'action = { type = "delay", distribution = "uniform", low = 0.1, high = 0.3 }\n'
        'schedule = { probability = 0.5, per = "player" }\n'
    )
    assert load_rules(yaml_file) == load_rules(toml_file)
    assert load_rules(yaml_file)[0].match.values("operation") == ("bet", "win")


def test_bad_files_name_the_file_and_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n")
    with pytest.raises(RequestError, match=r"broken\.yaml is not valid YAML"):
        load_rules(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[[rules]]\nmatch = { side = "inbound" }\naction = { type = "delay", seconds = "soon" }\n')
    with pytest.raises(RequestError, match=r"wrong.toml: rules.0.action.delay.seconds"):
        load_rules(wrong)
    with pytest.raises(RequestError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")


def test_delay_draws_are_seeded_and_capped() -> None:
    import random

    action = FaultRule.model_validate(
        rule({"type": "delay", "distribution": "lognormal", "median": 0.5, "sigma": 2.0, "cap": 3.0})
    ).action
    assert action.type == "delay"
    first = [action.draw(random.Random(5)) for _ in range(3)]
    assert first == [action.draw(random.Random(5)) for _ in range(3)]
    draws = [action.draw(random.Random(i)) for i in range(200)]
    assert max(draws) == 3.0 and min(draws) > 0

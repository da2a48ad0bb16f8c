"""The examples in docs/faults.md and the README are valid: every YAML and TOML block loads as rules, one rule or a
scenario."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator.faults.loader import parse_rules
from simulator.faults.rules import FaultRule
from simulator.faults.scenario import Scenario

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "faults.md"
BLOCKS = [
    block
    for path in (DOC, ROOT / "README.md")
    for block in re.findall(r"```(yaml|toml)\n(.*?)```", path.read_text(), flags=re.S)
]


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize(("kind", "text"), [pytest.param(k, t, id=f"{k}-{i}") for i, (k, t) in enumerate(BLOCKS)])
def test_example_is_valid(kind: str, text: str) -> None:
    data: Any = tomllib.loads(text) if kind == "toml" else yaml.safe_load(text)
    if "traffic" in data:
        Scenario.model_validate(data)
    elif "rules" in data:
        assert parse_rules(data)
    elif "action" in data:
        FaultRule.model_validate(data | {"match": data.get("match", {"side": "outbound"})})
    else:
        pytest.fail(f"an example that is neither rules nor a scenario: {text[:60]}")


def test_every_action_type_is_documented() -> None:
    text = DOC.read_text()
    from simulator.faults.rules import INBOUND_ACTIONS, OUTBOUND_ACTIONS

    for action in INBOUND_ACTIONS | OUTBOUND_ACTIONS:
        assert f"| `{action}` |" in text, action


def test_every_operation_name_is_documented() -> None:
    from simulator.faults.inbound import OPERATIONS

    text = DOC.read_text()
    for operation in {*OPERATIONS.values(), "balance", "bet", "win", "rollback"}:
        assert f"`{operation}`" in text, operation

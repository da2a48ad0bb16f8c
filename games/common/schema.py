"""An engine's parameters as data: JSON Schema (draft 2020-12) of what a bet's ``params`` and each action's
``params`` may hold, with examples the engine accepts and ``x-invalid-examples`` it refuses.

The schemas are written beside the code that checks the parameters and are never used to check them on the round
path: the engine's own checks stay the authority (they also hold the rules a schema cannot say, such as roulette
amounts adding up to the stake). ``tests/games/test_parameters.py`` keeps the two from drifting: every example is
valid under its schema and plays through the engine, every invalid example fails both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INVALID_EXAMPLES = "x-invalid-examples"
"""An annotation keyword (unknown keywords are allowed in 2020-12): instances the schema and the engine refuse."""

HUNDREDTHS_PATTERN = "^[0-9]+(\\.[0-9]{1,2})?$"


@dataclass(frozen=True, slots=True)
class Parameters:
    """The schemas of one engine: ``bet`` for the ``params`` of a round's first request, ``actions`` for the
    ``params`` of each action of a multi-step round (empty for single-step engines)."""

    bet: JSON
    actions: Mapping[str, JSON] = field(default_factory=dict)

    def to_json(self) -> JSON:
        return {"bet": self.bet, "actions": dict(self.actions)}


def params_schema(
    title: str,
    properties: Mapping[str, JSON] | None = None,
    *,
    description: str,
    examples: Sequence[JSON],
    invalid: Sequence[object] = (),
    required: Iterable[str] = (),
) -> JSON:
    """A closed object schema (unknown keys are refused, as the engines refuse them) with its examples."""
    schema: JSON = {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": dict(properties or {}),
        "additionalProperties": False,
    }
    if required := sorted(required):
        schema["required"] = required
    schema["examples"] = list(examples)
    schema[INVALID_EXAMPLES] = [{"not_a_parameter": 1}, *invalid]
    return schema


def hundredths(description: str, *, minimum: str = "0", maximum: str | None = None) -> JSON:
    """A decimal of at most two places, as the engines read it (``games.common.money.parse_hundredths``): a string
    such as ``"2.00"`` or a JSON number. Bounds apply to numbers; a string's range is the engine's to check."""
    number: JSON = {"type": "number", "minimum": _number(minimum)}
    if maximum is not None:
        number["maximum"] = _number(maximum)
    return {
        "description": description,
        "anyOf": [{"type": "string", "pattern": HUNDREDTHS_PATTERN}, number],
    }


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def integer(low: int, high: int, description: str) -> JSON:
    return {"type": "integer", "minimum": low, "maximum": high, "description": description}


def one_of(values: Iterable[Any], description: str) -> JSON:
    return {"enum": list(values), "description": description}


def amounts_rule(item: JSON) -> JSON:
    """``bets`` list schema where a lone bet may omit its amount (it then stakes everything) and several bets must
    each say theirs."""
    return {
        "type": "array",
        "minItems": 1,
        "items": item,
        "if": {"minItems": 2},
        "then": {"items": {"required": ["amount"]}},
    }

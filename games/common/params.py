"""Validation of the JSON parameters a player sends, with messages that say what was expected.

Unknown keys are refused instead of ignored: a typo such as ``"direciton"`` would otherwise silently play
the default bet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from games.errors import InvalidBet


def check_mapping(params: object, game: str) -> Mapping[str, Any]:
    if not isinstance(params, Mapping):
        raise InvalidBet(f"{game}: params must be a JSON object, got {type(params).__name__}")
    return params


def check_keys(params: Mapping[str, Any], allowed: Iterable[str], game: str) -> None:
    allowed_set = set(allowed)
    if type(params) is dict and allowed_set.issuperset(params):
        return
    unknown = sorted(str(key) for key in params if key not in allowed_set)
    if unknown:
        raise InvalidBet(f"{game}: unknown parameter(s) {unknown}; expected some of {sorted(allowed_set)}")


def choice(params: Mapping[str, Any], name: str, options: Iterable[str], default: str, game: str) -> str:
    value = params.get(name, default)
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise InvalidBet(f"{game}: {name} must be one of {list(options)}, got {value!r}")
    return value


def integer(params: Mapping[str, Any], name: str, low: int, high: int, default: int, game: str) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidBet(f"{game}: {name} must be an integer from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise InvalidBet(f"{game}: {name} must be from {low} to {high}, got {value}")
    return value

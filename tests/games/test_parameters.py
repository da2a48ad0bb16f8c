"""Each engine's published parameter schemas agree with what the engine really does: every schema is valid draft
2020-12, every example it lists is valid under it and plays through the engine, and every invalid example it lists
fails the schema and is refused by the engine. So the schema and the checks in the engine cannot drift apart."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from games.common.schema import INVALID_EXAMPLES
from games.engine import JSON, AnyEngine, MultiStepEngine, Step
from games.errors import GameError, IllegalAction, InvalidBet
from games.registry import engine_ids, get_engine
from games.rng import SeededSource

SEEDS = 2_000
"""Rounds tried to reach a state where an action is allowed (a pair to split, an ace to insure: about 1 in 13)."""


def _validator(schema: JSON) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _stake(params: JSON) -> int:
    """The stake a bet's params imply: the sum of its amounts where it names them, else 100 minor units."""
    amounts = [bet["amount"] for bet in params.get("bets", ()) if "amount" in bet]
    return sum(amounts) or 100


def _start(engine: AnyEngine, params: JSON, seed: int) -> Step | None:
    rng = SeededSource(seed)
    if engine.multi_step:
        return engine.open(_stake(params), params, rng)
    engine.play(_stake(params), params, rng)
    return None


ENGINES = [pytest.param(engine_id, id=engine_id) for engine_id in engine_ids()]


@pytest.mark.parametrize("engine_id", ENGINES)
def test_bet_examples_are_valid_and_play(engine_id: str) -> None:
    engine = get_engine(engine_id)
    schema = engine.parameters().bet
    validator = _validator(schema)
    assert schema["examples"], "every bet schema shows at least one example"
    for example in [*schema["examples"], engine.reference_params()]:
        validator.validate(example)
        _start(engine, example, seed=1)


@pytest.mark.parametrize("engine_id", ENGINES)
def test_bet_invalid_examples_fail_the_schema_and_the_engine(engine_id: str) -> None:
    engine = get_engine(engine_id)
    schema = engine.parameters().bet
    validator = _validator(schema)
    assert len(schema[INVALID_EXAMPLES]) >= 2
    for example in schema[INVALID_EXAMPLES]:
        assert not validator.is_valid(example), example
        with pytest.raises(InvalidBet):
            _start(engine, example, seed=1)


@pytest.mark.parametrize("engine_id", ENGINES)
def test_the_bet_schema_names_every_parameter_the_examples_use(engine_id: str) -> None:
    """A property nobody shows is a property nobody checked against the engine."""
    schema = get_engine(engine_id).parameters().bet
    used = {key for example in schema["examples"] for key in example}
    assert used == set(schema["properties"])


def _reaching(engine: MultiStepEngine, action: str) -> tuple[Step, int]:
    """A round (and its seed) where ``action`` is allowed, reached with the engine's reference strategy."""
    for seed in range(SEEDS):
        step = engine.open(100, engine.reference_params(), SeededSource(seed))
        while not step.finished:
            if action in step.actions:
                return step, seed
            name, params = engine.reference_action(step)
            step = engine.act(step.state, name, params)
    raise AssertionError(f"{engine.engine_id}: no round of {SEEDS} allowed {action!r}")


MULTI_STEP = [pytest.param(e, id=e) for e in engine_ids() if get_engine(e).multi_step]


@pytest.mark.parametrize("engine_id", MULTI_STEP)
def test_action_schemas_cover_every_action_and_agree_with_the_engine(engine_id: str) -> None:
    engine = get_engine(engine_id)
    assert engine.multi_step
    actions = engine.parameters().actions
    assert actions, "a multi-step engine documents its actions"
    seen: set[str] = set()
    for seed in range(50):  # every action an engine offers over some rounds must be documented
        step = engine.open(100, engine.reference_params(), SeededSource(seed))
        while not step.finished:
            seen.update(step.actions)
            name, params = engine.reference_action(step)
            step = engine.act(step.state, name, params)
    assert seen <= set(actions), sorted(seen - set(actions))
    for action, schema in actions.items():
        validator = _validator(schema)
        step, _ = _reaching(engine, action)
        for example in schema["examples"]:
            validator.validate(example)
            engine.cost(step.state, action, example)
            engine.act(step.state, action, example)
        for example in schema[INVALID_EXAMPLES]:
            assert not validator.is_valid(example), (action, example)
            with pytest.raises(IllegalAction):
                engine.act(step.state, action, example)


@pytest.mark.parametrize("engine_id", [pytest.param(e, id=e) for e in engine_ids() if not get_engine(e).multi_step])
def test_single_step_engines_have_no_actions(engine_id: str) -> None:
    assert get_engine(engine_id).parameters().actions == {}


def test_what_the_schema_cannot_say_is_still_refused_by_the_engine() -> None:
    """Cross-field rules live in the schema's description and in the engine: a schema-valid bet can break them."""
    cases: list[tuple[str, dict[str, Any], int]] = [
        ("dice", {"target": "1.00", "direction": "over"}, 100),  # chance 99%: above 98.00%
        ("roulette-european", {"bets": [{"type": "split", "numbers": [18, 19], "amount": 100}]}, 100),
        ("roulette-european", {"bets": [{"type": "red", "amount": 50}, {"type": "black", "amount": 40}]}, 100),
        ("baccarat", {"bets": [{"type": "tie", "amount": 5}, {"type": "tie", "amount": 5}]}, 10),
    ]
    for engine_id, params, stake in cases:
        engine = get_engine(engine_id)
        _validator(engine.parameters().bet).validate(params)
        assert not engine.multi_step
        with pytest.raises(GameError):
            engine.play(stake, params, SeededSource(1))

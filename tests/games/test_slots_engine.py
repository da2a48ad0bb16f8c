"""The live ``play`` path of the slot engines: draws, wins, detail, free spins, bonus buy and bad bets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest

from games.common.money import settle
from games.engine import Engine, MathProfile
from games.errors import InvalidBet
from games.registry import get_engine
from games.rng import ProvablyFairStream
from games.slots import ENGINES, MODELS, SlotEngine
from games.slots import engine as engine_module
from tests.games.table_instant_checks import WordRecorder

SLOTS = [pytest.param(e, id=e.engine_id) for e in ENGINES.values() if isinstance(e, SlotEngine)]


class Scripted:
    """A random source that returns given indices and records every range asked for."""

    def __init__(self, indices: Iterator[int]) -> None:
        self._indices = indices
        self.asked: list[int] = []

    def word(self) -> int:
        raise AssertionError("slot engines draw indices only")

    def float(self) -> float:
        raise AssertionError("slot engines draw indices only")

    def index(self, n: int) -> int:
        self.asked.append(n)
        return next(self._indices) % n


def slot(engine_id: str) -> SlotEngine:
    engine = ENGINES[engine_id]
    assert isinstance(engine, SlotEngine)
    return engine


def stream(nonce: int) -> ProvablyFairStream:
    return ProvablyFairStream("slot server seed", "slot client seed", nonce)


def triggering_nonce(engine: SlotEngine) -> int:
    """First nonce whose paid spin triggers free spins (about one round in 150-300)."""
    for nonce in range(20_000):
        if engine.play(100, {}, stream(nonce)).detail["free_spins_awarded"]:
            return nonce
    raise AssertionError("no trigger in 20,000 rounds")


def test_every_model_has_three_rtp_variants() -> None:
    ids = sorted(ENGINES)
    assert ids == sorted(f"slot-{m}-{rtp}" for m in MODELS for rtp in ("965", "940", "920"))
    assert all(get_engine(engine_id) is ENGINES[engine_id] for engine_id in ids)


@pytest.mark.parametrize("engine", SLOTS)
def test_engine_contract_and_declared_rtp(engine: SlotEngine) -> None:
    declared: Engine = engine  # the contract, checked by mypy
    assert not declared.multi_step
    assert engine.category == "slots"
    assert engine.reference_params() == {}
    profile = engine.math()
    assert isinstance(profile, MathProfile)
    assert profile.rtp == pytest.approx(int(engine.variant) / 1000, abs=0.0002)
    assert profile.method == "enumeration"


@pytest.mark.parametrize("engine", SLOTS)
def test_one_draw_per_reel_in_reel_order(engine: SlotEngine) -> None:
    base = engine.model.variants[engine.variant].base
    source = Scripted(iter(range(3, 1000, 7)))
    outcome = engine.play(1000, {}, source)
    lengths = [len(strip) for strip in base.strips]
    assert source.asked[:5] == lengths
    assert outcome.detail["reel_stops"] == [i % n for i, n in zip(range(3, 1000, 7), lengths, strict=False)]
    window = outcome.detail["window"]
    for reel, (stop, strip) in enumerate(zip(outcome.detail["reel_stops"], base.strips, strict=True)):
        shown = [engine.model.symbols[strip[(stop + row) % len(strip)]] for row in range(3)]
        assert [window[row][reel] for row in range(3)] == shown


def assert_settled(win: int, detail: dict[str, Any], exact: Fraction, source: WordRecorder) -> None:
    """The detail shows the exact win, and the win is it settled with the one word drawn after the reel stops (none
    when the exact win is whole)."""
    assert detail["exact_win"] == str(exact)
    if exact.denominator == 1:
        assert source.words == []
        assert win == exact
    else:
        assert len(source.words) == 1
        assert win == settle(exact, source.words[0])
        assert win in (exact.numerator // exact.denominator, exact.numerator // exact.denominator + 1)


@pytest.mark.parametrize("engine", SLOTS)
def test_round_detail_adds_up(engine: SlotEngine) -> None:
    for nonce in range(40):
        stake = 1_000 + nonce  # not a multiple of the bet units: the win is settled once, on the total
        source = WordRecorder(stream(nonce))
        outcome = engine.play(stake, {}, source)
        detail = outcome.detail
        json.dumps(detail)
        assert detail["pay"] == sum(w["pay"] for w in detail["wins"]) + detail["scatter"]["pay"]
        assert detail["total_pay"] == detail["pay"] + sum(f["pay"] for f in detail["free_spins"])
        assert_settled(outcome.win, detail, Fraction(stake * detail["total_pay"], engine.model.bet_units), source)
        assert detail["spin_win"] == stake * detail["pay"] // engine.model.bet_units
        assert detail["spin_win"] + sum(f["spin_win"] for f in detail["free_spins"]) <= outcome.win
        if not engine.model.ways:
            for win in detail["wins"]:
                line = engine.model.lines[win["line"] - 1]
                cells = [detail["window"][row][reel] for reel, row in enumerate(line)][: win["count"]]
                assert set(cells) <= {win["symbol"], "W"}


@pytest.mark.parametrize("engine_id", [f"slot-{m}-965" for m in MODELS])
def test_free_spins_are_played_inside_the_round(engine_id: str) -> None:
    engine = slot(engine_id)
    nonce = triggering_nonce(engine)
    detail = engine.play(100, {}, stream(nonce)).detail
    awarded = engine.model.free_spins.award[detail["scatter"]["count"]]
    free = detail["free_spins"]
    assert detail["free_spins_awarded"] == awarded
    assert len(free) == awarded + sum(f["free_spins_awarded"] for f in free)
    wheel = engine.model.free_spins.multipliers
    for spin in free:
        assert spin["multiplier"] in wheel
        assert spin["pay"] == spin["multiplier"] * (sum(w["pay"] for w in spin["wins"]) + spin["scatter"]["pay"])
    assert engine.play(100, {}, stream(nonce)).detail == detail


def test_bonus_buy_plays_the_feature_for_the_buy_price() -> None:
    engine = slot("slot-boost20-965")
    buy = engine.model.bonus_buy
    assert buy is not None
    stake = 12_345
    source = WordRecorder(stream(7))
    outcome = engine.play(stake, {"bonus_buy": True}, source)
    detail = outcome.detail
    assert detail["mode"] == "bonus_buy"
    assert "reel_stops" not in detail
    assert detail["free_spins_awarded"] == buy.spins
    assert len(detail["free_spins"]) >= buy.spins
    assert detail["total_pay"] == sum(f["pay"] for f in detail["free_spins"])
    exact = Fraction(stake * detail["total_pay"], engine.model.bet_units * buy.price)
    assert_settled(outcome.win, detail, exact, source)
    for spin in detail["free_spins"]:
        assert spin["spin_win"] == stake * spin["pay"] // (engine.model.bet_units * buy.price)
    assert engine.play(stake, {"bonus_buy": False}, stream(7)).detail["mode"] == "spin"


def test_the_free_spin_guard_stops_a_broken_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "MAX_FREE_SPINS", 50)
    engine = slot("slot-classic20-965")
    free = engine.model.variants["965"].free
    scatter = engine.model.scatter
    stops = [strip.index(scatter) for strip in free.strips]  # every free spin shows five scatters and retriggers
    base = engine.model.variants["965"].base
    first = [strip.index(scatter) for strip in base.strips]

    def always_scatters() -> Iterator[int]:
        yield from first
        while True:
            yield from stops

    with pytest.raises(RuntimeError, match="did not end"):
        engine.play(100, {}, Scripted(always_scatters()))


BAD_STAKES = [
    pytest.param(0, id="zero"),
    pytest.param(-100, id="negative"),
    pytest.param(1.5, id="float"),
    pytest.param(True, id="bool"),
    pytest.param("100", id="string"),
    pytest.param(None, id="none"),
]


@pytest.mark.parametrize("stake", BAD_STAKES)
def test_bad_stake_is_an_invalid_bet(stake: Any) -> None:
    with pytest.raises(InvalidBet, match="stake must be a positive integer"):
        slot("slot-classic20-965").play(stake, {}, stream(1))


BAD_PARAMS = [
    pytest.param("slot-classic20-965", {"bonus_buy": True}, "unknown parameter 'bonus_buy'", id="no-buy-on-model"),
    pytest.param("slot-ways243-940", {"lines": 10}, "unknown parameter 'lines'", id="unknown-key"),
    pytest.param("slot-boost20-965", {"bonus_buy": "yes"}, "bonus_buy must be true or false", id="buy-string"),
    pytest.param("slot-boost20-965", {"bonus_buy": 1}, "bonus_buy must be true or false", id="buy-int"),
    pytest.param("slot-boost20-920", {"bonus_buy": True, "x": 1}, "unknown parameter 'x'", id="extra-key"),
    pytest.param("slot-temple30-965", ["bonus_buy"], "parameters must be an object", id="not-a-mapping"),
]


@pytest.mark.parametrize(("engine_id", "params", "message"), BAD_PARAMS)
def test_bad_params_are_an_invalid_bet(engine_id: str, params: Any, message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        slot(engine_id).play(100, params, stream(1))


def test_bonus_buy_math_needs_a_bonus_buy() -> None:
    with pytest.raises(ValueError, match="no bonus buy"):
        slot("slot-jungle25-965").bonus_buy_math()

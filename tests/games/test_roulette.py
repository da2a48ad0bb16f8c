from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from games.errors import InvalidBet
from games.table import ENGINES
from games.table.roulette import RouletteEngine
from games.table.roulette_layout import DOUBLE_ZERO
from tests.games.table_instant_checks import (
    ROUND_DOWN,
    ROUND_UP,
    ScriptedSource,
    WordRecorder,
    assert_fits,
    assert_play_matches_simulation,
    assert_rtp_in_interval,
    counts,
    stream,
    word_for_index,
)


def engine(name: str) -> RouletteEngine:
    found = ENGINES[f"roulette-{name}"]
    assert isinstance(found, RouletteEngine)
    return found


TABLES = [pytest.param(name, id=name) for name in ("european", "american", "french")]


def spin(table: str, pocket: int, stake: int, params: dict[str, Any], rounding: int = ROUND_DOWN) -> int:
    roulette = engine(table)
    return roulette.play(stake, params, ScriptedSource([word_for_index(pocket, roulette.layout.pockets)], rounding)).win


def test_la_partage_halves_are_summed_exactly_and_settled_once() -> None:
    """Two odd even-money bets on zero return 50.5 + 50.5 = 101 exactly: no rounding word is drawn."""
    bets = {"bets": [{"type": "red", "amount": 101}, {"type": "black", "amount": 101}]}
    source = WordRecorder(ScriptedSource([0]))
    outcome = engine("french").play(202, bets, source)
    assert source.words == []
    assert outcome.win == 101
    assert outcome.detail["exact_win"] == "101"
    assert [bet["win"] for bet in outcome.detail["bets"]] == [50, 50]
    assert spin("french", 0, 101, {"bets": [{"type": "red"}]}, ROUND_UP) == 51


@pytest.mark.parametrize(
    ("table", "kind", "count"),
    [
        pytest.param("european", "split", 60, id="eu-splits"),
        pytest.param("european", "street", 14, id="eu-streets-and-trios"),
        pytest.param("european", "corner", 23, id="eu-corners-and-first-four"),
        pytest.param("european", "six_line", 11, id="eu-six-lines"),
        pytest.param("american", "split", 62, id="us-splits"),
        pytest.param("american", "street", 15, id="us-streets-and-trios"),
        pytest.param("american", "corner", 22, id="us-corners"),
        pytest.param("american", "five_number", 1, id="us-five-number"),
        pytest.param("american", "straight", 38, id="us-straights"),
    ],
)
def test_layout_has_every_standard_bet(table: str, kind: str, count: int) -> None:
    assert len(engine(table).layout.legal[kind]) == count


@pytest.mark.parametrize("table", TABLES)
def test_every_legal_bet_has_exact_rtp(table: str) -> None:
    """Brute force over every legal bet and every pocket, through the money path with a stake of 2."""
    roulette = engine(table)
    pockets = roulette.layout.pockets
    for kind, sets in roulette.layout.legal.items():
        for covered in sets:
            numbers = ["00" if n == DOUBLE_ZERO else n for n in covered]
            params = {"bets": [{"type": kind, "numbers": numbers, "amount": 2}]}
            total = sum(spin(table, pocket, 2, params) for pocket in range(pockets))
            if table == "french" and kind in ("red", "black", "odd", "even", "low", "high"):
                expected = Fraction(73, 74)
            elif kind == "five_number":
                expected = Fraction(35, 38)
            else:
                expected = Fraction(36, pockets)
            assert Fraction(total, 2 * pockets) == expected, (kind, sorted(covered))
            assert sum(p * v for v, p in roulette.distribution(params).items()) == expected


@pytest.mark.parametrize(("call", "chips"), [("voisins", 9), ("tiers", 6), ("orphelins", 5), ("jeu_zero", 4)])
def test_call_bets_are_inside_bets_at_36_over_37(call: str, chips: int) -> None:
    roulette = engine("french")
    bets = roulette.parse_bets({"bets": [{"type": call}]}, chips * 3)
    assert sum(bet.amount for bet in bets) == chips * 3
    assert {bet.call for bet in bets} == {call}
    params = {"bets": [{"type": call, "amount": chips}]}
    assert sum(p * v for v, p in roulette.distribution(params).items()) == Fraction(36, 37)
    total = sum(spin("french", pocket, chips, params) for pocket in range(37))
    assert Fraction(total, chips * 37) == Fraction(36, 37)


def test_voisins_on_zero_pays_the_trio() -> None:
    outcome = engine("french").play(18, {"bets": [{"type": "voisins"}]}, ScriptedSource([0]))
    assert outcome.win == 48
    assert [b["win"] for b in outcome.detail["bets"] if b["win"]] == [48]
    assert outcome.detail["bets"][0] == {
        "type": "street",
        "numbers": [0, 2, 3],
        "amount": 4,
        "call": "voisins",
        "win": 48,
    }


@pytest.mark.parametrize(
    ("table", "rtp", "hit", "second_moment"),
    [
        pytest.param("european", Fraction(36, 37), Fraction(18, 37), Fraction(72, 37), id="european"),
        pytest.param("american", Fraction(36, 38), Fraction(18, 38), Fraction(72, 38), id="american"),
        pytest.param("french", Fraction(73, 74), Fraction(19, 37), Fraction(72 * 4 + 1, 4 * 37), id="french"),
    ],
)
def test_reference_math(table: str, rtp: Fraction, hit: Fraction, second_moment: Fraction) -> None:
    profile = engine(table).math()
    assert profile.rtp == pytest.approx(float(rtp), abs=1e-15)
    assert profile.hit_frequency == pytest.approx(float(hit), abs=1e-15)
    assert profile.std_dev == pytest.approx(float(second_moment - rtp * rtp) ** 0.5, abs=1e-12)
    assert profile.max_win_multiplier == 36
    assert profile.method == "enumeration"


@pytest.mark.parametrize(
    ("table", "pocket", "stake", "bets", "win"),
    [
        pytest.param("european", 17, 100, [{"type": "straight", "numbers": [17]}], 3600, id="straight"),
        pytest.param("european", 20, 10, [{"type": "split", "numbers": [17, 20], "amount": 10}], 180, id="split"),
        pytest.param("european", 0, 10, [{"type": "street", "numbers": [0, 1, 2], "amount": 10}], 120, id="trio"),
        pytest.param("european", 3, 10, [{"type": "corner", "numbers": [0, 1, 2, 3], "amount": 10}], 90, id="four"),
        pytest.param("european", 36, 10, [{"type": "six_line", "numbers": list(range(31, 37))}], 60, id="line"),
        pytest.param("european", 24, 10, [{"type": "dozen", "which": 2}], 30, id="dozen"),
        pytest.param("european", 34, 10, [{"type": "column", "which": 1}], 30, id="column"),
        pytest.param("european", 0, 10, [{"type": "red"}], 0, id="red-on-zero"),
        pytest.param("french", 0, 101, [{"type": "red"}], 50, id="la-partage-rounding-word-down"),
        pytest.param("french", 0, 100, [{"type": "straight", "numbers": [0]}], 3600, id="french-zero-straight"),
        pytest.param("french", 0, 10, [{"type": "dozen", "which": 1}], 0, id="la-partage-not-dozens"),
        pytest.param("american", DOUBLE_ZERO, 10, [{"type": "five_number", "numbers": [0, "00", 1, 2, 3]}], 70, id="5"),
        pytest.param("american", DOUBLE_ZERO, 10, [{"type": "split", "numbers": ["00", 0]}], 180, id="0-00"),
        pytest.param("american", DOUBLE_ZERO, 10, [{"type": "even"}], 0, id="even-on-00"),
        pytest.param(
            "european",
            19,
            30,
            [
                {"type": "red", "amount": 10},
                {"type": "high", "amount": 10},
                {"type": "straight", "numbers": ["19"], "amount": 10},
            ],
            400,
            id="several-bets",
        ),
    ],
)
def test_payouts(table: str, pocket: int, stake: int, bets: list[dict[str, Any]], win: int) -> None:
    assert spin(table, pocket, stake, {"bets": bets}) == win


def test_outcome_detail_names_pocket_and_bets() -> None:
    detail = engine("american").play(10, {}, ScriptedSource([word_for_index(DOUBLE_ZERO, 38)])).detail
    assert detail["pocket"] == "00"
    assert detail["color"] == "green"
    assert detail["bets"] == [{"type": "red", "numbers": sorted(detail["bets"][0]["numbers"]), "amount": 10, "win": 0}]


@pytest.mark.parametrize("table", TABLES)
def test_declared_rtp_within_simulation_interval(table: str) -> None:
    assert_rtp_in_interval(engine(table), 400_000, seed=21)


@pytest.mark.parametrize("table", TABLES)
def test_play_and_simulation_agree(table: str) -> None:
    assert_play_matches_simulation(engine(table), 3_000, seed=22)


@pytest.mark.parametrize("table", TABLES)
def test_pockets_from_the_provably_fair_stream_are_uniform(table: str) -> None:
    roulette = engine(table)
    pockets = roulette.layout.pockets
    drawn = [roulette.play(1, {}, stream(nonce)).detail["pocket"] for nonce in range(1, 4_001)]
    indices = np.array([DOUBLE_ZERO if p == "00" else p for p in drawn], dtype=np.int64)
    assert_fits(counts(indices, pockets), [Fraction(1, pockets)] * pockets, table)


@pytest.mark.slow
@pytest.mark.parametrize("table", TABLES)
def test_declared_rtp_long_run(table: str) -> None:
    assert_rtp_in_interval(engine(table), 50_000_000, seed=23)


@pytest.mark.parametrize(
    ("table", "stake", "params", "message"),
    [
        pytest.param("european", 0, {}, "at least 1", id="zero-stake"),
        pytest.param("european", 10, {"bets": []}, "non-empty", id="no-bets"),
        pytest.param("european", 10, {"bets": "red"}, "non-empty list", id="bets-not-list"),
        pytest.param("european", 10, {"bet": []}, "unknown parameter", id="typo"),
        pytest.param("european", 10, {"bets": ["red"]}, "object", id="bet-not-object"),
        pytest.param("european", 10, {"bets": [{"type": "purple"}]}, "unknown bet type", id="unknown-type"),
        pytest.param(
            "european", 10, {"bets": [{"type": "five_number", "numbers": [0, 1, 2, 3]}]}, "unknown", id="5-eu"
        ),
        pytest.param(
            "european",
            10,
            {"bets": [{"type": "split", "numbers": [18, 19]}]},
            "not a legal split",
            id="18-19",
        ),
        pytest.param("european", 10, {"bets": [{"type": "split", "numbers": [1, 5]}]}, "not a legal split", id="diag"),
        pytest.param("european", 10, {"bets": [{"type": "street", "numbers": [2, 3, 4]}]}, "legal street", id="street"),
        pytest.param("european", 10, {"bets": [{"type": "corner", "numbers": [3, 4, 6, 7]}]}, "corner", id="corner"),
        pytest.param("american", 10, {"bets": [{"type": "corner", "numbers": [0, 1, 2, 3]}]}, "corner", id="us-four"),
        pytest.param("european", 10, {"bets": [{"type": "six_line", "numbers": [34, 35, 36]}]}, "six_line", id="line"),
        pytest.param("european", 10, {"bets": [{"type": "straight", "numbers": ["00"]}]}, "0-36", id="00-eu"),
        pytest.param("european", 10, {"bets": [{"type": "straight", "numbers": [37]}]}, "not a number", id="37"),
        pytest.param("european", 10, {"bets": [{"type": "straight", "numbers": [True]}]}, "not a number", id="bool"),
        pytest.param("european", 10, {"bets": [{"type": "straight"}]}, "needs its numbers", id="no-numbers"),
        pytest.param("european", 10, {"bets": [{"type": "straight", "numbers": []}]}, "non-empty", id="empty"),
        pytest.param("european", 10, {"bets": [{"type": "split", "numbers": [1, 1]}]}, "duplicates", id="dup"),
        pytest.param("european", 10, {"bets": [{"type": "dozen"}]}, "which", id="dozen-without-which"),
        pytest.param("european", 10, {"bets": [{"type": "dozen", "which": 4}]}, "1, 2 or 3", id="dozen-4"),
        pytest.param("european", 10, {"bets": [{"type": "red", "which": 1}]}, "only to dozen", id="red-which"),
        pytest.param("european", 10, {"bets": [{"type": "straight", "numbers": [1], "which": 1}]}, "only", id="in"),
        pytest.param(
            "european",
            10,
            {"bets": [{"type": "dozen", "which": 1, "numbers": list(range(13, 25))}]},
            "match",
            id="mix",
        ),
        pytest.param("european", 10, {"bets": [{"type": "red", "numbers": [1, 3]}]}, "not a red", id="red-numbers"),
        pytest.param("european", 10, {"bets": [{"type": "red", "amount": 0}]}, "at least 1", id="zero-amount"),
        pytest.param("european", 10, {"bets": [{"type": "red", "amount": 2.5}]}, "integer", id="float-amount"),
        pytest.param("european", 10, {"bets": [{"type": "red", "amount": 9}]}, "add up to 9", id="short"),
        pytest.param(
            "european",
            10,
            {"bets": [{"type": "red", "amount": 5}, {"type": "black"}]},
            "integer",
            id="missing-amount",
        ),
        pytest.param("french", 10, {"bets": [{"type": "voisins"}]}, "multiple of 9", id="call-chips"),
        pytest.param("french", 9, {"bets": [{"type": "voisins", "numbers": [0]}]}, "takes no numbers", id="call-nums"),
        pytest.param("european", 9, {"bets": [{"type": "voisins"}]}, "unknown bet type", id="call-not-french"),
        pytest.param("european", 10, {"bets": [{"type": "red", "colour": "x"}]}, "unknown parameter", id="bet-typo"),
        pytest.param("european", 201, {"bets": [{"type": "red", "amount": 1}] * 201}, "at most 200", id="too-many"),
    ],
)
def test_bad_bets_are_invalid(table: str, stake: int, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidBet, match=message):
        engine(table).play(stake, params, ScriptedSource([0]))


@pytest.mark.parametrize(
    ("table", "sizes", "calls"),
    [
        ("european", {"split": 60, "street": 14, "corner": 23, "six_line": 11}, {}),
        ("american", {"split": 62, "street": 15, "corner": 22, "six_line": 11, "five_number": 1}, {}),
        (
            "french",
            {"split": 60, "street": 14, "corner": 23, "six_line": 11},
            {"voisins": 9, "tiers": 6, "orphelins": 5, "jeu_zero": 4},
        ),
    ],
)
def test_the_felt_a_client_draws_lists_every_inside_bet_the_engine_takes(
    table: str, sizes: dict[str, int], calls: dict[str, int]
) -> None:
    roulette = engine(table)
    felt = roulette.felt()
    assert felt["pockets"] == roulette.layout.pockets and felt["call_bets"] == calls
    assert {kind: len(sets) for kind, sets in felt["inside"].items()} == sizes
    for kind, sets in felt["inside"].items():
        for numbers in sets:
            [bet] = roulette.parse_bets({"bets": [{"type": kind, "numbers": numbers}]}, 100)
            assert bet.to_json()["numbers"] == numbers, "listed in the order a round records them"
    for name, chips in calls.items():
        assert sum(b.amount for b in roulette.parse_bets({"bets": [{"type": name, "amount": 3 * chips}]}, None)) == (
            3 * chips
        )
        with pytest.raises(InvalidBet, match="multiple"):
            roulette.parse_bets({"bets": [{"type": name, "amount": chips + 1}]}, None)

"""The battery passes good sources and fails each deliberately bad one on the tests aimed at its defect.

Everything is seeded, so these verdicts are fixed, not probabilistic: a change that flips one is a change in
behaviour. Sample sizes are the smallest with a wide margin (the failing P-values are far below 0.01).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import games.certify
from games.certify import CHECK_NAMES, BatteryConfig, BetPath, ConsecutiveNonces, Report, run_battery
from games.certify import battery as battery_module
from games.certify.battery import Check, describe_source
from games.certify.power import samples_for_max_cell
from games.certify.report import CheckResult
from games.certify.sources import (
    LowBitLcg,
    ModuloBiased,
    PocketBiased,
    SeriallyCorrelated,
    ShortPeriod,
    SynchronisedChildren,
)
from games.rng import Mapping, RandomSource, SeededSource

SMALL = BatteryConfig(samples=20_000)
MEDIUM = BatteryConfig(samples=50_000)


def _failed(report: Report) -> set[str]:
    return {r.name for r in report.failures}


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(SeededSource(2024), id="pcg64dxsm"),
        pytest.param(SeededSource(2024, bit_generator="philox", mapping=Mapping.UNBIASED), id="philox-unbiased"),
        pytest.param(ConsecutiveNonces("certify server seed", "certify client seed"), id="provably-fair"),
    ],
)
def test_good_sources_pass_the_whole_battery(source: SeededSource | ConsecutiveNonces) -> None:
    report = run_battery(source, SMALL)
    assert report.passed, report.render_text()
    assert len(report.results) == 28
    assert {r.category for r in report.results} == {"raw bits", "outcomes", "shuffles", "independence"}


def test_modulo_bias_fails_outcome_and_shuffle_tests_but_not_raw_bits() -> None:
    report = run_battery(ModuloBiased(1), MEDIUM, only={"nist", "chi_square", "shuffle"})
    frequencies = {f"{test}.{n}" for test in ("chi_square", "max_cell") for n in (37, 52, 10001)}
    assert _failed(report) == frequencies | {"shuffle.52"}


def test_low_bit_lcg_fails_raw_bit_tests() -> None:
    report = run_battery(LowBitLcg(1), SMALL, only={"nist"})
    assert {"nist.spectral", "nist.block_frequency"} <= _failed(report)


def test_low_bit_lcg_exposed_by_modulo_reduction_fails_serial_pairs() -> None:
    report = run_battery(LowBitLcg(1, mapping=Mapping.UNBIASED), SMALL, only={"serial_pairs", "poker"})
    assert _failed(report) == {"serial_pairs", "poker"}


def test_serial_correlation_fails_the_tests_for_dependence_only() -> None:
    names = {"chi_square", "kolmogorov_smirnov", "serial_correlation", "runs_up_down", "serial_pairs"}
    report = run_battery(SeriallyCorrelated(1), MEDIUM, only=names)
    assert _failed(report) == {"serial_correlation", "runs_up_down", "serial_pairs"}


def test_synchronised_children_fail_the_spawned_stream_tests() -> None:
    report = run_battery(SynchronisedChildren(1), SMALL, only={"spawned_streams"})
    assert _failed(report) == {"independence.spawned_correlation", "independence.spawned_joint"}


def _rigged_roulette(source: RandomSource, stake: int) -> int:
    """Redraws a zero for big stakes: the kind of engine bug the bet-size check exists for."""
    pocket = source.index(37)
    return source.index(37) if pocket == 0 and stake >= 1_000 else pocket


def test_outcome_depending_on_stake_fails_the_bet_size_test() -> None:
    rigged = BetPath(draw=_rigged_roulette)
    assert _failed(run_battery(SeededSource(5), MEDIUM, only={"bet_size"}, bet_path=rigged)) == {
        "independence.bet_size"
    }
    assert run_battery(SeededSource(5), MEDIUM, only={"bet_size"}).passed


def test_report_is_deterministic_and_serialisable() -> None:
    first = run_battery(SeededSource(9), SMALL, only={"chi_square", "poker"})
    second = run_battery(SeededSource(9), SMALL, only={"chi_square", "poker"})
    assert first.dumps() == second.dumps()
    data = json.loads(first.dumps())
    assert data["passed"] is True
    assert data["source"]["bit_generator"] == "pcg64dxsm"
    assert data["config"]["samples"] == 20_000
    frequencies = {f"{test}.{n}" for test in ("chi_square", "max_cell") for n in (37, 52, 10001)}
    assert {t["name"] for t in data["tests"]} == frequencies | {"poker"}
    assert set(data["tests"][0]) >= {"name", "statistic", "p_value", "result", "target"}


def test_text_rendering_names_every_test_and_the_verdict() -> None:
    report = run_battery(ModuloBiased(1), MEDIUM, only={"chi_square"})
    lines = report.render_text().splitlines()
    assert lines[0].startswith("RNG certification: FAIL (0/6 tests pass at alpha 0.01)")
    rows = {line.split()[0]: line for line in lines[4:10]}
    assert set(rows) == {f"{test}.{n}" for test in ("chi_square", "max_cell") for n in (37, 52, 10001)}
    assert all(" FAIL" in row and "one outcome +" in row for row in rows.values())
    assert all("modulo bias" in row for name, row in rows.items() if name.startswith("chi_square"))


def _flaky_check() -> Check:
    outcomes: Iterator[bool] = iter([False, True])

    def run(source: object, cfg: BatteryConfig, path: BetPath) -> list[CheckResult]:
        passed = next(outcomes)
        p = 0.5 if passed else 0.001
        return [CheckResult("flaky", "outcomes", "nothing", 1.0, p, passed, 10)]

    return Check("flaky", run)


def test_a_chance_failure_is_rerun_and_both_runs_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(battery_module, "CHECKS", (_flaky_check(),))
    monkeypatch.setattr(battery_module, "CHECK_NAMES", ("flaky",))
    report = run_battery(SeededSource(1), SMALL)
    (result,) = report.results
    assert result.passed
    assert result.p_value == 0.5
    assert result.first_attempt == (1.0, 0.001)
    assert json.loads(report.dumps())["tests"][0]["first_attempt"] == {"statistic": 1.0, "p_value": 0.001}
    assert "PASS*" in report.render_text()


def test_without_retest_a_failure_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(battery_module, "CHECKS", (_flaky_check(),))
    monkeypatch.setattr(battery_module, "CHECK_NAMES", ("flaky",))
    assert not run_battery(SeededSource(1), BatteryConfig(samples=20_000, retest=False)).passed


def test_unknown_check_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown checks"):
        run_battery(SeededSource(1), SMALL, only={"nist", "dieharder"})
    assert "nist" in CHECK_NAMES


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"samples": 19_999}, id="too-few-samples"),
        pytest.param({"alpha": 0.0}, id="alpha-zero"),
        pytest.param({"raw_words": 100}, id="too-few-raw-words"),
    ],
)
def test_config_validation(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BatteryConfig(**kwargs)  # type: ignore[arg-type]


def test_describe_source() -> None:
    assert describe_source(SeededSource(3))["entropy"] == 3
    pf = describe_source(ConsecutiveNonces("secret", "client"))
    assert "secret" not in json.dumps(pf)
    assert describe_source(object()) == {"kind": "object"}


def test_consecutive_nonces_follow_the_live_streams() -> None:
    from games.rng import ProvablyFairStream

    source = ConsecutiveNonces("s", "c", first_nonce=5, words_per_nonce=3)
    expected = []
    for nonce in (5, 6, 7):
        stream = ProvablyFairStream("s", "c", nonce)
        expected += [stream.word() for _ in range(3)]
    drawn = [source.word()] + source.words(4).tolist() + [source.word() for _ in range(4)]
    assert drawn == expected
    children = source.spawn(2) + source.spawn(1)
    assert [c.client_seed for c in children] == ["c/1", "c/2", "c/3"]


@pytest.mark.slow
def test_default_battery_on_the_live_stream() -> None:
    assert run_battery(ConsecutiveNonces("slow server seed", "slow client seed")).passed


def test_package_exports_are_unique_and_real() -> None:
    assert len(set(games.certify.__all__)) == len(games.certify.__all__)
    assert all(hasattr(games.certify, name) for name in games.certify.__all__)


def test_a_short_period_passes_every_other_test_but_fails_repetition() -> None:
    report = run_battery(ShortPeriod(3), SMALL)
    assert _failed(report) == {"repetition"}, report.render_text()
    assert report.result("repetition").detail["repeated_windows"] > 0


def test_every_verdict_but_the_unmodelled_nist_tests_states_its_power() -> None:
    report = run_battery(SeededSource(2024), SMALL)
    for result in report.results:
        if result.name.startswith("nist.") and result.name != "nist.frequency":
            assert result.power is None
        else:
            assert result.power is not None, result.name
            assert result.to_json()["power"] == result.power
    half_percent = report.result("max_cell.37").power
    assert half_percent is not None
    assert half_percent["samples_for_half_percent_bias"] == samples_for_max_cell(0.005, 37, 0.01, 0.99)
    assert "SEES (80% POWER)" in report.render_text()


@pytest.mark.slow
def test_a_half_percent_bias_on_one_pocket_fails_at_the_sample_size_the_report_states() -> None:
    """The audit's case: pocket 0 of 37 comes up 0.5% (relative) too often."""
    config = BatteryConfig(samples=20_000, outcome_ranges=(37,), retest=False)
    needed = run_battery(SeededSource(1), config, only=["chi_square"]).result("max_cell.37").power
    assert needed is not None
    samples = needed["samples_for_half_percent_bias"]
    report = run_battery(
        PocketBiased(1, bias=0.005),
        BatteryConfig(samples=samples, outcome_ranges=(37,), retest=False),
        only=["chi_square"],
    )
    result = report.result("max_cell.37")
    assert not result.passed and result.detail["outcome"] == 0, report.render_text()
    assert result.power is not None and result.power["one_outcome_relative_bias"] <= 0.005

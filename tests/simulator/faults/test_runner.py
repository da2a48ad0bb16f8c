"""The scenario runner itself: the same seed gives the same journal, another wallet can be tested, a buggy wallet is
caught, and the command line reports PASS/FAIL with its exit status."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.errors import RequestError
from simulator.faults.runner import run_scenario
from simulator.faults.scenario import Scenario, load_scenario
from tests.simulator.faults.naive_wallet import NaiveWallet

SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


@pytest.mark.parametrize("name", ["restart-with-pending-settlements", "duplicate-bet-storm", "slow-wallet"])
async def test_same_seed_same_journal(name: str, tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    first = await run_scenario(scenario, tmp_path / "a")
    second = await run_scenario(scenario, tmp_path / "b")
    assert first.journal_without_timings() == second.journal_without_timings()
    assert first.journal == second.journal  # virtual time makes even the timings repeat
    assert any(e["faults"] for e in first.journal)
    other = await run_scenario(scenario.model_copy(update={"seed": scenario.seed + 1}), tmp_path / "c")
    assert other.journal_without_timings() != first.journal_without_timings()


@pytest.fixture
async def naive_wallet() -> AsyncIterator[NaiveWallet]:
    wallet = NaiveWallet()
    await wallet.start()
    try:
        yield wallet
    finally:
        await wallet.stop()


async def test_a_wallet_without_idempotency_fails_the_duplicate_storm(
    naive_wallet: NaiveWallet, tmp_path: Path
) -> None:
    scenario = load_scenario(SCENARIOS / "duplicate-bet-storm.yaml")
    report = await run_scenario(scenario, tmp_path, wallet_url=naive_wallet.url)
    naive_wallet.assert_request_made("bet")
    verdicts = {c.name: c.ok for c in report.checks}
    assert not report.ok
    assert verdicts["no_double_debit"] is False and verdicts["balances_match"] is False


async def test_a_wallet_refunding_unknown_bets_fails_the_race(naive_wallet: NaiveWallet, tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "rollback-before-bet.yaml")
    report = await run_scenario(scenario, tmp_path, wallet_url=naive_wallet.url)
    assert not report.ok
    assert {c.name: c.ok for c in report.checks}["refunds_follow_debits"] is False


async def test_a_correct_wallet_elsewhere_passes(naive_wallet: NaiveWallet, tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "lost-win-retried.yaml")
    report = await run_scenario(scenario, tmp_path, wallet_url=naive_wallet.url)
    assert report.ok, [c for c in report.checks if c.ok is False]


async def test_unknown_games_and_dialects_are_refused(tmp_path: Path) -> None:
    base = {"name": "x", "description": "d", "traffic": [{"type": "play", "rounds": 1}]}
    with pytest.raises(RequestError, match="no game or engine 'no-such-game'"):
        await run_scenario(Scenario.model_validate(base | {"games": ["no-such-game"]}), tmp_path / "a")
    with pytest.raises(RequestError, match="with dialect klingon"):
        await run_scenario(Scenario.model_validate(base), tmp_path / "b", dialect="klingon")
    with pytest.raises(RequestError, match="single-step"):
        await run_scenario(Scenario.model_validate(base | {"games": ["blackjack"]}), tmp_path / "c")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"traffic": []}, "traffic", id="no-traffic"),
        pytest.param({"settings": {"port": 1}}, "cannot be set by a scenario", id="runner-setting"),
        pytest.param({"traffic": [{"type": "dance"}]}, "traffic.0", id="unknown-step"),
        pytest.param({"expect": {"rounds": {"closed": "many"}}}, "expect.rounds.closed", id="bad-bound"),
        pytest.param({"faults": [{"match": {"side": "outbound"}, "action": {"type": "hang"}}]}, "faults.0", id="rule"),
        pytest.param({"name": "Has Spaces"}, "name", id="name"),
    ],
)
def test_bad_scenario_files_name_the_field(tmp_path: Path, change: dict[str, object], named: str) -> None:
    path = tmp_path / "bad.json"
    base = {"name": "x", "description": "d", "traffic": [{"type": "play", "rounds": 1}]}
    path.write_text(json.dumps(base | change))
    with pytest.raises(RequestError) as caught:
        load_scenario(path)
    assert named in caught.value.message and caught.value.code == "INVALID_SCENARIO"


def test_cli_prints_each_invariant_and_exits_by_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "journal.json"
    assert main(["scenario", "run", str(SCENARIOS / "lost-win-retried.yaml"), "--journal", str(journal)]) == 0
    out = capsys.readouterr().out
    assert "PASS balances_match" in out and out.rstrip().splitlines()[-1].startswith("PASS")
    assert json.loads(journal.read_text())[0]["side"] == "inbound"

    failing = tmp_path / "impossible.yaml"
    text = (SCENARIOS / "lost-win-retried.yaml").read_text()
    failing.write_text(text.replace("rounds: {closed: 24}", "rounds: {closed: 25}"))
    assert main(["scenario", "run", str(failing), "--data-dir", str(tmp_path / "kept")]) == 1
    out = capsys.readouterr().out
    assert "FAIL rounds[closed]" in out and out.rstrip().splitlines()[-1].startswith("FAIL")
    assert (tmp_path / "kept" / "simulator.sqlite3").exists()

    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\n")
    assert main(["scenario", "run", str(broken)]) == 2
    assert "broken.yaml" in capsys.readouterr().err

    assert main(["scenario", "list", str(SCENARIOS)]) == 0
    assert "lost-win-retried.yaml:" in capsys.readouterr().out


@pytest.mark.parametrize("dialect", ["rsa_json", "token_query"])
@pytest.mark.parametrize("name", ["bad-signatures", "duplicate-bet-storm", "rollback-before-bet"])
async def test_scenarios_hold_in_other_dialects(name: str, dialect: str, tmp_path: Path) -> None:
    report = await run_scenario(load_scenario(SCENARIOS / f"{name}.yaml"), tmp_path, dialect=dialect)
    assert report.ok, [f"{c.name}: {c.detail}" for c in report.checks if c.ok is False]

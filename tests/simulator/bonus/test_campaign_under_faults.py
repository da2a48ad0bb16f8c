"""The whole campaign again, in every dialect, under the scenario that drops every second wallet call carrying a bonus:
no free round is lost, each campaign's total is paid once, cash never moves and the sides reconcile."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.faults.runner import run_scenario
from simulator.faults.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[3] / "scenarios" / "campaign-bonus-calls-dropped.yaml"


@pytest.mark.parametrize("dialect", ["native", "rsa_json", "md5_form", "token_query"])
async def test_a_campaign_survives_every_second_bonus_call_dropped(dialect: str, tmp_path: Path) -> None:
    if dialect == "rsa_json" and not rsa_keys.available():
        pytest.skip("rsa_json needs the cryptography package")
    report = await run_scenario(load_scenario(SCENARIO), tmp_path, dialect=dialect)
    checks = {c.name: c for c in report.checks}
    assert report.ok, [f"{c.name}: {c.detail}" for c in report.checks if c.ok is False]
    for name in ("no_campaign_paid_twice", "no_free_round_lost", "ledger_reconciles", "balances_match"):
        assert checks[name].ok is True, checks[name].detail
    assert report.faults["drop-every-second-bonus-call"] >= 10

"""Every scenario file, run against the reference wallet: each one is a test, named after its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.faults.runner import run_scenario
from simulator.faults.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[3] / "scenarios").glob("*.yaml"))


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 12


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in SCENARIOS])
async def test_scenario(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem, "a scenario file is named after the scenario"
    report = await run_scenario(scenario, tmp_path)
    failed = [f"{c.name}: {c.detail}" for c in report.checks if c.ok is False]
    assert report.ok, failed
    assert all(count > 0 for count in report.faults.values()), "every fault of the scenario fired"

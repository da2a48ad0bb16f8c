"""The casino_sim pytest plugin as an operator uses it, with the simulator's embedded reference wallet: a suite of
its own, run by pytest in a subprocess."""

from __future__ import annotations

import re
from pathlib import Path

from tests.simulator_sdk.runs import run_pytest

SUITE = """
from simulator_sdk import ServerError


def test_a_round_with_the_reference_wallet(casino_sim_client, casino_sim_session, casino_sim_player):
    round_ = casino_sim_client.play(casino_sim_session["session_token"], 100)
    assert round_["status"] == "closed"
    assert casino_sim_client.player(casino_sim_player.player_id)["balance"] == 100_000 - 100 + round_["win"]


def test_a_fault_rule_is_on_for_its_test(casino_sim_client, casino_sim_faults, casino_sim_session):
    rule = casino_sim_faults.add({"id": "games-down", "match": {"side": "inbound", "operation": "play"},
                                  "action": {"type": "status", "status": 503}})
    try:
        casino_sim_client.play(casino_sim_session["session_token"], 100)
    except ServerError as exc:
        assert exc.status == 503 and exc.code == "INJECTED_FAULT"
    else:
        raise AssertionError("the fault rule did not fire")
    assert casino_sim_faults.counters(rule["id"])["injected"] == 1


def test_and_off_after_it(casino_sim_client, casino_sim_session):
    assert casino_sim_client.faults() == []
    assert casino_sim_client.play(casino_sim_session["session_token"], 100)["status"] == "closed"
"""


def test_the_plugins_fixtures_run_a_simulator_with_its_reference_wallet(tmp_path: Path) -> None:
    (tmp_path / "test_operator.py").write_text(SUITE)
    run = run_pytest("-q", "test_operator.py", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_the_plugins_options_are_namespaced(tmp_path: Path) -> None:
    run = run_pytest("--help", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    section = run.stdout.split("casino-provider-simulator", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"^ +(--[\w-]+)=", section, re.M)) == {
        "--casino-sim-wallet-url",
        "--casino-sim-wallet-secret",
        "--casino-sim-wallet-key-id",
        "--casino-sim-dialect",
        "--casino-sim-seed",
        "--casino-sim-url",
        "--casino-sim-data-dir",
    }
    ini = set(re.findall(r"^ +(casino_sim_\w+) \(", run.stdout, re.M))
    assert ini == {"casino_sim_" + name.removeprefix("--casino-sim-").replace("-", "_") for name in
                   re.findall(r"^ +(--casino-sim-[\w-]+)=", section, re.M)}  # fmt: skip

"""The casino_sim pytest plugin as an operator uses it, with the simulator's embedded reference wallet: the suite
docs/testing.md shows, run by pytest in a subprocess; and its options, all namespaced."""

from __future__ import annotations

import re
from pathlib import Path

from tests.simulator_sdk.conftest import Live
from tests.simulator_sdk.runs import ROOT, run_pytest

DOCS = ROOT / "docs" / "testing.md"


def documented_suite() -> str:
    """The test module docs/testing.md shows for the plugin with the reference wallet."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    (suite,) = [block for block in blocks if "def test_a_round_with_the_reference_wallet" in block]
    return str(suite)


def test_the_plugins_fixtures_run_a_simulator_with_its_reference_wallet(tmp_path: Path) -> None:
    (tmp_path / "test_operator.py").write_text(documented_suite())
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


RUNNING = """
def test_on_a_running_simulator(casino_sim_server, casino_sim_client, casino_sim_session):
    assert casino_sim_client.base_url == casino_sim_server.url
    assert casino_sim_client.play(casino_sim_session["session_token"], 100)["status"] == "closed"
"""


def test_the_plugin_uses_a_running_simulator_when_given_its_url(live: Live, tmp_path: Path) -> None:
    (tmp_path / "test_running.py").write_text(RUNNING)
    where = ["--casino-sim-url", live.url, "--casino-sim-data-dir", str(live.data_dir)]
    run = run_pytest("-q", *where, "test_running.py", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    assert not list(tmp_path.rglob("casino-sim.log"))  # nothing was started


def test_bad_option_values_stop_the_run_with_a_usage_message(tmp_path: Path) -> None:
    for option, message in (
        (["--casino-sim-dialect", "soap"], "use one of native, rsa_json, md5_form, token_query"),
        (["--casino-sim-seed", "lots"], "the seed is an integer"),
    ):
        run = run_pytest(*option, cwd=tmp_path)
        assert run.returncode == 4, run.stdout + run.stderr  # pytest's usage error
        assert message in run.stderr and "Traceback" not in run.stderr


def test_a_running_simulator_without_credentials_fails_with_a_message(live: Live, tmp_path: Path) -> None:
    (tmp_path / "test_running.py").write_text(RUNNING)
    where = ["--casino-sim-url", live.url, "--casino-sim-data-dir", str(tmp_path / "nowhere")]
    run = run_pytest("-q", *where, "test_running.py", cwd=tmp_path)
    assert run.returncode == 1
    assert f"no credentials under {tmp_path / 'nowhere'}" in run.stdout and "Traceback" not in run.stdout

"""The command line as a user meets it: a real `casino-sim serve` process, the README's example against it, a player
created from the CLI, and a clean stop on SIGTERM."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator import cli

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "simulator.cli"]


def readme_python() -> str:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    return str(blocks[0])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", first)
    if match is None:
        proc.kill()
        pytest.fail(f"no banner: {first!r}{proc.stdout.read()}")
    try:
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_serve_runs_the_readme_example_and_stops_cleanly(
    server: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    proc, url = server
    env = os.environ | {"CASINO_SIM_URL": url, "CASINO_SIM_DATA_DIR": str(tmp_path / "data")}
    example = subprocess.run(
        [sys.executable, "-c", readme_python()], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert example.returncode == 0, example.stderr
    _roll, win, balance = example.stdout.split()
    assert int(balance) == 100_000 - 100 + int(win)

    def create(player_id: str, *balance: str) -> subprocess.CompletedProcess[str]:
        wallet = ("--wallet-url", f"{url}/wallet", "--data-dir", str(tmp_path / "data"))
        argv = [*CLI, "player", "create", "--currency", "EUR", *balance, "--player-id", player_id, *wallet]
        return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)

    created = create("cli-player", "--balance", "2500")
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["balance"] == 2500
    assert "no --balance given" not in created.stderr
    again = create("cli-player")
    assert again.returncode == 1
    assert "CONFLICT" in again.stderr
    penniless = create("cli-player-2")
    assert penniless.returncode == 0, penniless.stderr
    assert json.loads(penniless.stdout)["balance"] == 0
    assert "created cli-player-2 with a balance of 0 EUR (no --balance given)" in penniless.stderr

    proc.send_signal(signal.SIGTERM)
    assert proc.stdout is not None
    out = proc.stdout.read()  # not communicate(): it would skip what readline() has buffered
    proc.stdout.close()
    proc.wait(30)
    assert proc.returncode == 0
    assert "stopped" in out
    assert "Traceback" not in out
    assert "signed with key dev-key-1 or dev-key-2" in out
    assert f"{tmp_path / 'data' / 'credentials.json'} (mode 0600)" in out
    creds = json.loads((tmp_path / "data" / "credentials.json").read_text())
    secrets = [creds["wallet_secret"], creds["admin_token"], *(k["secret"] for k in creds["operator_keys"])]
    assert [s for s in secrets if s in out] == []  # the banner and the log say where, never what
    assert (tmp_path / "data" / "simulator.sqlite3").exists()
    assert (tmp_path / "data" / "wallet.sqlite3").exists()
    assert oct((tmp_path / "data" / "credentials.json").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["serve", "--config", "/nonexistent.toml"], "cannot read config file", id="missing-config"),
        pytest.param(
            ["player", "create", "--currency", "USD", "--wallet-url", "http://127.0.0.1:9"],
            "cannot reach the wallet",
            id="wallet-down",
        ),
    ],
)
def test_cli_errors_are_one_line_messages(args: list[str], message: str) -> None:
    result = subprocess.run([*CLI, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*CLI, "serve", "--port", str(port), "--data-dir", str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_bad_setting_in_environment_is_reported(tmp_path: Path) -> None:
    env = os.environ | {"CASINO_SIM_PORT": "not-a-port"}
    result = subprocess.run(
        [*CLI, "serve", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid settings" in result.stderr and "port" in result.stderr


HEAVY = ("aiohttp", "pydantic", "numpy", "simulator.app", "simulator.state", "simulator.settings")
PROBE = """
import sys
from simulator import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


@pytest.mark.parametrize("command", [None, *cli.COMMANDS])
def test_help_loads_neither_the_server_nor_the_command(command: str | None) -> None:
    argv = ["--help"] if command is None else [command, "--help"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    *usage, modules = result.stdout.splitlines()
    assert "usage: casino-sim" in "\n".join(usage)
    loaded = set(modules.split())
    assert [m for m in HEAVY if m in loaded] == []
    assert [m for m in loaded if m.startswith("simulator.commands.") and m != "simulator.commands.arguments"] == []


def test_every_command_runs_its_own_module() -> None:
    from simulator.commands import conformance, serve

    for name, (_, target) in cli.COMMANDS.items():
        run = cli.runner(argparse.Namespace(target=target))
        assert callable(run) and run.__module__ == f"simulator.commands.{name.replace('-', '_')}"
    assert cli.runner(cli.parser().parse_args(["serve"])) is serve.run
    assert cli.runner(cli.parser().parse_args(["conformance"])) is conformance.run_command


def test_choices_repeated_for_a_fast_help_match_their_sources() -> None:
    from games.rng import Mapping
    from simulator.commands import arguments, rng_cert
    from simulator.conformance.reports import FORMATS
    from simulator.reports.query import DIMENSIONS

    assert tuple(sorted(FORMATS)) == arguments.REPORT_FORMATS
    assert DIMENSIONS == arguments.REPORT_DIMENSIONS
    assert tuple(m.value for m in Mapping) == arguments.MAPPINGS
    for source in arguments.SOURCES:
        assert callable(rng_cert.source_factory(source, None, Mapping.COMPATIBLE))
    with pytest.raises(rng_cert.BadInput):
        rng_cert.source_factory("mt19937", None, Mapping.COMPATIBLE)


@pytest.mark.parametrize("entry", [["-m", "simulator"], ["-m", "simulator.cli"]])
def test_version_and_python_m(entry: list[str]) -> None:
    from simulator import __version__

    result = subprocess.run(
        [sys.executable, *entry, "--version"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, f"casino-sim {__version__}")
    helped = subprocess.run(
        [sys.executable, *entry, "rtp", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert helped.returncode == 0 and "--rounds N" in helped.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--config", "{config}"], "config file {config} is not valid TOML", id="bad-toml"),
        pytest.param(["--workers", "2"], "--workers 2 needs a shared database", id="workers-on-sqlite"),
        pytest.param(["--host", "0.0.0.0"], "auth = false is refused on 0.0.0.0", id="open-without-auth"),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("port = [")
    monkeypatch.setenv("CASINO_SIM_AUTH", "false" if "0.0.0.0" in argv else "true")
    args = [a.format(config=config) for a in argv]
    assert cli.main(["serve", "--data-dir", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("casino-sim: invalid settings: ") and message.format(config=config) in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv0", "shown"),
    [
        pytest.param(".venv/bin/casino-sim", ".venv/bin/casino-sim", id="typed-path"),
        pytest.param("/somewhere/simulator/__main__.py", "casino-sim", id="python-m"),
    ],
)
def test_the_banner_tells_the_command_as_the_user_can_type_it(
    argv0: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.commands import serve
    from simulator.settings import Settings

    monkeypatch.setattr(sys, "argv", [argv0, "serve"])
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert serve.call_hint(Settings()) == f"{shown} call"

"""The command line as a user meets it: a real `casino-sim serve` process, the README's example against it, a player
created from the CLI, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    env = os.environ | {"CASINO_SIM_URL": url}
    example = subprocess.run(
        [sys.executable, "-c", readme_python()], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert example.returncode == 0, example.stderr
    _roll, win, balance = example.stdout.split()
    assert int(balance) == 100_000 - 100 + int(win)

    created = subprocess.run(
        [
            *CLI,
            "player",
            "create",
            "--currency",
            "EUR",
            "--balance",
            "2500",
            "--player-id",
            "cli-player",
            "--wallet-url",
            f"{url}/wallet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["balance"] == 2500
    again = subprocess.run(
        [*CLI, "player", "create", "--currency", "EUR", "--player-id", "cli-player", "--wallet-url", f"{url}/wallet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 1
    assert "CONFLICT" in again.stderr

    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "stopped" in out
    assert "Traceback" not in out
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

"""Auth from the command line: ``casino-sim call`` signs with the local credentials, ``serve`` says where they are
and never what they are, and ``auth = false`` is announced loudly and refused beyond loopback."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.harness import Sim

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "simulator.cli"]


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        cwd=ROOT,
        env=(os.environ | env) if env else None,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def call(sim: Sim, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    where = ("--url", sim.url, "--data-dir", str(sim.settings.data_dir))
    return await asyncio.to_thread(cli, "call", *args, *where, stdin=stdin)


async def test_call_signs_operator_requests_and_sends_the_admin_token(sim: Sim) -> None:
    created = await call(sim, "POST", "/wallet/sandbox/players", "--json", '{"currency": "USD", "balance": 2500}')
    assert created.returncode == 0, created.stderr
    player = json.loads(created.stdout)
    assert player["balance"] == 2500
    games = await call(sim, "GET", "/v1/games?engine=dice&limit=500")
    assert games.returncode == 0, games.stderr
    dice = next(g for g in json.loads(games.stdout)["games"] if g["reference"])
    launch = {"player_id": player["player_id"], "game_id": dice["game_id"], "currency": "USD", "token": player["token"]}
    launched = await call(sim, "POST", "/v1/sessions", "--json", "-", "-i", stdin=json.dumps(launch))
    assert launched.returncode == 0, launched.stderr
    assert launched.stdout.startswith("HTTP/1.1 201 Created")
    assert '"session_token"' in launched.stdout


async def test_call_reports_errors_by_exit_status(sim: Sim, tmp_path: Path) -> None:
    missing = await call(sim, "GET", "/v1/games/no-such-game")
    assert missing.returncode == 1 and json.loads(missing.stdout)["error"]["code"] == "UNKNOWN_GAME"
    bad_json = await call(sim, "POST", "/v1/sessions", "--json", "{not json")
    assert bad_json.returncode == 2 and "not valid JSON" in bad_json.stderr
    no_slash = await call(sim, "GET", "v1/studios")
    assert no_slash.returncode == 2
    stranger = await asyncio.to_thread(
        cli, "call", "GET", "/v1/studios", "--url", sim.url, "--data-dir", str(tmp_path / "elsewhere")
    )
    assert stranger.returncode == 1 and "no credentials under" in stranger.stderr
    assert json.loads(stranger.stdout)["error"]["code"] == "MISSING_SIGNATURE"
    assert not (tmp_path / "elsewhere").exists()  # a client never creates credentials


def test_auth_off_is_refused_beyond_loopback(tmp_path: Path) -> None:
    for command in ("serve", "wallet"):
        result = cli(
            command, "--host", "0.0.0.0", "--port", "0", "--data-dir", str(tmp_path), env={"CASINO_SIM_AUTH": "false"}
        )
        assert result.returncode == 2, result.stderr
        assert "auth = false is refused on 0.0.0.0" in result.stderr
        assert "Traceback" not in result.stderr


def test_serve_with_auth_off_says_so_loudly(tmp_path: Path) -> None:
    """(With auth on, tests/test_cli.py checks the banner names the credentials file and shows no secret.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASINO_SIM_")} | {"CASINO_SIM_AUTH": "false"}
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    try:
        while line := proc.stdout.readline():  # the banner, then the log line that repeats the warning
            lines.append(line)
            if "WARNING casino_sim: authentication is OFF" in line:
                break
    finally:
        proc.terminate()
        proc.stdout.read()
        proc.stdout.close()
        proc.wait(30)
    assert "listening on http://127.0.0.1:" in lines[0]
    assert lines[1].startswith("WARNING: authentication is OFF (auth = false)")
    assert "WARNING casino_sim: authentication is OFF" in lines[-1]  # and the log says it too

"""``casino-sim serve --workers N``: refused where processes would split state; on PostgreSQL, N processes on one port
serve the same sessions and the same ledger, stop together on SIGTERM, and a worker that dies takes the others down."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.auth.client import ClientAuth, client_auth
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "simulator.cli"]
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param([], {}, "needs a shared database", id="sqlite"),
        pytest.param(
            ["--database-url", PG_URL], {"CASINO_SIM_DETERMINISTIC": "true"}, "single worker", id="deterministic"
        ),
    ],
)
def test_workers_are_refused_where_state_would_split(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [*CLI, "serve", "--workers", "2", "--port", "0", "--data-dir", str(tmp_path), *args],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "credentials.json").exists(), "refused before touching anything"


@pytest.mark.postgres
def test_a_database_that_refuses_stops_the_workers_with_one_line(tmp_path: Path) -> None:
    url = PG_URL.rsplit("/", 1)[0] + "/no_such_database_here"
    result = subprocess.run(
        [*CLI, "serve", "--workers", "2", "--port", "0", "--data-dir", str(tmp_path), "--database-url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert 'refused: InvalidCatalogNameError: database "no_such_database_here" does not exist' in result.stderr
    assert "2 of 2 workers failed to start" in result.stderr and "Traceback" not in result.stderr


def _schema_sql(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL, named in the URL and dropped afterwards."""
    schema = f"test_workers_{uuid.uuid4().hex[:12]}"
    try:
        _schema_sql(f"CREATE SCHEMA {schema}")
    except Exception as exc:  # unreachable, missing database, no asyncpg: nothing to test against
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}: {exc}")
    try:
        yield f"{PG_URL}?search_path={schema}"
    finally:
        _schema_sql(f"DROP SCHEMA {schema} CASCADE")


AUTH: list[ClientAuth] = []  # the credentials of the running workers, which the parent wrote before forking


def call(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One request on a new connection (urllib does not keep connections), so the kernel picks a worker each time;
    signed or with the admin token, as its path needs."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers |= AUTH[-1].headers("POST" if data is not None else "GET", target, data or b"")
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - a loopback URL the test made
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        reply: dict[str, Any] = json.load(response)
        return reply


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """``/metrics`` on a new connection, parsed by the Prometheus client's own parser: sample -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    target = urllib.parse.urlsplit(url).path
    request = urllib.request.Request(url, headers=AUTH[-1].headers("GET", target, b""))  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.fixture
def two_workers(pg_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*CLI, "serve", "--workers", "2", "--port", "0", "--data-dir", str(tmp_path), "--database-url", pg_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+) \(2 worker processes\)", first)
    if match is None:
        proc.kill()
        pytest.fail(f"no banner: {first!r} {proc.communicate(timeout=30)}")
    workers = children(proc.pid)
    auth = client_auth(Settings(data_dir=tmp_path))
    assert auth is not None, "the parent writes the credentials before it forks"
    AUTH.append(auth)
    try:
        yield proc, match.group(1)
    finally:
        AUTH.remove(auth)
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in [proc.pid, *workers]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.communicate(timeout=30)


@pytest.mark.postgres
def test_two_workers_serve_one_port_and_one_ledger(two_workers: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = two_workers
    workers = children(proc.pid)
    assert len(workers) == 2
    before = {pid: cpu_ticks(pid) for pid in workers}
    player = call(f"{url}/wallet/sandbox/players", {"currency": "USD", "balance": 1_000_000})
    dice = next(g for g in call(f"{url}/v2/games?engine=dice&limit=500")["games"] if g["reference"])
    launch = {"player_id": player["player_id"], "game_id": dice["game_id"], "currency": "USD", "token": player["token"]}
    token = call(f"{url}/v1/sessions", launch)["session_token"]
    wins = 0
    for _ in range(60):
        played = call(f"{url}/play/{token}/rounds", {"amount": 100, "params": {}})
        assert played["status"] == "closed"
        wins += played["win"]
    assert call(f"{url}/wallet/sandbox/players/{player['player_id']}")["balance"] == 1_000_000 - 6_000 + wins
    assert call(f"{url}/play/{token}/session")["next_nonce"] == 61, "one nonce sequence across processes"
    assert all(cpu_ticks(pid) > before[pid] for pid in workers), "the kernel spread connections over both workers"
    for _ in range(6):  # whichever worker answers /metrics, it adds up both workers' samples
        samples = scrape(f"{url}/metrics")
        bets = (("operation", "bet"), ("outcome", "ok"), ("studio", dice["studio_id"]))
        assert samples[("casino_sim_wallet_calls_total", bets)] == 60
        assert samples[("casino_sim_round_seconds_count", (("engine", "dice"),))] == 60
        timed = {
            dict(labels)["operation"]: v
            for (name, labels), v in samples.items()
            if name == "casino_sim_wallet_call_seconds_count"
        }
        assert timed["bet"] == timed["win"] == 60, "every wallet call timed, by operation"

    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.count("stopped") == 1 and "Traceback" not in err
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


@pytest.mark.postgres
def test_killing_the_parent_stops_the_workers(two_workers: tuple[subprocess.Popen[str], str]) -> None:
    proc, _ = two_workers
    handles = {pid: os.pidfd_open(pid) for pid in children(proc.pid)}
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        for pid, fd in handles.items():  # a pidfd turns readable when its process exits: a wait, not a sleep
            readable, _, _ = select.select([fd], [], [], 60)
            assert readable, f"worker {pid} outlived its parent"
    finally:
        for fd in handles.values():
            os.close(fd)


@pytest.mark.postgres
def test_a_dead_worker_stops_the_others(two_workers: tuple[subprocess.Popen[str], str]) -> None:
    proc, _ = two_workers
    first, second = children(proc.pid)
    os.kill(first, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert f"worker {first} exited with -9; stopping the others" in err
    assert not Path(f"/proc/{second}").exists()

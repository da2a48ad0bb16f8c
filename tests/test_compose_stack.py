"""compose.yaml, run as processes: CI has no Docker daemon, so this test starts the services it declares from the values
it sets (commands, environment, shared volumes, ports, the order of ``depends_on``), with each host name and published
port mapped to a free loopback port and PostgreSQL to a fresh database on the local server. Two simulators with their
workers, the standalone wallet, a Locust master and one worker then run together; the test plays a round on a studio of
every dialect through each simulator and reconciles the simulators' transaction log with the wallet's ledger. When
compose.yaml and the code disagree (a setting renamed, a key pair not shared), this test breaks.

Locust runs in subprocesses only: importing it would monkey-patch this process with gevent.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from simulator.auth.client import client_auth, client_middleware
from simulator.settings import Settings
from tests.databases import PG_URL, postgres_unavailable
from tests.harness import Sim
from tests.loadtests.test_locust import free_port
from tests.simulator.play.test_every_studio import pick_game, play_round
from tests.test_compose import ROOT, SERVICES, command, interpolate

pytestmark = [
    pytest.mark.slow,  # five server processes, each building the catalogue, and a ten-second Locust run: over 30 s
    pytest.mark.postgres,
    pytest.mark.skipif(find_spec("locust") is None, reason="Locust is not installed (pip install -e '.[load]')"),
]
DIALECTS = ("native", "rsa_json", "md5_form", "token_query")
WORKDIR = re.findall(r"^WORKDIR\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.M)[-1]
LOCUST_USERS, LOCUST_RUN_TIME = "4", "10s"


def waves() -> list[list[str]]:
    """The services in waves, as compose starts them: each wave together, once everything it ``depends_on`` is up."""
    left, up, out = dict(SERVICES), set[str](), []
    while left:
        wave = [name for name, service in left.items() if set(service.get("depends_on", [])) <= up]
        assert wave, f"depends_on has a cycle among {sorted(left)}"
        out.append(wave)
        up |= set(wave)
        for name in wave:
            del left[name]
    return out


def replace_value(argv: list[str], flag: str, value: str) -> list[str]:
    """``argv`` with the value after ``flag`` replaced (the flag must be there)."""
    at = argv.index(flag) + 1
    return [*argv[:at], value, *argv[at + 1 :]]


@dataclass
class Topology:
    """What compose's network gives the containers, on loopback: ``host:port`` of a service to a local address."""

    tmp: Path
    database_url: str
    addresses: dict[str, str] = field(default_factory=dict)

    def local(self, value: str) -> str:
        """A compose value with its service addresses made local (the database URL as a whole)."""
        value = interpolate(value)
        if value.startswith(("postgresql://", "postgres://")):
            return self.database_url
        return re.sub(r"(?<=//)([\w.-]+:\d+)", lambda m: self.addresses.get(m.group(1), m.group(1)), value)

    def environment(self, name: str) -> dict[str, str]:
        values = {key: self.local(str(value)) for key, value in SERVICES[name].get("environment", {}).items()}
        return {key: value for key, value in os.environ.items() if not key.startswith(("CASINO_SIM_", "LOCUST_"))} | {
            "PYTHONPATH": str(ROOT),
            **values,
        }

    def home(self, name: str) -> Path:
        """The service's working directory, its own like a container's, with its named volumes linked in."""
        home = self.tmp / "services" / name
        home.mkdir(parents=True)
        for volume in SERVICES[name].get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith((".", "/")):
                continue  # bind mounts of this repository: the Locust services, handled by their paths
            assert target.startswith(WORKDIR + "/"), f"{name}: {target} is outside the image's {WORKDIR}"
            shared = self.tmp / "volumes" / source
            shared.mkdir(parents=True, exist_ok=True, mode=0o700)
            (home / target.removeprefix(WORKDIR + "/")).symlink_to(shared)
        return home


def database_for_compose(fresh: str) -> str:
    """The simulators' database URL, checked against the postgres service, on the local server's fresh database."""
    env = SERVICES["postgres"]["environment"]
    urls = {interpolate(str(SERVICES[name]["environment"]["CASINO_SIM_DATABASE_URL"])) for name in ("wallet", "sim-1")}
    (url,) = urls
    parts = urlsplit(url)
    assert (parts.hostname, parts.port, parts.path) == ("postgres", 5432, "/" + env["POSTGRES_DB"])
    assert (parts.username, parts.password) == (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"])
    return PG_URL.rsplit("/", 1)[0] + "/" + fresh


async def admin_sql(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
async def fresh_database() -> AsyncIterator[str]:
    if (reason := await postgres_unavailable()) is not None:
        pytest.skip(reason)
    name = f"compose_{uuid.uuid4().hex[:12]}"
    await admin_sql(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Stack:
    topology: Topology
    urls: dict[str, str]  # casino-sim service -> its local base URL
    locust: dict[str, subprocess.Popen[str]]


def start_casino_sim(topology: Topology, name: str, stack: ExitStack) -> subprocess.Popen[str]:
    argv = command(SERVICES[name])
    address = topology.addresses[f"{name}:{argv[argv.index('--port') + 1]}"]
    host, port = address.split(":")
    argv = replace_value(replace_value(argv, "--host", host), "--port", port)
    log = (topology.tmp / f"{name}.log").open("w")
    stack.callback(log.close)
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulator.cli", *argv[1:]],
        cwd=topology.home(name),
        env=topology.environment(name),
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    stack.callback(stop, proc)
    return proc


def wait_until_listening(topology: Topology, name: str, proc: subprocess.Popen[str]) -> str:
    """The service's banner, printed once it (and each of its workers) accepts connections: what its compose health
    check waits for. Its base URL."""
    assert proc.stdout is not None
    banner = proc.stdout.readline()
    if (match := re.search(r"listening on (http://\S+)", banner)) is None:
        proc.kill()
        pytest.fail(f"{name} did not start: {banner!r} {(topology.tmp / f'{name}.log').read_text()[-3000:]}")
    return match.group(1)


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=30)


def locust_argv(topology: Topology, name: str, master_port: int, workers: int) -> list[str]:
    service = SERVICES[name]
    argv = [topology.local(arg) for arg in command(service)]
    mounts: dict[str, Path] = {}
    for volume in service["volumes"]:  # read-only mounts are this repository; the others are written to
        source, target, *mode = volume.split(":")
        mounts[target] = ROOT / source if mode == ["ro"] else topology.tmp / Path(source).name
        mounts[target].mkdir(exist_ok=True)
    for i, arg in enumerate(argv):
        for target, local in mounts.items():
            if arg.startswith(target + "/"):
                argv[i] = str(local / arg.removeprefix(target + "/"))
    if "--master" in argv:
        argv = replace_value(argv, "--expect-workers", str(workers))
        argv = replace_value(replace_value(argv, "--users", LOCUST_USERS), "--run-time", LOCUST_RUN_TIME)
        argv += ["--master-bind-host", "127.0.0.1", "--master-bind-port", str(master_port)]
        argv += ["--expect-workers-max-wait", "120"]
    else:
        argv = [*replace_value(argv, "--master-host", "127.0.0.1"), "--master-port", str(master_port)]
    return [sys.executable, "-m", "locust", *argv]


@pytest.fixture
def stack(fresh_database: str, tmp_path: Path) -> Iterator[Stack]:
    topology = Topology(tmp_path, database_for_compose(fresh_database))
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            topology.addresses[f"{name}:{port.split(':')[-1]}"] = f"127.0.0.1:{free_port()}"
    master_port = free_port()
    # the run is judged on failures and reconciliation; latency on a shared CI machine is not what this test checks
    locust_env = {"LOCUST_THINK_TIME": "0.05,0.2", "LOCUST_SLO_P95_MS": "600000", "LOCUST_SLO_P99_MS": "600000"}
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        locust: dict[str, subprocess.Popen[str]] = {}
        for wave in waves():
            starting = {}
            for name in wave:
                if name == "postgres":
                    continue  # the local server, with the fresh database
                if command(SERVICES[name])[:1] == ["casino-sim"]:
                    starting[name] = start_casino_sim(topology, name, stack)
                    continue
                log = (tmp_path / f"{name}.log").open("w")
                stack.callback(log.close)
                argv = locust_argv(topology, name, master_port, workers=1)
                env = topology.environment(name) | locust_env
                proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
                stack.callback(stop, proc)
                locust[name] = proc
            urls |= {name: wait_until_listening(topology, name, proc) for name, proc in starting.items()}
        yield Stack(topology, urls, locust)


@asynccontextmanager
async def operator_and_admin(stack: Stack) -> AsyncIterator[aiohttp.ClientSession]:
    """A session with the credentials compose gives the simulators (operator key and admin token)."""
    env = stack.topology.environment("sim-1")
    settings = Settings(operators=json.loads(env["CASINO_SIM_OPERATORS"]), admin_token=env["CASINO_SIM_ADMIN_TOKEN"])
    auth = client_auth(settings)
    assert auth is not None
    async with aiohttp.ClientSession(middlewares=[client_middleware(auth)]) as http:
        yield http


async def play_every_dialect(stack: Stack, http: aiohttp.ClientSession, simulator: str) -> dict[str, int]:
    """A round on a studio of every dialect, launched and played through ``simulator``: the wallet's balance of each
    player moves by exactly what the round says."""
    sim = Sim(stack.urls[simulator], web.Application(), http, Settings())
    studios = (await sim.request("GET", "/v1/studios")).body["studios"]
    played: dict[str, int] = {}
    for dialect in DIALECTS:
        studio = next(s for s in studios if s["dialect"] == dialect)
        game, country = await pick_game(sim, studio["studio_id"])
        async with http.post(
            f"{stack.urls['wallet']}/sandbox/players", json={"currency": "USD", "balance": 1_000_000}
        ) as reply:
            assert reply.status == 201, await reply.text()
            player = await reply.json()
        launch = {"player_id": player["player_id"], "token": player["token"], "game_id": game["game_id"]}
        launched = await sim.request("POST", "/v1/sessions", launch | {"currency": "USD", "country": country})
        assert launched.status == 201, (simulator, dialect, launched.body)
        assert launched.body["launch_url"].startswith(sim.url + "/"), "launch URLs point at the instance"
        result = await play_round(sim, launched.body["session_token"], game)
        async with http.get(f"{stack.urls['wallet']}/sandbox/players/{player['player_id']}") as reply:
            balance = (await reply.json())["balance"]
        assert balance == 1_000_000 - result["amount"] + result["win"], (simulator, dialect)
        played[dialect] = played.get(dialect, 0) + 1
    return played


async def test_the_compose_topology_plays_every_dialect_and_reconciles(stack: Stack) -> None:
    simulators = [name for name in stack.urls if command(SERVICES[name])[1] == "serve"]
    assert len(simulators) == 2
    async with operator_and_admin(stack) as http:
        for simulator in simulators:  # while Locust plays on both
            assert await play_every_dialect(stack, http, simulator) == dict.fromkeys(DIALECTS, 1)

    master = stack.locust["locust-master"]
    output = await asyncio.to_thread(master.wait, 300)
    log = (stack.topology.tmp / "locust-master.log").read_text()
    assert output == 0, log[-3000:]
    assert "SLO met" in log
    entries = json.loads((stack.topology.tmp / "reports" / "load.json").read_text())
    by_name = {entry["name"]: entry for entry in entries}
    assert by_name["POST /play/[token]/rounds"]["num_requests"] > 0
    assert sum(entry["num_failures"] for entry in entries) == 0, [e for e in entries if e["num_failures"]]

    reconcile = [sys.executable, "-m", "simulator.cli", "reconcile", "--json"]
    reconcile += ["--database-url", stack.topology.database_url, "--wallet-url", stack.urls["wallet"]]
    result = await asyncio.to_thread(
        subprocess.run,
        reconcile,
        cwd=stack.topology.tmp,
        env=stack.topology.environment("wallet"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["differences"] == 0 and report["matched"] >= 2 * len(DIALECTS)

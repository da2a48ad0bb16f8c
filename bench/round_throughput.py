"""Rounds per second through the simulator, against the ceiling of a bare aiohttp server, with the same load.

    python bench/round_throughput.py                      # a, b, c on this machine
    python bench/round_throughput.py --pin                # servers on CPU 0, wrk and the trivial wallet on CPU 1
    python bench/round_throughput.py --database-url postgresql://postgres@127.0.0.1:5432/test   # + 1 vs 2 workers

Scenarios, each server in its own process, driven by wrk (one thread, a Lua script posting one dice round per request,
cycling over many sessions) at the same concurrency for the same time after a warm-up. The pinned servers all run at
once, and with ``--repeat`` their runs take turns, so that a machine that changes speed moves every scenario alike:

  a  baseline: a bare aiohttp app that answers each request after two keep-alive POSTs to a trivial wallet
  b  the simulator (``casino-sim serve --no-embedded-wallet``) calling the same trivial wallet
  c  the simulator calling the reference wallet (``casino-sim wallet``), both on SQLite; the reference wallet takes
     the trivial wallet's place, in a process of its own
  e  the embedded default, ``casino-sim serve``: the reference wallet inside the simulator, so one core serves the
     round and the wallet's two requests with their ledger transactions; no target, since the baseline's core never
     does the wallet's work
  w1, w2  the embedded default on PostgreSQL with ``--workers 1`` and ``--workers 2`` (with ``--database-url``)

It prints rounds/s, p50 and p99 per scenario, the server's CPU time and the bytes its writes dirtied in its files
(``disk KB``) per round, and the ratios b/a and c/a (targets: 0.6 and 0.45), and e/a. Figures from one machine only
compare with each other; run it on a quiet machine, with ``--repeat 3`` or more.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from simulator.auth.client import ClientAuth, client_middleware
from simulator.credentials import OperatorKey

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SECRET = "bench-secret-not-for-production"  # noqa: S105 - a throwaway key for local servers
# every server shares one operator key and admin token (auth stays on); launches are not what is measured, so the
# operator's rate limit is off
OPERATOR = OperatorKey("bench", "bench-key", "bench-operator-secret-not-for-production")
ADMIN_TOKEN = "bench-admin-token-not-for-production"  # noqa: S105 - a throwaway token for local servers
AUTH_ENV = {
    "CASINO_SIM_OPERATORS": json.dumps({"bench": {"keys": [{"key_id": OPERATOR.key_id, "secret": OPERATOR.secret}]}}),
    "CASINO_SIM_ADMIN_TOKEN": ADMIN_TOKEN,
    "CASINO_SIM_RATE_LIMIT": "0",
}
ROUND_BODY = {"amount": 100, "params": {"target": "50.50", "direction": "over"}}
BALANCE = 2**53 - 1  # never runs out during a benchmark


@dataclass
class Result:
    name: str
    title: str
    rounds_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float  # server CPU time per round: steadier than rounds/s on a busy machine
    disk_kb: float  # bytes the server's writes dirtied in its files per round (/proc's write_bytes), in KB


def _tree(pid: int) -> Iterator[int]:
    """``pid`` and its descendants (the workers of ``--workers``)."""
    pids = [pid]
    while pids:
        current = pids.pop()
        yield current
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                pids.extend(int(child) for child in (task / "children").read_text().split())


def written_bytes(pid: int) -> int:
    """Bytes a process and its descendants caused to be written to storage (the page cache pages their writes
    dirtied), from /proc: a database's write-ahead log and checkpoints, where sockets count nothing."""
    total = 0
    for current in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/io").read_text().splitlines():
                if line.startswith("write_bytes:"):
                    total += int(line.split()[1])
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants (the workers of ``--workers``), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for current in _tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Server:
    """A child process that prints ``... listening on URL`` when it accepts connections."""

    def __init__(
        self, argv: list[str], log: Path, *, cpus: str | None, env: dict[str, str] | None = None, cwd: Path = ROOT
    ) -> None:
        prefix = ["taskset", "-c", cpus] if cpus else []
        self.log = log
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [*prefix, *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=os.environ | (env or {}),
        )
        assert self.proc.stdout is not None
        for _ in range(50):
            line = self.proc.stdout.readline()
            if not line:
                break
            if match := re.search(r"listening on (http://\S+)", line):
                self.url = match.group(1)
                return
        self.stop()
        raise RuntimeError(f"{' '.join(argv)} did not start; see {log}:\n{log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


@contextlib.contextmanager
def running(
    argv: list[str], log: Path, *, cpus: str | None, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> Iterator[Server]:
    server = Server(argv, log, cpus=cpus, env=env, cwd=cwd)
    try:
        yield server
    finally:
        server.stop()


def casino_sim(*args: str) -> list[str]:
    return [sys.executable, "-m", "simulator.cli", *args]


SIM_ENV = {"CASINO_SIM_WALLET_SECRET": SECRET} | AUTH_ENV
"""The environment of a simulator calling a wallet of its own (``simulator_argv``)."""


def simulator_argv(data: Path, wallet_url: str) -> list[str]:
    """``casino-sim serve`` on a free port, its files in ``data``, calling the wallet at ``wallet_url`` (scenarios
    ``b`` and ``c``)."""
    return casino_sim(
        "serve", "--port", "0", "--data-dir", str(data), "--wallet-url", wallet_url, "--no-embedded-wallet"
    )


async def _post(http: aiohttp.ClientSession, url: str, body: dict[str, Any], expect: int) -> dict[str, Any]:
    async with http.post(url, json=body) as response:
        data: dict[str, Any] = await response.json(content_type=None)
        if response.status != expect:
            raise RuntimeError(f"POST {url}: HTTP {response.status} {data}")
        return data


async def reference_game(http: aiohttp.ClientSession, base: str, engine: str) -> str:
    """The engine's reference title: every currency, no country limits, the native dialect."""
    async with http.get(f"{base}/v2/games?engine={engine}&limit=500") as response:
        games = (await response.json())["games"]
    return str(next(g["game_id"] for g in games if g["reference"]))


async def _sessions(base: str, count: int, wallet: str | None) -> list[str]:
    """``count`` sessions on a dice game. With ``wallet`` (a reference wallet), each for a fresh sandbox player."""
    auth = client_middleware(ClientAuth(OPERATOR, ADMIN_TOKEN))
    async with aiohttp.ClientSession(middlewares=[auth]) as http:
        game = await reference_game(http, base, "dice")
        limit = asyncio.Semaphore(16)

        async def one(i: int) -> str:
            async with limit:
                if wallet is None:
                    player = {"player_id": f"bench-{i}", "token": f"token-{i}"}
                else:
                    body = {"currency": "USD", "balance": BALANCE}
                    player = await _post(http, f"{wallet}/sandbox/players", body, 201)
                launch = {"player_id": player["player_id"], "token": player["token"], "currency": "USD"}
                launch["game_id"] = game
                session = await _post(http, f"{base}/v1/sessions", launch, 201)
                return f"/play/{session['session_token']}/rounds"

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def sessions(base: str, count: int, wallet: str | None, work: Path) -> Path:
    paths = asyncio.run(_sessions(base, count, wallet))
    path = work / f"paths-{uuid.uuid4().hex[:8]}.txt"
    path.write_text("\n".join(paths) + "\n")
    return path


def wrk(url: str, paths: Path, *, seconds: float, connections: int, cpus: str | None) -> dict[str, Any]:
    prefix = ["taskset", "-c", cpus] if cpus else []
    argv = [
        *prefix,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "-s",
        str(BENCH / "rounds.lua"),
        url,
        "--",
        str(paths),
        json.dumps(ROUND_BODY, separators=(",", ":")),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


@dataclass
class Scenario:
    name: str
    title: str
    server: Server
    paths: Path
    runs: list[tuple[float, dict[str, Any]]] = field(default_factory=list)  # rounds/s and wrk's figures, per run


def load(scenario: Scenario, args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    """wrk against the scenario's server for ``seconds``, on the generator's core when pinned."""
    cpus = "1" if args.pin else None
    return wrk(scenario.server.url, scenario.paths, seconds=seconds, connections=args.connections, cpus=cpus)


def measure_once(scenario: Scenario, args: argparse.Namespace) -> None:
    pid = scenario.server.proc.pid
    cpu, written = cpu_seconds(pid), written_bytes(pid)
    figures = load(scenario, args, args.duration)
    figures["cpu_us"] = (cpu_seconds(pid) - cpu) / max(1, figures["requests"]) * 1e6
    figures["disk_kb"] = (written_bytes(pid) - written) / max(1, figures["requests"]) / 1000
    rate = figures["requests"] / (figures["duration_us"] / 1e6)
    scenario.runs.append((rate, figures))
    print(f"  {scenario.name} run {len(scenario.runs)}: {rate:8.0f} rounds/s  {figures['cpu_us']:6.0f} us CPU/round",
          flush=True)  # fmt: skip


def measure(scenarios: list[Scenario], args: argparse.Namespace) -> list[Result]:
    """Warm every server up, then take ``--repeat`` runs of each, the scenarios taking turns (starting one later
    each time), so that a machine that speeds up or slows down for a minute moves every scenario alike."""
    for scenario in scenarios:
        load(scenario, args, args.warmup)
    for turn in range(args.repeat):
        first = turn % len(scenarios)
        for scenario in scenarios[first:] + scenarios[:first]:
            measure_once(scenario, args)
    results = []
    for scenario in scenarios:
        rate, figures = sorted(scenario.runs, key=lambda run: run[0])[len(scenario.runs) // 2]
        results.append(
            Result(
                scenario.name,
                scenario.title,
                rate,
                figures["p50_us"] / 1000,
                figures["p99_us"] / 1000,
                figures["http_errors"] + figures["socket_errors"],
                statistics.median(f["cpu_us"] for _, f in scenario.runs),
                statistics.median(f["disk_kb"] for _, f in scenario.runs),
            )
        )
    return results


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    """Every pinned server runs at once (idle but for its turn) so that their runs can take turns; then the
    PostgreSQL ones, unpinned, one at a time."""
    server_cpus = "0" if args.pin else None
    side_cpus = "1" if args.pin else None  # the trivial wallet shares the generator's core
    wanted = set(args.only.split(",")) if args.only else {"a", "b", "c", "e", "w1", "w2"}
    scenarios: list[Scenario] = []
    with contextlib.ExitStack() as stack:

        def start(argv: list[str], log: str, cpus: str | None, env: dict[str, str] | None = None) -> Server:
            return stack.enter_context(running(argv, work / log, cpus=cpus, env=env))

        wallet = start([sys.executable, str(BENCH / "stubs.py"), "wallet"], "wallet.log", side_cpus)
        if "a" in wanted:
            base = start([sys.executable, str(BENCH / "stubs.py"), "baseline", "--wallet-url", wallet.url],
                         "baseline.log", server_cpus)  # fmt: skip
            paths = work / "baseline-paths.txt"
            paths.write_text("".join(f"/play/bench-{i}/rounds\n" for i in range(args.sessions)))
            scenarios.append(Scenario("a", "baseline: bare aiohttp + 2 wallet POSTs", base, paths))
        if "b" in wanted:
            sim = start(simulator_argv(work / "b", wallet.url), "b.log", server_cpus, SIM_ENV)
            paths = sessions(sim.url, args.sessions, None, work)
            scenarios.append(Scenario("b", "simulator + trivial wallet", sim, paths))
        if "c" in wanted:
            ref = start(casino_sim("wallet", "--port", "0", "--data-dir", str(work / "c-wallet")), "c-wallet.log",
                        side_cpus, SIM_ENV)  # fmt: skip
            sim = start(simulator_argv(work / "c", ref.url), "c.log", server_cpus, SIM_ENV)
            paths = sessions(sim.url, args.sessions, ref.url, work)
            scenarios.append(Scenario("c", "simulator + reference wallet (SQLite)", sim, paths))
        if "e" in wanted:
            sim = start(casino_sim("serve", "--port", "0", "--data-dir", str(work / "e")), "e.log", server_cpus,
                        AUTH_ENV)  # fmt: skip
            paths = sessions(sim.url, args.sessions, f"{sim.url}/wallet", work)
            scenarios.append(Scenario("e", "embedded default: reference wallet inside", sim, paths))
        results = measure(scenarios, args) if scenarios else []
    if args.database_url:
        for workers in (1, 2):
            name = f"w{workers}"
            if name not in wanted:
                continue
            with postgres_schema(args.database_url) as url:
                argv = casino_sim(
                    "serve", "--port", "0", "--data-dir", str(work / name), "--database-url", url,
                    "--workers", str(workers),
                )  # fmt: skip
                with running(argv, work / f"{name}.log", cpus=None, env=SIM_ENV) as sim:
                    paths = sessions(sim.url, args.sessions, f"{sim.url}/wallet", work)
                    title = f"embedded default on PostgreSQL, --workers {workers}"
                    results += measure([Scenario(name, title, sim, paths)], args)
    return results


@contextlib.contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema for one scenario, named in the URL (asyncpg passes ``search_path`` on), dropped afterwards."""
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:12]}"

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}search_path={schema}"
    finally:
        asyncio.run(execute(f"DROP SCHEMA {schema} CASCADE"))


def report(results: list[Result], args: argparse.Namespace) -> None:
    by_name = {r.name: r for r in results}
    print()
    print(f"wrk -t1 -c{args.connections}, {args.duration:g} s after {args.warmup:g} s warm-up, {os.cpu_count()} CPUs"
          + (", servers pinned to CPU 0, wrk and trivial wallet to CPU 1" if args.pin else ", no pinning"))  # fmt: skip
    print(f"{'':3}{'scenario':52}{'rounds/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU us':>8}{'disk KB':>8}{'errors':>8}")
    for r in results:
        print(f"{r.name:3}{r.title:52}{r.rounds_per_s:10.0f}{r.p50_ms:9.1f}{r.p99_ms:9.1f}{r.cpu_us:8.0f}"
              f"{r.disk_kb:8.1f}{r.errors:8d}")  # fmt: skip
    if "a" in by_name:
        base = by_name["a"].rounds_per_s
        for name, target in (("b", 0.6), ("c", 0.45), ("e", None)):
            if name in by_name:
                ratio = by_name[name].rounds_per_s / base
                cpu_ratio = by_name["a"].cpu_us / by_name[name].cpu_us
                verdict = "no target" if target is None else "meets" if ratio >= target else "MISSES"
                goal = "" if target is None else f" the target {target:.2f}"
                print(f"{name}/a = {ratio:.2f}  ({verdict}{goal}); by server CPU per round {cpu_ratio:.2f}")
    if "w1" in by_name and "w2" in by_name:
        print(f"w2/w1 = {by_name['w2'].rounds_per_s / by_name['w1'].rounds_per_s:.2f}")
    if any(r.errors for r in results):
        print("some requests failed: the figures above count only answers; see the server logs", file=sys.stderr)


def load_arguments(parser: argparse.ArgumentParser) -> None:
    """The load's options, shared with ``round_ab.py``."""
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per run (default 10)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--sessions", type=int, default=256, help="game sessions the load cycles over (default 256)")
    parser.add_argument("--pin", action="store_true", help="pin servers to CPU 0 and wrk + trivial wallet to CPU 1")


def checkouts(trees: list[Path]) -> list[Path] | None:
    """``trees`` as absolute paths, or ``None`` after saying which of them is not a checkout of the project."""
    resolved = [tree.resolve() for tree in trees]
    if missing := [str(tree) for tree in resolved if not (tree / "simulator" / "cli.py").is_file()]:
        print(f"not a checkout of the project: {', '.join(missing)}", file=sys.stderr)
        return None
    return resolved


def no_wrk() -> bool:
    """True, having said so, when wrk is not installed."""
    if shutil.which("wrk") is None:
        print("wrk is needed (apt-get install wrk)", file=sys.stderr)
        return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    load_arguments(parser)
    parser.add_argument("--repeat", type=int, default=1, help="runs per scenario, taking turns; medians are reported")
    parser.add_argument("--database-url", help="PostgreSQL URL: also measure --workers 1 and --workers 2")
    parser.add_argument("--only", help="comma-separated scenarios to run: a,b,c,e,w1,w2")
    parser.add_argument("--keep", action="store_true", help="keep the working directory with server logs")
    args = parser.parse_args()
    if no_wrk():
        return 2
    if args.pin and shutil.which("taskset") is None:
        print("--pin needs taskset (util-linux)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="round-bench-"))
    try:
        results = run(args, work)
        report(results, args)
    finally:
        if args.keep:
            print(f"logs in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

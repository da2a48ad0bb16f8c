"""Resident memory of a running simulator holding many open game sessions, and whether it stays flat under play.

    python bench/memory.py                               # 100,000 sessions on the embedded default (SQLite)
    python bench/memory.py --sessions 20000 --rounds 5000
    python bench/memory.py --database-url postgresql://postgres@127.0.0.1:5432/test

It starts ``casino-sim serve`` in its own process, creates sandbox players in the reference wallet, launches
``--sessions`` game sessions for them (every tenth with a mines round left open, as players who closed the tab), then
plays ``--rounds`` rounds on random sessions. It prints the server's resident set (VmRSS) and peak (VmHWM) as it goes.
The budget is 400 MB for 100,000 sessions; the second half of the rounds must not grow it by more than 5%: sessions,
rounds and the transaction log live in the database, and every in-process cache has a fixed bound.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
from round_throughput import postgres_schema, reference_game

from simulator.auth.client import client_auth, client_middleware
from simulator.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 400.0


def status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of ``pid`` in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def show(label: str, pid: int) -> float:
    mem = status(pid)
    print(f"{label:42} RSS {mem['VmRSS']:7.1f} MB   peak {mem['VmHWM']:7.1f} MB", flush=True)
    return mem["VmRSS"]


@contextlib.contextmanager
def server(work: Path, database_url: str | None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    argv = [sys.executable, "-m", "simulator.cli", "serve", "--port", "0", "--data-dir", str(work / "data")]
    if database_url:
        argv += ["--database-url", database_url]
    log = (work / "server.log").open("w")
    # auth stays on (launches are signed, the sandbox takes the admin token); the operator's rate limit would only
    # slow the set-up down
    env = os.environ | {"CASINO_SIM_RATE_LIMIT": "0"}
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    assert proc.stdout is not None
    match = re.search(r"listening on (http://\S+)", proc.stdout.readline())
    if match is None:
        proc.kill()
        raise RuntimeError(f"the simulator did not start; see {work / 'server.log'}")
    try:
        yield proc, match.group(1)
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any], expect: int) -> dict[str, Any]:
    async with http.post(url, json=body) as response:
        data: dict[str, Any] = await response.json(content_type=None)
        if response.status != expect:
            raise RuntimeError(f"POST {url}: HTTP {response.status} {data}")
        return data


async def load(url: str, pid: int, args: argparse.Namespace, data_dir: Path) -> None:
    rng = random.Random(args.seed)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    auth = client_auth(Settings(data_dir=data_dir))
    assert auth is not None, f"no credentials under {data_dir}"
    async with aiohttp.ClientSession(connector=connector, middlewares=[client_middleware(auth)]) as http:
        dice = await reference_game(http, url, "dice")
        mines = await reference_game(http, url, "mines")
        limit = asyncio.Semaphore(args.concurrency)
        body = {"currency": "USD", "balance": 2**53 - 1}

        async def player(_: int) -> dict[str, Any]:
            async with limit:
                return await post(http, f"{url}/wallet/sandbox/players", body, 201)

        players = await asyncio.gather(*(player(i) for i in range(args.players)))
        show(f"{args.players:,} players", pid)
        tokens: list[str] = []

        async def session(i: int) -> None:
            p = players[i % len(players)]
            game = mines if i % 10 == 0 else dice
            launch = {"player_id": p["player_id"], "token": p["token"], "game_id": game, "currency": "USD"}
            async with limit:
                token = (await post(http, f"{url}/v1/sessions", launch, 201))["session_token"]
                if game == mines:  # the player opens a round and closes the tab: it stays open
                    await post(http, f"{url}/play/{token}/rounds", {"amount": 100, "params": {"mines": 3}}, 200)
                else:
                    tokens.append(token)

        started = time.monotonic()
        step = max(1, args.sessions // 5)
        for first in range(0, args.sessions, step):
            await asyncio.gather(*(session(i) for i in range(first, min(args.sessions, first + step))))
            show(f"{min(args.sessions, first + step):,} open sessions", pid)
        rate = args.sessions / (time.monotonic() - started)
        print(f"  ({rate:.0f} launches/s)", flush=True)

        async def round_(_: int) -> None:
            async with limit:
                token = rng.choice(tokens)
                await post(http, f"{url}/play/{token}/rounds", {"amount": 100, "params": {}}, 200)

        half = args.rounds // 2
        await asyncio.gather(*(round_(i) for i in range(half)))
        before = show(f"+ {half:,} rounds", pid)
        await asyncio.gather(*(round_(i) for i in range(half, args.rounds)))
        after = show(f"+ {args.rounds - half:,} more rounds", pid)
        growth = (after - before) / before
        print(f"growth over the second half: {growth:+.1%} (bound: +5%)")
        peak = status(pid)["VmHWM"]
        verdict = "within" if peak <= BUDGET_MB else "OVER"
        print(f"peak {peak:.0f} MB with {args.sessions:,} sessions: {verdict} the budget of {BUDGET_MB:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100_000, help="open game sessions (default 100,000)")
    parser.add_argument("--players", type=int, default=2_000, help="sandbox players they belong to (default 2,000)")
    parser.add_argument("--rounds", type=int, default=20_000, help="rounds played afterwards (default 20,000)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--database-url", help="PostgreSQL URL instead of the SQLite default (a fresh schema is used)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="memory-bench-")))
        database_url = stack.enter_context(postgres_schema(args.database_url)) if args.database_url else None
        proc, url = stack.enter_context(server(work, database_url))
        show("started", proc.pid)
        asyncio.run(load(url, proc.pid, args, work / "data"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

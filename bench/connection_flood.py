"""A signed launch and a round while a flood of idle connections holds the server's connection cap.

    python bench/connection_flood.py                              # 5,000 idle connections from 127.0.0.2 .. 127.0.0.21
    python bench/connection_flood.py --connections 8000 --addresses 40 --trials 10

It starts ``casino-sim serve`` on a temporary data directory with the default limits (``max_connections`` 4096,
``max_connections_per_client`` 1024) but a ``header_timeout`` of ``--header-timeout`` seconds (60; the default 10 cuts
a silent connection before a flood from one machine has opened them all, which hides the cap). It opens
``--connections`` TCP connections that never send a byte, spread over ``--addresses`` loopback addresses from 127.0.0.2
on (so the flood looks like many clients), and reopens every one the server closes for as long as the run lasts, as a
flood that means it would. From 127.0.0.1 it then plays ``--trials`` times, each on new connections: a health check, a
sandbox player (admin token), a signed launch and one dice round. It does so first without the flood and then under
it, and prints the connections held (the client's and the server's count of open sockets), the flood's reopenings and
the 503 refusals it met, and the time of launch plus round in both cases. It exits 1 if any call fails. Only
127.0.0.0/8 is ever a target or a source.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from round_throughput import ADMIN_TOKEN, AUTH_ENV, OPERATOR, ROUND_BODY, casino_sim, reference_game, running

from simulator.auth.client import ClientAuth, client_middleware

FD_SLACK = 512  # the bench's own files and sockets besides the flood, and the server's, which inherits the limit


@dataclass
class Flood:
    """Counts of the flood's connections, as the client sees them."""

    held: int = 0
    opened: int = 0
    refused: int = 0  # 503 replies from a server that had nothing idle to close
    failed: int = 0  # connects that did not complete (the listen backlog full, a reset)


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SystemExit(f"the open-file limit is {hard} (hard); this run needs {needed}: raise it, or flood less")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        soft = needed
    return int(soft)


def server_sockets(pid: int) -> int:
    """Sockets the server process holds open (its listener and a few database files aside, its connections)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd).startswith("socket:")
    return count


async def hold(port: int, source: str, flood: Flood, stop: asyncio.Event, opening: asyncio.Semaphore) -> None:
    """One idle connection from ``source``, reopened whenever the server closes it, until ``stop``."""
    while not stop.is_set():
        try:
            async with opening:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        except OSError:
            flood.failed += 1
            await asyncio.sleep(0.05)
            continue
        flood.opened += 1
        flood.held += 1
        try:
            closing = asyncio.create_task(reader.read(64))
            stopped = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({closing, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if closing in done and closing.result().startswith(b"HTTP/1.1 503"):
                flood.refused += 1
            for task in (closing, stopped):
                task.cancel()
        except OSError:
            pass
        finally:
            flood.held -= 1
            writer.close()


@contextlib.asynccontextmanager
async def flooding(port: int, connections: int, addresses: int) -> AsyncIterator[Flood]:
    flood, stop, opening = Flood(), asyncio.Event(), asyncio.Semaphore(256)
    sources = [f"127.0.0.{2 + i % addresses}" for i in range(connections)]
    tasks = [asyncio.create_task(hold(port, source, flood, stop, opening)) for source in sources]
    try:
        yield flood
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def play_once(base: str, game: str) -> float:
    """Health, a sandbox player, a signed launch and a round on new connections from 127.0.0.1; seconds taken by the
    launch and the round."""
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.1", 0), force_close=True)
    timeout = aiohttp.ClientTimeout(total=60)
    middleware = client_middleware(ClientAuth(OPERATOR, ADMIN_TOKEN))
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, middlewares=[middleware]) as http:
        await expect(http, "GET", f"{base}/healthz", None, 200)
        body = {"currency": "USD", "balance": 1_000_000}
        player = await expect(http, "POST", f"{base}/wallet/sandbox/players", body, 201)
        started = time.perf_counter()
        launch = {"player_id": player["player_id"], "token": player["token"], "currency": "USD", "game_id": game}
        session = await expect(http, "POST", f"{base}/v1/sessions", launch, 201)
        round_ = await expect(http, "POST", f"{base}/play/{session['session_token']}/rounds", ROUND_BODY, 200)
        elapsed = time.perf_counter() - started
    if round_.get("amount") != ROUND_BODY["amount"] or round_.get("status") != "closed":
        raise RuntimeError(f"unexpected round: {round_}")
    return elapsed


async def expect(http: aiohttp.ClientSession, method: str, url: str, body: Any, status: int) -> dict[str, Any]:
    async with http.request(method, url, json=body) as response:
        data: dict[str, Any] = await response.json(content_type=None)
        if response.status != status:
            raise RuntimeError(f"{method} {url}: HTTP {response.status} {data}")
        return data


async def trials(base: str, game: str, count: int) -> tuple[list[float], list[str]]:
    times, failures = [], []
    for _ in range(count):
        try:
            times.append(await play_once(base, game))
        except (RuntimeError, aiohttp.ClientError, TimeoutError) as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
    return times, failures


def describe(times: list[float]) -> str:
    if not times:
        return "none succeeded"
    return f"median {statistics.median(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms   ({len(times)} ok)"


async def run(args: argparse.Namespace, base: str, pid: int) -> int:
    port = int(base.rsplit(":", 1)[1])
    middleware = client_middleware(ClientAuth(OPERATOR, ADMIN_TOKEN))
    async with aiohttp.ClientSession(middlewares=[middleware]) as http:
        game = await reference_game(http, base, "dice")
    quiet, quiet_failures = await trials(base, game, args.trials)
    print(f"without the flood   launch + round: {describe(quiet)}", flush=True)

    async with flooding(port, args.connections, args.addresses) as flood:
        async with asyncio.timeout(args.settle):  # until the flood holds what it can
            while flood.opened < args.connections:  # noqa: ASYNC110 - polling counters the flood tasks move
                await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        before = (flood.held, server_sockets(pid))
        loud, loud_failures = await trials(base, game, args.trials)
        after = (flood.held, server_sockets(pid))
        print(
            f"under the flood     launch + round: {describe(loud)}\n"
            f"flood: {args.connections} connections from {args.addresses} addresses; held open {before[0]} before"
            f" and {after[0]} after the trials (server sockets {before[1]}, {after[1]}); {flood.opened} opened,"
            f" {flood.opened - args.connections} of them reopenings, {flood.refused} refused with 503,"
            f" {flood.failed} connects failed",
            flush=True,
        )
    for failure in quiet_failures + loud_failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if loud_failures or quiet_failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--connections", type=int, default=5000, help="idle connections to hold (default 5000)")
    parser.add_argument("--addresses", type=int, default=20, help="loopback source addresses, 127.0.0.2 on (max 250)")
    parser.add_argument("--trials", type=int, default=5, help="launch + round runs, with and without (default 5)")
    parser.add_argument("--header-timeout", type=float, default=60.0, help="the server's header_timeout (default 60)")
    parser.add_argument("--settle", type=float, default=120.0, help="seconds allowed to open the flood")
    args = parser.parse_args()
    if not 1 <= args.addresses <= 250:
        parser.error("--addresses must be 1 to 250 (127.0.0.2 to 127.0.0.251)")
    limit = raise_fd_limit(args.connections * 2 + FD_SLACK)  # the flood's sockets here and the server's
    print(f"open-file limit {limit}", flush=True)
    with tempfile.TemporaryDirectory(prefix="casino-sim-flood-") as tmp:
        work = Path(tmp)
        argv = casino_sim("serve", "--port", "0", "--data-dir", str(work / "data"))
        env = AUTH_ENV | {"CASINO_SIM_HEADER_TIMEOUT": str(args.header_timeout)}
        with running(argv, work / "server.log", cpus=None, env=env) as server:
            return asyncio.run(run(args, server.url, server.proc.pid))


if __name__ == "__main__":
    sys.exit(main())

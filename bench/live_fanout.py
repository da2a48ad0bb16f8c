"""One live table, thousands of players: how long a result takes to reach the last socket, how fast the payout burst
goes through the wallet, and how much memory the sockets take, against a bare aiohttp broadcast in the same run.

    python bench/live_fanout.py                  # 5,000 players, 3 rounds
    python bench/live_fanout.py --players 500 --rounds 2
    python bench/live_fanout.py --show-collections   # and every garbage collection over 5 ms, in either process

The simulator (embedded reference wallet, SQLite, this process, start-up frozen out of the collector's way as
``serve`` does) holds every socket; the players are a second process that opens the sockets (picows ones, see
``players_main``), bets once in every round's window (each at a random moment of its first ten seconds) and records
when each result arrives. The table's clock is a manual one moved by this script, so a round takes only as long as its
work: every bet is answered (the script waits for all of them), no more bets, a second of draw, then the result is
drawn and published and the burst of wins is sent. Printed:

- result -> client: from the moment the table publishes the result to each socket receiving it, p50 and p99 over all
  sockets and rounds, and the last socket; and how long the server took to write it to every socket;
- the payout burst: wins acknowledged per second, from the result to the last win;
- resident memory of this process with every socket connected, and what the sockets added;
- the same result message written by a bare aiohttp WebSocket server to as many sockets of the same players' process
  (the floor: one ``send_str`` after another, collection held off as the hub does), and the ratio live / bare.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import picows
from aiohttp import web

from simulator.app import create_app
from simulator.auth.client import ClientAuth, client_middleware
from simulator.auth.keys import load_auth_keys
from simulator.clock import ManualClock
from simulator.commands.serve import bind
from simulator.listener import freeze_start_up, make_runner, start_site
from simulator.live.bus import LocalBus
from simulator.settings import Settings
from simulator.state import LIVE, LIVE_HUB, STORE

START = 10_000_000
SPREAD = 10.0  # seconds over which the players place their bets once a round opens
BET = b'{"type":"place_bet","bets":[{"type":"banker","amount":100}]}'
DRAW = 1.0  # seconds of the draw this script waits for, of the table's own (its clock is moved at once)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


class TimedBus(LocalBus):
    """The in-process bus, noting when each result and each settled round is published."""

    def __init__(self, handler: Any) -> None:
        super().__init__(handler)
        self.results: list[float] = []
        self.written: list[float] = []  # seconds from publishing the result to its last socket write
        self.settled: list[float] = []

    async def publish(self, event: dict[str, Any]) -> None:
        if event["type"] == "result":
            self.results.append(time.time())
        await super().publish(event)
        if event["type"] == "result":
            self.written.append(time.time() - self.results[-1])
        if event["type"] == "settled":
            self.settled.append(time.time())


# the players' process


async def players_main() -> None:
    """Reads {urls, rounds, bet}; opens every socket, says "ready", bets on each round opened, and prints the arrival
    time of every result on every socket as JSON once each socket has seen ``rounds`` results.

    The sockets are picows ones, whose frames reach a callback without a coroutine or a queue per message: one process
    stands for thousands of players' devices, so what it spends on each message would otherwise be counted as the
    server's delay."""
    job = json.loads(sys.stdin.readline())
    rounds, bet, urls = job["rounds"], job["bet"], job["urls"]
    loop = asyncio.get_running_loop()
    arrivals: list[list[float]] = [[] for _ in urls]
    done = asyncio.Event()
    finished = 0

    class Player(picows.WSListener):
        def __init__(self, n: int) -> None:
            self.n = n

        def on_ws_frame(self, transport: picows.WSTransport, frame: picows.WSFrame) -> None:
            nonlocal finished
            if frame.msg_type != picows.WSMsgType.TEXT:
                return
            kind = orjson.loads(frame.get_payload_as_bytes())["type"] if bet else "result"
            if kind == "result":
                arrivals[self.n].append(time.time())
                if len(arrivals[self.n]) == rounds:
                    finished += 1
                    if finished == len(urls):
                        done.set()
            elif kind == "round_opened":  # players bet through the window, not all in the same millisecond
                loop.call_later(random.uniform(0, SPREAD), transport.send, picows.WSMsgType.TEXT, BET)

    sockets = []
    for start in range(0, len(urls), 200):
        batch = enumerate(urls[start : start + 200], start)
        sockets += await asyncio.gather(*(picows.ws_connect(functools.partial(Player, n), u) for n, u in batch))
    # the sockets live as long as the run: out of the collector's way, as 5,000 players' devices would not share
    # one process's full collections
    gc.collect()
    gc.freeze()
    print("ready", flush=True)
    await done.wait()
    print(json.dumps(arrivals), flush=True)
    for transport, _ in sockets:
        transport.send_close(picows.WSCloseCode.OK)
        transport.disconnect()


# the server side


SHOW_COLLECTIONS = "--show-collections"


def show_collections(process: str) -> None:
    """Print, on stderr, every garbage collection of this process that takes over 5 ms (where a broadcast's tail
    goes when one falls inside it)."""
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif (took := (time.perf_counter() - started[0]) * 1000) > 5:
            print(f"  [{process}: generation {info['generation']} collection, {took:.0f} ms]", file=sys.stderr)

    gc.callbacks.append(watch)


async def start_players(urls: list[str], rounds: int, *, bet: bool) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--as-players",
        *([SHOW_COLLECTIONS] if SHOW_COLLECTIONS in sys.argv else []),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 26,  # the arrivals come back as one JSON line: 5,000 sockets x rounds of timestamps
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps({"urls": urls, "rounds": rounds, "bet": bet}).encode() + b"\n")
    await proc.stdin.drain()
    line = await proc.stdout.readline()
    assert line.strip() == b"ready", line
    return proc


async def arrivals_of(proc: asyncio.subprocess.Process) -> list[list[float]]:
    assert proc.stdout is not None
    line = await proc.stdout.readline()
    await asyncio.wait_for(proc.wait(), 30)
    data: list[list[float]] = json.loads(line)
    return data


async def live_run(players: int, rounds: int, workdir: Path) -> dict[str, Any]:
    settings = Settings(
        data_dir=workdir,
        port=0,
        max_connections=4 * players + 100,
        max_connections_per_client=4 * players + 100,
        rate_limit=0,
        header_timeout=600,  # thousands of sockets open at once on a busy machine
        log_level="WARNING",
    )
    sock = bind("127.0.0.1", 0)
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    clock = ManualClock(time.time())
    app = create_app(settings, clock=clock, live_loops=False)
    runner = make_runner(app, settings)
    await runner.setup()
    await start_site(runner, sock, settings)
    freeze_start_up()  # as serve does
    url = settings.bind_url
    keys = load_auth_keys(settings)
    auth = ClientAuth(keys.first_key(), keys.admin_token, clock)
    tables = app[LIVE]
    bus = TimedBus(app[LIVE_HUB].handle)
    tables.bus = app[LIVE_HUB].bus = bus
    try:
        async with aiohttp.ClientSession(middlewares=[client_middleware(auth)]) as http:
            async with http.get(f"{url}/v1/games?engine=live-baccarat&limit=500") as r:
                game = next(g["game_id"] for g in (await r.json())["games"] if g["reference"])
            gate = asyncio.Semaphore(32)

            async def launch() -> str:
                async with gate:
                    body = {"currency": "USD", "balance": START}
                    async with http.post(f"{url}/wallet/sandbox/players", json=body) as r:
                        player = await r.json()
                    body = {"player_id": player["player_id"], "game_id": game, "currency": "USD"}
                    async with http.post(f"{url}/v1/sessions", json=body | {"token": player["token"]}) as r:
                        return str((await r.json())["websocket_url"])

            began = time.perf_counter()
            urls = await asyncio.gather(*(launch() for _ in range(players)))
            print(f"  {players} players launched in {time.perf_counter() - began:.1f}s", flush=True)
        before = rss_mb()
        proc = await start_players(urls, rounds, bet=True)
        with_sockets = rss_mb()
        store, burst = app[STORE], []
        for _ in range(rounds):
            await tables.tick(game)
            opened = await tables.current(game)
            assert opened is not None
            deadline = time.monotonic() + 120
            while True:  # every player's bet answered by the wallet (debited, or rolled back when it timed out)
                async with store.db.transaction() as tx:
                    row = await tx.fetchone(
                        "SELECT COUNT(*) AS n, SUM(t.status = 'pending') AS pending FROM transactions t"
                        " JOIN rounds r ON r.round_id = t.round_id WHERE r.nonce = ? AND t.kind = 'bet'",
                        opened.round_no,
                    )
                done = row is not None and row["n"] >= players and not row["pending"]
                if done or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            clock.advance(tables.timing.betting)
            await tables.tick(game)
            # the draw takes seconds at a real table (the ball spins): the players take in "no more bets" before the
            # result comes, rather than both arriving in one burst
            await asyncio.sleep(DRAW)
            clock.advance(tables.timing.draw)
            sent = tables.wins_sent
            await tables.tick(game)
            wins = tables.wins_sent - sent
            burst.append(wins / (bus.settled[-1] - bus.results[-1]))
            clock.advance(tables.timing.pause)
        arrivals = await arrivals_of(proc)
        latencies = [(a[r] - bus.results[r]) * 1000 for a in arrivals for r in range(rounds)]
        last = [max(a[r] for a in arrivals) - bus.results[r] for r in range(rounds)]
        assert opened is not None  # the last round played: its result message is the one measured
        return {
            "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99),
            "last": statistics.median(last) * 1000,
            "written": statistics.median(bus.written) * 1000,
            "wins_per_s": statistics.median(burst),
            "rss": with_sockets,
            "rss_sockets": with_sockets - before,
            "message": json.dumps({"type": "result", "round_id": opened.round_id, "result": opened.result}),
        }
    finally:
        await runner.cleanup()


async def bare_run(players: int, rounds: int, message: str) -> dict[str, Any]:
    sockets: set[web.WebSocketResponse] = set()
    everyone = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sockets.add(ws)
        if len(sockets) >= players:
            everyone.set()
        async for _ in ws:
            pass
        sockets.discard(ws)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = bind("127.0.0.1", 0)
    await web.SockSite(runner, sock).start()
    url = f"ws://127.0.0.1:{sock.getsockname()[1]}/ws"
    try:
        proc = await start_players([url] * players, rounds, bet=False)
        await asyncio.wait_for(everyone.wait(), 120)
        sent, written = [], []
        for _ in range(rounds):
            await asyncio.sleep(0.5)
            sent.append(time.time())
            gc.disable()
            for ws in list(sockets):
                await ws.send_str(message)
            gc.enable()
            written.append(time.time() - sent[-1])
        arrivals = await arrivals_of(proc)
        latencies = [(a[r] - sent[r]) * 1000 for a in arrivals for r in range(rounds)]
        last = [max(a[r] for a in arrivals) - sent[r] for r in range(rounds)]
        return {
            "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99),
            "last": statistics.median(last) * 1000,
            "written": statistics.median(written) * 1000,
        }
    finally:
        await runner.cleanup()


async def main(players: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        live = await live_run(players, rounds, Path(workdir))
    bare = await bare_run(players, rounds, live["message"])
    print(f"live table, {players} sockets, {rounds} rounds (median over rounds for the last socket and the burst)")
    print(f"  result -> client   p50 {live['p50']:.1f} ms  p99 {live['p99']:.1f} ms  last {live['last']:.1f} ms")
    print(f"  server wrote it    to every socket in {live['written']:.1f} ms")
    print(f"  payout burst       {live['wins_per_s']:.0f} wins acknowledged per second")
    print(f"  resident memory    {live['rss']:.0f} MB ({live['rss_sockets']:.0f} MB for the sockets)")
    print(f"bare aiohttp server writing the same message to {players} sockets")
    print(f"  server -> client   p50 {bare['p50']:.1f} ms  p99 {bare['p99']:.1f} ms  last {bare['last']:.1f} ms")
    print(f"  server wrote it    to every socket in {bare['written']:.1f} ms")
    print(f"ratio live / bare    p50 {live['p50'] / bare['p50']:.2f}  p99 {live['p99'] / bare['p99']:.2f}")


if __name__ == "__main__":
    if "--as-players" in sys.argv:
        if SHOW_COLLECTIONS in sys.argv:
            show_collections("players")
        asyncio.run(players_main())
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(SHOW_COLLECTIONS, action="store_true", help="print every collection over 5 ms")
    args = parser.parse_args()
    if args.show_collections:
        show_collections("simulator")
    asyncio.run(main(args.players, args.rounds))

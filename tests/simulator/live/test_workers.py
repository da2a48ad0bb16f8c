"""One ``casino-sim serve --workers 2`` on PostgreSQL serves one live table: the kernel spreads the players' sockets
over both worker processes (SO_REUSEPORT), one process holds the table's clock, the other hears its events through
LISTEN/NOTIFY, and every player, on either process, sees the same round ids, numbers and results (and the same bet
wins the same). Which process serves a socket is read from /proc: the worker holding the server side of the
connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.databases import postgres_schema
from tests.fakes.load import create_players, game_for
from tests.fakes.processes import SimProcess, auth_session
from tests.simulator.live.test_live_crash import launch_live
from tests.simulator.live.test_two_processes import ENV, ROUNDS, watch

MAX_SOCKETS = 24  # connected until both workers hold some: all on one worker is 2 ** (1 - n) likely per attempt
MIN_SOCKETS = 6


def workers_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def connections(server_port: int) -> dict[int, int]:
    """Client port -> socket inode of the server's side of each TCP connection to ``server_port`` (from /proc)."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port, remote_port = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
            if local_port == server_port and remote_port:
                found[remote_port] = int(fields[9])
    return found


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def serving_process(workers: list[int], server_port: int, sockets: list[aiohttp.ClientWebSocketResponse]) -> list[int]:
    """The worker process that holds the server side of each socket."""
    inodes = connections(server_port)
    held = {pid: socket_inodes(pid) for pid in workers}
    owners = []
    for ws in sockets:
        inode = inodes[ws.get_extra_info("sockname")[1]]
        owners.append(next(pid for pid, mine in held.items() if inode in mine))
    return owners


@pytest.mark.postgres
@pytest.mark.slow
async def test_players_on_both_workers_see_the_same_rounds_and_results(tmp_path: Path) -> None:
    async with postgres_schema() as pg_url:
        args = ["--workers", "2", "--data-dir", str(tmp_path / "sim"), "--database-url", pg_url]
        server = SimProcess(args, ENV, tmp_path / "sim.log")
        await server.start()
        try:
            workers = workers_of(server.pid)
            assert len(workers) == 2
            port = int(server.url.rsplit(":", 1)[1])
            async with auth_session() as http, aiohttp.ClientSession() as plain:
                game = await game_for(http, server.url, "live-roulette-european")
                players = await create_players(http, f"{server.url}/wallet", MAX_SOCKETS, 100_000)
                sockets: list[aiohttp.ClientWebSocketResponse] = []
                for player in players:
                    launch = await launch_live(http, server.url, player, game)
                    sockets.append(await plain.ws_connect(launch["websocket_url"]))
                    owners = serving_process(workers, port, sockets)
                    if len(sockets) >= MIN_SOCKETS and set(owners) == set(workers):
                        break
                assert set(owners) == set(workers), f"all {len(sockets)} sockets on one worker: {owners}"
                seen = await asyncio.gather(*(watch(ws) for ws in sockets))
        finally:
            await server.stop()
    by_round: dict[str, set[tuple[int, str, int]]] = {}
    for rounds in seen:
        for round_id, round_no, result, win in rounds:
            by_round.setdefault(round_id, set()).add((round_no, repr(result), win))
    assert all(len(views) == 1 for views in by_round.values()), "one number, one result, one win for the same bet"
    everyone = set.intersection(*({r[0] for r in rounds} for rounds in seen))
    assert len(everyone) >= ROUNDS - 1, "the players on both workers watched the same rounds"
    numbers = sorted(next(iter(by_round[round_id]))[0] for round_id in everyone)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "one sequence of rounds, none skipped"

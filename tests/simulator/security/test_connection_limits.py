"""Connection limits per client address and per listener, with a handful of connections and small limits: idle
connections make room (the least recently used of the address that holds the most), busy ones never do, and only when
nothing is idle is a newcomer refused with a 503. A bare aiohttp app behind the real listener; every wait is for a
state of the listener, never for time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from simulator.commands.serve import bind
from simulator.listener import GuardedSite, make_runner, start_site
from simulator.settings import Settings

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
HALF_A_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"  # headers begun, not ended: a request in hand


class Listener:
    def __init__(self, site: GuardedSite, port: int) -> None:
        self.site = site
        self.port = port
        self.clients: list[asyncio.StreamWriter] = []

    async def connect(self, source: str) -> Conn:
        """A connection from the loopback address ``source``, once the listener has counted or refused it."""
        seen = self.site.open_connections + self.site.evicted_connections
        conn = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(source, 0))
        self.clients.append(conn[1])
        await until(lambda: self.site.open_connections + self.site.evicted_connections > seen or refused(conn))
        return conn


def refused(conn: Conn) -> bool:
    return len(conn[0]._buffer) > 0 or conn[0].at_eof()  # type: ignore[attr-defined]  # a reply before any request


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):  # a guard against a hang, not a measurement
        while not condition():  # noqa: ASYNC110 - the listener runs in this loop: a pass lets it move
            await asyncio.sleep(0)


@asynccontextmanager
async def listening(tmp_path: Path, **limits: int) -> AsyncIterator[Listener]:
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/healthz", health)
    sock = bind("127.0.0.1", 0)
    options: dict[str, Any] = {"data_dir": tmp_path / "data", "port": sock.getsockname()[1], "header_timeout": 60}
    settings = Settings(**(options | limits))
    runner = make_runner(app, settings)
    await runner.setup()
    site = await start_site(runner, sock, settings)
    listener = Listener(site, settings.port)
    try:
        yield listener
    finally:
        for writer in listener.clients:
            writer.close()
        await runner.cleanup()


async def reply(conn: Conn) -> tuple[int, dict[str, object]]:
    reader = conn[0]
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return int(head.split()[1]), json.loads(await reader.readexactly(length))


async def get(conn: Conn) -> int:
    conn[1].write(REQUEST)
    status, _ = await reply(conn)
    return status


async def closed(conn: Conn) -> bool:
    return await asyncio.wait_for(conn[0].read(), 10) == b""


async def test_an_address_at_its_limit_closes_its_least_recently_used_idle_connection(tmp_path: Path) -> None:
    async with listening(tmp_path, max_connections_per_client=2) as server:
        used = await server.connect("127.0.0.2")
        silent = await server.connect("127.0.0.2")
        assert await get(used) == 200  # now the most recently used; the silent one is the least
        newcomer = await server.connect("127.0.0.2")
        assert await closed(silent)
        assert await get(newcomer) == 200 and await get(used) == 200
        assert (server.site.open_connections, server.site.evicted_connections) == (2, 1)


async def test_an_address_whose_connections_are_all_busy_is_refused_and_other_addresses_are_not(
    tmp_path: Path,
) -> None:
    async with listening(tmp_path, max_connections_per_client=2) as server:
        busy = [await server.connect("127.0.0.2") for _ in range(2)]
        for _, writer in busy:
            writer.write(HALF_A_REQUEST)
        await until(lambda: server.site.idle_connections == 0)
        status, body = await reply(await server.connect("127.0.0.2"))
        assert status == 503 and body["error"] == {
            "code": "TOO_MANY_CONNECTIONS",
            "message": "this client address has 2 connections open; retry shortly",
        }
        assert await get(await server.connect("127.0.0.3")) == 200
        for conn in busy:  # untouched: their requests complete
            conn[1].write(b"\r\n")
            assert (await reply(conn))[0] == 200
        assert server.site.evicted_connections == 0


async def test_at_the_cap_the_address_holding_the_most_gives_up_an_idle_connection(tmp_path: Path) -> None:
    async with listening(tmp_path, max_connections=4) as server:
        flood = [await server.connect("127.0.0.2") for _ in range(3)]
        other = await server.connect("127.0.0.3")
        assert server.site.open_connections == 4
        newcomer = await server.connect("127.0.0.1")
        assert await get(newcomer) == 200
        assert await closed(flood[0])  # the oldest of the heaviest address
        assert await get(other) == 200 and await get(flood[1]) == 200 and await get(flood[2]) == 200
        assert (server.site.open_connections, server.site.evicted_connections) == (4, 1)


async def test_at_the_cap_with_every_connection_busy_a_newcomer_is_refused_until_one_is_idle(tmp_path: Path) -> None:
    async with listening(tmp_path, max_connections=2) as server:
        busy = [await server.connect(source) for source in ("127.0.0.2", "127.0.0.3")]
        for _, writer in busy:
            writer.write(HALF_A_REQUEST)
        await until(lambda: server.site.idle_connections == 0)
        status, body = await reply(await server.connect("127.0.0.1"))
        assert status == 503 and body["error"] == {
            "code": "TOO_MANY_CONNECTIONS",
            "message": "the server has 2 connections open; retry shortly",
        }
        busy[0][1].write(b"\r\n")  # its request completes and the connection is kept alive, idle
        assert (await reply(busy[0]))[0] == 200
        await until(lambda: server.site.idle_connections == 1)
        assert await get(await server.connect("127.0.0.1")) == 200
        assert await closed(busy[0])
        busy[1][1].write(b"\r\n")
        assert (await reply(busy[1]))[0] == 200

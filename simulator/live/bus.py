"""How a table's events reach every process's sockets: in one process, straight to the handler; with several
processes on PostgreSQL, through its LISTEN/NOTIFY (one listening connection per process, asyncpg's
``add_listener``). The process that holds a table's clock publishes; every process, itself included, hears the event
and pushes it to its own sockets. Events are small (a result, never a list of players), well under NOTIFY's limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from simulator.jsonbytes import dumps, loads

log = logging.getLogger("casino_sim.live")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
CHANNEL = "casino_sim_live"


class Bus(Protocol):
    async def publish(self, event: dict[str, Any]) -> None: ...

    async def close(self) -> None: ...


class LocalBus:
    """One process: an event is handled as it is published."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    async def publish(self, event: dict[str, Any]) -> None:
        await self._handler(event)

    async def close(self) -> None:
        return None


class PostgresBus:
    """Events through PostgreSQL NOTIFY on one channel; each process listens on its own connection and hands every
    event, in the order the server delivers them, to ``handler`` (one at a time)."""

    def __init__(self, listen: Any, send: Any, handler: Handler, channel: str = CHANNEL) -> None:
        self.channel = channel
        self._listen = listen
        self._send = send
        self._handler = handler
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._task = asyncio.create_task(self._drain())

    @classmethod
    async def connect(cls, url: str, handler: Handler) -> PostgresBus:
        import asyncpg

        listen = await asyncpg.connect(url)
        send = await asyncpg.connect(url)
        # channels are per database, not per schema: processes on another schema of the same database are other
        # simulators and must not hear these events
        schema = await listen.fetchval("SELECT current_schema()")
        bus = cls(listen, send, handler, f"{CHANNEL}_{schema}")
        await listen.add_listener(bus.channel, bus._heard)
        return bus

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._queue.put_nowait(payload.encode())

    async def _drain(self) -> None:
        while True:
            payload = await self._queue.get()
            try:
                await self._handler(loads(payload))
            except Exception:
                log.exception("a live event could not be handled")

    async def publish(self, event: dict[str, Any]) -> None:
        await self._send.execute("SELECT pg_notify($1, $2)", self.channel, dumps(event).decode())

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._listen.close()
        await self._send.close()

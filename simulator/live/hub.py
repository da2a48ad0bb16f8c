"""This process's live sockets, by table, and what each bus event becomes on them.

A table event is encoded once and written to every socket at the table; the settlement of a round is read from the
store for the players connected here (one query per table round) and sent to each player alone. The player count is
the sum of what every process reports for the table (each process publishes its own count when it changes); it is
sent at most once a second, so thousands of players joining at once do not make millions of messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from simulator.faults.inbound import abort_transport
from simulator.faults.sockets import DROPPED, SocketFaults
from simulator.jsonbytes import dumps
from simulator.lifecycle import RoundStatus
from simulator.live.bus import Bus
from simulator.live.phases import Phase
from simulator.live.tables import LiveTables
from simulator.store.records import Session

log = logging.getLogger("casino_sim.live")
COUNT_EVERY = 1.0  # seconds between two player counts sent to a table
BACKLOG = 16 * 1024  # bytes unsent to a socket past which its messages are written in the background
SETTLED = (RoundStatus.SETTLING, RoundStatus.CLOSED)  # a player's bet whose result is known and its win queued


@dataclass(eq=False)
class Player:
    """One socket at one table. Every message to it goes through the socket fault rules when there are any
    (``faults``); a message they hold back keeps the ones after it waiting (one connection keeps its order)."""

    ws: web.WebSocketResponse
    session: Session
    table_id: str
    tokens: float = 0.0
    refilled: float = 0.0
    sent: int = 0
    settled: set[str] = field(default_factory=set)  # bets whose settlement this socket was sent
    faults: SocketFaults | None = None
    transport: asyncio.Transport | None = None  # the connection under the socket, for a reset
    dropped: bool = False
    _late: asyncio.Task[None] | None = None  # the last message held back, still to be written
    _closing: asyncio.Task[bool] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        await self.deliver(message["type"], dumps(message).decode(), round_of(message))

    async def deliver(self, kind: str, text: str, round_id: str | None = None) -> None:
        if self.faults is not None and (firing := self.faults.select(kind, self.session, round_id)) is not None:
            await self.faults.apply(firing, self, text)
        else:
            await self.write(text)

    async def write(self, text: str) -> None:
        """Write now when the peer keeps up (a write then finishes without suspending); behind what is held back,
        or when the peer has not read what it was sent, in the background in order, so that a table's broadcast
        never waits for one socket."""
        if (self._late is not None and not self._late.done()) or self._backed_up():
            self.write_later(None, text)
            return
        await self._write(text)

    def _backed_up(self) -> bool:
        return self.transport is not None and self.transport.get_write_buffer_size() > BACKLOG

    def write_later(self, wait: Callable[[], Awaitable[None]] | None, text: str) -> None:
        before = self._late

        async def late() -> None:
            if wait is not None:
                await wait()
            if before is not None:
                await before
            await self._write(text)

        self._late = asyncio.create_task(late())

    def drop(self, *, reset: bool) -> None:
        self.dropped = True
        if reset:
            abort_transport(self.transport, reset=True)
        else:  # the closing handshake waits for the peer: in the background, not in the table's broadcast
            self._closing = asyncio.create_task(self.ws.close(code=DROPPED, message=b"dropped by a fault rule"))

    def stop(self) -> None:
        """The socket is gone: what is still held back for it is never written."""
        if self._late is not None:
            self._late.cancel()

    async def _write(self, text: str) -> None:
        if self.ws.closed or self.dropped:
            return
        try:
            await self.ws.send_str(text)
            self.sent += 1
        except (ConnectionError, RuntimeError):  # the peer went away mid-write: its handler cleans up
            pass


class _Deferral:
    depth = 0  # writings under way
    resume = False  # whether collection was on when the first of them began


@contextlib.contextmanager
def collection_deferred() -> Iterator[None]:
    """No cyclic garbage collection while a table's sockets are written: a full collection walks every object of
    every connection (80 to 400 ms with 5,000 sockets: bench/live_fanout.py --show-collections) and, falling inside a
    broadcast, holds back every socket after it. Collection resumes as the last writing ends, as it was before."""
    if _Deferral.depth == 0:
        _Deferral.resume = gc.isenabled()
        gc.disable()
    _Deferral.depth += 1
    try:
        yield
    finally:
        _Deferral.depth -= 1
        if _Deferral.depth == 0 and _Deferral.resume:
            gc.enable()


def round_of(message: dict[str, Any]) -> str | None:
    """The table round a message is about, for rules counted per round."""
    round_id = message.get("round_id")
    if round_id is None and isinstance(message.get("round"), dict):
        round_id = message["round"].get("round_id")
    return round_id if isinstance(round_id, str) else None


class Hub:
    def __init__(self, tables: LiveTables) -> None:
        self._tables = tables
        self._players: dict[str, set[Player]] = {}
        self._counts: dict[str, dict[str, int]] = {}  # table -> process -> sockets there
        self._counting: dict[str, asyncio.TimerHandle] = {}  # tables whose player count is due to be sent
        self._sending: set[asyncio.Task[None]] = set()
        self.bus: Bus | None = None

    def at(self, table_id: str) -> set[Player]:
        return self._players.get(table_id, set())

    def players(self, table_id: str) -> int:
        counts = self._counts.get(table_id, {})
        return sum(counts.values()) if counts else len(self.at(table_id))

    def join(self, player: Player) -> None:
        """Count the socket in for the table's events (before its state is read, so none is missed in between)."""
        self._players.setdefault(player.table_id, set()).add(player)

    async def leave(self, player: Player) -> None:
        player.stop()
        at = self._players.get(player.table_id)
        if at is not None:
            at.discard(player)
        await self.presence(player.table_id)

    async def presence(self, table_id: str) -> None:
        """Tell every process how many sockets this one has at the table."""
        event = {
            "type": "presence",
            "table_id": table_id,
            "process": self._tables.owner,
            "players": len(self.at(table_id)),
        }
        if self.bus is not None:
            await self.bus.publish(event)

    def _send_count(self, table_id: str) -> None:
        del self._counting[table_id]
        message = {"type": "player_count", "players": self.players(table_id)}
        self._sending.add(task := asyncio.create_task(self.broadcast(self.at(table_id), message)))
        task.add_done_callback(self._sending.discard)

    async def close_all(self) -> None:
        for handle in self._counting.values():
            handle.cancel()
        self._counting.clear()
        sockets = [p.ws for players in self._players.values() for p in players]
        await asyncio.gather(*(ws.close(code=1001, message=b"server stopping") for ws in sockets))

    async def broadcast(self, players: Iterable[Player], message: dict[str, Any]) -> None:
        """Encode once, then write to each socket in turn: no task per socket, as a write to a peer that keeps up
        does not suspend, and one that does not keep up is written in the background (``Player.write``)."""
        kind, text, round_id = message["type"], dumps(message).decode(), round_of(message)
        with collection_deferred():
            for p in list(players):
                await p.deliver(kind, text, round_id)

    async def handle(self, event: dict[str, Any]) -> None:
        """An event from the bus (this process's own, or another's)."""
        kind, table_id = event["type"], event["table_id"]
        at = self.at(table_id)
        if kind == "presence":
            self._counts.setdefault(table_id, {})[event["process"]] = event["players"]
            if table_id not in self._counting:  # joins and leaves in a burst make one message a second, not one each
                loop = asyncio.get_running_loop()
                self._counting[table_id] = loop.call_later(COUNT_EVERY, self._send_count, table_id)
            return
        if kind == "round_opened":
            await self._refresh(event["round"]["round_id"], None)
            await self.broadcast(at, {"type": "round_opened", "round": event["round"]})
        elif kind == "no_more_bets":
            await self._refresh(event["round_id"], Phase.CLOSED)
            await self.broadcast(at, {"type": "no_more_bets", "round_id": event["round_id"]})
        elif kind == "result":
            await self._refresh(event["round_id"], Phase.DECIDED, event["result"])
            await self.broadcast(at, {k: v for k, v in event.items() if k != "table_id"})
        elif kind == "settled" and at:
            await self._settlements(event["round_id"], at)

    async def _refresh(self, round_id: str, phase: Phase | None, result: dict[str, Any] | None = None) -> None:
        """Bring this process's view of the table round up to the event: from what it holds when it knows the round
        (the holder of the clock always does), else from the store."""
        known = self._tables.known(round_id)
        if known is not None:
            if phase is not None:
                self._tables.heard(dataclasses.replace(known, phase=phase, result=result or known.result))
            return
        stored = await self._tables.live.get(round_id)
        if stored is not None:
            self._tables.heard(stored)

    async def _settlements(self, round_id: str, at: set[Player]) -> None:
        r = await self._tables.live.get(round_id)
        if r is None:
            return
        by_token: dict[str, list[Player]] = {}
        for p in at:
            by_token.setdefault(p.session.token, []).append(p)
        settled = await self._tables.live.player_rounds(r, list(by_token))
        with collection_deferred():
            for round_, balance in settled:
                if round_.status not in SETTLED:
                    continue
                message = {
                    "type": "settlement",
                    "round_id": r.round_id,
                    "bet_id": round_.round_id,
                    "stake": round_.stake,
                    "win": round_.win,
                    "status": round_.status,
                    "balance": balance,
                }
                for p in by_token.get(round_.session_token, []):
                    if round_.round_id not in p.settled:
                        p.settled.add(round_.round_id)
                        await p.send(message)

"""How the hub writes a table's messages: in one pass over the sockets, a peer that does not read what it was sent
never holds the table up (its messages follow in the background, in order), and cyclic garbage collection waits
while a table is being written, then comes back as it was."""

from __future__ import annotations

import asyncio
import gc
from typing import Any, cast

import pytest
from aiohttp import web

from simulator.jsonbytes import loads
from simulator.live.hub import BACKLOG, Hub, Player, collection_deferred
from simulator.live.tables import LiveTables
from simulator.store.records import Session


class Peer:
    """A socket's two ends as the hub sees them: ``send_str`` waits while the peer is stuck (as aiohttp's drain
    does when a peer stops reading), and the transport reports what is still unsent."""

    def __init__(self) -> None:
        self.closed = False
        self.received: list[dict[str, Any]] = []
        self.unsent = 0
        self.reading = asyncio.Event()
        self.reading.set()

    async def send_str(self, text: str) -> None:
        await self.reading.wait()
        self.received.append(loads(text.encode()))

    def get_write_buffer_size(self) -> int:
        return self.unsent

    def stuck(self) -> None:
        self.unsent, self.reading = BACKLOG + 1, asyncio.Event()

    def reads_again(self) -> None:
        self.unsent = 0
        self.reading.set()


def seated(peer: Peer, n: int) -> Player:
    session = Session(
        f"token-{n}", f"player-{n}", "op", "game", "studio", "USD", False, None, None, 0.0, 1e12, "s", "h", "c", 0
    )
    return Player(cast(web.WebSocketResponse, peer), session, "table", transport=cast(asyncio.Transport, peer))


async def settle_background() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_peer_that_stops_reading_does_not_hold_up_the_table() -> None:
    hub = Hub(cast(LiveTables, None))
    peers = [Peer() for _ in range(3)]
    players = [seated(peer, n) for n, peer in enumerate(peers)]
    peers[1].stuck()
    await asyncio.wait_for(hub.broadcast(players, {"type": "no_more_bets", "round_id": "r1"}), 5)
    await asyncio.wait_for(hub.broadcast(players, {"type": "result", "round_id": "r1", "result": {}}), 5)
    for peer in (peers[0], peers[2]):
        assert [m["type"] for m in peer.received] == ["no_more_bets", "result"]
    await settle_background()
    assert peers[1].received == []  # still held back, not lost
    peers[1].reads_again()
    await hub.broadcast(players, {"type": "round_opened", "round": {"round_id": "r2"}})
    await settle_background()
    # what was held back comes first, and the socket keeps its order
    assert [m["type"] for m in peers[1].received] == ["no_more_bets", "result", "round_opened"]
    assert [p.sent for p in players] == [3, 3, 3]


async def test_a_closed_socket_is_skipped_and_the_rest_are_written() -> None:
    hub = Hub(cast(LiveTables, None))
    peers = [Peer() for _ in range(3)]
    peers[0].closed = True
    players = [seated(peer, n) for n, peer in enumerate(peers)]
    await hub.broadcast(players, {"type": "result", "round_id": "r1", "result": {}})
    assert [len(peer.received) for peer in peers] == [0, 1, 1]


@pytest.mark.parametrize("enabled", [True, False])
def test_collection_waits_while_a_table_is_written_and_comes_back_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with collection_deferred():
            assert not gc.isenabled()
            with collection_deferred():  # two tables written at once
                assert not gc.isenabled()
            assert not gc.isenabled()  # the first is still being written
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()

"""Fault rules on the live socket (side ``socket``): a socket dropped mid-stream (closed or reset) loses nothing, as
its player reconnects, gets the round and its open bets back, and is paid each win exactly once; a delayed message
reaches only the matching player late, the table and the other players go on, and the socket keeps its order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.faults.rules import FaultRule
from simulator.faults.sockets import DROPPED
from simulator.lifecycle import TransactionKind
from simulator.settings import Settings
from simulator.state import FAULTS, LIVE, LIVE_HUB, METRICS, STORE
from tests.harness import Sim, running_sim
from tests.simulator.live.table_client import seat

START = 1_000_000
STAKE = 100


class GatedSleep:
    """The app's fault sleep: records each wait and holds it until the test opens the gate (never the wall clock)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.gate = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await self.gate.wait()


@pytest.fixture
async def table_sim(settings: Settings) -> AsyncIterator[tuple[Sim, ManualClock, GatedSleep]]:
    clock, sleep = ManualClock(), GatedSleep()
    async with running_sim(settings, clock=clock, sleep=sleep, live_loops=False, settlement_worker=False) as sim:
        yield sim, clock, sleep


def use(sim: Sim, *rules: dict[str, Any]) -> None:
    sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(r) for r in rules])


async def until_closed(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """The message that ends the socket, skipping whatever came before it."""
    while True:
        msg = await ws.receive(timeout=10)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return msg


async def wins_sent(sim: Sim, bet_id: str) -> int:
    return sum(t.kind == TransactionKind.WIN for t in await sim.app[STORE].outbox.of_round(bet_id))


@pytest.mark.parametrize(
    ("kind", "action", "ending"),
    [
        pytest.param("no_more_bets", "close", aiohttp.WSMsgType.CLOSE, id="closed-at-no-more-bets"),
        pytest.param("result", "reset", None, id="reset-at-the-result"),
    ],
)
async def test_a_dropped_socket_reconnects_to_its_bets_and_is_paid_once(
    table_sim: tuple[Sim, ManualClock, GatedSleep], kind: str, action: str, ending: aiohttp.WSMsgType | None
) -> None:
    sim, clock, _ = table_sim
    game_id = await sim.game_for("live-baccarat")
    tables = sim.app[LIVE]
    await tables.tick(game_id)
    dropped, other = [await sim.create_player(START) for _ in range(2)]
    rule = {"id": "drop", "match": {"side": "socket", "operation": kind, "player": dropped["player_id"]}}
    use(sim, rule | {"action": {"type": action}, "schedule": {"max_total": 1}})
    launch = await sim.launch(dropped, game_id)
    async with aiohttp.ClientSession() as http:
        first = await seat(http, dropped["player_id"], launch)
        bystander = await seat(http, other["player_id"], await sim.launch(other, game_id))
        mine = (await first.bet("banker"))["bet"]
        await bystander.bet("player")
        clock.advance(tables.timing.betting)
        await tables.tick(game_id)
        if kind == "result":
            clock.advance(tables.timing.draw)
            await tables.tick(game_id)
        end = await until_closed(first.ws)
        if ending is not None:
            assert (end.type, end.data) == (ending, DROPPED), end
        assert not any(m["type"] == kind for m in first.received), "the message the socket was dropped at is lost"
        assert (await bystander.next(kind))["type"] == kind, "the other player's socket is untouched"

        again = await seat(http, dropped["player_id"], launch)
        state = again.received[0]
        assert state["round"]["round_id"] == mine["round_id"]
        assert [b["bet_id"] for b in state["open_bets"]] == [mine["bet_id"]], "its open bet comes back"
        if kind == "no_more_bets":
            assert state["round"]["phase"] == "closed" and state["open_bets"][0]["win"] is None
            clock.advance(tables.timing.draw)
            await tables.tick(game_id)
            settlement = await again.next("settlement")
            assert settlement["bet_id"] == mine["bet_id"]
            win = settlement["win"]
        else:
            assert state["round"]["phase"] in ("decided", "settled") and state["round"]["result"] is not None
            win = state["open_bets"][0]["win"]
            assert isinstance(win, int), "the state shows the bet settled with its win"
        # the next round comes and goes: the dropped bet's settlement never comes (again)
        clock.advance(tables.timing.pause)
        await tables.tick(game_id)
        await again.next("round_opened")
        clock.advance(tables.timing.betting)
        await tables.tick(game_id)
        clock.advance(tables.timing.draw)
        await tables.tick(game_id)
        await again.next("result")
        await again.send({"type": "ping", "ref": "last"})
        await again.next("pong")
        settlements = [m for m in [*first.received, *again.received] if m["type"] == "settlement"]
        assert len(settlements) == (1 if kind == "no_more_bets" else 0), settlements
        await again.ws.close()
        await bystander.ws.close()
    assert await wins_sent(sim, mine["bet_id"]) == 1, "the win went to the wallet once"
    assert await sim.balance(dropped["player_id"]) == START - STAKE + win
    assert sim.app[METRICS].value("casino_sim_faults_injected_total", rule="drop", side="socket", action=action) == 1


async def test_a_delay_rule_holds_only_the_matching_message(table_sim: tuple[Sim, ManualClock, GatedSleep]) -> None:
    sim, clock, sleep = table_sim
    game_id = await sim.game_for("live-baccarat")
    tables = sim.app[LIVE]
    await tables.tick(game_id)
    slow, quick = [await sim.create_player(START) for _ in range(2)]
    match = {"side": "socket", "operation": "result", "player": slow["player_id"]}
    use(sim, {"id": "late-result", "match": match, "action": {"type": "delay", "seconds": 2.5}})
    async with aiohttp.ClientSession() as http:
        late = await seat(http, slow["player_id"], await sim.launch(slow, game_id))
        on_time = await seat(http, quick["player_id"], await sim.launch(quick, game_id))
        for s in (late, on_time):
            await s.bet("tie")
        clock.advance(tables.timing.betting)
        await tables.tick(game_id)
        for s in (late, on_time):
            await s.next("no_more_bets")
        assert sleep.calls == [], "no other message type is delayed"
        clock.advance(tables.timing.draw)
        await tables.tick(game_id)  # returns with the result held for one socket only
        await on_time.next("result")
        await on_time.next("settlement")
        held = next(p for p in sim.app[LIVE_HUB].at(game_id) if p.session.player_id == slow["player_id"])
        written = held.sent  # the result is held, and the settlement written during the tick waits behind it
        assert sleep.calls == [2.5], "one matching message, one wait"
        sleep.gate.set()
        await late.next("settlement")
        kinds = [m["type"] for m in late.received if m["type"] != "player_count"]
        assert kinds[-3:] == ["no_more_bets", "result", "settlement"], "the socket keeps its order"
        assert held.sent >= written + 2, "both were written after the wait, not before"
        assert sleep.calls == [2.5]
        await late.ws.close()
        await on_time.ws.close()


async def test_a_socket_dropped_after_its_nth_message_is_dropped_once_per_session(
    table_sim: tuple[Sim, ManualClock, GatedSleep],
) -> None:
    sim, _, _ = table_sim
    game_id = await sim.game_for("live-baccarat")
    await sim.app[LIVE].tick(game_id)
    schedule = {"skip": 3, "per": "session", "max_count": 1}
    use(sim, {"id": "third", "match": {"side": "socket"}, "action": {"type": "close"}, "schedule": schedule})
    player = await sim.create_player(START)
    launch = await sim.launch(player, game_id)
    async with aiohttp.ClientSession() as http:
        first = await http.ws_connect(launch["websocket_url"])
        for n in range(5):
            await first.send_json({"type": "ping", "ref": n})
        texts = 0
        while (msg := await first.receive(timeout=10)).type == aiohttp.WSMsgType.TEXT:
            texts += 1
        assert (msg.type, msg.data, texts) == (aiohttp.WSMsgType.CLOSE, DROPPED, 3)
        again = await seat(http, player["player_id"], launch)
        for n in range(5):
            await again.send({"type": "ping", "ref": n})
            assert (await again.next("pong"))["ref"] == n, "the session was dropped once; its new socket stays"
        await again.ws.close()

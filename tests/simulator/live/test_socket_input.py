"""Bad input on a live socket gets an error message and harms nobody: the sender's socket stays open, another
player at the table keeps betting, and the table keeps its clock. A reconnect gets the round and its open bets back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from simulator.clock import ManualClock
from simulator.live.socket import MAX_MESSAGE
from simulator.settings import Settings
from simulator.state import LIVE
from tests.harness import Sim, running_sim
from tests.simulator.live.table_client import Seat, seat

START = 1_000_000
TABLE = "live-baccarat"


async def two_seated(sim: Sim, http: aiohttp.ClientSession) -> list[Seat]:
    """Two players seated at a live baccarat table (``TABLE``) that takes bets."""
    game_id = await sim.game_for(TABLE)
    await sim.app[LIVE].tick(game_id)
    players = [await sim.create_player(START) for _ in range(2)]
    return [await seat(http, p["player_id"], await sim.launch(p, game_id)) for p in players]


@pytest.fixture
async def table_sim(settings: Settings) -> AsyncIterator[tuple[Sim, ManualClock]]:
    clock = ManualClock()
    settings = settings.model_copy(update={"live_message_rate": 5.0})
    async with running_sim(settings, clock=clock, live_loops=False, settlement_worker=False) as sim:
        yield sim, clock


@pytest.mark.parametrize(
    ("raw", "kind", "code"),
    [
        pytest.param("not json at all", "error", "INVALID_JSON", id="garbage"),
        pytest.param("[1, 2, 3]", "error", "INVALID_MESSAGE", id="not-an-object"),
        pytest.param('{"type": "teleport"}', "error", "UNKNOWN_MESSAGE", id="unknown-type"),
        pytest.param("[" * 3000 + "]" * 3000, "error", "INVALID_JSON", id="deep-nesting"),
        pytest.param('{"type": "place_bet", "bets": "all in"}', "bet_refused", "INVALID_BET", id="bets-not-a-list"),
        pytest.param(
            '{"type": "place_bet", "bets": [{"type": "banker", "amount": 1}]}',
            "bet_refused",
            "BET_OUT_OF_LIMITS",
            id="below-min",
        ),
        pytest.param(
            '{"type": "place_bet", "bets": [{"type": "banker", "amount": 100000000}]}',
            "bet_refused",
            "BET_OUT_OF_LIMITS",
            id="above-max",
        ),
        pytest.param(
            '{"type": "place_bet", "bets": [{"type": "dragon", "amount": 100}]}',
            "bet_refused",
            "INVALID_BET",
            id="unknown-spot",
        ),
        pytest.param(
            '{"type": "place_bet", "round_id": "an-earlier-round", "bets": [{"type": "banker", "amount": 100}]}',
            "bet_refused",
            "BETS_CLOSED",
            id="wrong-round",
        ),
        pytest.param('{"type": "cancel_bet"}', "error", "INVALID_MESSAGE", id="cancel-without-id"),
        pytest.param('{"type": "cancel_bet", "bet_id": "nope"}', "error", "UNKNOWN_BET", id="cancel-unknown"),
    ],
)
async def test_bad_input_is_answered_and_harms_nobody(
    table_sim: tuple[Sim, ManualClock], raw: str, kind: str, code: str
) -> None:
    sim, _ = table_sim
    async with aiohttp.ClientSession() as http:
        bad, good = await two_seated(sim, http)
        await bad.ws.send_str(raw)
        answer = await bad.next("error", "bet_refused")
        assert (answer["type"], answer["code"]) == (kind, code), answer
        for s in (bad, good):
            await s.bet("player")
        assert await sim.balance(bad.player_id) == START - 100


async def test_a_flood_is_rate_limited_without_closing_anything(table_sim: tuple[Sim, ManualClock]) -> None:
    sim, _ = table_sim
    async with aiohttp.ClientSession() as http:
        flood, other = await two_seated(sim, http)
        for n in range(200):
            await flood.send({"type": "ping", "ref": n})
        answers = [await flood.next("pong", "error") for _ in range(200)]
        limited = [a for a in answers if a["type"] == "error"]
        assert limited and all(a["code"] == "RATE_LIMITED" for a in limited)
        assert len(answers) - len(limited) <= 10, "the manual clock stands still: only the burst gets through"
        assert not flood.ws.closed
        await other.bet("tie")


async def test_a_flood_of_bets_and_garbage_leaves_the_table_and_the_other_player_alone(
    table_sim: tuple[Sim, ManualClock],
) -> None:
    sim, clock = table_sim
    tables = sim.app[LIVE]
    game_id = await sim.game_for(TABLE)
    async with aiohttp.ClientSession() as http:
        flood, other = await two_seated(sim, http)
        await other.bet("player")
        sent = 300
        for n in range(sent):
            if n % 2:
                await flood.ws.send_str("}{ not json")
            else:
                await flood.send({"type": "place_bet", "bets": [{"type": "banker", "amount": 100}], "ref": n})
        answers = [await flood.next("bet_accepted", "bet_refused", "error") for _ in range(sent)]
        accepted = [a for a in answers if a["type"] == "bet_accepted"]
        codes = {a.get("code") for a in answers if a["type"] != "bet_accepted"}
        assert 1 <= len(accepted) <= 10, "the burst gets through; the rest is refused unread"
        assert codes <= {"RATE_LIMITED", "INVALID_JSON"} and "RATE_LIMITED" in codes
        assert not flood.ws.closed and not other.ws.closed
        clock.advance(tables.timing.betting)
        await tables.tick(game_id)
        clock.advance(tables.timing.draw)
        await tables.tick(game_id)
        results = [await s.next("result") for s in (flood, other)]
        assert results[0]["round_id"] == results[1]["round_id"], "the table played on"
        flood_wins = [(await flood.next("settlement"))["win"] for _ in accepted]
        other_win = (await other.next("settlement"))["win"]
    assert await sim.balance(flood.player_id) == START - 100 * len(accepted) + sum(flood_wins)
    assert await sim.balance(other.player_id) == START - 100 + other_win


async def test_binary_frames_are_refused_and_an_oversized_frame_closes_only_its_socket(
    table_sim: tuple[Sim, ManualClock],
) -> None:
    sim, _ = table_sim
    async with aiohttp.ClientSession() as http:
        bad, good = await two_seated(sim, http)
        await bad.ws.send_bytes(b"\x00\x01 not text")
        assert (await bad.next("error"))["code"] == "INVALID_MESSAGE"
        await bad.ws.send_str(" " * (MAX_MESSAGE + 1))
        while (closing := await bad.ws.receive(timeout=10)).type == aiohttp.WSMsgType.TEXT:
            pass
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, aiohttp.WSCloseCode.MESSAGE_TOO_BIG)
        await good.bet("tie")


async def test_reconnect_gets_the_round_and_open_bets_back_and_cancel_refunds(
    table_sim: tuple[Sim, ManualClock],
) -> None:
    sim, clock = table_sim
    game_id = await sim.game_for("live-roulette-european")
    tables = sim.app[LIVE]
    await tables.tick(game_id)
    player = await sim.create_player(START)
    launch = await sim.launch(player, game_id)
    async with aiohttp.ClientSession() as http:
        first = await seat(http, player["player_id"], launch)
        for spot in ("red", "odd"):
            await first.send({"type": "place_bet", "bets": [{"type": spot, "amount": 100}]})
            assert (await first.next("bet_accepted", "bet_refused"))["type"] == "bet_accepted"
        await first.ws.close()
        again = await http.ws_connect(launch["websocket_url"])
        state = await again.receive_json()
        assert state["type"] == "table_state" and state["round"]["phase"] == "betting"
        assert sorted(b["bets"][0]["type"] for b in state["open_bets"]) == ["odd", "red"]
        odd = next(b for b in state["open_bets"] if b["bets"][0]["type"] == "odd")
        await again.send_json({"type": "cancel_bet", "bet_id": odd["bet_id"]})
        while (message := await again.receive_json())["type"] != "bet_cancelled":
            pass
        assert await sim.balance(player["player_id"]) == START - 100
        clock.advance(tables.timing.betting)
        await tables.tick(game_id)
        await again.send_json({"type": "cancel_bet", "bet_id": state["open_bets"][0]["bet_id"]})
        while (message := await again.receive_json())["type"] != "error":
            pass
        assert message["code"] == "BETS_CLOSED"
        await again.close()


@pytest.mark.slow
async def test_a_silent_socket_is_closed_after_the_idle_timeout(settings: Settings) -> None:
    settings = settings.model_copy(update={"live_idle_timeout": 0.3})
    async with running_sim(settings, clock=ManualClock(), live_loops=False, settlement_worker=False) as sim:
        game_id = await sim.game_for("live-baccarat")
        player = await sim.create_player(START)
        async with aiohttp.ClientSession() as http:
            s = await seat(http, player["player_id"], await sim.launch(player, game_id))
            assert (await s.next("error"))["code"] == "IDLE_TIMEOUT"
            closing = await s.ws.receive(timeout=5)
            assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4000


async def test_an_expired_session_cannot_bet(table_sim: tuple[Sim, ManualClock]) -> None:
    sim, clock = table_sim
    game_id = await sim.game_for("live-baccarat")
    await sim.app[LIVE].tick(game_id)
    player = await sim.create_player(START)
    async with aiohttp.ClientSession() as http:
        s = await seat(http, player["player_id"], await sim.launch(player, game_id))
        clock.advance(sim.settings.session_ttl)
        await s.send({"type": "place_bet", "bets": [{"type": "banker", "amount": 100}]})
        assert (await s.next("bet_refused"))["code"] == "SESSION_EXPIRED"
    assert await sim.balance(player["player_id"]) == START

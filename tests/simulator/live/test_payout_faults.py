"""A slow wallet during a live table's payout burst: the outbound wallet rules meet the wins a table sends after its
result like any other wallet call. A win slower than the wallet timeout reaches the wallet but is given up on, and
the settlement worker sends it again with the same transaction id; every player is paid exactly once. The delays
run on virtual time (the injected sleep moves the manual clock)."""

from __future__ import annotations

import aiohttp

from simulator.clock import ManualClock
from simulator.faults.rules import FaultRule
from simulator.faults.timing import VirtualSleep
from simulator.lifecycle import TransactionKind, TransactionStatus
from simulator.settings import Settings
from simulator.state import FAULTS, LIVE, STORE, WORKER
from tests.harness import running_sim
from tests.simulator.live.table_client import seat

PLAYERS = 12
START = 1_000_000
STAKE = 100


async def test_a_slow_wallet_during_the_payout_burst_pays_every_win_once(settings: Settings) -> None:
    clock = ManualClock()
    sleep = VirtualSleep(clock)
    async with running_sim(settings, clock=clock, sleep=sleep, live_loops=False, settlement_worker=False) as sim:
        timeout = sim.settings.wallet_timeout
        slow = {
            "id": "slow-payout",
            "match": {"side": "outbound", "operation": "win"},
            "action": {"type": "delay", "distribution": "uniform", "low": 0.5, "high": 2 * timeout},
            "schedule": {"first": 1, "per": "transaction"},
        }
        sim.app[FAULTS].rules.replace_all([FaultRule.model_validate(slow)])
        game_id = await sim.game_for("live-baccarat")
        tables = sim.app[LIVE]
        await tables.tick(game_id)
        players = [await sim.create_player(START) for _ in range(PLAYERS)]
        async with aiohttp.ClientSession() as http:
            seats = [await seat(http, p["player_id"], await sim.launch(p, game_id)) for p in players]
            bets = {}
            for n, s in enumerate(seats):  # half on each side: whatever the result, some of the wins are not zero
                await s.send({"type": "place_bet", "bets": [{"type": ("player", "banker")[n % 2], "amount": STAKE}]})
                bets[s.player_id] = (await s.next("bet_accepted"))["bet"]["bet_id"]
            clock.advance(tables.timing.betting)
            await tables.tick(game_id)
            clock.advance(tables.timing.draw)
            await tables.tick(game_id)  # the result, and the payout burst through the slow wallet
            wins = {s.player_id: (await s.next("settlement"))["win"] for s in seats}
            for s in seats:
                await s.ws.close()
        assert len(sleep.calls) == PLAYERS, "every win's first delivery was slow, no other call"
        assert any(d >= timeout for d in sleep.calls) and any(d < timeout for d in sleep.calls)
        outbox = sim.app[STORE].outbox
        for _ in range(10):
            if (await outbox.summary()).pending == 0:
                break
            clock.advance(60)
            await sim.app[WORKER].run_once()
        assert (await outbox.summary()).pending == 0
        sent = sim.app[FAULTS].journal.query(side="outbound", operation="win", limit=1000)
        assert len(sent) > PLAYERS, "the wins given up on were sent again"
        assert any(wins.values())
        for player_id, bet_id in bets.items():
            wins_of_bet = [t for t in await outbox.of_round(bet_id) if t.kind == TransactionKind.WIN]
            assert [t.status for t in wins_of_bet] == [TransactionStatus.ACKED], "one win, acknowledged"
            assert await sim.balance(player_id) == START - STAKE + wins[player_id], "applied once"

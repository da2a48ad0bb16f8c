"""kill -9 in the middle of a live table's payout burst: after a restart the table finishes the round, every win is
applied exactly once, each player's balance is start - bet + win, and reconciliation finds no difference."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from simulator.clock import SystemClock
from simulator.settings import Settings
from simulator.store.database import open_database
from tests.fakes.flaky_wallet import FaultPlan, flaky, running_wallet
from tests.fakes.load import create_players, game_for, wait_settled
from tests.fakes.processes import TEST_ADMIN_TOKEN, SimProcess, auth_session, run_cli
from tests.simulator.settlement.test_crash_recovery import until, wallet_entries

SECRET = "live-crash-secret"
PLAYERS = 20
START = 1_000_000
SIM_ENV = {
    "CASINO_SIM_WALLET_SECRET": SECRET,
    "CASINO_SIM_WALLET_TIMEOUT": "0.4",
    "CASINO_SIM_RETRY_BASE_DELAY": "0.05",
    "CASINO_SIM_RETRY_MAX_DELAY": "0.4",
    "CASINO_SIM_LIVE_BETTING_SECONDS": "2",
    "CASINO_SIM_LIVE_DRAW_SECONDS": "0.2",
    "CASINO_SIM_LIVE_PAUSE_SECONDS": "0.5",
    "CASINO_SIM_LIVE_LEASE": "2",
}


async def launch_live(http: aiohttp.ClientSession, url: str, player: dict[str, str], game: str) -> dict[str, str]:
    body = {"player_id": player["player_id"], "game_id": game, "currency": "USD", "token": player["token"]}
    async with http.post(f"{url}/v1/sessions", json=body) as response:
        assert response.status == 201, await response.text()
        launched: dict[str, str] = await response.json()
        return launched


async def bet_next_round(ws: aiohttp.ClientWebSocketResponse, amount: int) -> dict[str, object]:
    while (await ws.receive_json())["type"] != "round_opened":
        pass
    await ws.send_json({"type": "place_bet", "bets": [{"type": "banker", "amount": amount}]})
    answer: dict[str, object] = await ws.receive_json()
    while answer["type"] not in ("bet_accepted", "bet_refused"):
        answer = await ws.receive_json()
    return answer


@pytest.mark.slow
async def test_sigkill_during_the_payout_burst_then_restart_reconciles(tmp_path: Path) -> None:
    wallet_settings = Settings(data_dir=tmp_path / "wallet", port=0, admin_token=TEST_ADMIN_TOKEN)
    plan = FaultPlan().on("win", "hang_after", times=PLAYERS)  # the burst is held at the wallet when the kill comes
    async with (
        running_wallet(wallet_settings, clock=SystemClock(), keys={"casino-sim": SECRET.encode()}) as wallet,
        flaky(wallet.url, plan, hang=3.0) as proxy,
        auth_session() as http,
        aiohttp.ClientSession() as plain,
    ):
        args = ["--data-dir", str(tmp_path / "sim"), "--wallet-url", proxy.url, "--no-embedded-wallet"]
        first = SimProcess(args, SIM_ENV, tmp_path / "sim-1.log")
        await first.start()
        try:
            players = await create_players(http, wallet.url, PLAYERS, START)
            game = await game_for(http, first.url, "live-baccarat")
            launches = [await launch_live(http, first.url, p, game) for p in players]
            sockets = [await plain.ws_connect(launch["websocket_url"]) for launch in launches]
            answers = await asyncio.gather(*(bet_next_round(ws, 100 + n) for n, ws in enumerate(sockets)))
            assert all(a["type"] == "bet_accepted" for a in answers), answers
            await until(lambda: sum(c.operation == "win" for c in proxy.calls) >= PLAYERS // 2, 20)
            assert proxy.in_flight > 0
            await first.kill()
        finally:
            await first.kill()
        plan.enabled = False
        second = SimProcess(args, SIM_ENV, tmp_path / "sim-2.log")
        await second.start()
        try:
            settled = await wait_settled(http, second.url, limit=60)
            live = ("--simulator-url", second.url, "--wallet-url", wallet.url)
            code, out, err = await run_cli("reconcile", *live, "--json", "--fail-on-open")
        finally:
            await second.stop()
        balances = {}
        for player in players:
            async with http.get(f"{wallet.url}/sandbox/players/{player['player_id']}") as response:
                balances[player["player_id"]] = (await response.json())["balance"]
    assert settled["needs_attention"] == 0, settled
    assert set(settled["transactions"]["win"]) == {"acked"}, settled
    assert settled["transactions"]["win"]["acked"] == PLAYERS
    assert code == 0, out + err
    result = json.loads(out)
    assert (result["differences"], result["open_rounds"]) == (0, [])
    ledger = await wallet_entries(wallet_settings)
    ids = [e["transaction_id"] for e in ledger]
    assert len(ids) == len(set(ids)), "every win applied exactly once"
    attempts = Counter(c.transaction_id for c in proxy.calls if c.operation == "win")
    assert max(attempts.values()) > 1, "wins held at the kill were sent again after the restart"
    db = await open_database(f"sqlite:///{tmp_path / 'sim' / 'simulator.sqlite3'}")
    try:
        async with db.transaction() as tx:
            rows = await tx.fetchall("SELECT player_id, stake, win, status FROM rounds")
    finally:
        await db.close()
    assert len(rows) == PLAYERS and {r["status"] for r in rows} == {"closed"}
    by_player = {r["player_id"]: r for r in rows}
    for player in players:
        row = by_player[player["player_id"]]
        assert balances[player["player_id"]] == START - row["stake"] + row["win"], (player, row)

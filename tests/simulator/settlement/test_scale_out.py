"""Two simulator processes on one PostgreSQL database serve the same sessions, and their embedded wallets keep
one ledger: a session launched on one plays on the other, and reconciliation across them agrees."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from tests.fakes import engine
from tests.fakes.load import Load, create_players, game_for, launch
from tests.fakes.processes import run_cli, sim_process

pytestmark = pytest.mark.postgres
ENV = {"CASINO_SIM_WALLET_SECRET": "scale-out-secret"}


async def test_two_processes_share_sessions_rounds_and_the_ledger(pg_url: str, tmp_path: Path) -> None:
    def args(name: str) -> list[str]:
        return ["--database-url", pg_url, "--data-dir", str(tmp_path / name)]

    async with (
        sim_process(args("a"), ENV, tmp_path / "a.log") as a,
        sim_process(args("b"), ENV, tmp_path / "b.log") as b,
        aiohttp.ClientSession() as http,
    ):
        (player,) = await create_players(http, f"{a.url}/wallet", 1, 100_000)
        game = await game_for(http, a.url, engine.COIN)
        on_a = await launch(http, a.url, player, game)
        on_b = await launch(http, b.url, player, game)

        async with http.post(f"{b.url}/play/{on_a}/rounds", json={"amount": 100}) as response:
            assert response.status == 200, await response.text()
            played = await response.json()
        async with http.get(f"{a.url}/v1/rounds/{played['round_id']}") as response:
            assert response.status == 200 and (await response.json())["status"] == "closed"

        # both processes at once, on both sessions: the session row serialises nonces across processes
        loads = [Load(url) for url in (a.url, b.url)]
        await asyncio.wait_for(asyncio.gather(*(load.run(http, [on_a, on_b] * 3, rounds=4) for load in loads)), 60)
        assert sum(load.statuses[200] for load in loads) == 48

        balances = []
        for url in (a.url, b.url):
            async with http.get(f"{url}/wallet/sandbox/players/{player['player_id']}") as response:
                balances.append((await response.json())["balance"])
        assert balances[0] == balances[1]

        listed = []
        for url in (a.url, b.url):
            async with http.get(f"{url}/v1/rounds?status=closed&limit=1000") as response:
                listed.append((await response.json())["rounds"])
        assert len(listed[0]) == 49 and listed[0] == listed[1]
        nonces: dict[str, list[int]] = {on_a: [], on_b: []}
        for r in listed[0]:
            async with http.get(f"{b.url}/v1/rounds/{r['round_id']}") as response:
                nonces[r["session_token"]].append((await response.json())["fairness"]["nonce"])
        for token, seen in nonces.items():  # every nonce used once, none skipped, whichever process played
            assert sorted(seen) == list(range(1, len(seen) + 1)), token

        wallet_a = f"{a.url}/wallet"
        code, out, err = await run_cli(
            "reconcile", "--simulator-url", b.url, "--wallet-url", wallet_a, "--json", "--fail-on-open"
        )
        assert code == 0, out + err
        report = json.loads(out)
        assert (report["differences"], report["provider_transactions"], report["matched"]) == (0, 98, 98)

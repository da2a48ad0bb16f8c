"""Settlement soak: players play rounds through a wallet proxy that fails calls at random (errors before
and after the wallet applied them, hangs, resets, garbage), then the faults stop, the simulator settles what
it owes, and reconciliation compares its log with the wallet's ledger. With ``--kill`` the simulator is a
separate process that is SIGKILLed halfway through and restarted on the same data.

    python bench/settlement_soak.py                       # 20 players x 40 rounds, 24% of calls faulty
    python bench/settlement_soak.py --kill --players 40   # the same, with a crash in the middle

Everything listens on 127.0.0.1 and the run is bounded by ``--limit`` seconds. Prints rounds settled, retries
and differences; exits 1 when reconciliation finds a difference or a round left for a human.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.clock import SystemClock
from simulator.commands.reconcile import collect
from simulator.settings import Settings
from simulator.settlement.reconcile import Report
from tests.fakes import engine
from tests.fakes.flaky_wallet import FaultPlan, flaky, running_wallet
from tests.fakes.load import Load, create_players, game_for, launch, wait_settled
from tests.fakes.processes import AUTH_ENV, SimProcess, auth_session
from tests.harness import running_sim

SECRET = "soak-secret"  # noqa: S105 - a loopback-only test key
MIX = {"fail_before": 0.25, "fail_after": 0.25, "hang_after": 0.15, "hang_before": 0.1, "garbage_after": 0.15,
       "reset_after": 0.1}  # fmt: skip
TUNING = {
    "wallet_timeout": "0.5",
    "retry_base_delay": "0.05",
    "retry_max_delay": "1.0",
    "retry_max_age": "3600",
}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=40, help="rounds per player")
    parser.add_argument("--fault-rate", type=float, default=0.24, help="share of wallet calls that go wrong")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kill", action="store_true", help="SIGKILL the simulator halfway and restart it")
    parser.add_argument("--database-url", help="the simulator's database (default: SQLite in a temp dir)")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds the whole run may take")
    return parser.parse_args(argv)


@asynccontextmanager
async def in_process(settings: Settings) -> AsyncIterator[str]:
    async with running_sim(settings, clock=SystemClock()) as sim:
        yield sim.url


async def soak(args: argparse.Namespace, workdir: Path) -> int:
    started = time.monotonic()
    plan = FaultPlan(rates={k: v * args.fault_rate for k, v in MIX.items()}, seed=args.seed)
    wallet_settings = Settings(data_dir=workdir / "wallet", port=0)
    sim_settings = Settings.model_validate(
        TUNING
        | {
            "data_dir": workdir / "sim",
            "port": 0,
            "embedded_wallet": False,
            "wallet_secret": SECRET,
            "database_url": args.database_url,
        }
    )
    keys = {"casino-sim": SECRET.encode()}
    async with (
        running_wallet(wallet_settings, clock=SystemClock(), keys=keys) as wallet,
        flaky(wallet.url, plan, hang=1.0) as proxy,
        auth_session() as http,
    ):
        players = await create_players(http, wallet.url, args.players, 10_000_000)
        statuses: Counter[int] = Counter()
        if args.kill:
            env = {f"CASINO_SIM_{k.upper()}": str(v) for k, v in TUNING.items()} | {"CASINO_SIM_WALLET_SECRET": SECRET}
            cli = ["--data-dir", str(workdir / "sim"), "--wallet-url", proxy.url, "--no-embedded-wallet"]
            if args.database_url:
                cli += ["--database-url", args.database_url]
            first = SimProcess(cli, env, workdir / "sim-1.log")
            url = await first.start()
            tokens = [await launch(http, url, p, await game_for(http, url, engine.COIN)) for p in players]
            load = Load(url)
            task = asyncio.create_task(load.run(http, tokens, rounds=args.rounds))
            halfway = load.milestone(args.players * args.rounds // 2)
            await asyncio.wait([task, asyncio.create_task(halfway.wait())], return_when=asyncio.FIRST_COMPLETED)
            await first.kill()
            await task
            statuses += load.statuses
            second = SimProcess(cli, env, workdir / "sim-2.log")
            url = await second.start()
            try:
                rest = Load(url)
                await rest.run(http, tokens, rounds=max(1, args.rounds // 2))
                statuses += rest.statuses
                settled, report = await finish(http, url, wallet.url, plan)
            finally:
                await second.stop()
        else:
            async with in_process(sim_settings.model_copy(update={"wallet_url": proxy.url})) as url:
                tokens = [await launch(http, url, p, await game_for(http, url, engine.COIN)) for p in players]
                load = Load(url)
                await load.run(http, tokens, rounds=args.rounds)
                statuses += load.statuses
                settled, report = await finish(http, url, wallet.url, plan)
    elapsed = time.monotonic() - started
    calls = proxy.faults()
    rounds = settled["rounds"]
    print(
        f"settlement soak: {args.players} players x {args.rounds} rounds, fault rate {args.fault_rate:.2f}, "
        f"seed {args.seed}{', killed and restarted once' if args.kill else ''}"
    )
    print("rounds answered  " + ", ".join(f"HTTP {s}: {n}" for s, n in sorted(statuses.items())))
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(rounds.items()))
    print(f"rounds settled   {sum(rounds.values())} ({by_status}), needing a human {settled['needs_attention']}")
    print(f"wallet calls     {sum(calls.values())} ({', '.join(f'{k} {v}' for k, v in calls.most_common())})")
    print(f"retries          {settled['retries']} (wins and rollbacks sent again with the same id)")
    print(
        f"reconcile        provider {report.provider_transactions} transactions,"
        f" wallet {report.wallet_entries} entries, matched {report.matched},"
        f" differences {report.differences}, open rounds {len(report.open_rounds)}"
    )
    print(f"elapsed          {elapsed:.1f} s")
    return 1 if report.differences or settled["needs_attention"] else 0


async def finish(
    http: aiohttp.ClientSession, url: str, wallet_url: str, plan: FaultPlan
) -> tuple[dict[str, Any], Report]:
    plan.enabled = False
    settled = await wait_settled(http, url, limit=120)
    args = argparse.Namespace(simulator_url=url, database_url=None, wallet_url=wallet_url, timeout=30.0)
    return settled, await collect(args)


async def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    engine.register()
    # one operator key and admin token for every server of the run, in process or not, and for reconcile
    os.environ.update(AUTH_ENV)
    with tempfile.TemporaryDirectory(prefix="settlement-soak-") as workdir:
        async with asyncio.timeout(args.limit):
            return await soak(args, Path(workdir))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

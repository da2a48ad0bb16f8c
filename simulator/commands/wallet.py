"""``casino-sim wallet``: the reference wallet alone, for setups where the simulator runs elsewhere."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from aiohttp import web

from simulator.app import credentials_for
from simulator.clock import SystemClock
from simulator.commands.common import add_settings_arguments, settings_from_args
from simulator.commands.serve import bind
from simulator.ids import RandomIds, SeededIds
from simulator.wallet.app import create_wallet_app


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("wallet", help="run only the reference operator wallet")
    add_settings_arguments(parser)
    parser.set_defaults(run=run)


async def _serve(app: web.Application, sock: object, url: str) -> None:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()  # type: ignore[arg-type]
    print(f"reference wallet listening on {url} (sandbox: {url}/sandbox/players)", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    creds = credentials_for(settings)
    ids = SeededIds(settings.seed, "wallet") if settings.deterministic else RandomIds()
    app = create_wallet_app(
        settings, clock=SystemClock(), ids=ids, keys={creds.wallet_key_id: creds.wallet_secret.encode()}
    )
    try:
        sock = bind(settings.host, settings.port)
    except OSError as exc:
        print(f"casino-sim: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    asyncio.run(_serve(app, sock, f"http://{settings.host}:{port}"))
    return 0

"""``casino-sim wallet``: the reference wallet alone, for setups where the simulator runs elsewhere."""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
from pathlib import Path

from aiohttp import web

from simulator import event_loop
from simulator.auth.keys import load_auth_keys
from simulator.clock import SystemClock
from simulator.commands.common import (
    announce_auth_off,
    auth_off_warning,
    refuse_open_exposure,
    settings_from_args,
)
from simulator.commands.serve import bind
from simulator.dialects.config import credentials_for
from simulator.ids import RandomIds, SeededIds
from simulator.listener import freeze_start_up, make_runner, start_site
from simulator.settings import Settings
from simulator.wallet.app import create_wallet_app


async def _serve(app: web.Application, sock: socket.socket, settings: Settings, admin_from: Path | None) -> None:
    runner = make_runner(app, settings)
    await runner.setup()
    await start_site(runner, sock, settings)
    freeze_start_up()
    url = settings.bind_url
    print(f"reference wallet listening on {url} (sandbox: {url}/sandbox/players)", flush=True)
    if (warning := auth_off_warning(settings)) is not None:
        print(warning, flush=True)
        announce_auth_off(settings)
    else:
        where = f"admin_token in {admin_from}" if admin_from is not None else "the admin_token setting"
        print(f"  sandbox and ledger take Authorization: Bearer <admin token> ({where})", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    refuse_open_exposure(settings)
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
    settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    admin_from = load_auth_keys(settings).path if settings.auth else None
    event_loop.run(_serve(app, sock, settings, admin_from), settings.event_loop)
    return 0

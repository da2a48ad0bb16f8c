"""``casino-sim serve``: the simulator and, by default, the reference wallet in one process.

On SIGINT or SIGTERM it stops taking new rounds, lets the rounds in flight finish (their wallet calls included), then
closes the listeners and the database files.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
from pathlib import Path

from simulator.app import AUTH, CREDENTIALS, create_app
from simulator.auth.keys import AuthKeys
from simulator.commands.common import (
    add_settings_arguments,
    announce_auth_off,
    auth_off_warning,
    refuse_open_exposure,
    settings_from_args,
)
from simulator.listener import make_runner, start_site
from simulator.settings import Settings
from simulator.state import ROUNDS

log = logging.getLogger("casino_sim")

DRAIN_SECONDS = 30.0


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the simulator (with the reference wallet inside by default)")
    add_settings_arguments(parser)
    parser.add_argument("--wallet-url", help="operator wallet base URL (default: the embedded reference wallet)")
    parser.add_argument("--no-embedded-wallet", action="store_true", help="do not serve the wallet under /wallet")
    parser.add_argument("--faults", type=Path, help="YAML or TOML fault rules to load at start (docs/faults.md)")
    parser.set_defaults(run=run)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def call_hint(settings: Settings) -> str:
    """``casino-sim call`` with the options that find this server and its credentials."""
    words = ["casino-sim call"]
    if settings.bind_url != Settings().bind_url:
        words.append(f"--url {settings.bind_url}")
    if settings.data_dir != Path("data"):
        words.append(f"--data-dir {settings.data_dir}")
    return " ".join(words)


def banner(settings: Settings, credentials_path: Path | None, keys: AuthKeys | None = None) -> str:
    """What and where, never a secret: key ids and the credentials file's path, not their contents."""
    base = settings.bind_url
    lines = [f"casino-sim listening on {base}"]
    if (warning := auth_off_warning(settings)) is not None:
        lines.append(warning)
    lines += [
        f"  operator API (aggregator)   {base}/v1",
        f"  game client                 {base}/play/{{session_token}}",
        f"  OpenAPI document            {base}/openapi.json",
        f"  health                      {base}/healthz",
    ]
    if settings.embedded_wallet:
        lines.append(f"  reference wallet            {base}/wallet  (sandbox: {base}/wallet/sandbox/players)")
    lines.append(f"  wallet calls go to          {settings.effective_wallet_url}")
    lines.append(f"  database                    {settings.effective_database_url.split('@')[-1]}")
    if keys is not None:
        lines.append(f"  operator API                signed with key {' or '.join(keys.operator_keys)} (X-Operator-*)")
        lines.append("  admin API                   Authorization: Bearer <admin_token>")
        lines.append(f"  call it signed              {call_hint(settings)} GET /v1/studios")
    if credentials_path is not None:
        lines.append(f"  development credentials     {credentials_path} (mode 0600)")
    lines.append("Ctrl-C stops it cleanly.")
    return "\n".join(lines)


async def serve(settings: Settings, sock: socket.socket) -> None:
    app = create_app(settings)
    runner = make_runner(app, settings)
    await runner.setup()
    await start_site(runner, sock, settings)
    keys = app.get(AUTH)
    path = keys.path if keys is not None else app[CREDENTIALS].path
    print(banner(settings, path, keys), flush=True)
    announce_auth_off(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print("stopping: finishing rounds in flight", flush=True)
    if not await app[ROUNDS].drain(DRAIN_SECONDS):
        log.warning("rounds still in flight after %.0fs; their settlements resume at next start", DRAIN_SECONDS)
    await runner.cleanup()
    print("stopped", flush=True)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    refuse_open_exposure(settings)
    try:
        sock = bind(settings.host, settings.port)
    except OSError as exc:
        print(f"casino-sim: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 2
    if settings.port == 0:
        settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    asyncio.run(serve(settings, sock))
    return 0

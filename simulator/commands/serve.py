"""``casino-sim serve``: the simulator and, by default, the reference wallet in one process.

On SIGINT or SIGTERM it stops taking new rounds, lets the rounds in flight finish (their wallet calls included), then
closes the listeners and the database files. ``--workers N`` runs N such processes on one port (see
``simulator.commands.workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from simulator.app import CREDENTIALS, create_app, credentials_for
from simulator.commands import workers
from simulator.commands.common import add_settings_arguments, settings_from_args
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
    parser.add_argument(
        "--workers", type=int, help="processes serving the same port (SO_REUSEPORT); more than 1 needs PostgreSQL"
    )
    parser.set_defaults(run=run)


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def banner(settings: Settings, credentials_path: Path | None) -> str:
    base = settings.bind_url
    lines = [
        f"casino-sim listening on {base}" + (f" ({settings.workers} worker processes)" if settings.workers > 1 else ""),
        f"  operator API (aggregator)   {base}/v1",
        f"  game client                 {base}/play/{{session_token}}",
        f"  OpenAPI document            {base}/openapi.json",
        f"  health                      {base}/healthz",
    ]
    if settings.embedded_wallet:
        lines.append(f"  reference wallet            {base}/wallet  (sandbox: {base}/wallet/sandbox/players)")
    lines.append(f"  wallet calls go to          {settings.effective_wallet_url}")
    lines.append(f"  database                    {settings.effective_database_url.split('@')[-1]}")
    if credentials_path is not None:
        lines.append(f"  development credentials     {credentials_path}")
    lines.append("Ctrl-C stops it cleanly.")
    return "\n".join(lines)


async def serve(settings: Settings, sock: socket.socket, *, ready: Callable[[], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM. A worker process passes ``ready`` and leaves the announcements to its parent."""
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    if ready is None:
        print(banner(settings, app[CREDENTIALS].path), flush=True)
    else:
        ready()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    if ready is None:
        print("stopping: finishing rounds in flight", flush=True)
    if not await app[ROUNDS].drain(DRAIN_SECONDS):
        log.warning("rounds still in flight after %.0fs; their settlements resume at next start", DRAIN_SECONDS)
    await runner.cleanup()
    if ready is None:
        print("stopped", flush=True)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if settings.workers > 1:
        workers.check(settings)
    try:
        sock = bind(settings.host, settings.port, reuse_port=settings.workers > 1)
    except OSError as exc:
        print(f"casino-sim: cannot listen on {settings.host}:{settings.port}: {exc.strerror}", file=sys.stderr)
        return 2
    if settings.port == 0:
        settings = settings.model_copy(update={"port": sock.getsockname()[1]})
    if settings.workers == 1:
        asyncio.run(serve(settings, sock))
        return 0
    final = settings

    def child(worker_sock: socket.socket, ready: Callable[[], None]) -> None:
        asyncio.run(serve(final, worker_sock, ready=ready))

    return workers.supervise(
        settings.workers,
        sock,
        bind=lambda: bind(final.host, final.port, reuse_port=True),
        child=child,
        # made before forking, so that the workers share one development secret instead of racing to create it
        banner=banner(settings, credentials_for(settings).path),
    )

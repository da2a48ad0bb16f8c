"""``casino-sim serve``: the simulator and, by default, the reference wallet in one process.

On SIGINT or SIGTERM it stops taking new rounds, lets the rounds in flight finish (their wallet calls included), then
closes the listeners and the database files. ``--workers N`` runs N such processes on one port (see
``simulator.commands.workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from simulator import event_loop
from simulator.app import create_app
from simulator.auth.keys import AuthKeys, load_auth_keys
from simulator.commands import workers
from simulator.commands.common import (
    announce_auth_off,
    auth_off_warning,
    refuse_open_exposure,
    settings_from_args,
)
from simulator.dialects.config import credentials_for
from simulator.listener import freeze_start_up, make_runner, start_site
from simulator.metrics import multiprocess_mode
from simulator.settings import Settings
from simulator.state import AUTH, CREDENTIALS, ROUNDS

log = logging.getLogger("casino_sim")

DRAIN_SECONDS = 30.0


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


def program() -> str:
    """How the user can run ``casino-sim`` again: as typed (``.venv/bin/casino-sim``) unless it is on the PATH."""
    typed = sys.argv[0]
    if Path(typed).name != "casino-sim":
        return "casino-sim"  # python -m simulator, or a test
    found = shutil.which("casino-sim")
    return "casino-sim" if found and Path(found).resolve() == Path(typed).resolve() else typed


def call_hint(settings: Settings) -> str:
    """``casino-sim call`` with the options that find this server and its credentials."""
    words = [f"{program()} call"]
    if settings.bind_url != Settings().bind_url:
        words.append(f"--url {settings.bind_url}")
    if settings.data_dir != Path("data"):
        words.append(f"--data-dir {settings.data_dir}")
    return " ".join(words)


def banner(settings: Settings, credentials_path: Path | None, keys: AuthKeys | None = None) -> str:
    """What and where, never a secret: key ids and the credentials file's path, not their contents."""
    base = settings.bind_url
    workers_note = f" ({settings.workers} worker processes)" if settings.workers > 1 else ""
    lines = [f"casino-sim listening on {base}{workers_note}"]
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


async def serve(settings: Settings, sock: socket.socket, *, ready: Callable[[], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM. A worker process passes ``ready`` and leaves the announcements to its parent.
    The signal handlers come first, so a stop asked for while starting is honoured as soon as the server is up."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = create_app(settings)
    runner = make_runner(app, settings)
    await runner.setup()
    await start_site(runner, sock, settings)
    freeze_start_up()
    if ready is None:
        keys = app.get(AUTH)
        print(banner(settings, keys.path if keys is not None else app[CREDENTIALS].path, keys), flush=True)
        announce_auth_off(settings)
    else:
        ready()
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
    refuse_open_exposure(settings)
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
        event_loop.run(serve(settings, sock), settings.event_loop)
        return 0
    final = settings
    # made before forking, so that the workers share one set of development credentials instead of racing to create it
    keys = load_auth_keys(settings) if settings.auth else None
    path = keys.path if keys is not None else credentials_for(settings).path
    announce_auth_off(settings)

    def child(worker_sock: socket.socket, ready: Callable[[], None]) -> None:
        event_loop.run(serve(final, worker_sock, ready=ready), final.event_loop)

    # every worker writes its samples beside the others' so that /metrics adds them up, whichever worker answers
    with multiprocess_mode():
        return workers.supervise(
            settings.workers,
            sock,
            bind=lambda: bind(final.host, final.port, reuse_port=True),
            child=child,
            banner=banner(settings, path, keys),
        )

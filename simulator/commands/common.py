"""Arguments shared by the subcommands that start a server, and how they become ``Settings``."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from simulator.auth.client import client_auth, client_middleware
from simulator.errors import ConfigurationError
from simulator.listener import trust_context
from simulator.settings import Settings, load_settings

log = logging.getLogger("casino_sim")


def settings_from_args(args: argparse.Namespace, **fixed: object) -> Settings:
    """File < environment < flags. Only flags the user gave override anything."""
    overrides = {
        "host": args.host,
        "port": args.port,
        "data_dir": args.data_dir,
        "database_url": args.database_url,
        "seed": args.seed,
        "workers": getattr(args, "workers", None),
        "wallet_url": getattr(args, "wallet_url", None),
        "embedded_wallet": False if getattr(args, "no_embedded_wallet", False) else None,
        "faults_file": getattr(args, "faults", None),
    }
    return load_settings(args.config, **overrides, **fixed)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_open_exposure(settings: Settings) -> None:
    """``auth = false`` is for a developer's own machine: refused when the server would listen beyond loopback."""
    if not settings.auth and not is_loopback(settings.host):
        raise ConfigurationError(
            f"auth = false is refused on {settings.host}: without authentication anyone who reaches it can launch "
            "games and mint sandbox money. Listen on 127.0.0.1, or turn auth on."
        )


def auth_off_warning(settings: Settings) -> str | None:
    """The loud line a server prints (second, after where it listens) and logs at start when ``auth = false``."""
    if settings.auth:
        return None
    return (
        f"WARNING: authentication is OFF (auth = false): anyone who can reach {settings.bind_url} may use the "
        "operator and admin APIs"
    )


def announce_auth_off(settings: Settings) -> None:
    if (warning := auth_off_warning(settings)) is not None:
        log.warning("%s", warning.removeprefix("WARNING: "))


def load_client_settings(args: argparse.Namespace) -> Settings:
    """Settings of a client command: where the server's credentials and certificate are."""
    return load_settings(getattr(args, "config", None), data_dir=getattr(args, "data_dir", None))


@asynccontextmanager
async def client_session(
    settings: Settings,
    *,
    origins: list[str],
    cacert: Path | None = None,
    client_timeout: aiohttp.ClientTimeout | None = None,
) -> AsyncIterator[tuple[aiohttp.ClientSession, bool]]:
    """A session that signs operator requests and sends the admin token where needed (``simulator.auth.client``),
    to ``origins`` only, trusting ``cacert`` or else the server's own ``tls_cert`` for HTTPS; and whether
    credentials were found."""
    auth = client_auth(settings)
    trust = cacert or settings.tls_cert
    tls: ssl.SSLContext | bool = trust_context(trust) if trust is not None else True
    middlewares = [client_middleware(auth, origins=origins)] if auth is not None else []
    connector = aiohttp.TCPConnector(ssl=tls)
    async with aiohttp.ClientSession(connector=connector, middlewares=middlewares, timeout=client_timeout) as session:
        yield session, auth is not None

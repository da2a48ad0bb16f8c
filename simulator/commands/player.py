"""``casino-sim player create``: a sandbox player with a starting balance in a running reference wallet, created
with the admin token from the server's credentials (``--data-dir``) or the ``admin_token`` setting."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp

from simulator.commands.common import client_session, load_client_settings

DEFAULT_WALLET = "http://127.0.0.1:8080/wallet"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("player", help="sandbox players in the reference wallet")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a player with a starting balance and a session token")
    create.add_argument("--currency", required=True, help="ISO code, e.g. USD")
    create.add_argument("--balance", type=int, default=0, help="starting balance in minor units (cents for USD)")
    create.add_argument("--player-id", help="id to use (default: generated)")
    create.add_argument("--blocked", action="store_true", help="create the player blocked")
    create.add_argument("--wallet-url", default=DEFAULT_WALLET, help=f"reference wallet URL (default {DEFAULT_WALLET})")
    create.add_argument("--data-dir", type=Path, help="where the server keeps its credentials (default ./data)")
    create.add_argument("--config", type=Path, help="TOML or YAML settings file (admin_token, TLS)")
    parser.set_defaults(run=run)


async def _create(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"currency": args.currency, "balance": args.balance, "blocked": args.blocked}
    if args.player_id:
        body["player_id"] = args.player_id
    url = args.wallet_url.rstrip("/") + "/sandbox/players"
    settings = load_client_settings(args)
    async with client_session(settings, origins=[url]) as (session, found), session.post(url, json=body) as response:
        try:
            data = await response.json(content_type=None)
        except ValueError:
            data = {"error": {"code": "NOT_JSON", "message": f"HTTP {response.status} from {url}"}}
        error = data.get("error") if isinstance(data, dict) else None
        if response.status == 401 and not found and isinstance(error, dict):
            error["message"] = f"{error.get('message', '')} (no admin token under {settings.data_dir}; pass --data-dir)"
        return response.status, data


def run(args: argparse.Namespace) -> int:
    try:
        status, data = asyncio.run(_create(args))
    except aiohttp.ClientError as exc:
        print(f"casino-sim: cannot reach the wallet at {args.wallet_url}: {exc}", file=sys.stderr)
        return 2
    if status >= 400:
        error = data.get("error", {})
        print(f"casino-sim: {error.get('code', status)}: {error.get('message', '')}", file=sys.stderr)
        return 1
    print(json.dumps(data, indent=2))
    return 0

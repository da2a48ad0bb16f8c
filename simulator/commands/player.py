"""``casino-sim player create``: a sandbox player with a starting balance in a running reference wallet, created
with the admin token from the server's credentials (``--data-dir``) or the ``admin_token`` setting."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import aiohttp

from simulator.commands.common import client_session, load_client_settings


async def _create(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    balance = 0 if args.balance is None else args.balance
    body: dict[str, Any] = {"currency": args.currency, "balance": balance, "blocked": args.blocked}
    if args.self_excluded:
        body["self_excluded"] = True
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
    if args.balance is None:  # the player exists, but cannot bet yet: say so (stdout stays the JSON reply)
        player = data.get("player_id", "the player") if isinstance(data, dict) else "the player"
        print(
            f"casino-sim: created {player} with a balance of 0 {args.currency} (no --balance given); "
            "pass --balance N (minor units) to start with money",
            file=sys.stderr,
        )
    return 0

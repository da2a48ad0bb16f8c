"""``casino-sim player create``: a sandbox player with a starting balance in a running reference wallet, created
with the admin token from the server's credentials (``--data-dir``) or the ``admin_token`` setting."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from simulator.auth.client import client_auth
from simulator.commands.common import load_client_settings
from simulator.listener import trust_context
from simulator_sdk import ApiError, Client, Credentials, TransportError


def _create(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    """Through the SDK, with the wallet URL as its base: the sandbox path takes the admin token."""
    balance = 0 if args.balance is None else args.balance
    settings = load_client_settings(args)
    auth = client_auth(settings)
    token = auth.admin_token if auth is not None else None
    verify = trust_context(settings.tls_cert) if settings.tls_cert is not None else True
    with Client(args.wallet_url, Credentials(admin_token=token), verify=verify, wallet_path="") as client:
        try:
            player = client.create_player(args.currency, balance, player_id=args.player_id, blocked=args.blocked)
        except ApiError as exc:
            message = exc.message
            if exc.status == 401 and token is None:
                message += f" (no admin token under {settings.data_dir}; pass --data-dir)"
            return exc.status, {"error": {"code": exc.code, "message": message}}
    return 201, dict(player)


def run(args: argparse.Namespace) -> int:
    try:
        status, data = _create(args)
    except TransportError as exc:
        what = "cannot reach" if exc.code == "CONNECTION_FAILED" else "no usable answer from"
        print(f"casino-sim: {what} the wallet at {args.wallet_url}: {exc}", file=sys.stderr)
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

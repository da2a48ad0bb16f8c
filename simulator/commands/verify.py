"""``casino-sim verify``: recompute a round from its fairness inputs, offline or from a running simulator's record.

Offline: ``--engine ID --server-seed S --client-seed C --nonce N --amount A [--params JSON]``. Against a record:
``--round-id ID --server-seed S [--url URL]`` (the URL found as ``call`` finds it: ``$CASINO_SIM_URL``, else the
settings' address) fetches the round, checks the seed against the commitment the round was played under and compares
the recomputed outcome with what was reported. Exit 0 when everything checks out, 1 when the seed or the outcome does
not match, 2 on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

import aiohttp

from games.errors import GameError, UnknownEngine
from games.rng import commitment
from simulator.commands.arguments import URL_VARIABLE
from simulator.commands.common import client_session, load_client_settings
from simulator.commands.engines import unknown_engine
from simulator.fairness.verify import recompute
from simulator.play.outcome import stored_outcome


async def _fetch_round(args: argparse.Namespace, url: str, round_id: str) -> dict[str, Any]:
    async with (
        client_session(load_client_settings(args), origins=[url]) as (session, _),
        session.get(f"{url.rstrip('/')}/v1/rounds/{round_id}") as response,
    ):
        data: dict[str, Any] = await response.json(content_type=None)
        if response.status != 200:
            raise LookupError(data.get("error", {}).get("message", f"HTTP {response.status}"))
        return data


def _verify_record(args: argparse.Namespace) -> int:
    url = args.url or os.environ.get(URL_VARIABLE) or load_client_settings(args).bind_url
    try:
        record = asyncio.run(_fetch_round(args, url, args.round_id))
    except (aiohttp.ClientError, LookupError, ValueError) as exc:
        print(f"casino-sim: cannot fetch round {args.round_id} from {url}: {exc}", file=sys.stderr)
        return 2
    fairness, outcome = record["fairness"], stored_outcome(record["outcome"])
    stake = outcome.opening_stake if outcome.multi_step else record["amount"]
    again = recompute(
        record["engine_id"],
        args.server_seed,
        fairness["client_seed"],
        fairness["nonce"],
        stake,
        record["params"],
        mode=outcome.rng.mode,
        mapping=outcome.rng.mapping,
    )
    seed_ok = commitment(args.server_seed) == fairness["server_seed_hash"]
    if outcome.multi_step:
        outcome_ok = again["state"] == outcome.opening
    else:
        outcome_ok = again["detail"] == outcome.detail and again["win"] == record["win"]
    print(f"round {record['round_id']} ({record['engine_id']}, nonce {fairness['nonce']})")
    print(f"  server seed matches commitment {fairness['server_seed_hash']}: {'PASS' if seed_ok else 'FAIL'}")
    print(f"  recomputed outcome matches the recorded one: {'PASS' if outcome_ok else 'FAIL'}")
    return 0 if seed_ok and outcome_ok else 1


def _verify_offline(args: argparse.Namespace) -> int:
    missing = [
        flag
        for flag, value in (
            ("--engine", args.engine),
            ("--client-seed", args.client_seed),
            ("--nonce", args.nonce),
            ("--amount", args.amount),
        )
        if value is None
    ]
    if missing:
        print(f"casino-sim: give --round-id, or {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        params = json.loads(args.params)
        outcome = recompute(
            args.engine,
            args.server_seed,
            args.client_seed,
            args.nonce,
            args.amount,
            params,
            mode=args.rng,
            mapping=args.mapping,
        )
    except UnknownEngine:
        print(f"casino-sim: {unknown_engine(args.engine)}", file=sys.stderr)
        return 2
    except (ValueError, GameError) as exc:
        print(f"casino-sim: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    print(json.dumps(outcome, indent=2))
    if args.server_seed_hash is not None:
        ok = commitment(args.server_seed) == args.server_seed_hash
        print(f"server seed matches commitment: {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    return 0


def run(args: argparse.Namespace) -> int:
    return _verify_record(args) if args.round_id else _verify_offline(args)

"""``casino-sim history PLAYER_ID``: a player's game history from a running simulator (``GET
/v1/players/{id}/rounds``, every page), printed as a table or exported as CSV or JSON. Exit 0 on success, 1 when the
server refuses the query, 2 when it cannot be reached or the arguments are wrong."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import sys
import urllib.parse
from typing import Any

import aiohttp

from simulator.commands.arguments import URL_VARIABLE
from simulator.commands.common import client_session, load_client_settings

COLUMNS = ("round_id", "game_id", "currency", "amount", "win", "status", "created_at")


class Refused(Exception):
    """The server answered the query with an error."""


async def fetch(args: argparse.Namespace, base: str) -> dict[str, Any]:
    """Every round of the selection (up to ``--max-rounds``) and the totals."""
    params = {k: v for k, v in (("game_id", args.game), ("from", args.since), ("to", args.until)) if v is not None}
    if args.status:
        params["status"] = args.status
    path = f"/v1/players/{urllib.parse.quote(args.player_id, safe='')}/rounds"
    rounds: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    settings = load_client_settings(args)
    async with client_session(settings, origins=[base], cacert=args.cacert) as (http, _):
        cursor: str | None = None
        while True:
            query = params | {"limit": "500"} | ({"cursor": cursor} if cursor else {})
            async with http.get(f"{base}{path}?{urllib.parse.urlencode(query)}") as response:
                body = await response.json(content_type=None)
                if response.status >= 400:
                    error = body.get("error", {}) if isinstance(body, dict) else {}
                    raise Refused(f"{response.status} {error.get('code')}: {error.get('message')}")
            rounds += body["rounds"]
            totals = body["totals"]
            cursor = body["next_cursor"]
            if cursor is None or len(rounds) >= args.max_rounds:
                break
    return {"player_id": args.player_id, "rounds": rounds[: args.max_rounds], "totals": totals}


def render(history: dict[str, Any], output_format: str) -> str:
    if output_format == "json":
        return json.dumps(history, indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "details_url"], extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(history["rounds"])
        return out.getvalue()
    lines = ["  ".join(f"{c:<12}" for c in COLUMNS)]
    lines += ["  ".join(f"{r[c]!s:<12}" for c in COLUMNS) for r in history["rounds"]]
    for t in history["totals"]:
        lines.append(
            f"{t['currency']}: {t['rounds']} rounds, staked {t['staked']}, won {t['won']}, net {t['net']} (minor units)"
        )
    if not history["rounds"]:
        lines.append("no rounds")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    base = (args.url or os.environ.get(URL_VARIABLE) or load_client_settings(args).bind_url).rstrip("/")
    try:
        history = asyncio.run(fetch(args, base))
    except Refused as exc:
        print(f"casino-sim: the server refused the query: {exc}", file=sys.stderr)
        return 1
    except aiohttp.ClientError as exc:
        print(f"casino-sim: cannot reach {base}: {exc}", file=sys.stderr)
        return 2
    text = render(history, args.format)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"casino-sim: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"{len(history['rounds'])} rounds written to {args.output}")
    return 0

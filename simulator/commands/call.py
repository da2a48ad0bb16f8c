"""``casino-sim call METHOD PATH [--json BODY]``: one request to a running server, signed with the local credentials.

Operator routes (``/v1``, ``/v2``) are signed with the first operator key, admin routes carry the admin token, the
rest goes as it is (``simulator.auth.client``). The reply body is printed (JSON indented); the exit status is 0
for a 2xx or 3xx, 1 for an error status and 2 when the server cannot be reached or the input is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import aiohttp

from simulator.commands.arguments import URL_VARIABLE
from simulator.commands.common import client_session, load_client_settings


def _body(raw: str | None) -> bytes:
    if raw is None:
        return b""
    if raw == "-":
        text = sys.stdin.read()
    elif raw.startswith("@"):
        text = Path(raw[1:]).read_text()
    else:
        text = raw
    try:
        json.loads(text)
    except ValueError as exc:
        raise ValueError(f"--json is not valid JSON: {exc}") from None
    return text.encode()


async def _call(args: argparse.Namespace, base: str, body: bytes) -> tuple[int, str, str]:
    settings = load_client_settings(args)
    headers = {"Content-Type": "application/json"} if body else {}
    async with (
        client_session(settings, origins=[base], cacert=args.cacert) as (http, found),
        http.request(args.method, base + args.path, data=body or None, headers=headers) as response,
    ):
        text = await response.text(errors="replace")
        version = response.version or aiohttp.HttpVersion11
        head = f"HTTP/{version.major}.{version.minor} {response.status} {response.reason}\n"
        head += "".join(f"{k}: {v}\n" for k, v in response.headers.items())
        if response.status == 401 and not found:
            print(f"casino-sim: no credentials under {settings.data_dir}; pass --data-dir or --config", file=sys.stderr)
        return response.status, head, text


def run(args: argparse.Namespace) -> int:
    if not args.path.startswith("/"):
        print("casino-sim: PATH must start with /, e.g. /v1/studios", file=sys.stderr)
        return 2
    try:
        body = _body(args.body)
    except (OSError, ValueError) as exc:
        print(f"casino-sim: {exc}", file=sys.stderr)
        return 2
    base = (args.url or os.environ.get(URL_VARIABLE) or load_client_settings(args).bind_url).rstrip("/")
    try:
        status, head, text = asyncio.run(_call(args, base, body))
    except aiohttp.ClientError as exc:
        print(f"casino-sim: cannot reach {base}: {exc}", file=sys.stderr)
        return 2
    if args.include:
        print(head)
    try:
        print(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
    except ValueError:
        print(text)
    return 0 if status < 400 else 1

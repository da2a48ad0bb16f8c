"""``casino-sim call METHOD PATH [--json BODY]``: one request to a running server, signed with the local credentials.

The request goes through the client SDK (``simulator_sdk.Client.send``): operator routes (``/v1``, ``/v2``) are
signed with the first operator key, admin routes carry the admin token, the rest goes as it is; the SDK holds the one
copy of that rule and of the signature. The credentials come from the settings (``operators``, ``admin_token``) or
the server's ``credentials.json`` (``simulator.auth.client.client_auth``). The reply body is printed (JSON indented);
the exit status is 0 for a 2xx or 3xx, 1 for an error status and 2 when the server cannot be reached or the input is
wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import sys
from pathlib import Path

from simulator.auth.client import client_auth
from simulator.commands.arguments import URL_VARIABLE
from simulator.commands.common import load_client_settings
from simulator.listener import trust_context
from simulator_sdk import Client, Credentials, TransportError


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


def run(args: argparse.Namespace) -> int:
    if not args.path.startswith("/"):
        print("casino-sim: PATH must start with /, e.g. /v1/studios", file=sys.stderr)
        return 2
    try:
        body = _body(args.body)
    except (OSError, ValueError) as exc:
        print(f"casino-sim: {exc}", file=sys.stderr)
        return 2
    settings = load_client_settings(args)
    base = (args.url or os.environ.get(URL_VARIABLE) or settings.bind_url).rstrip("/")
    auth = client_auth(settings)
    credentials = None
    if auth is not None:
        key = auth.key
        credentials = Credentials(key.key_id if key else None, key.secret if key else None, auth.admin_token)
    trust = args.cacert or settings.tls_cert
    verify: ssl.SSLContext | bool = trust_context(trust) if trust is not None else True
    headers = {"Content-Type": "application/json"} if body else {}
    client = Client(base, credentials or Credentials(), verify=verify)
    try:
        reply = client.send(args.method, args.path, body, headers)
    except TransportError as exc:
        print(f"casino-sim: cannot reach {base}: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()
    if reply.status == 401 and auth is None:
        print(f"casino-sim: no credentials under {settings.data_dir}; pass --data-dir or --config", file=sys.stderr)
    if args.include:
        print(f"HTTP/{reply.http_version} {reply.status} {reply.reason}")
        print("".join(f"{name}: {value}\n" for name, value in reply.headers))
    text = reply.body.decode(errors="replace")
    try:
        print(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
    except ValueError:
        print(text)
    return 0 if reply.status < 400 else 1

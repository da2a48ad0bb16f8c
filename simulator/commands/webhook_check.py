"""``casino-sim webhook-check URL``: the checks of ``simulator.webhooks.check`` against an operator's receiver."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from simulator.webhooks.check import check_receiver, render


def run(args: argparse.Namespace) -> int:
    if args.secret_file is not None:
        try:
            secret = Path(args.secret_file).read_text().strip()
        except OSError as exc:
            print(f"casino-sim webhook-check: cannot read {args.secret_file}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        secret = str(args.secret)
    if not args.url.startswith(("http://", "https://")):
        print("casino-sim webhook-check: the URL must start with http:// or https://", file=sys.stderr)
        return 2
    results = asyncio.run(check_receiver(args.url, args.key_id, secret, request_timeout=args.timeout))
    sys.stdout.write(render(results))
    if all(r.detail.startswith("no answer") for r in results):
        print(f"casino-sim webhook-check: {args.url} did not answer", file=sys.stderr)
        return 2
    return 0 if all(r.passed for r in results) else 1

"""``casino-sim audit-export``: the audit export of ``simulator.reports.audit`` read from the store."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from simulator.commands.report_io import stored_database_url, write_output
from simulator.errors import SimulatorError
from simulator.reports.audit import AuditSelection, audit_lines
from simulator.settings import load_settings
from simulator.store.database import open_database
from simulator.store.provider import ProviderStore


async def collect(url: str, selection: AuditSelection) -> list[str]:
    store = ProviderStore(await open_database(url))
    try:
        await store.migrate()
        return [line async for line in audit_lines(store, selection, journal=None, generated_at=time.time())]
    finally:
        await store.db.close()  # not store.close(): a reader has no nonces to write back


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config, data_dir=args.data_dir, database_url=args.database_url)
        url = stored_database_url(settings)
        selection = AuditSelection.parse(args.round_id, args.player_id, args.start, args.end)
        lines = asyncio.run(collect(url, selection))
    except SimulatorError as exc:
        print(f"casino-sim audit-export: {exc.message}", file=sys.stderr)
        return 2
    write_output(
        "".join(line + "\n" for line in lines), args.output, wrote=f"wrote {len(lines)} lines to {args.output}"
    )
    return 0

"""``casino-sim report``: the money and RTP reports read from the store, written as CSV, JSON or an HTML page."""

from __future__ import annotations

import argparse
import asyncio
import sys

from simulator.catalog import build_catalog
from simulator.commands.report_io import stored_database_url, write_output
from simulator.errors import RequestError, SimulatorError
from simulator.money import exponent
from simulator.rates import Rates, load_rates
from simulator.reports.buckets import Buckets
from simulator.reports.money import money_report
from simulator.reports.query import ReportQuery
from simulator.reports.render import money_csv, report_html, report_json
from simulator.reports.rtp import rtp_report
from simulator.settings import load_settings
from simulator.store.database import open_database
from simulator.store.provider import ProviderStore

EVERYTHING = 10**9


def _filters(args: argparse.Namespace) -> dict[str, str]:
    return {
        name: value
        for name, value in (
            ("studio_id", args.studio_id),
            ("game_id", args.game_id),
            ("currency", args.currency),
            ("player_id", args.player_id),
        )
        if value
    }


async def build(args: argparse.Namespace, url: str, seed: int, rates: Rates) -> str:
    filters = _filters(args)
    query = ReportQuery.parse(args.group_by, args.start, args.end, filters)
    convert = None if args.convert_to is None else (rates, args.convert_to)
    if convert is not None:
        if args.format == "csv":
            raise RequestError("--convert-to gives converted totals in json and html; the CSV holds only rows")
        exponent(args.convert_to)  # before opening the database
    db = await open_database(url)
    try:
        await ProviderStore(db).migrate()  # a database of an older release gains the report tables
        buckets = Buckets(db)
        await buckets.migrate()
        report = await money_report(db, buckets, query, limit=EVERYTHING, convert=convert)
        if args.format == "csv":
            return money_csv(report)
        rtp = await rtp_report(db, build_catalog(seed), query, confidence=args.confidence)
        if args.format == "json":
            return report_json(report, rtp, args.confidence)
        day_query = ReportQuery.parse("day", args.start, args.end, filters)
        by_day = await money_report(db, buckets, day_query, limit=EVERYTHING)
        return report_html(report, by_day, rtp, confidence=args.confidence, title="casino-sim report")
    finally:
        await db.close()


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config, data_dir=args.data_dir, database_url=args.database_url, seed=args.seed)
        url = stored_database_url(settings)
        if not 0.5 <= args.confidence <= 0.99999:
            raise RequestError("--confidence must be between 0.5 and 0.99999")
        text = asyncio.run(build(args, url, settings.seed, load_rates(settings.rates_file)))
    except SimulatorError as exc:
        print(f"casino-sim report: {exc.message}", file=sys.stderr)
        return 2
    write_output(text, args.output, wrote=f"wrote {args.output}")
    return 0

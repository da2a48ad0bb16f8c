"""``casino-sim scenario run FILE``: play a QA scenario (faults + traffic) and check that nothing was lost.

By default it starts its own simulator with the reference wallet inside, on loopback, in virtual time; with
``--wallet-url`` the simulator calls that wallet instead (it must offer the reference wallet's sandbox API to create
players, and its ledger export for the ledger checks). Exit status: 0 when every invariant holds, 1 on a violation,
2 when the scenario cannot be run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from simulator.commands.progress import progress_line
from simulator.faults.runner import Report, run_scenario
from simulator.faults.scenario import load_scenario
from simulator.settings import load_settings


def print_report(report: Report) -> None:
    scenario = report.scenario
    print(f"scenario {scenario.name}: {scenario.description.strip()}")
    responses = ", ".join(f"{k}: {v}" for k, v in sorted(report.responses.items())) or "none"
    faults = ", ".join(f"{k}: {v}" for k, v in sorted(report.faults.items())) or "none"
    print(f"  responses {responses}")
    print(f"  faults injected {faults}")
    print(f"  virtual time {report.virtual_seconds:.1f}s, {len(report.journal)} exchanges journaled")
    width = max(len(c.name) for c in report.checks)
    for check in report.checks:
        print(f"  {check.label} {check.name.ljust(width)}  {check.detail}")
    failed = sum(1 for c in report.checks if c.ok is False)
    print(f"{'PASS' if report.ok else 'FAIL'}: {len(report.checks) - failed} of {len(report.checks)} checks hold")


async def _run(args: argparse.Namespace, workdir: Path) -> Report:
    scenario = load_scenario(args.file)
    base = load_settings(args.config)
    line = progress_line(args.progress, f"scenario {scenario.name}", "rounds")
    try:
        return await run_scenario(
            scenario, workdir, base=base, wallet_url=args.wallet_url, dialect=args.dialect, progress=line
        )
    finally:
        if line is not None:
            line.close()


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        for path in sorted(args.directory.glob("*.y*ml")):
            scenario = load_scenario(path)
            print(f"{path.name}: {scenario.description.strip().splitlines()[0]}")
        return 0
    if args.data_dir is not None:
        report = asyncio.run(_run(args, args.data_dir))
    else:
        with tempfile.TemporaryDirectory(prefix="casino-sim-scenario-") as tmp:
            report = asyncio.run(_run(args, Path(tmp)))
    print_report(report)
    if args.journal is not None:
        args.journal.write_text(json.dumps(report.journal, indent=2))
        print(f"journal written to {args.journal}", file=sys.stderr)
    return 0 if report.ok else 1

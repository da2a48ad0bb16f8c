"""Start-up time of the ``casino-sim`` command: the median wall time of ``casino-sim --help`` and of one command's
``--help``, with ``python -c pass`` measured in the same run as the baseline (what the interpreter alone costs on
this machine, at this moment), and their ratio.

    python bench/cli_startup.py [--runs 21] [--command serve]

Runs are interleaved (baseline, --help, command --help, again) so that a change in the machine's load shifts all
three alike. The figure to watch is the absolute median on a quiet machine (target: under 0.3 s) and the ratio to
the baseline, which says how much of it is the simulator's own imports. Each run is a fresh process started with
this interpreter (``-m simulator``, as the ``casino-sim`` script does), with the repository first on the path.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=21, help="runs of each (default 21)")
    parser.add_argument("--command", default="serve", help="the command whose --help is timed too (default serve)")
    args = parser.parse_args()
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "casino-sim --help": [sys.executable, "-m", "simulator", "--help"],
        f"casino-sim {args.command} --help": [sys.executable, "-m", "simulator", args.command, "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for argv in cases.values():  # one warm-up each: the first start reads files the later ones find cached
        timed(argv, env)
    for _ in range(args.runs):
        for name, argv in cases.items():
            times[name].append(timed(argv, env))
    baseline = statistics.median(times["python -c pass"])
    print(f"{'':32} {'median':>9} {'min':>9} {'max':>9} {'/ baseline':>11}   ({args.runs} runs each)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32} {median:8.3f}s {min(values):8.3f}s {max(values):8.3f}s {median / baseline:10.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``casino-sim rtp``: simulate a game and check the result against its declared math.

Exit status: 0 when the simulated RTP is within the 99% acceptance band of the theoretical RTP, 1 when it is not, 2 on
bad input (unknown game, rounds that are not positive, a stake the game refuses, a plot that cannot be written).

``--stake N`` plays the rounds through the engine at N minor units instead of simulating them per unit stake, so the
figure includes the settlement of wins to minor units; it is slower (a Python call per round), hence fewer default
rounds.

For the reference titles that carry a progressive jackpot (``simulator.catalog.jackpots``) the report adds the pool's
share of stakes and the declared RTP with it: the engine's simulated RTP is checked against the engine's math (the
trigger is drawn after the engine and changes none of its outcomes), and the jackpot adds its contribution rate.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys

from games.errors import InvalidBet, UnknownEngine
from games.rtp import RtpReport, play_rtp, simulate_rtp, write_plot
from simulator.catalog.jackpots import JACKPOTS
from simulator.commands.engines import unknown_engine
from simulator.commands.progress import progress_line

SIMULATED_ROUNDS = 1_000_000
PLAYED_ROUNDS = 100_000


def run(args: argparse.Namespace) -> int:
    rounds = args.rounds if args.rounds is not None else SIMULATED_ROUNDS if args.stake is None else PLAYED_ROUNDS
    if rounds <= 0:
        return _bad_input(f"--rounds must be positive, got {rounds}")
    if args.stake is not None and args.stake <= 0:
        return _bad_input(f"--stake must be a positive number of minor units, got {args.stake}")
    if args.seed < 0:
        return _bad_input(f"--seed must not be negative, got {args.seed}")
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        return _bad_input("--plot needs matplotlib: pip install 'casino-provider-simulator[plot]'")
    line = progress_line(args.progress, f"rtp {args.game}", "rounds")
    try:
        if args.stake is None:
            report = simulate_rtp(args.game, rounds, args.seed, progress=line)
        else:
            report = play_rtp(args.game, args.stake, rounds, args.seed, progress=line)
    except UnknownEngine:
        return _bad_input(unknown_engine(args.game))
    except InvalidBet as exc:
        return _bad_input(f"{args.game} refuses a stake of {args.stake}: {exc.message}")
    finally:
        if line is not None:
            line.close()
    if args.plot:
        try:
            write_plot(report, args.plot)
        except OSError as exc:
            return _bad_input(f"cannot write plot {args.plot}: {exc.strerror or exc}")
    if args.json:
        body = report.to_json()
        terms = JACKPOTS.get(report.game)
        if terms is not None:
            body["jackpot"] = {
                "jackpot_id": terms.jackpot_id,
                "contribution_bp": terms.contribution_bp,
                "share": terms.rtp_share,
                "declared_rtp": report.theory.rtp + terms.rtp_share,
            }
        print(json.dumps(body, indent=2))
    else:
        print(format_report(report))
        if args.plot:
            print(f"plot written to {args.plot}")
    return 0 if report.passed else 1


def format_report(report: RtpReport) -> str:
    theory = report.theory
    low, high = report.ci99
    max_theory = "unbounded" if math.isinf(theory.max_win_multiplier) else f"{theory.max_win_multiplier:,.2f}x"
    rows = [
        ("game", report.game),
        ("stake", "per unit (simulated)" if report.stake is None else f"{report.stake:,} minor units (played)"),
        ("rounds", f"{report.rounds:,} (seed {report.seed})"),
        ("RTP", f"{report.rtp:.4%}  (99% CI {low:.4%} .. {high:.4%})"),
        ("theoretical RTP", f"{theory.rtp:.4%}  ({theory.method})"),
        ("deviation", f"{report.deviation:+.4%}  (allowed ±{report.tolerance:.4%}, 2.576 sigma / sqrt(N))"),
        ("hit frequency", f"{report.hit_frequency:.4%}  (theoretical {theory.hit_frequency:.4%})"),
        ("sigma", f"{report.std_dev:.4f}  (theoretical {theory.std_dev:.4f})"),
        ("max win", f"{report.max_win:,.2f}x  (theoretical {max_theory})"),
        ("result", "PASS" if report.passed else "FAIL"),
    ]
    terms = JACKPOTS.get(report.game)
    if terms is not None:
        rows[5:5] = [
            ("jackpot", f"{terms.jackpot_id}: +{terms.rtp_share:.4%} of stakes paid back through the pool"),
            ("declared RTP", f"{theory.rtp + terms.rtp_share:.4%}  (engine + jackpot, as the catalogue lists it)"),
        ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def _bad_input(message: str) -> int:
    print(f"casino-sim rtp: error: {message}", file=sys.stderr)
    return 2

"""Slot spin throughput: the vectorised simulator against the live per-round ``play`` path.

Run ``python bench/spin_throughput.py [--game ID]``. It prints paid rounds per second (each round includes the free
spins it triggers) for both paths and their ratio; it asserts nothing about timing. The per-round path is what a live
round costs: a provably-fair stream per round plus the plain-Python evaluation and the JSON-able detail.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

# A script run from a checkout: make the repository importable without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from games.rng import ProvablyFairStream
from games.slots import ENGINES, SlotEngine


def vectorised_rate(engine: SlotEngine, rounds: int) -> float:
    rng = np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(1)))
    engine.simulate(10_000, rng)  # build the lookup tables outside the timing
    start = time.perf_counter()
    engine.simulate(rounds, rng)
    return rounds / (time.perf_counter() - start)


def per_round_rate(engine: SlotEngine, rounds: int) -> float:
    start = time.perf_counter()
    for nonce in range(rounds):
        engine.play(100, {}, ProvablyFairStream("bench server seed", "bench client seed", nonce))
    return rounds / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--game", default="slot-classic20-965", choices=sorted(ENGINES))
    parser.add_argument("--rounds", type=int, default=5_000_000, help="vectorised rounds (5,000,000)")
    parser.add_argument("--play-rounds", type=int, default=20_000, help="per-round rounds (20,000)")
    args = parser.parse_args()
    engine = ENGINES[args.game]
    assert isinstance(engine, SlotEngine)

    fast = vectorised_rate(engine, args.rounds)
    slow = per_round_rate(engine, args.play_rounds)
    print(f"{args.game} on {platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}")
    print(f"vectorised simulate : {fast:>13,.0f} rounds/s  ({args.rounds:,} rounds, one core)")
    print(f"per-round play      : {slow:>13,.0f} rounds/s  ({args.play_rounds:,} rounds, provably-fair stream)")
    print(f"ratio               : {fast / slow:>13,.0f}x")


if __name__ == "__main__":
    main()

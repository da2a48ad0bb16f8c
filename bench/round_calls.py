"""Python function calls per dice round through the simulator, the embedded reference wallet and the test client,
counted by cProfile: a figure that, unlike rounds per second, does not move with the machine's speed or load, so it
shows whether a change added work to the round path.

    python bench/round_calls.py                  # this tree
    python bench/round_calls.py --rounds 3000

Run it on two trees (``PYTHONPATH=<tree>``) to compare; it also prints the CPU time per round, which does depend on
the machine, and the functions with the most time of their own.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after PYTHONPATH: PYTHONPATH=<tree> measures that tree

from simulator.settings import Settings  # noqa: E402
from tests.harness import running_sim  # noqa: E402


async def measure(rounds: int, top: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(data_dir=Path(directory) / "data", port=0)
        async with running_sim(settings, settlement_worker=False) as sim:
            player = await sim.create_player(10**12)
            session = await sim.launch(player, await sim.game_for("dice"))
            token = session["session_token"]
            for _ in range(300):  # warm caches, pools and the session before counting
                await sim.play(token, 100)
            profile = cProfile.Profile()
            started = time.process_time()
            profile.enable()
            for _ in range(rounds):
                await sim.play(token, 100)
            profile.disable()
            cpu = time.process_time() - started
    stats = pstats.Stats(profile)
    calls = sum(entry[1] for entry in stats.stats.values())  # type: ignore[attr-defined]
    print(f"{calls / rounds:.0f} function calls per round ({rounds} dice rounds: client, simulator and wallet)")
    print(f"{cpu / rounds * 1e6:.0f} us CPU per round under the profiler (machine-dependent)")
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1500)
    parser.add_argument("--top", type=int, default=15, help="functions to list by their own time")
    args = parser.parse_args()
    asyncio.run(measure(args.rounds, args.top))


if __name__ == "__main__":
    main()

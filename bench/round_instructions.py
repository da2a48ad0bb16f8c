"""Machine instructions per round of scenario ``b`` (the simulator calling a trivial wallet), counted by valgrind's
callgrind, for one or more checkouts: a figure that neither the machine's speed nor its load moves, so two checkouts
compare to about a percent (group commits batch a few more or fewer rounds from one run to the next) where CPU time per
round moves by several.

    python bench/round_instructions.py ../old-checkout .          # needs valgrind (apt install valgrind)
    python bench/round_instructions.py . --rounds 2000

Each simulator runs under callgrind with counting off; a client warms it up, counting is turned on for ``--rounds``
dice rounds (16 at a time), then off. Instructions are not time: a cache miss costs hundreds of cycles and counts as
one, and OpenSSL runs a generic SHA-256 under valgrind (many more instructions than the CPU's own SHA instructions), so
a change that only touches memory, or adds an HMAC, shows here smaller or larger than in ``round_ab.py --together``.
Slow: a checkout takes a minute or two.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp
import round_throughput as rt

from simulator import jsonbytes

CONCURRENCY = 16


async def play(base: str, paths: list[str], rounds: int) -> int:
    """``rounds`` dice rounds over ``paths``, ``CONCURRENCY`` at a time; how many were not answered 200."""
    body = jsonbytes.dumps(rt.ROUND_BODY)
    numbers = iter(range(rounds))
    failed = 0
    async with aiohttp.ClientSession(skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding")) as http:

        async def worker() -> None:
            nonlocal failed
            for n in numbers:
                path = paths[n % len(paths)]
                async with http.post(base + path, data=body, headers={"Content-Type": "application/json"}) as reply:
                    await reply.read()
                    failed += reply.status != 200

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return failed


def totals(out: Path) -> int:
    """The instruction count callgrind wrote for the rounds (the dump taken while they were counted)."""
    counts = [
        int(line.split()[1])
        for dump in sorted(out.parent.glob(out.name + "*"))
        for line in dump.read_text().splitlines()
        if line.startswith("totals:")
    ]
    return sum(counts)


def measure(tree: Path, wallet: rt.Server, args: argparse.Namespace, work: Path, name: str) -> int:
    out = work / f"{name}.callgrind"
    argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    argv += rt.simulator_argv(work / name, wallet.url)
    env = rt.SIM_ENV | {"PYTHONPATH": str(tree)}
    with rt.running(argv, work / f"{name}.log", cpus=None, env=env, cwd=tree) as sim:
        paths = rt.sessions(sim.url, args.sessions, None, work).read_text().split()
        if asyncio.run(play(sim.url, paths, args.warmup_rounds)):
            raise RuntimeError(f"{tree}: warm-up rounds failed; see {work / (name + '.log')}")
        pid = str(sim.proc.pid)
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        failed = asyncio.run(play(sim.url, paths, args.rounds))
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
        if failed:
            raise RuntimeError(f"{tree}: {failed} rounds failed; see {work / (name + '.log')}")
    return totals(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="+", type=Path, help="checkouts of the project to compare")
    parser.add_argument("--rounds", type=int, default=1000, help="rounds counted per checkout (default 1000)")
    parser.add_argument("--warmup-rounds", type=int, default=400, help="rounds played before counting (default 400)")
    parser.add_argument("--sessions", type=int, default=100, help="sessions the rounds cycle over (default 100)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    trees = rt.checkouts(args.trees)
    if trees is None:
        return 2
    work = Path(tempfile.mkdtemp(prefix="round-instructions-"))
    try:
        with rt.running([sys.executable, str(rt.BENCH / "stubs.py"), "wallet"], work / "wallet.log", cpus=None) as w:
            counts = [measure(tree, w, args, work, f"b{n}") for n, tree in enumerate(trees)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'':4}{'checkout':50}{'instructions/round':>20}{'vs b0':>8}")
    for n, (tree, count) in enumerate(zip(trees, counts, strict=True)):
        print(f"b{n:<3}{str(tree)[-50:]:50}{count / args.rounds:20,.0f}{count / counts[0]:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scenario ``b`` of ``round_throughput.py`` (the simulator calling a trivial wallet) on several checkouts at once,
against the baseline ``a``: the way to see whether a change lowered b/a, old and new code measured in the same run.

    python bench/round_ab.py ../old-checkout . --pin --repeat 3

Every server runs at once (the simulators each from their own checkout, with ``PYTHONPATH`` set to it) and with
``--repeat`` their runs take turns, so that a machine that changes speed moves every scenario alike. It prints rounds/s
and server CPU per round for each, and each checkout's b/a, by rounds/s and by CPU per round.

On a machine whose speed changes from one ten-second run to the next (a shared virtual machine: runs of the same
server have differed by 1.6x), taking turns is not enough. ``--together`` loads every server at the same moment, all
on one core, each with its own wrk, so that whatever the machine does, it does to all of them; what is compared is
server CPU per round, run by run, as a ratio to the first checkout's in the same run (the median over runs is printed,
with the spread). Sharing one core changes what a round costs, and not by the same factor for every server, so this
compares checkouts with each other, not b/a with its target:

    python bench/round_ab.py ../old-checkout . --together --repeat 5

``--scenario c`` does the same for scenario ``c``: each simulator calls a reference wallet (``casino-sim wallet``) of
its own checkout, in a process of its own beside wrk; it prints c/a, and CPU per round is the simulator's alone.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

import round_throughput as rt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="+", type=Path, help="checkouts of the project to compare")
    rt.load_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario, taking turns (default 3)")
    parser.add_argument("--together", action="store_true", help="load every server at once (implies --pin)")
    parser.add_argument(
        "--scenario",
        choices=("b", "c"),
        default="b",
        help="b: each simulator calls the trivial wallet (default); c: each calls its own checkout's reference wallet",
    )
    args = parser.parse_args()
    args.pin = args.pin or args.together
    if rt.no_wrk():
        return 2
    trees = rt.checkouts(args.trees)
    if trees is None:
        return 2
    work = Path(tempfile.mkdtemp(prefix="round-ab-"))
    server_cpus = "0" if args.pin else None
    side_cpus = "1" if args.pin else None
    try:
        with contextlib.ExitStack() as stack:

            def start(
                argv: list[str], log: str, cpus: str | None, env: dict[str, str] | None = None, cwd: Path = rt.ROOT
            ) -> rt.Server:
                return stack.enter_context(rt.running(argv, work / log, cpus=cpus, env=env, cwd=cwd))

            wallet = start([sys.executable, str(rt.BENCH / "stubs.py"), "wallet"], "wallet.log", side_cpus)
            base = start([sys.executable, str(rt.BENCH / "stubs.py"), "baseline", "--wallet-url", wallet.url],
                         "baseline.log", server_cpus)  # fmt: skip
            paths = work / "baseline-paths.txt"
            paths.write_text("".join(f"/play/bench-{i}/rounds\n" for i in range(args.sessions)))
            scenarios = [rt.Scenario("a", "baseline: bare aiohttp + 2 wallet POSTs", base, paths)]
            for n, tree in enumerate(trees):
                name, tree_env = f"{args.scenario}{n}", rt.SIM_ENV | {"PYTHONPATH": str(tree)}
                wallet_url, players = wallet.url, None
                if args.scenario == "c":  # the checkout's own reference wallet, beside wrk
                    argv = rt.casino_sim("wallet", "--port", "0", "--data-dir", str(work / f"{name}-wallet"))
                    ref = start(argv, f"{name}-wallet.log", side_cpus, env=tree_env, cwd=tree)
                    wallet_url = players = ref.url
                sim = start(rt.simulator_argv(work / name, wallet_url), f"{name}.log", server_cpus, tree_env, tree)
                paths = rt.sessions(sim.url, args.sessions, players, work)
                scenarios.append(rt.Scenario(name, str(tree), sim, paths))
            if args.together:
                together(scenarios, args)
                return 0
            results = rt.measure(scenarios, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    a = results[0]
    ratio_name = f"{args.scenario}/a"
    print(f"\n{'':4}{'checkout':50}{'rounds/s':>10}{'CPU us':>8}{ratio_name:>6}{'by CPU':>8}{'disk KB':>9}")
    print(f"{a.name:4}{'(baseline)':50}{a.rounds_per_s:10.0f}{a.cpu_us:8.0f}")
    for r in results[1:]:
        ratio, by_cpu = r.rounds_per_s / a.rounds_per_s, a.cpu_us / r.cpu_us
        print(f"{r.name:4}{r.title[-50:]:50}{r.rounds_per_s:10.0f}{r.cpu_us:8.0f}{ratio:6.2f}{by_cpu:8.2f}"
              f"{r.disk_kb:9.1f}")  # fmt: skip
    return 0


def all_at_once(scenarios: list[rt.Scenario], args: argparse.Namespace, seconds: float) -> list[int]:
    """Requests answered by each scenario's server, all of them loaded for the same ``seconds`` at once."""
    requests = [0] * len(scenarios)

    def load(n: int) -> None:
        requests[n] = rt.load(scenarios[n], args, seconds)["requests"]

    threads = [threading.Thread(target=load, args=(n,)) for n in range(len(scenarios))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return requests


def together(scenarios: list[rt.Scenario], args: argparse.Namespace) -> None:
    """Every scenario loaded at the same moment, ``--repeat`` times after a warm-up; CPU per round of each, and of
    each checkout against the first checkout's in the same run."""
    runs: list[list[float]] = [[] for _ in scenarios]
    for turn in range(args.repeat + 1):
        seconds = args.warmup if turn == 0 else args.duration
        before = [rt.cpu_seconds(s.server.proc.pid) for s in scenarios]
        requests = all_at_once(scenarios, args, seconds)
        if turn == 0:
            continue
        for n, s in enumerate(scenarios):
            runs[n].append((rt.cpu_seconds(s.server.proc.pid) - before[n]) / max(1, requests[n]) * 1e6)
        line = "  ".join(f"{s.name} {runs[n][-1]:.0f} us" for n, s in enumerate(scenarios))
        print(f"  run {turn}: {line}", flush=True)
    first = runs[1]
    print(f"\n{'':4}{'checkout':50}{'CPU us':>8}{'vs ' + scenarios[1].name:>8}{'spread':>14}")
    print(f"{scenarios[0].name:4}{'(baseline)':50}{statistics.median(runs[0]):8.0f}")
    for n, s in enumerate(scenarios[1:], 1):
        ratios = sorted(mine / theirs for mine, theirs in zip(runs[n], first, strict=True))
        spread = f"{ratios[0]:.3f}-{ratios[-1]:.3f}"
        print(f"{s.name:4}{s.title[-50:]:50}{statistics.median(runs[n]):8.0f}{statistics.median(ratios):8.3f}"
              f"{spread:>14}")  # fmt: skip
    print(
        "(sharing one core changes what a round costs, not by the same factor for every server: compare checkouts "
        "with each other here, and b/a with its target in runs taking turns)"
    )


if __name__ == "__main__":
    sys.exit(main())

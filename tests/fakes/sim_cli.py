"""``python -m tests.fakes.sim_cli COMMAND ...``: the ``casino-sim`` commands that process tests start, with
the test engines registered first (the catalogue is built from whatever engines exist, and a test needs a
known one). Commands are the real ``simulator.commands`` modules; only the engine registry differs."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from simulator import cli
from simulator.errors import SimulatorError
from tests.fakes import engine


def main(argv: Sequence[str] | None = None) -> int:
    engine.register()
    root = argparse.ArgumentParser(prog="casino-sim")
    sub = root.add_subparsers(dest="command", required=True)
    for name in ("serve", "wallet", "reconcile"):
        add_arguments, target = cli.COMMANDS[name]
        add_arguments(sub).set_defaults(target=target)
    args = root.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = cli.runner(args)(args)
    except SimulatorError as exc:
        print(f"casino-sim: {exc.message}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The ``casino-sim`` command. Each subcommand lives in ``simulator.commands``; errors end as a one-line
message and a non-zero exit code, never a traceback."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from simulator.commands import conformance, player, reconcile, rng_cert, rtp, scenario, serve, verify, wallet
from simulator.errors import SimulatorError
from simulator.http import validation_message

COMMANDS = (serve, wallet, player, verify, rtp, rng_cert, reconcile, scenario, conformance)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="casino-sim", description="Fake game providers with a real seamless wallet.")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.run(args)
    except ValidationError as exc:
        print(f"casino-sim: invalid settings: {validation_message(exc)}", file=sys.stderr)
        return 2
    except SimulatorError as exc:
        print(f"casino-sim: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())

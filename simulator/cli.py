"""The ``casino-sim`` command. Arguments come from ``simulator.commands.arguments`` (standard library only) and a
command's module is imported only when that command runs, so ``--help`` stays fast; errors end as a one-line
message and a non-zero exit code, never a traceback."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence

from simulator import __version__
from simulator.commands import arguments
from simulator.errors import ConfigurationError, SimulatorError

Run = Callable[[argparse.Namespace], int]

# command name -> its arguments and "module:function" that runs it
COMMANDS: dict[str, tuple[Callable[[arguments.Subparsers], argparse.ArgumentParser], str]] = {
    "serve": (arguments.serve, "simulator.commands.serve:run"),
    "wallet": (arguments.wallet, "simulator.commands.wallet:run"),
    "call": (arguments.call, "simulator.commands.call:run"),
    "player": (arguments.player, "simulator.commands.player:run"),
    "history": (arguments.history, "simulator.commands.history:run"),
    "verify": (arguments.verify, "simulator.commands.verify:run"),
    "rtp": (arguments.rtp, "simulator.commands.rtp:run"),
    "rng-cert": (arguments.rng_cert, "simulator.commands.rng_cert:run"),
    "reconcile": (arguments.reconcile, "simulator.commands.reconcile:run"),
    "report": (arguments.report, "simulator.commands.report:run"),
    "audit-export": (arguments.audit_export, "simulator.commands.audit_export:run"),
    "webhook-check": (arguments.webhook_check, "simulator.commands.webhook_check:run"),
    "scenario": (arguments.scenario, "simulator.commands.scenario:run"),
    "conformance": (arguments.conformance, "simulator.commands.conformance:run_command"),
}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="casino-sim", description="Fake game providers with a real seamless wallet.")
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_arguments, target) in COMMANDS.items():
        add_arguments(sub).set_defaults(target=target)
        assert name in sub.choices
    return root


def runner(args: argparse.Namespace) -> Run:
    """The function that runs the parsed command, its module imported now."""
    module, _, function = str(args.target).partition(":")
    run: Run = getattr(importlib.import_module(module), function)
    return run


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code: int = runner(args)(args)
    except ConfigurationError as exc:
        print(f"casino-sim: invalid settings: {exc.message}", file=sys.stderr)
        return 2
    except SimulatorError as exc:
        print(f"casino-sim: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``casino-sim call ... | head``): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        message = _settings_message(exc)
        if message is None:
            raise
        print(f"casino-sim: invalid settings: {message}", file=sys.stderr)
        return 2
    return code


def _settings_message(exc: Exception) -> str | None:
    """The one-line message of a pydantic settings error; pydantic is imported by then (the command loaded it)."""
    from pydantic import ValidationError

    from simulator.http import validation_message

    return validation_message(exc) if isinstance(exc, ValidationError) else None


if __name__ == "__main__":
    sys.exit(main())

"""One module per `casino-sim` subcommand, each with `run(args) -> int`; their arguments live in `arguments.py`."""

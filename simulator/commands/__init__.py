"""One module per `casino-sim` subcommand, each with ``add_parser(subparsers)`` and ``run(args) -> int``."""

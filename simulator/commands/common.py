"""Arguments shared by the subcommands that start a server, and how they become ``Settings``."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.settings import Settings, load_settings


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML or YAML settings file")
    parser.add_argument("--host", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="bind port (default 8080; 0 picks a free one)")
    parser.add_argument("--data-dir", type=Path, help="where SQLite files and credentials live (default ./data)")
    parser.add_argument("--database-url", help="sqlite:///path or postgresql://...")
    parser.add_argument("--seed", type=int, help="root seed")


def settings_from_args(args: argparse.Namespace, **fixed: object) -> Settings:
    """File < environment < flags. Only flags the user gave override anything."""
    overrides = {
        "host": args.host,
        "port": args.port,
        "data_dir": args.data_dir,
        "database_url": args.database_url,
        "seed": args.seed,
        "workers": getattr(args, "workers", None),
        "wallet_url": getattr(args, "wallet_url", None),
        "embedded_wallet": False if getattr(args, "no_embedded_wallet", False) else None,
        "faults_file": getattr(args, "faults", None),
    }
    return load_settings(args.config, **overrides, **fixed)

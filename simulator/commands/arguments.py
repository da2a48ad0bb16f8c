"""Every ``casino-sim`` command's arguments, and nothing else: this module imports only the standard library, so
``casino-sim --help`` and ``casino-sim COMMAND --help`` answer without loading the server, aiohttp or pydantic. The
command itself (``simulator.commands.<name>.run``) is imported only when it runs (``simulator.cli``).

The few choices that belong to heavier modules are repeated here as data (dialects, report formats, random sources,
mappings); ``tests/test_cli.py`` checks each against its source so that they cannot drift apart."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

REPORT_FORMATS = ("html", "json", "junit")  # sorted(simulator.conformance.reports.FORMATS)
SOURCES = ("pf", "pcg64dxsm", "philox")  # what simulator.commands.rng_cert.source_factory builds
MAPPINGS = ("compatible", "unbiased")  # games.rng.Mapping values
URL_VARIABLE = "CASINO_SIM_URL"
DEFAULT_WALLET = "http://127.0.0.1:8080/wallet"


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML or YAML settings file")
    parser.add_argument("--host", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="bind port (default 8080; 0 picks a free one)")
    parser.add_argument("--data-dir", type=Path, help="where SQLite files and credentials live (default ./data)")
    parser.add_argument("--database-url", help="sqlite:///path or postgresql://...")
    parser.add_argument("--seed", type=int, help="root seed")


def add_progress_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--progress`` / ``--no-progress`` (``simulator.commands.progress``); unset means: when stderr is a terminal."""
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress line (done, rate, ETA) on stderr; default: only when stderr is a terminal",
    )


def add_server_arguments(parser: argparse.ArgumentParser, *, config_holds: str) -> None:
    """Where a client command finds a running simulator and the credentials to sign its requests with."""
    parser.add_argument("--url", help=f"server base URL (default: ${URL_VARIABLE}, else the settings' address)")
    parser.add_argument("--data-dir", type=Path, help="where the server keeps its credentials (default ./data)")
    parser.add_argument("--config", type=Path, help=f"TOML or YAML settings file ({config_holds})")
    parser.add_argument("--cacert", type=Path, help="PEM CA certificates to trust for an https URL")


def add_store_arguments(parser: argparse.ArgumentParser, *, config_holds: str) -> None:
    """Which database a command that reads the server's store opens."""
    parser.add_argument("--config", type=Path, help=f"TOML or YAML settings file ({config_holds})")
    parser.add_argument("--data-dir", type=Path, help="where the SQLite files live (default ./data)")
    parser.add_argument("--database-url", help="sqlite:///path or postgresql://... (default: the data dir's)")


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    """The UTC period a store report covers, start included, end excluded."""
    parser.add_argument("--from", dest="start", help="UTC date YYYY-MM-DD or hour YYYY-MM-DDTHH, included")
    parser.add_argument("--to", dest="end", help="UTC date or hour, excluded")


def serve(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("serve", help="run the simulator (with the reference wallet inside by default)")
    add_settings_arguments(parser)
    parser.add_argument("--wallet-url", help="operator wallet base URL (default: the embedded reference wallet)")
    parser.add_argument("--no-embedded-wallet", action="store_true", help="do not serve the wallet under /wallet")
    parser.add_argument("--faults", type=Path, help="YAML or TOML fault rules to load at start (docs/faults.md)")
    parser.add_argument(
        "--workers", type=int, help="processes serving the same port (SO_REUSEPORT); more than 1 needs PostgreSQL"
    )
    return parser


def wallet(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("wallet", help="run only the reference operator wallet")
    add_settings_arguments(parser)
    return parser


def call(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("call", help="send one signed request to a running simulator and print the reply")
    parser.add_argument("method", type=str.upper, help="GET, POST, PATCH, ...")
    parser.add_argument("path", help="path and query, e.g. '/v1/games?engine=dice&limit=5'")
    parser.add_argument("--json", dest="body", help="request body: JSON text, @FILE, or - for standard input")
    add_server_arguments(parser, config_holds="operators, admin_token, TLS")
    parser.add_argument("-i", "--include", action="store_true", help="print the status line and headers too")
    return parser


def history(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "history", help="a player's game history from a running simulator, as a table, CSV or JSON"
    )
    parser.add_argument("player_id", help="the operator's player id")
    parser.add_argument("--game", help="only this game id")
    parser.add_argument("--from", dest="since", help="created at or after: epoch seconds or ISO 8601 with offset")
    parser.add_argument("--to", dest="until", help="created before: epoch seconds or ISO 8601 with offset")
    parser.add_argument("--status", help="round statuses, comma-separated (e.g. closed,void)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="default table")
    parser.add_argument("--output", type=Path, help="write to this file instead of standard output")
    parser.add_argument("--max-rounds", type=int, default=10_000, help="stop after this many rounds (default 10000)")
    add_server_arguments(parser, config_holds="operators, TLS")
    return parser


def player(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("player", help="sandbox players in the reference wallet")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a player with a starting balance and a session token")
    create.add_argument("--currency", required=True, help="ISO code, e.g. USD")
    create.add_argument(
        "--balance", type=int, help="starting balance in minor units (cents for USD; default 0, said when used)"
    )
    create.add_argument("--player-id", help="id to use (default: generated)")
    create.add_argument("--blocked", action="store_true", help="create the player blocked")
    create.add_argument(
        "--self-excluded", action="store_true", help="create the player self-excluded (bets refused: SELF_EXCLUDED)"
    )
    create.add_argument("--wallet-url", default=DEFAULT_WALLET, help=f"reference wallet URL (default {DEFAULT_WALLET})")
    create.add_argument("--data-dir", type=Path, help="where the server keeps its credentials (default ./data)")
    create.add_argument("--config", type=Path, help="TOML or YAML settings file (admin_token, TLS)")
    return parser


def verify(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("verify", help="recompute a round from its seeds and check the commitment")
    parser.add_argument("--server-seed", required=True, help="the revealed server seed")
    parser.add_argument("--round-id", help="verify this round as recorded by a running simulator")
    parser.add_argument(
        "--url", help=f"simulator base URL with --round-id (default: ${URL_VARIABLE}, else the settings' address)"
    )
    parser.add_argument("--data-dir", type=Path, help="the simulator's credentials, to sign --round-id lookups")
    parser.add_argument("--config", type=Path, help="TOML or YAML settings file (operators, TLS)")
    parser.add_argument("--engine", help="engine id, e.g. dice (offline)")
    parser.add_argument("--client-seed", help="client seed (offline)")
    parser.add_argument("--nonce", type=int, help="nonce (offline)")
    parser.add_argument("--amount", type=int, help="stake in minor units (offline)")
    parser.add_argument("--params", default="{}", help="bet parameters as JSON (offline)")
    parser.add_argument("--server-seed-hash", help="the commitment shown before play (offline, optional)")
    parser.add_argument("--rng", choices=("provably-fair", "certified"), default="provably-fair")
    parser.add_argument("--mapping", choices=("compatible", "unbiased"), default="compatible")
    return parser


def rtp(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "rtp",
        help="simulate a game and check its RTP against the declared math",
        description="Simulate N rounds of a game's reference bet and compare RTP, hit frequency and volatility with "
        "the engine's exact math. Exit 0 on PASS, 1 on FAIL, 2 on bad input.",
    )
    parser.add_argument("--game", required=True, metavar="ID", help="engine id, e.g. slot-classic20-965")
    parser.add_argument("--rounds", type=int, metavar="N", help="rounds to simulate (1,000,000; 100,000 with --stake)")
    parser.add_argument(
        "--stake",
        type=int,
        metavar="N",
        help="play the rounds through the engine at N minor units, rounding of wins included",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="simulation seed (0)")
    parser.add_argument("--plot", metavar="FILE.png", help="also draw the RTP convergence to this PNG file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_progress_argument(parser)
    return parser


def rng_cert(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "rng-cert",
        help="statistical certification battery over a random source",
        description="Run NIST SP 800-22, outcome, shuffle and independence tests at alpha 0.01.",
    )
    parser.add_argument("--samples", type=int, default=100_000, metavar="N", help="outcomes per test (default 100000)")
    parser.add_argument("--source", choices=SOURCES, default="pf", help="generator to certify (default pf)")
    parser.add_argument(
        "--seed",
        metavar="S",
        help="server seed text for pf; integer entropy for pcg64dxsm and philox (default: fixed seeds)",
    )
    parser.add_argument(
        "--mapping",
        choices=MAPPINGS,
        default="compatible",
        help="how words become outcomes (default compatible)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--export-raw", type=Path, metavar="FILE", help="raw little-endian uint32 words")
    parser.add_argument("--export-outcomes", type=Path, metavar="FILE.csv", help="outcomes as CSV")
    add_progress_argument(parser)
    return parser


def reconcile(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "reconcile",
        help="compare the provider's transaction log with a wallet's ledger",
        description="Report missing, extra and mismatched transactions and open rounds; 1 if they differ.",
    )
    provider = parser.add_mutually_exclusive_group(required=True)
    provider.add_argument("--simulator-url", help="a running simulator, e.g. http://127.0.0.1:8080")
    provider.add_argument("--database-url", help="the simulator's database: sqlite:///path or postgresql://...")
    wallet = parser.add_mutually_exclusive_group(required=True)
    wallet.add_argument("--wallet-url", help="a reference wallet, e.g. http://127.0.0.1:8080/wallet")
    wallet.add_argument("--ledger", type=Path, help="an operator's ledger file, CSV or JSON")
    parser.add_argument("--ledger-format", choices=("csv", "json"), help="default: from the file's extension")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--fail-on-open", action="store_true", help="exit 1 while rounds are still unsettled")
    parser.add_argument("--list", type=int, default=20, metavar="N", help="list at most N items per section")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP request (default 30)")
    parser.add_argument("--data-dir", type=Path, help="credentials of the simulator and reference wallet (./data)")
    parser.add_argument("--config", type=Path, help="TOML or YAML settings file (operators, admin_token, TLS)")
    return parser


REPORT_OUTPUTS = ("csv", "html", "json")  # what simulator.commands.report writes
REPORT_DIMENSIONS = ("day", "hour", "studio", "game", "currency", "player")  # simulator.reports.query.DIMENSIONS


def report(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report",
        help="money (bets, wins, GGR, NGR) and RTP reports from the simulator's store, as CSV, JSON or HTML",
        description="Reads the database the server writes (docs/reporting.md); amounts of two currencies are never"
        " added, unless --convert-to converts the totals with the exchange rates table and says so.",
    )
    add_store_arguments(parser, config_holds="database, seed")
    parser.add_argument("--seed", type=int, help="root seed of the catalogue whose declared RTPs are compared")
    parser.add_argument(
        "--group-by", default="day,game", help=f"comma-separated: {', '.join(REPORT_DIMENSIONS)} (default day,game)"
    )
    add_period_arguments(parser)
    for name in ("studio-id", "game-id", "currency", "player-id"):
        parser.add_argument(f"--{name}", help=f"only this {name.removesuffix('-id')}")
    parser.add_argument("--format", choices=REPORT_OUTPUTS, default="json", help="default json")
    parser.add_argument(
        "--convert-to",
        metavar="CURRENCY",
        help="also give the totals converted into this ISO currency with the rates table (json and html)",
    )
    parser.add_argument("--confidence", type=float, default=0.999, help="of the RTP band, 0.5 to 0.99999")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    return parser


def audit_export(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "audit-export",
        help="a round's, a player's or a time range's outcomes, fairness proofs and transactions as JSON Lines",
        description="Reads the store (docs/reporting.md). The wallet exchanges live in the serving process's"
        " journal: GET /v1/reports/audit on a running server includes them.",
    )
    add_store_arguments(parser, config_holds="database")
    parser.add_argument("--round-id", help="one round")
    parser.add_argument("--player-id", help="a player's rounds (within --from and --to when given)")
    add_period_arguments(parser)
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    return parser


def webhook_check(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "webhook-check",
        help="check an operator's webhook receiver: signatures, stale timestamps, tampering, idempotent redelivery",
        description="Sends signed webhook.check events (docs/webhooks.md); exit 1 when a check fails, 2 when the"
        " receiver cannot be asked.",
    )
    parser.add_argument("url", help="the receiver's URL, e.g. https://operator.example/casino-sim/events")
    parser.add_argument("--key-id", required=True, help="the key id the receiver knows")
    secret = parser.add_mutually_exclusive_group(required=True)
    secret.add_argument("--secret-file", type=Path, help="file holding the key's secret")
    secret.add_argument("--secret", help="the key's secret (visible to other users of this machine: prefer a file)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    return parser


def scenario(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("scenario", help="run QA scenarios: faults, traffic and invariants")
    actions = parser.add_subparsers(dest="action", required=True)
    run_ = actions.add_parser("run", help="run one scenario file and check its invariants")
    run_.add_argument("file", type=Path, help="scenario YAML file (see scenarios/)")
    run_.add_argument("--wallet-url", help="operator wallet to test (default: the reference wallet, in-process)")
    run_.add_argument(
        "--dialect", default="native", help="play games of studios speaking this wallet dialect (default native)"
    )
    run_.add_argument("--config", type=Path, help="settings file (wallet key id and secret for --wallet-url)")
    run_.add_argument("--data-dir", type=Path, help="keep the run's SQLite files here (default: a temporary directory)")
    run_.add_argument("--journal", type=Path, help="write the exchange journal to this JSON file")
    add_progress_argument(run_)
    listing = actions.add_parser("list", help="list scenario files with their descriptions")
    listing.add_argument("directory", type=Path, nargs="?", default=Path("scenarios"))
    return parser


def conformance(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "conformance",
        help="certify a wallet: the checks real providers run against operator wallets",
        description="Run the wallet conformance checks against a wallet; exit 1 if any fails.",
    )
    parser.add_argument("--wallet-url", help="the wallet's URL for this dialect, e.g. http://127.0.0.1:8080/wallet")
    parser.add_argument(
        "--dialect",
        metavar="NAME",
        help="the protocol the wallet speaks (native, rsa_json, md5_form, token_query, hub88, groove: docs/dialects/);"
        " required unless the wallet URL ends in /NAME, as the reference wallet's do (e.g. /wallet/md5_form)",
    )
    keys = parser.add_argument_group("keys (what the suite signs with)")
    keys.add_argument("--key-id", help="key id, provider id or casino id sent with calls (default casino-sim)")
    keys.add_argument(
        "--secret",
        help="HMAC secret (native), MD5 secret (md5_form), operator token (token_query) or security key (groove)",
    )
    keys.add_argument("--secret-file", type=Path, help="read the secret from this file instead")
    keys.add_argument("--private-key", type=Path, help="rsa_json, hub88: PEM private key the suite signs with")
    keys.add_argument(
        "--public-key", type=Path, help="rsa_json, hub88: the public key the wallet verifies with (checked)"
    )
    keys.add_argument("--data-dir", type=Path, help="use the development keys of a reference wallet's data directory")
    players = parser.add_argument_group("players")
    players.add_argument(
        "--player", action="append", default=[], metavar="ID:TOKEN:CURRENCY", help="a sandbox player (repeat)"
    )
    players.add_argument("--players-file", type=Path, help="players with roles, JSON or TOML (docs/conformance.md)")
    players.add_argument("--sandbox-url", help="reference wallet base URL whose sandbox creates players")
    players.add_argument("--currency", default="USD", help="currency of sandbox-created players (default USD)")
    players.add_argument("--admin-token-file", type=Path, help="the sandbox's admin token (default: from --data-dir)")
    rules = parser.add_argument_group("what your wallet declares")
    rules.add_argument("--unknown-rollback", choices=("accept", "reject"), default="accept")
    rules.add_argument("--cross-player-ids", choices=("refuse", "independent"), default="refuse")
    rules.add_argument("--game", default="casino-sim-conformance", help="a game id the wallet accepts bets on")
    rules.add_argument("--unknown-game", help="a game id the wallet refuses (UNKNOWN_GAME)")
    runs = parser.add_argument_group("run")
    runs.add_argument("--only", action="append", default=[], metavar="PATTERN", help="check ids to run, glob (repeat)")
    runs.add_argument("--list", action="store_true", help="list the checks and exit")
    runs.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP call (default 10)")
    runs.add_argument("--concurrency", type=int, default=8, help="checks run at once (default 8)")
    add_progress_argument(runs)
    report = parser.add_argument_group("report")
    report.add_argument("--report", choices=REPORT_FORMATS, help="also write a report in this format")
    report.add_argument("--out", type=Path, help="where to write it ('-': standard output)")
    return parser

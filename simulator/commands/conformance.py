"""``casino-sim conformance``: certify an operator wallet against what real providers do to it.

    casino-sim conformance --wallet-url https://wallet.example/pp --dialect md5_form --key-id casino-7 \\
        --secret-file pp.secret --players-file players.toml --report html --out report.html

Against the reference wallet (``casino-sim serve`` or ``casino-sim wallet``) no players are needed: they are
created in its sandbox with its admin token, and ``--data-dir`` reads the development keys and the admin token it
was started with (``--admin-token-file`` or ``CASINO_SIM_ADMIN_TOKEN`` name the token otherwise).

Exit status: 0 when no check failed (skips included), 1 when one did, 2 when the suite could not run (bad
options, no answer from the wallet, credentials it refuses).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from urllib.parse import urlsplit

from simulator.commands.progress import progress_line
from simulator.conformance.errors import SetupError
from simulator.conformance.players import Player, load_players, parse_player
from simulator.conformance.registry import select
from simulator.conformance.reports import render, render_text
from simulator.conformance.runner import Options, run
from simulator.conformance.wire import Keys
from simulator.credentials import read_existing
from simulator.dialects.config import resolve
from simulator.dialects.registry import DIALECTS
from simulator.dialects.rsa_json import keys as rsa_keys
from simulator.settings import Settings, load_settings


def _secret(args: argparse.Namespace, derived: bytes | None) -> bytes | None:
    if args.secret is not None:
        return str(args.secret).encode()
    if args.secret_file is not None:
        try:
            return Path(args.secret_file).read_text().strip().encode()
        except OSError as exc:
            raise SetupError(f"cannot read the secret file {args.secret_file}: {exc.strerror}") from None
    return derived


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SetupError(f"cannot read the {what} {path}: {exc.strerror}") from None


def keys_from(args: argparse.Namespace) -> Keys:
    """Flags first; what they leave out comes from ``--data-dir`` (a reference wallet's development keys)."""
    key_id, secret, private = "casino-sim", None, None
    if args.data_dir is not None:
        from simulator.credentials import FILE_NAME, load_or_create

        if not (args.data_dir / FILE_NAME).is_file():
            raise SetupError(f"no development credentials in {args.data_dir} (expected {FILE_NAME})")
        settings = Settings(data_dir=args.data_dir)
        endpoint = resolve(settings, load_or_create(args.data_dir, settings.wallet_key_id))[args.dialect]
        key_id, secret = endpoint.key_id, endpoint.secret
        if endpoint.private_key_path is not None and endpoint.private_key_path.is_file():
            private = endpoint.private_key_path.read_bytes()
    if args.private_key is not None:
        private = _read(args.private_key, "private key")
    if args.public_key is not None:
        if private is None:
            raise SetupError("--public-key is checked against --private-key: give both")
        _check_pair(private, _read(args.public_key, "public key"))
    return Keys(args.key_id or key_id, secret=_secret(args, secret), private_key=private)


def _check_pair(private: bytes, public: bytes) -> None:
    if not rsa_keys.available():
        raise SetupError("rsa_json needs the 'cryptography' package")
    probe = b"casino-sim conformance: do these keys belong together?"
    try:
        signature = rsa_keys.RsaSigner(private).sign(probe)
        matches = rsa_keys.RsaVerifier(public).verify(probe, signature)
    except ValueError as exc:
        raise SetupError(f"unreadable rsa_json key: {exc}") from None
    if not matches:
        raise SetupError("--private-key does not belong to --public-key: the wallet would refuse every call")


def admin_token_from(args: argparse.Namespace) -> str | None:
    """The reference sandbox's admin token: ``--admin-token-file``, else the ``admin_token`` setting, else the
    credentials in ``--data-dir``."""
    if args.admin_token_file is not None:
        return _read(args.admin_token_file, "admin token file").decode().strip()
    settings = load_settings(None, data_dir=args.data_dir)
    if settings.admin_token is not None:
        return settings.admin_token.get_secret_value()
    creds = read_existing(settings.data_dir) if args.data_dir is not None else None
    return creds.admin_token if creds is not None else None


def dialect_from_url(url: str) -> str | None:
    """The dialect a wallet URL names in its last path segment (``.../wallet/rsa_json``), if any."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return last if last in DIALECTS else None


def options_from(args: argparse.Namespace) -> Options:
    if not args.wallet_url:
        raise SetupError("--wallet-url is required")
    if not args.dialect:
        args.dialect = dialect_from_url(args.wallet_url)
        if args.dialect is None:
            raise SetupError(
                f"--dialect is required: the wallet URL does not end in /{'|/'.join(DIALECTS)}, so the dialect"
                " cannot be told from it"
            )
        sys.stderr.write(f"dialect: {args.dialect} (from the wallet URL's last path segment)\n")
    elif args.dialect not in DIALECTS:
        raise SetupError(f"unknown dialect {args.dialect!r}; known: {', '.join(DIALECTS)}")
    if args.report and args.out is None:
        raise SetupError("--report needs --out FILE (or --out - for standard output)")
    given: list[Player] = [parse_player(p) for p in args.player]
    if args.players_file is not None:
        given += load_players(args.players_file)
    if args.concurrency < 1 or args.timeout <= 0:
        raise SetupError("--concurrency must be at least 1 and --timeout positive")
    return Options(
        dialect=args.dialect,
        wallet_url=args.wallet_url,
        keys=keys_from(args),
        players=tuple(given),
        sandbox_url=args.sandbox_url,
        currency=args.currency.upper(),
        game_id=args.game,
        unknown_game=args.unknown_game,
        unknown_rollback=args.unknown_rollback,
        cross_player_ids=args.cross_player_ids,
        only=tuple(args.only),
        timeout=args.timeout,
        concurrency=args.concurrency,
        admin_token=admin_token_from(args) if not given else None,
    )


def run_command(args: argparse.Namespace) -> int:
    if args.list:
        for check in select(args.only):
            print(f"{check.id:32} {check.title}")
        return 0
    options = options_from(args)
    line = progress_line(args.progress, f"conformance {options.dialect}", "checks")
    try:
        result = asyncio.run(run(options, progress=line))
    finally:
        if line is not None:
            line.close()
    summary = render_text(result)
    if args.report:
        document = render(result, args.report)
        if str(args.out) == "-":
            sys.stdout.write(document)
            sys.stderr.write(summary)
        else:
            try:
                args.out.write_text(document, encoding="utf-8")
            except OSError as exc:
                raise SetupError(f"cannot write the report to {args.out}: {exc.strerror}") from None
            sys.stdout.write(summary + f"{args.report} report: {args.out}\n")
    else:
        sys.stdout.write(summary)
    return 1 if result.failed else 0

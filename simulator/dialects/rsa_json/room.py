"""The rsa_json dialect, whole: its client, its reference-wallet endpoints, its conformance ``Wire``, and the
RSA key pair both ends use (generated under data_dir in development; unavailable without ``cryptography``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import rsa_json
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, UnavailableDialect, WalletDialects
from simulator.dialects.rsa_json import keys, wallet
from simulator.dialects.rsa_json.tamper import RsaJsonWire
from simulator.errors import RequestError
from simulator.settings import Settings, WalletEndpoint


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    if not keys.available():
        return UnavailableDialect(rsa_json.NAME, "the 'cryptography' package is not installed")
    assert endpoint.private_key_path is not None
    try:
        pem = endpoint.private_key_path.read_bytes()
    except OSError as exc:
        raise RequestError(f"rsa_json private key {endpoint.private_key_path}: {exc.strerror}") from exc
    return rsa_json.RsaJsonDialect(endpoint.url, endpoint.key_id, keys.RsaSigner(pem), clock)


def _verifiers(
    endpoint: DialectEndpoint, dialects: WalletDialects
) -> tuple[Mapping[str, keys.Verifier] | None, str | None]:
    if dialects.rsa_verifiers is not None:
        return dialects.rsa_verifiers, None
    if not keys.available():
        return None, "this wallet cannot verify RSA signatures: the 'cryptography' package is not installed"
    if endpoint.public_key_path is None or not endpoint.public_key_path.exists():
        return None, f"no rsa_json public key at {endpoint.public_key_path}"
    return {endpoint.key_id: keys.RsaVerifier(endpoint.public_key_path.read_bytes())}, None


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    verifiers, unavailable = _verifiers(endpoint, dialects)
    wallet.add_routes(app, wallet.RsaJsonEndpoints(verifiers, unavailable, clock, window), prefix)


def key_files(settings: Settings, conf: WalletEndpoint) -> tuple[Path | None, Path | None]:
    private = conf.private_key_path or settings.data_dir / keys.PRIVATE_FILE
    public = conf.public_key_path or settings.data_dir / keys.PUBLIC_FILE
    return private, public


def prepare(settings: Settings) -> bool:
    """Generate the development key pair under data_dir when no key paths are configured; false when the
    ``cryptography`` package is missing (the dialect is then unavailable)."""
    conf = settings.wallets.get(rsa_json.NAME)
    if conf is not None and (conf.private_key_path or conf.public_key_path):
        return keys.available()
    if not keys.available():
        return False
    keys.load_or_create(settings.data_dir)
    return True


ROOM = Room(
    rsa_json.NAME,
    client,
    RsaJsonWire,
    mount=mount,
    supports=rsa_json.supports,
    key_files=key_files,
    prepare=prepare,
)

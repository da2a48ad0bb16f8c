"""The hub88 dialect, whole: its client, its reference-wallet endpoints, its conformance ``Wire``, and the RSA
key pair Hub88's side signs with (generated under data_dir in development as ``hub88_private.pem`` and
``hub88_public.pem``; the public half is what an operator registers to verify our calls)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import hub88
from simulator.dialects.hub88 import wallet
from simulator.dialects.hub88.tamper import Hub88Wire
from simulator.dialects.protocol import Dialect, DialectEndpoint, Room, UnavailableDialect, WalletDialects
from simulator.dialects.rsa_json import keys
from simulator.errors import RequestError
from simulator.settings import Settings, WalletEndpoint


def client(endpoint: DialectEndpoint, clock: Clock, request_ids: Callable[[], str] | None) -> Dialect:
    if not keys.available():
        return UnavailableDialect(hub88.NAME, "the 'cryptography' package is not installed")
    assert endpoint.private_key_path is not None
    try:
        pem = endpoint.private_key_path.read_bytes()
    except OSError as exc:
        raise RequestError(f"hub88 private key {endpoint.private_key_path}: {exc.strerror}") from exc
    return hub88.Hub88Dialect(endpoint.url, keys.RsaSigner(pem), clock)


def mount(
    app: web.Application, prefix: str, endpoint: DialectEndpoint, dialects: WalletDialects, clock: Clock, window: int
) -> None:
    verifier: keys.Verifier | None = None
    unavailable: str | None = None
    if dialects.rsa_verifiers is not None:
        verifier = dialects.rsa_verifiers.get(endpoint.key_id)
    elif not keys.available():
        unavailable = "this wallet cannot verify RSA signatures: the 'cryptography' package is not installed"
    elif endpoint.public_key_path is None or not endpoint.public_key_path.exists():
        unavailable = f"no hub88 public key at {endpoint.public_key_path}"
    else:
        verifier = keys.RsaVerifier(endpoint.public_key_path.read_bytes())
    wallet.add_routes(app, wallet.Hub88Endpoints(verifier, unavailable, clock), prefix)


def key_files(settings: Settings, conf: WalletEndpoint) -> tuple[Path | None, Path | None]:
    pair = keys.key_files(settings.data_dir, hub88.NAME)
    return conf.private_key_path or pair.private_path, conf.public_key_path or pair.public_path


def prepare(settings: Settings) -> bool:
    """Generate the development key pair under data_dir when no key paths are configured; false when the
    ``cryptography`` package is missing (the dialect is then unavailable)."""
    conf = settings.wallets.get(hub88.NAME)
    if conf is not None and (conf.private_key_path or conf.public_key_path):
        return keys.available()
    if not keys.available():
        return False
    keys.load_or_create(settings.data_dir, hub88.NAME)
    return True


ROOM = Room(
    hub88.NAME,
    client,
    Hub88Wire,
    mount=mount,
    supports=hub88.supports,
    key_files=key_files,
    prepare=prepare,
    dealt=False,
)

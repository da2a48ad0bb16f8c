"""Per-dialect wallet endpoints resolved from the settings, used by both ends: the simulator's wallet clients
and the reference wallet's dialect endpoints, so the embedded default works with no configuration at all.

Defaults: the native dialect calls the wallet URL itself; every other dialect calls ``{wallet
URL}/{dialect}``. Secrets not configured are derived from the development credential (HMAC-SHA256 of the
dialect name), so each dialect has its own secret and the reference wallet started from the same data
directory knows all of them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from simulator.credentials import Credentials, load_or_create
from simulator.dialects import rsa_keys
from simulator.settings import DialectName, Settings, WalletEndpoint

DIALECTS: tuple[DialectName, ...] = ("native", "rsa_json", "md5_form", "token_query")


@dataclass(frozen=True, slots=True)
class DialectEndpoint:
    dialect: str
    url: str
    key_id: str
    secret: bytes
    private_key_path: Path | None = None
    public_key_path: Path | None = None


def credentials_for(settings: Settings) -> Credentials:
    """The native dialect's key: the configured secret, else the development credential under data_dir."""
    if settings.wallet_secret is not None:
        return Credentials(settings.wallet_key_id, settings.wallet_secret.get_secret_value(), None)
    return load_or_create(settings.data_dir, settings.wallet_key_id)


def dev_secret(base_secret: str, dialect: str) -> bytes:
    return hmac.new(base_secret.encode(), f"casino-sim/dialect/{dialect}".encode(), hashlib.sha256).hexdigest().encode()


def resolve(settings: Settings, creds: Credentials) -> dict[str, DialectEndpoint]:
    base = settings.effective_wallet_url
    out: dict[str, DialectEndpoint] = {}
    for name in DIALECTS:
        conf = settings.wallets.get(name) or WalletEndpoint()
        url = (conf.url or (base if name == "native" else f"{base}/{name}")).rstrip("/")
        if conf.secret is not None:
            secret = conf.secret.get_secret_value().encode()
        elif name == "native":
            secret = creds.wallet_secret.encode()
        else:
            secret = dev_secret(creds.wallet_secret, name)
        private = public = None
        if name == "rsa_json":
            private = conf.private_key_path or settings.data_dir / rsa_keys.PRIVATE_FILE
            public = conf.public_key_path or settings.data_dir / rsa_keys.PUBLIC_FILE
        out[name] = DialectEndpoint(name, url, conf.key_id or creds.wallet_key_id, secret, private, public)
    return out


def ensure_dev_keys(settings: Settings) -> bool:
    """Generate the rsa_json development key pair under data_dir when no key paths are configured; false when
    the ``cryptography`` package is missing (the dialect is then unavailable)."""
    conf = settings.wallets.get("rsa_json")
    if conf is not None and (conf.private_key_path or conf.public_key_path):
        return rsa_keys.available()
    if not rsa_keys.available():
        return False
    rsa_keys.load_or_create(settings.data_dir)
    return True

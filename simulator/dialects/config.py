"""Per-dialect wallet endpoints resolved from the settings, used by both ends: the simulator's wallet clients
and the reference wallet's dialect endpoints, so the embedded default works with no configuration at all.

Defaults: the primary (native) dialect calls the wallet URL itself; every other dialect calls ``{wallet
URL}/{dialect}``. Secrets not configured are derived from the development credential (HMAC-SHA256 of the
dialect name), so each dialect has its own secret and the reference wallet started from the same data
directory knows all of them.
"""

from __future__ import annotations

import hashlib
import hmac

from simulator.credentials import Credentials, load_or_create
from simulator.dialects import registry
from simulator.dialects.protocol import DialectEndpoint
from simulator.settings import Settings, WalletEndpoint

__all__ = ["DialectEndpoint", "credentials_for", "dev_secret", "ensure_dev_keys", "resolve"]


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
    for room in registry.rooms():
        name = room.name
        conf = settings.wallets.get(name) or WalletEndpoint()
        url = (conf.url or (base if room.primary else f"{base}/{name}")).rstrip("/")
        if conf.secret is not None:
            secret = conf.secret.get_secret_value().encode()
        elif room.primary:
            secret = creds.wallet_secret.encode()
        else:
            secret = dev_secret(creds.wallet_secret, name)
        private, public = room.key_files(settings, conf) if room.key_files is not None else (None, None)
        out[name] = DialectEndpoint(name, url, conf.key_id or creds.wallet_key_id, secret, private, public)
    return out


def ensure_dev_keys(settings: Settings) -> bool:
    """Create the development keys of every dialect that signs with its own (rsa_json's key pair under
    data_dir, unless key paths are configured); false when one of them cannot run in this process."""
    ready = [room.prepare(settings) for room in registry.rooms() if room.prepare is not None]
    return all(ready)

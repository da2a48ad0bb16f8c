"""The reference wallet's endpoints for every non-native dialect, all over the one ``Ledger``.

Each dialect lives under ``/{dialect}`` of the wallet app (``/wallet/md5_form/bet`` in the embedded default)
and only translates: wire format in, a ledger operation, wire format out. Keys come from the same resolved
endpoints the simulator's clients use, so the embedded default needs no configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects import rsa_keys
from simulator.dialects.config import DialectEndpoint
from simulator.wallet.dialects import md5_form, rsa_json, token_query


@dataclass(frozen=True, slots=True)
class WalletDialects:
    """What the wallet needs to check each dialect's calls. ``rsa_verifiers`` (key id -> verifier) replaces
    the public key file, which tests use to exercise the wire format with any signature scheme."""

    endpoints: Mapping[str, DialectEndpoint]
    rsa_verifiers: Mapping[str, rsa_keys.Verifier] | None = None


def _rsa(config: WalletDialects) -> tuple[Mapping[str, rsa_keys.Verifier] | None, str | None]:
    if config.rsa_verifiers is not None:
        return config.rsa_verifiers, None
    endpoint = config.endpoints["rsa_json"]
    if not rsa_keys.available():
        return None, "this wallet cannot verify RSA signatures: the 'cryptography' package is not installed"
    if endpoint.public_key_path is None or not endpoint.public_key_path.exists():
        return None, f"no rsa_json public key at {endpoint.public_key_path}"
    return {endpoint.key_id: rsa_keys.RsaVerifier(endpoint.public_key_path.read_bytes())}, None


def mount(app: web.Application, config: WalletDialects, *, clock: Clock, window: int) -> None:
    verifiers, unavailable = _rsa(config)
    rsa_json.add_routes(app, rsa_json.RsaJsonEndpoints(verifiers, unavailable, clock, window))
    md5 = config.endpoints["md5_form"]
    md5_form.add_routes(app, md5_form.Md5FormEndpoints({md5.key_id: md5.secret}, clock, window))
    token_query.add_routes(app, token_query.TokenQueryEndpoints([config.endpoints["token_query"].secret]))

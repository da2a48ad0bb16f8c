"""Dialects by name: which currencies each can carry exactly (the catalogue offers nothing else), and the
client dialect built from a resolved endpoint."""

from __future__ import annotations

from collections.abc import Callable

from simulator.clock import Clock
from simulator.dialects import md5_form, rsa_json, rsa_keys, token_query
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.dialects.config import DIALECTS, DialectEndpoint
from simulator.dialects.md5_form import Md5FormDialect
from simulator.dialects.native import NativeDialect
from simulator.dialects.rsa_json import RsaJsonDialect
from simulator.dialects.token_query import TokenQueryDialect
from simulator.errors import RequestError, WalletRefused
from simulator.wallet_client.client import Dialect

SUPPORTS: dict[str, Callable[[str], bool]] = {
    "native": lambda currency: True,
    "rsa_json": rsa_json.supports,
    "md5_form": md5_form.supports,
    "token_query": token_query.supports,
}
assert tuple(SUPPORTS) == DIALECTS


class DialectUnavailable(WalletRefused):
    """This process cannot speak the dialect (a missing optional package); nothing was sent."""

    code = "DIALECT_UNAVAILABLE"
    status = 503


class UnavailableDialect:
    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def build(self, call: WalletCall) -> WalletRequest:
        raise DialectUnavailable(f"the {self.name} wallet dialect is unavailable: {self.reason}")

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        raise DialectUnavailable(f"the {self.name} wallet dialect is unavailable: {self.reason}")


def make_dialect(endpoint: DialectEndpoint, clock: Clock, *, request_ids: Callable[[], str] | None = None) -> Dialect:
    """``request_ids`` (native only) mints request ids, seeded in deterministic mode."""
    name = endpoint.dialect
    if name == "native":
        return NativeDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock, request_ids=request_ids)
    if name == "md5_form":
        return Md5FormDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock)
    if name == "token_query":
        return TokenQueryDialect(endpoint.url, endpoint.key_id, endpoint.secret, clock)
    if name == "rsa_json":
        if not rsa_keys.available():
            return UnavailableDialect(name, "the 'cryptography' package is not installed")
        assert endpoint.private_key_path is not None
        try:
            pem = endpoint.private_key_path.read_bytes()
        except OSError as exc:
            raise RequestError(f"rsa_json private key {endpoint.private_key_path}: {exc.strerror}") from exc
        return RsaJsonDialect(endpoint.url, endpoint.key_id, rsa_keys.RsaSigner(pem), clock)
    raise RequestError(f"unknown wallet dialect {name!r}; known: {', '.join(DIALECTS)}")

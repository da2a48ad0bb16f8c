"""What every dialect is to the rest of the simulator: the ``Dialect`` a wallet client speaks through, the
endpoint it is resolved to, and the ``Room`` a dialect package fills in so the registry can hand each part to
the module that needs it (clients, the reference wallet, the conformance suite, fault injection)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from simulator.clock import Clock
from simulator.dialects.call import WalletCall, WalletReply, WalletRequest
from simulator.errors import WalletRefused

if TYPE_CHECKING:
    from simulator.conformance.wire import Wire
    from simulator.dialects.rsa_json.keys import Verifier
    from simulator.settings import Settings, WalletEndpoint


class Dialect(Protocol):
    name: str

    def build(self, call: WalletCall) -> WalletRequest: ...

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply: ...


class DialectUnavailable(WalletRefused, code="DIALECT_UNAVAILABLE", status=503):
    """This process cannot speak the dialect (a missing optional package); nothing was sent."""


class UnavailableDialect:
    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def build(self, call: WalletCall) -> WalletRequest:
        raise DialectUnavailable(f"the {self.name} wallet dialect is unavailable: {self.reason}")

    def parse(self, call: WalletCall, status: int, body: bytes) -> WalletReply:
        raise DialectUnavailable(f"the {self.name} wallet dialect is unavailable: {self.reason}")


@dataclass(frozen=True, slots=True)
class DialectEndpoint:
    dialect: str
    url: str
    key_id: str
    secret: bytes
    private_key_path: Path | None = None
    public_key_path: Path | None = None


@dataclass(frozen=True, slots=True)
class WalletDialects:
    """What the wallet needs to check each dialect's calls. ``rsa_verifiers`` (key id -> verifier) replaces
    the public key file, which tests use to exercise the wire format with any signature scheme."""

    endpoints: Mapping[str, DialectEndpoint]
    rsa_verifiers: Mapping[str, Verifier] | None = None


ClientFactory = Callable[[DialectEndpoint, Clock, Callable[[], str] | None], Dialect]
"""The provider side: a client dialect for a resolved endpoint (the callable mints native request ids)."""

Mount = Callable[[web.Application, str, DialectEndpoint, WalletDialects, Clock, int], None]
"""The reference wallet's side: add the dialect's routes under a path prefix (``clock`` and the signature
window in seconds check timestamps)."""

KeyFiles = Callable[["Settings", "WalletEndpoint"], tuple[Path | None, Path | None]]


def every_currency(currency: str) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Room:
    """One dialect, whole. ``primary`` marks the wallet's own protocol: it is called at the wallet URL itself
    with the wallet secret, and the wallet serves it at its root; every other dialect lives under
    ``/{name}`` with a secret derived for it. ``form_credentials`` and ``query_credentials`` name the form fields
    and query parameters that authenticate a request (fault injection corrupts them; a signature header needs
    no naming). ``key_files`` gives the private and public key paths a dialect signs with, and ``prepare``
    creates development keys, saying whether the dialect can run in this process. ``dealt`` false keeps the
    dialect out of the catalogue's deal of studios (the ``studio_dialects`` setting assigns it), so adding it
    leaves every seed's catalogue as it was."""

    name: str
    client: ClientFactory
    wire: type[Wire]
    mount: Mount | None = None
    supports: Callable[[str], bool] = every_currency
    primary: bool = False
    form_credentials: frozenset[str] = field(default_factory=frozenset)
    query_credentials: frozenset[str] = field(default_factory=frozenset)
    key_files: KeyFiles | None = None
    prepare: Callable[[Settings], bool] | None = None
    dealt: bool = True

"""RSA-SHA256 (PKCS#1 v1.5) body signatures for the dialects that sign with RSA (``rsa_json``, ``hub88``), the
development key pair, and what their rooms read from a resolved endpoint: the client's signer, the wallet's
verifiers, the key paths.

All RSA arithmetic is done by the ``cryptography`` package; this module never implements it. When that package
is not installed, ``available()`` is false, the ``rsa_json`` dialect reports itself unavailable (launches of
its studios are refused with ``DIALECT_UNAVAILABLE``), and nothing else is affected.

``Signer`` and ``Verifier`` are protocols so tests of the wire format can run with any signature scheme.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from simulator.errors import RequestError
from simulator.private_files import open_private, private_dir

if TYPE_CHECKING:
    from simulator.dialects.protocol import DialectEndpoint, WalletDialects
    from simulator.settings import Settings, WalletEndpoint

PRIVATE_FILE = "rsa_json_private.pem"
PUBLIC_FILE = "rsa_json_public.pem"
LOCK_FILE = ".rsa_json.lock"
KEY_BITS = 2048
MISSING = "the 'cryptography' package is not installed"


class Signer(Protocol):
    def sign(self, body: bytes) -> str:
        """The signature header value for ``body``."""
        ...


class Verifier(Protocol):
    def verify(self, body: bytes, signature: str) -> bool: ...


def available() -> bool:
    return importlib.util.find_spec("cryptography") is not None


def _primitives() -> tuple[Any, Any, Any]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    return hashes, serialization, padding


class RsaSigner:
    """Signs with a PEM private key: base64 of RSASSA-PKCS1-v1_5 over SHA-256 of the raw body."""

    def __init__(self, private_pem: bytes) -> None:
        hashes, serialization, padding = _primitives()
        self._key = serialization.load_pem_private_key(private_pem, password=None)
        self._padding = padding.PKCS1v15()
        self._hash = hashes.SHA256()

    def sign(self, body: bytes) -> str:
        signature: bytes = self._key.sign(body, self._padding, self._hash)
        return base64.b64encode(signature).decode()


class RsaVerifier:
    def __init__(self, public_pem: bytes) -> None:
        hashes, serialization, padding = _primitives()
        from cryptography.exceptions import InvalidSignature

        self._key = serialization.load_pem_public_key(public_pem)
        self._padding = padding.PKCS1v15()
        self._hash = hashes.SHA256()
        self._invalid: type[Exception] = InvalidSignature

    def verify(self, body: bytes, signature: str) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        try:
            self._key.verify(raw, body, self._padding, self._hash)
        except self._invalid:
            return False
        return True


@dataclass(frozen=True, slots=True)
class KeyPair:
    private_path: Path
    public_path: Path


def generate() -> tuple[bytes, bytes]:
    """A fresh key pair as (PKCS#8 private PEM, SubjectPublicKeyInfo public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem: bytes = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def key_files(data_dir: Path, name: str = "rsa_json") -> KeyPair:
    """Where the development key pair of dialect ``name`` lives under ``data_dir``."""
    return KeyPair(data_dir / f"{name}_private.pem", data_dir / f"{name}_public.pem")


def load_or_create(data_dir: Path, name: str = "rsa_json") -> KeyPair:
    """The development key pair of dialect ``name`` under ``data_dir``, generated on first use (both files 0600,
    as everything there).

    Generation holds a file lock and renames finished files into place, so processes starting together on one data
    directory (the workers of ``serve --workers``, or instances sharing a volume) agree on one pair and never read a
    half-written file."""
    pair = key_files(data_dir, name)
    if pair.private_path.exists() and pair.public_path.exists():
        return pair
    private_dir(data_dir)
    lock = open_private(data_dir / (LOCK_FILE if name == "rsa_json" else f".{name}.lock"), os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (pair.private_path.exists() and pair.public_path.exists()):
            private_pem, public_pem = generate()
            _replace(pair.private_path, private_pem)
            _replace(pair.public_path, public_pem)
    finally:
        os.close(lock)  # closing releases the lock
    return pair


def _replace(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with os.fdopen(open_private(tmp, os.O_WRONLY | os.O_TRUNC), "wb") as handle:
        handle.write(content)
    os.replace(tmp, path)


def endpoint_signer(endpoint: DialectEndpoint) -> RsaSigner:
    """A client's signer: the endpoint's private key (``RequestError`` when it cannot be read)."""
    assert endpoint.private_key_path is not None
    try:
        pem = endpoint.private_key_path.read_bytes()
    except OSError as exc:
        raise RequestError(f"{endpoint.dialect} private key {endpoint.private_key_path}: {exc.strerror}") from exc
    return RsaSigner(pem)


def endpoint_verifiers(
    endpoint: DialectEndpoint, dialects: WalletDialects
) -> tuple[Mapping[str, Verifier] | None, str | None]:
    """The wallet's verifiers of the endpoint's calls (key id -> verifier), or why it has none."""
    if dialects.rsa_verifiers is not None:
        return dialects.rsa_verifiers, None
    if not available():
        return None, f"this wallet cannot verify RSA signatures: {MISSING}"
    if endpoint.public_key_path is None or not endpoint.public_key_path.exists():
        return None, f"no {endpoint.dialect} public key at {endpoint.public_key_path}"
    return {endpoint.key_id: RsaVerifier(endpoint.public_key_path.read_bytes())}, None


def endpoint_files(settings: Settings, conf: WalletEndpoint, name: str) -> tuple[Path | None, Path | None]:
    """The configured key paths of dialect ``name``, else its development pair under data_dir."""
    pair = key_files(settings.data_dir, name)
    return conf.private_key_path or pair.private_path, conf.public_key_path or pair.public_path


def prepare(settings: Settings, name: str) -> bool:
    """Generate dialect ``name``'s development key pair under data_dir when no key paths are configured; false
    when the ``cryptography`` package is missing (the dialect is then unavailable)."""
    conf = settings.wallets.get(name)
    if conf is not None and (conf.private_key_path or conf.public_key_path):
        return available()
    if not available():
        return False
    load_or_create(settings.data_dir, name)
    return True

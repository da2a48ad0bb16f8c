"""RSA key pairs generated in the tests (never read from anywhere), written where the settings point."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True)
class Pair:
    key: rsa.RSAPrivateKey
    private_path: Path
    public_path: Path

    @property
    def public_pem(self) -> bytes:
        return self.public_path.read_bytes()


def new_pair(directory: Path, name: str) -> Pair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = directory / f"{name}_private.pem"
    public = directory / f"{name}_public.pem"
    directory.mkdir(parents=True, exist_ok=True)
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return Pair(key, private, public)

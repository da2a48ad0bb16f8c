"""Development credentials for the embedded default, created on first start under the data directory.

``credentials.json`` (mode 0600) holds the native wallet key, the development operator's two signing keys and the
admin token::

    {"wallet_key_id": "casino-sim", "wallet_secret": "…",
     "operator_id": "dev", "operator_keys": [{"key_id": "dev-key-1", "secret": "…"}, {"key_id": "dev-key-2", …}],
     "admin_token": "…"}

A file written before the operator keys existed is upgraded in place: the missing fields are added and everything
already there (the wallet secret above all) is kept. Creation and upgrade hold a file lock, so processes starting
together on one data directory agree on one set. The contents are never logged: start-up prints only where the
file is, and ``repr`` of these objects leaves the secrets out.

Errors::

    CredentialsError(ConfigurationError) the file cannot be read or is not a JSON object (the message says which)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.errors import ConfigurationError
from simulator.private_files import open_private, private_dir

FILE_NAME = "credentials.json"
LOCK_NAME = ".credentials.lock"
DEV_OPERATOR = "dev"
DEV_KEY_IDS = ("dev-key-1", "dev-key-2")


class CredentialsError(ConfigurationError, code="CREDENTIALS_ERROR", status=500): ...


@dataclass(frozen=True, slots=True)
class OperatorKey:
    operator_id: str
    key_id: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Credentials:
    """The native wallet key; from the file, also the development operator's keys and the admin token."""

    wallet_key_id: str
    wallet_secret: str = field(repr=False)
    path: Path | None = None
    operator_keys: tuple[OperatorKey, ...] = ()
    admin_token: str = field(default="", repr=False)


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    private_dir(data_dir)
    fd = open_private(data_dir / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write through a 0600 temporary file and rename it over ``path``: never a moment with a readable or half file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = open_private(tmp, os.O_WRONLY | os.O_TRUNC)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def _missing_fields(data: dict[str, Any], key_id: str) -> dict[str, Any]:
    added: dict[str, Any] = {}
    if not isinstance(data.get("wallet_key_id"), str):
        added["wallet_key_id"] = key_id
    if not isinstance(data.get("wallet_secret"), str):
        added["wallet_secret"] = secrets.token_hex(32)
    if not isinstance(data.get("operator_id"), str):
        added["operator_id"] = DEV_OPERATOR
    keys = data.get("operator_keys")
    if not (isinstance(keys, list) and keys and all(_valid_key(k) for k in keys)):
        added["operator_keys"] = [{"key_id": k, "secret": secrets.token_hex(32)} for k in DEV_KEY_IDS]
    if not isinstance(data.get("admin_token"), str) or not data["admin_token"]:
        added["admin_token"] = secrets.token_urlsafe(32)
    return added


def _valid_key(key: object) -> bool:
    return isinstance(key, dict) and isinstance(key.get("key_id"), str) and isinstance(key.get("secret"), str)


def _parse(path: Path, data: dict[str, Any]) -> Credentials:
    operator = str(data["operator_id"])
    keys = tuple(OperatorKey(operator, k["key_id"], k["secret"]) for k in data["operator_keys"][:2])
    return Credentials(data["wallet_key_id"], data["wallet_secret"], path, keys, data["admin_token"])


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"cannot read {path}: {type(exc).__name__}; fix or delete it to regenerate") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{path} must hold a JSON object; fix or delete it to regenerate")
    return data


def load_or_create(data_dir: Path, key_id: str) -> Credentials:
    path = data_dir / FILE_NAME
    with _locked(data_dir):
        data = _read(path) if path.exists() else {}
        added = _missing_fields(data, key_id)
        if added:
            data |= added
            _write(path, data)
        elif path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return _parse(path, data)


def read_existing(data_dir: Path) -> Credentials | None:
    """The credentials a running server created, for client commands: never creates or changes the file."""
    path = data_dir / FILE_NAME
    if not path.exists():
        return None
    data = _read(path)
    if _missing_fields(data, "casino-sim"):
        return None
    return _parse(path, data)

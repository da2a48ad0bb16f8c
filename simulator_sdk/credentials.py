"""What a request carries, decided by its path, and the credentials it carries.

The server decides by route, and these prefixes are how its routes are laid out: ``/v1/…`` and ``/v2/…`` are signed
with an operator key (``simulator_sdk.signing``); ``/admin/…``, ``/metrics`` and the reference wallet's
``…/sandbox/…`` and ``…/ledger`` carry the admin token; anything else (the game client, the wallet protocol, health)
carries neither, so the admin token never leaves for a path that does not need it.

>>> creds = Credentials("dev-key-1", "s" * 32, "t" * 32, now=lambda: 1_700_000_000.0)
>>> sorted(creds.headers("GET", "/v1/studios", b""))
['X-Operator-Key', 'X-Operator-Nonce', 'X-Operator-Signature', 'X-Operator-Timestamp']
>>> creds.headers("GET", "/wallet/sandbox/players/p-1", b"")
{'Authorization': 'Bearer tttttttttttttttttttttttttttttttt'}
>>> creds.headers("POST", "/play/abc/rounds", b"{}")
{}
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from simulator_sdk.signing import new_nonce, signed_headers

Access = Literal["operator", "admin", "none"]
FILE_NAME = "credentials.json"

_OPERATOR = re.compile(r"^/v[12]/")
_ADMIN = re.compile(r"^(/admin/|/metrics$|(/wallet)?/sandbox/|(/wallet)?/ledger$)")


def access(path: str) -> Access:
    """What a request to ``path`` (without the query) must carry."""
    if _OPERATOR.match(path):
        return "operator"
    if _ADMIN.match(path):
        return "admin"
    return "none"


def auth_headers(
    method: str,
    target: str,
    body: bytes,
    *,
    key_id: str | None,
    secret: str | None,
    admin_token: str | None,
    now: float,
    nonce: str,
) -> dict[str, str]:
    """Headers for a request to ``target`` (path and query, exactly as sent) with ``body``; nothing when the
    credential the path needs is missing (the server then answers 401)."""
    needs = access(target.split("?", 1)[0])
    if needs == "operator" and key_id is not None and secret is not None:
        return signed_headers(key_id, secret.encode(), method, target, body, now=now, nonce=nonce)
    if needs == "admin" and admin_token:
        return {"Authorization": f"Bearer {admin_token}"}
    return {}


@dataclass(frozen=True)
class Credentials:
    """An operator key (id and secret) to sign with and the admin token; any may be missing. ``now`` and ``nonces``
    are seams: a fixed clock or a seeded nonce source makes a run's requests reproducible. ``repr`` never shows a
    secret."""

    key_id: str | None = None
    secret: str | None = field(default=None, repr=False)
    admin_token: str | None = field(default=None, repr=False)
    now: Callable[[], float] = field(default=time.time, repr=False, compare=False)
    nonces: Callable[[], str] = field(default=new_nonce, repr=False, compare=False)

    @classmethod
    def from_file(cls, path: Path | str, *, key: int | str = 0) -> Credentials:
        """The ``credentials.json`` a server wrote on first start: its ``key``-th operator key (or the key with that
        id) and the admin token. ``FileNotFoundError`` or ``ValueError`` when it is missing or not that file."""
        data = json.loads(Path(path).read_text())
        keys = data.get("operator_keys") if isinstance(data, dict) else None
        if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
            raise ValueError(f"{path} holds no operator_keys; is it a casino-sim credentials.json?")
        chosen = keys[key] if isinstance(key, int) else next((k for k in keys if k.get("key_id") == key), None)
        if chosen is None:
            raise ValueError(f"{path} has no operator key {key!r}")
        token = data.get("admin_token")
        return cls(str(chosen["key_id"]), str(chosen["secret"]), token if isinstance(token, str) else None)

    @classmethod
    def from_data_dir(cls, data_dir: Path | str = "data", *, key: int | str = 0) -> Credentials:
        """``credentials.json`` under a server's data directory (``./data`` by default, as ``casino-sim serve``)."""
        return cls.from_file(Path(data_dir) / FILE_NAME, key=key)

    def headers(self, method: str, target: str, body: bytes) -> dict[str, str]:
        return auth_headers(
            method,
            target,
            body,
            key_id=self.key_id,
            secret=self.secret,
            admin_token=self.admin_token,
            now=self.now(),
            nonce=self.nonces(),
        )

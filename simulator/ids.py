"""Identifiers and secrets: random by default, derived from the root seed in deterministic mode.

Deterministic mode makes a run reproducible end to end (same tokens, round ids, transaction ids and server seeds for the
same seed and the same sequence of requests), which is what scenario replays need. It must never be used for real play:
anyone who knows the root seed can predict every server seed.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import uuid


class RandomIds:
    """Unpredictable identifiers from the operating system's CSPRNG."""

    def token(self) -> str:
        return secrets.token_urlsafe(24)

    def uuid(self) -> str:
        return str(uuid.uuid4())

    def server_seed(self) -> str:
        return secrets.token_hex(32)


class SeededIds:
    """Identifiers derived from a root seed and a counter; the same seed gives the same sequence.

    >>> SeededIds(7).uuid() == SeededIds(7).uuid()
    True
    """

    def __init__(self, seed: int, namespace: str = "sim") -> None:
        self._base = f"{seed}:{namespace}:"
        self._prefix = self._base.encode()
        self._counter = itertools.count()

    def begin_epoch(self, epoch: int) -> None:
        """Continue as start number ``epoch`` on the same data: a fresh sequence that cannot meet earlier ones.
        Epoch 0 is the plain sequence, so a first start is unchanged."""
        self._prefix = (self._base + (f"epoch-{epoch}:" if epoch else "")).encode()
        self._counter = itertools.count()

    def _digest(self, kind: str) -> bytes:
        return hashlib.sha256(self._prefix + f"{kind}:{next(self._counter)}".encode()).digest()

    def token(self) -> str:
        return self._digest("token")[:18].hex()

    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self._digest("uuid")[:16], version=4))

    def server_seed(self) -> str:
        return self._digest("server-seed").hex()


Ids = RandomIds | SeededIds

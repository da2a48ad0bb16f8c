"""Identifiers and secrets: random by default, derived from the root seed in deterministic mode.

Deterministic mode makes a run reproducible end to end (same tokens, round ids, transaction ids and server seeds for the
same seed and the same sequence of requests), which is what scenario replays need. It must never be used for real play:
anyone who knows the root seed can predict every server seed.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
import time
import uuid
from collections.abc import Callable

_RAND_A = (1 << 12) - 1
_RAND_B = (1 << 62) - 1


class RandomIds:
    """Tokens and server seeds from the operating system's CSPRNG; round and transaction ids as UUIDv7.

    A UUIDv7 (RFC 9562) starts with its millisecond timestamp, so ids made together sort together and each insert lands
    at the end of a primary-key index instead of on a random page: a commit writes a few pages, not one per row. Its 74
    random bits come from a generator seeded by the CSPRNG: ids must be unique, not secret (the session token is what
    authorises a player), and a system call per id costs more than the rest of making it.
    """

    def __init__(self, *, now_ns: Callable[[], int] = time.time_ns) -> None:
        self._now_ns = now_ns
        self._bits = random.Random(secrets.randbits(128)).getrandbits

    def token(self) -> str:
        return secrets.token_urlsafe(24)

    def uuid(self) -> str:
        bits = self._bits(74)
        ms = self._now_ns() // 1_000_000
        value = ms << 80 | 0x7 << 76 | (bits >> 62 & _RAND_A) << 64 | 0b10 << 62 | bits & _RAND_B
        h = f"{value:032x}"  # what str(uuid.UUID(int=value)) prints, without building the object
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

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

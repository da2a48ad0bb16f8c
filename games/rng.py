"""Random sources. Every engine draws only through the ``RandomSource`` protocol defined here.

``ProvablyFairStream`` is the source of every live outcome: the public HMAC-SHA256 byte stream that players can recompute
(key = server seed text, message = ``"{client_seed}:{nonce}:{round}"``, 32 bytes per round, a cursor that moves to the next
round when the bytes run out, four bytes to a float in [0, 1)).

``index(n)`` maps the stream to an integer in [0, n). Two modes exist because the well-known public mapping
``floor(f * n)`` over a 32-bit float is slightly biased when 2**32 is not a multiple of n:

- ``Mapping.COMPATIBLE``: ``floor(f * n)`` exactly as public verifiers compute it;
- ``Mapping.UNBIASED``: rejection sampling on the raw 32-bit word (values at or above the largest multiple of n are
  discarded and the next word is drawn), so every index has probability exactly 1/n.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from typing import Protocol, runtime_checkable

_WORD = 1 << 32


class Mapping(enum.Enum):
    COMPATIBLE = "compatible"
    UNBIASED = "unbiased"


@runtime_checkable
class RandomSource(Protocol):
    """What engines may ask of randomness: 32-bit words, floats in [0, 1) and uniform indices."""

    def word(self) -> int:
        """Next raw 32-bit unsigned word."""
        ...

    def float(self) -> float:
        """Next float in [0, 1) made from one word (``word / 2**32``)."""
        ...

    def index(self, n: int) -> int:
        """Next integer in [0, n), mapped according to the source's mode."""
        ...


def commitment(server_seed: str) -> str:
    """The public commitment to a server seed: hex SHA-256 of its UTF-8 text."""
    return hashlib.sha256(server_seed.encode()).hexdigest()


class ProvablyFairStream:
    """HMAC-SHA256 byte stream for one (server seed, client seed, nonce); deterministic and recomputable by anyone.

    >>> s = ProvablyFairStream("some server seed", "some client seed", 1)
    >>> round(s.float(), 6)
    0.591926
    """

    __slots__ = ("_buffer", "_client_seed", "_key", "_nonce", "_offset", "_round", "mapping", "words_drawn")

    def __init__(
        self, server_seed: str, client_seed: str, nonce: int, *, mapping: Mapping = Mapping.COMPATIBLE
    ) -> None:
        self._key = server_seed.encode()
        self._client_seed = client_seed
        self._nonce = nonce
        self._round = 0
        self._buffer = b""
        self._offset = 0
        self.mapping = mapping
        self.words_drawn = 0

    def _block(self) -> bytes:
        message = f"{self._client_seed}:{self._nonce}:{self._round}".encode()
        self._round += 1
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def bytes(self, count: int) -> bytes:
        """Next ``count`` bytes of the stream, crossing into the next HMAC round where needed."""
        out = bytearray()
        while len(out) < count:
            if self._offset >= len(self._buffer):
                self._buffer = self._block()
                self._offset = 0
            take = min(count - len(out), len(self._buffer) - self._offset)
            out += self._buffer[self._offset : self._offset + take]
            self._offset += take
        return bytes(out)

    def word(self) -> int:
        self.words_drawn += 1
        return int.from_bytes(self.bytes(4), "big")

    def float(self) -> float:
        return self.word() / _WORD

    def index(self, n: int) -> int:
        if n <= 0:
            raise ValueError(f"index range must be positive, got {n}")
        if self.mapping is Mapping.COMPATIBLE:
            return int(self.float() * n)
        limit = _WORD - (_WORD % n)
        while True:
            w = self.word()
            if w < limit:
                return w % n

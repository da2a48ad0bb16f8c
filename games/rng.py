"""Random sources. Every engine draws only through the ``RandomSource`` protocol defined here.

``ProvablyFairStream`` is the source of every live outcome: the public HMAC-SHA256 byte stream that
players can recompute (key = server seed text, message = ``"{client_seed}:{nonce}:{round}"``, 32 bytes
per round, a cursor that moves to the next round when the bytes run out, four bytes to a float in [0, 1)).

``SeededSource`` is the source for Monte Carlo work and for certifying the generator itself: a numpy bit
generator seeded through ``SeedSequence``, read as raw 32-bit words and scaled by the same code as the
live stream, so a simulation and a live round turn words into outcomes identically. numpy's
``Generator`` methods are deliberately not used: their output may change between numpy releases, while a
bit generator's raw stream is stable.

``index(n)`` maps the stream to an integer in [0, n). Two modes exist because the well-known public
mapping ``floor(f * n)`` over a 32-bit float is slightly biased when 2**32 is not a multiple of n:

- ``Mapping.COMPATIBLE``: ``floor(f * n)`` exactly as public verifiers compute it;
- ``Mapping.UNBIASED``: rejection sampling on the raw 32-bit word (values at or above the largest
  multiple of n are discarded and the next word is drawn), so every index has probability exactly 1/n.

Both sources route ``index`` through ``draw_index``; ``map_words`` is its vectorised twin for bulk
analysis and gives the same indices for the same words.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

_WORD = 1 << 32
_RAW_CHUNK = 512  # 64-bit raw outputs fetched per refill: 1,024 words

BitGeneratorName = Literal["pcg64dxsm", "philox"]
_BIT_GENERATORS: dict[str, Callable[[np.random.SeedSequence], np.random.BitGenerator]] = {
    "pcg64dxsm": np.random.PCG64DXSM,
    "philox": np.random.Philox,
}


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


def rejection_limit(n: int) -> int:
    """Largest multiple of ``n`` not above 2**32: words at or above it are discarded in unbiased mode."""
    if not 0 < n <= _WORD:
        raise ValueError(f"unbiased index range must be in [1, 2**32], got {n}")
    return _WORD - (_WORD % n)


def draw_index(next_word: Callable[[], int], n: int, mapping: Mapping) -> int:
    """Map words from ``next_word`` to an integer in [0, n): the one place where both modes are defined.

    Compatible mode multiplies in IEEE double precision, as JavaScript verifiers do, so results agree
    with theirs even for ranges large enough that ``word * n`` exceeds 2**53 and the product is rounded.
    """
    if n <= 0:
        raise ValueError(f"index range must be positive, got {n}")
    if mapping is Mapping.COMPATIBLE:
        return int(next_word() / _WORD * n)
    limit = rejection_limit(n)
    while True:
        w = next_word()
        if w < limit:
            return w % n


def map_words(words: npt.NDArray[np.uint32], n: int, mapping: Mapping) -> npt.NDArray[np.int64]:
    """Vectorised ``draw_index`` over a word sequence consumed in order; unbiased mode returns fewer indices.

    Rejected words are dropped rather than replaced, which is exactly what consecutive ``draw_index``
    calls on the same words yield, so bulk analysis sees the outcomes games see.
    """
    if n <= 0:
        raise ValueError(f"index range must be positive, got {n}")
    if mapping is Mapping.COMPATIBLE:
        scaled = words.astype(np.float64) / _WORD * n
        return scaled.astype(np.int64)
    limit = rejection_limit(n)
    kept = words[words.astype(np.int64) < limit].astype(np.int64)
    return kept % n


class ProvablyFairStream:
    """HMAC-SHA256 byte stream for one (server seed, client seed, nonce); anyone can recompute it.

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
        """Next four bytes as a big-endian word; the same as ``bytes(4)``, without its general loop when the word
        lies within one HMAC block (always, unless ``bytes`` was asked for a count that is not a multiple of 4)."""
        self.words_drawn += 1
        start = self._offset
        if start >= len(self._buffer):
            self._buffer = self._block()
            start = 0
        elif start + 4 > len(self._buffer):
            return int.from_bytes(self.bytes(4), "big")
        self._offset = start + 4
        return int.from_bytes(self._buffer[start : start + 4], "big")

    def float(self) -> float:
        return self.word() / _WORD

    def index(self, n: int) -> int:
        return draw_index(self.word, n, self.mapping)


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """Everything needed to recreate a ``SeededSource`` word for word; keep it with any simulation result.

    ``SeededSource(r.entropy, spawn_key=r.spawn_key, bit_generator=r.bit_generator)`` rebuilds the
    stream. The numpy version is kept because only the raw bit-generator stream is promised stable.
    """

    numpy_version: str
    entropy: int | tuple[int, ...]
    spawn_key: tuple[int, ...]
    bit_generator: BitGeneratorName
    mapping: Mapping

    def to_json(self) -> dict[str, Any]:
        entropy = list(self.entropy) if isinstance(self.entropy, tuple) else self.entropy
        return {
            "numpy_version": self.numpy_version,
            "entropy": entropy,
            "spawn_key": list(self.spawn_key),
            "bit_generator": self.bit_generator,
            "mapping": self.mapping.value,
        }


class SeededSource:
    """Reproducible ``RandomSource`` over a numpy bit generator, with independent children for parallel use.

    Each 64-bit raw output yields two words, low half first (numpy's own convention for 32-bit draws).
    ``word``, ``words``, ``float`` and ``index`` consume one shared word sequence, so mixing them never
    skips or repeats a word.

    >>> a = SeededSource(2024)
    >>> b = SeededSource(a.record.entropy, spawn_key=a.record.spawn_key)
    >>> a.word() == b.word()
    True
    """

    __slots__ = ("_bit_generator", "_bit_generator_name", "_buffer", "_offset", "_seed_sequence", "mapping")

    def __init__(
        self,
        entropy: int | Sequence[int] | None = None,
        *,
        spawn_key: Sequence[int] = (),
        bit_generator: BitGeneratorName = "pcg64dxsm",
        mapping: Mapping = Mapping.COMPATIBLE,
    ) -> None:
        if bit_generator not in _BIT_GENERATORS:
            choices = ", ".join(sorted(_BIT_GENERATORS))
            raise ValueError(f"unknown bit generator {bit_generator!r}; choose from {choices}")
        seed_sequence = np.random.SeedSequence(entropy, spawn_key=tuple(spawn_key))
        self._seed_sequence = seed_sequence
        self._bit_generator_name: BitGeneratorName = bit_generator
        self._bit_generator = _BIT_GENERATORS[bit_generator](seed_sequence)
        self._buffer: list[int] = []
        self._offset = 0
        self.mapping = mapping

    @property
    def record(self) -> SourceRecord:
        return SourceRecord(
            numpy_version=np.__version__,
            entropy=_plain_entropy(self._seed_sequence.entropy),
            spawn_key=tuple(int(k) for k in self._seed_sequence.spawn_key),
            bit_generator=self._bit_generator_name,
            mapping=self.mapping,
        )

    def _raw_words(self, count: int) -> npt.NDArray[np.uint32]:
        raw = self._bit_generator.random_raw(size=(count + 1) // 2)
        return np.asarray(raw, dtype="<u8").view("<u4")

    def word(self) -> int:
        if self._offset >= len(self._buffer):
            self._buffer = self._raw_words(2 * _RAW_CHUNK).tolist()
            self._offset = 0
        w: int = self._buffer[self._offset]
        self._offset += 1
        return w

    def words(self, count: int) -> npt.NDArray[np.uint32]:
        """The next ``count`` words at numpy speed: what the certification battery and exports read."""
        if count < 0:
            raise ValueError(f"word count must be non-negative, got {count}")
        pending = self._buffer[self._offset : self._offset + count]
        self._offset += len(pending)
        missing = count - len(pending)
        fresh = self._raw_words(missing)
        if len(fresh) > missing:
            self._buffer = [int(fresh[-1])]
            self._offset = 0
            fresh = fresh[:missing]
        return np.concatenate([np.asarray(pending, dtype=np.uint32), fresh.astype(np.uint32)])

    def float(self) -> float:
        return self.word() / _WORD

    def index(self, n: int) -> int:
        return draw_index(self.word, n, self.mapping)

    def spawn(self, n: int) -> list[SeededSource]:
        """``n`` statistically independent children (``SeedSequence.spawn``); each records its own spawn key.

        Calling ``spawn`` again yields further new children, never repeats of earlier ones.
        """
        return [
            SeededSource(
                self.record.entropy,
                spawn_key=child.spawn_key,
                bit_generator=self.record.bit_generator,
                mapping=self.mapping,
            )
            for child in self._seed_sequence.spawn(n)
        ]


def _plain_entropy(entropy: object) -> int | tuple[int, ...]:
    """SeedSequence entropy as JSON-able Python ints (numpy hands back an int or an array-like of them)."""
    if isinstance(entropy, int):
        return entropy
    if isinstance(entropy, Sequence | np.ndarray):
        return tuple(int(e) for e in entropy)
    raise TypeError(f"unexpected SeedSequence entropy {entropy!r}")

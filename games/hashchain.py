"""Crash hash chains: every crash point of a long series is fixed before the first game is played.

A chain is built backwards from a secret seed by repeated SHA-256; the last hash computed (the terminating
hash) is published first, games then use the chain from the end towards the seed. Because each game's hash
is the SHA-256 of the *next* game's hash, a player can walk any revealed game hash forward to the published
terminating hash, but nobody can compute a future game hash from the past ones.

Numbering: with ``length`` games, ``L1 = sha256(seed text)``, ``Lk+1 = link(Lk)``; game ``g`` (1-based) uses
``L(length + 1 - g)`` and the terminating hash is ``L(length + 1)``. Hashing the hash of game ``g`` exactly
``g`` times gives the terminating hash, which is how the public chains below number their games too.

Two public schemes are spoken, each the way its own public verifier computes it (docs/fairness.md gives the
vectors the tests check, taken from the published chains):

``bustabit-v2``
    A link is the SHA-256 of the previous link's lowercase hex text. The result is
    ``h = HMAC-SHA256(key = salt text, message = the game hash's 32 raw bytes)``, ``X`` = top 52 bits of ``h``
    / 2**52, ``bust = max(1, floor(99 / (1 - X)) / 100)``, so ``P(bust >= m) = 0.99 / m``.
``stake``
    A link is the SHA-256 of the previous link's lowercase hex text. The result is
    ``h = HMAC-SHA256(key = game hash hex text, message = salt text)``, ``i`` = the first 32 bits of ``h``,
    ``bust = max(1, 2**32 / (i + 1) * (1 - 0.01))``, shown truncated to hundredths.

``ChainSource`` turns one bustabit v2 game into a random source, so that a live crash table's engine reads each
round's bust (and its rounding word) from the chain.

Busts are returned as integer counts of hundredths (199 for 1.99x); the divisions are done in IEEE doubles
exactly as the JavaScript verifiers do them, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from games.rng import Mapping, draw_index

_HEX_DIGITS = frozenset("0123456789abcdef")
_TOP_BITS = 52


def _check_hash(value: str, what: str) -> None:
    if len(value) != 64 or not _HEX_DIGITS.issuperset(value):
        raise ValueError(f"{what} must be 64 lowercase hex characters, got {value!r}")


def _hex_text_link(link: str) -> str:
    return hashlib.sha256(link.encode("ascii")).hexdigest()


def _bustabit_v2_bust(game_hash: str, salt: str) -> int:
    digest = hmac.new(salt.encode(), bytes.fromhex(game_hash), hashlib.sha256).hexdigest()
    x = int(digest[: _TOP_BITS // 4], 16) / (1 << _TOP_BITS)
    return max(100, math.floor(99 / (1 - x)))


def _stake_bust(game_hash: str, salt: str) -> int:
    digest = hmac.new(game_hash.encode("ascii"), salt.encode(), hashlib.sha256).hexdigest()
    bust = (2**32 / (int(digest[:8], 16) + 1)) * (1 - 0.01)
    # The double the verifier computes, truncated to hundredths without a second rounding.
    return max(100, math.floor(Fraction(bust) * 100))


@dataclass(frozen=True, slots=True)
class ChainScheme:
    """How one public crash scheme links its chain and turns a game hash and the salt into a bust."""

    name: str
    link: Callable[[str], str]
    bust: Callable[[str, str], int]


BUSTABIT_V2 = ChainScheme("bustabit-v2", _hex_text_link, _bustabit_v2_bust)
STAKE = ChainScheme("stake", _hex_text_link, _stake_bust)
SCHEMES = {scheme.name: scheme for scheme in (BUSTABIT_V2, STAKE)}


def scheme_named(name: str) -> ChainScheme:
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError(f"unknown crash chain scheme {name!r}; known: {', '.join(sorted(SCHEMES))}") from None


def next_link(link: str, scheme: ChainScheme = BUSTABIT_V2) -> str:
    """The link one step closer to the terminating hash."""
    return scheme.link(link)


class HashChain:
    """The operator's side of a chain: built once from the secret seed, then asked for game hashes in order.

    Only every ``checkpoint_every``-th link is kept, so a chain of millions of games costs little memory and
    any game hash is at most ``checkpoint_every - 1`` hashes away.

    >>> chain = HashChain("secret seed", 1000)
    >>> verify_game_hash(chain.game_hash(7), chain.terminating_hash, max_steps=1000)
    7
    """

    __slots__ = ("_checkpoint_every", "_checkpoints", "length", "scheme", "terminating_hash")

    def __init__(
        self, seed: str, length: int, *, scheme: ChainScheme = BUSTABIT_V2, checkpoint_every: int = 1024
    ) -> None:
        if length < 1:
            raise ValueError(f"chain length must be at least 1, got {length}")
        if checkpoint_every < 1:
            raise ValueError(f"checkpoint interval must be at least 1, got {checkpoint_every}")
        self.length = length
        self.scheme = scheme
        self._checkpoint_every = checkpoint_every
        self._checkpoints: list[str] = []
        link = hashlib.sha256(seed.encode()).hexdigest()
        for position in range(1, length + 2):
            if (position - 1) % checkpoint_every == 0:
                self._checkpoints.append(link)
            if position <= length:
                link = scheme.link(link)
        self.terminating_hash = link

    def _link(self, position: int) -> str:
        slot, steps = divmod(position - 1, self._checkpoint_every)
        link = self._checkpoints[slot]
        for _ in range(steps):
            link = self.scheme.link(link)
        return link

    def game_hash(self, game: int) -> str:
        """Hash of game ``game`` (1 is the first game played, ``length`` the last)."""
        if not 1 <= game <= self.length:
            raise ValueError(f"game number must be in [1, {self.length}], got {game}")
        return self._link(self.length + 1 - game)

    def crash_point(self, game: int, salt: str) -> int:
        """Bust of game ``game`` in hundredths, under this chain's scheme."""
        return self.scheme.bust(self.game_hash(game), salt)


def verify_game_hash(
    game_hash: str, terminating_hash: str, *, max_steps: int, scheme: ChainScheme = BUSTABIT_V2
) -> int | None:
    """The game number of ``game_hash`` in the chain ending at ``terminating_hash``, or None if not found.

    The walk is bounded because a hash that is not in the chain would otherwise be hashed forever; pass the
    number of games played so far (or the chain length).
    """
    _check_hash(game_hash, "game hash")
    _check_hash(terminating_hash, "terminating hash")
    link = game_hash
    for step in range(1, max_steps + 1):
        link = scheme.link(link)
        if link == terminating_hash:
            return step
    return None


def crash_point(game_hash: str, salt: str, scheme: ChainScheme = BUSTABIT_V2) -> int:
    """Bust multiplier of a game in hundredths (100 = 1.00x); an integer so it can be used with money."""
    _check_hash(game_hash, "game hash")
    return scheme.bust(game_hash, salt)


def multiplier_text(hundredths: int) -> str:
    """How a bust is shown to players: ``199`` -> ``"1.99"``, without passing through a float."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


class ChainSource:
    """The words of one bustabit v2 game, as a ``RandomSource``: the bytes of ``HMAC-SHA256(key = salt text, message =
    the game hash's 32 raw bytes)``, then of the same HMAC over the game hash followed by a 4-byte big-endian block
    counter (1, 2, ...). Its top 52 bits are the public verifier's ``X``, so an engine that reads two words as crash
    does (``(w0 << 20) | (w1 >> 12)``) gets exactly the chain's bust; the next words (the rounding word) are as
    recomputable from the game hash and the salt.

    >>> source = ChainSource("ab" * 32, "salt")
    >>> top = (source.word() << 20) | (source.word() >> 12)
    >>> max(100, math.floor(99 / (1 - top / 2**52))) == crash_point("ab" * 32, "salt")
    True
    """

    __slots__ = ("_block", "_buffer", "_key", "_message", "mapping")

    def __init__(self, game_hash: str, salt: str, *, mapping: Mapping = Mapping.COMPATIBLE) -> None:
        _check_hash(game_hash, "game hash")
        self._key = salt.encode()
        self._message = bytes.fromhex(game_hash)
        self._block = 0
        self._buffer = b""
        self.mapping = mapping

    def word(self) -> int:
        if not self._buffer:
            suffix = b"" if self._block == 0 else self._block.to_bytes(4, "big")
            self._buffer = hmac.new(self._key, self._message + suffix, hashlib.sha256).digest()
            self._block += 1
        word, self._buffer = self._buffer[:4], self._buffer[4:]
        return int.from_bytes(word, "big")

    def float(self) -> float:
        return self.word() / 2**32

    def index(self, n: int) -> int:
        return draw_index(self.word, n, self.mapping)

"""Crash hash chains: every crash point of a long series is fixed before the first game is played.

A chain is built backwards from a secret seed by repeated SHA-256; the last hash computed (the terminating
hash) is published first, games then use the chain from the end towards the seed. Because each game's hash
is the SHA-256 of the *next* game's hash, a player can walk any revealed game hash forward to the published
terminating hash, but nobody can compute a future game hash from the past ones.

Encoding, fixed once for players and verifiers: every link is the SHA-256 of the previous link's
**lowercase hex text** (64 ASCII characters), not of its 32 raw bytes, so any online SHA-256 tool that
hashes pasted text verifies a step. The first link is SHA-256 of the seed's UTF-8 text.

Numbering: with ``length`` games, ``L1 = sha256(seed)``, ``Lk+1 = sha256(Lk)``; game ``g`` (1-based) uses
``L(length + 1 - g)`` and the terminating hash is ``L(length + 1)``. Hashing the hash of game ``g``
exactly ``g`` times gives the terminating hash.

Crash point from a game hash and a public salt fixed before the chain is used (for example a future block
hash): ``h = HMAC-SHA256(key = salt UTF-8, message = game hash hex text)``, ``X = top 52 bits of h / 2**52``,
``bust = max(1, floor(99 / (1 - X)) / 100)``, so ``P(bust >= m) = 0.99 / m``. The bust is returned as an
integer count of hundredths (199 for 1.99x); the division is done in IEEE doubles exactly as JavaScript
verifiers do it, so the two never disagree.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re

_HEX64 = re.compile(r"[0-9a-f]{64}")
_TOP_BITS = 52


def _check_hash(value: str, what: str) -> None:
    if not _HEX64.fullmatch(value):
        raise ValueError(f"{what} must be 64 lowercase hex characters, got {value!r}")


def next_link(link: str) -> str:
    """The link one step closer to the terminating hash: SHA-256 of the hex text."""
    return hashlib.sha256(link.encode("ascii")).hexdigest()


class HashChain:
    """The operator's side of a chain: built once from the secret seed, then asked for game hashes in order.

    Only every ``checkpoint_every``-th link is kept, so a chain of millions of games costs little memory and
    any game hash is at most ``checkpoint_every - 1`` hashes away.

    >>> chain = HashChain("secret seed", 1000)
    >>> verify_game_hash(chain.game_hash(7), chain.terminating_hash, max_steps=1000)
    7
    """

    __slots__ = ("_checkpoint_every", "_checkpoints", "length", "terminating_hash")

    def __init__(self, seed: str, length: int, *, checkpoint_every: int = 1024) -> None:
        if length < 1:
            raise ValueError(f"chain length must be at least 1, got {length}")
        if checkpoint_every < 1:
            raise ValueError(f"checkpoint interval must be at least 1, got {checkpoint_every}")
        self.length = length
        self._checkpoint_every = checkpoint_every
        self._checkpoints: list[str] = []
        link = hashlib.sha256(seed.encode()).hexdigest()
        for position in range(1, length + 2):
            if (position - 1) % checkpoint_every == 0:
                self._checkpoints.append(link)
            if position <= length:
                link = next_link(link)
        self.terminating_hash = link

    def _link(self, position: int) -> str:
        slot, steps = divmod(position - 1, self._checkpoint_every)
        link = self._checkpoints[slot]
        for _ in range(steps):
            link = next_link(link)
        return link

    def game_hash(self, game: int) -> str:
        """Hash of game ``game`` (1 is the first game played, ``length`` the last)."""
        if not 1 <= game <= self.length:
            raise ValueError(f"game number must be in [1, {self.length}], got {game}")
        return self._link(self.length + 1 - game)


def verify_game_hash(game_hash: str, terminating_hash: str, *, max_steps: int) -> int | None:
    """The game number of ``game_hash`` in the chain ending at ``terminating_hash``, or None if not found.

    The walk is bounded because a hash that is not in the chain would otherwise be hashed forever; pass the
    number of games played so far (or the chain length).
    """
    _check_hash(game_hash, "game hash")
    _check_hash(terminating_hash, "terminating hash")
    link = game_hash
    for step in range(1, max_steps + 1):
        link = next_link(link)
        if link == terminating_hash:
            return step
    return None


def crash_point(game_hash: str, salt: str) -> int:
    """Bust multiplier of a game in hundredths (100 = 1.00x); an integer so it can be used with money."""
    _check_hash(game_hash, "game hash")
    digest = hmac.new(salt.encode(), game_hash.encode("ascii"), hashlib.sha256).hexdigest()
    top = int(digest[: _TOP_BITS // 4], 16)
    x = top / (1 << _TOP_BITS)
    return max(100, math.floor(99 / (1 - x)))


def multiplier_text(hundredths: int) -> str:
    """How a bust is shown to players: ``199`` -> ``"1.99"``, without passing through a float."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"

"""The live provably-fair stream seen the way the certification battery needs it: one long word sequence.

Live play uses one ``ProvablyFairStream`` per bet, the nonce going up by one each time. ``ConsecutiveNonces``
strings those streams together: it takes ``words_per_nonce`` words from nonce k, then moves to nonce k + 1,
so the battery and the lab exports see exactly the bytes that successive bets would consume. The default of
16 words spans two HMAC rounds per nonce, so the round cursor is exercised as well as the first block.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from games.rng import Mapping, ProvablyFairStream, commitment, draw_index

_WORD = 1 << 32


class ConsecutiveNonces:
    """``RandomSource`` with bulk ``words`` and ``spawn`` over nonces ``first_nonce``, ``first_nonce + 1``...

    ``spawn`` gives children that share the server seed but have their own client seed (``"<client>/<i>"``),
    like different players betting against the same server seed at the same time.
    """

    def __init__(
        self,
        server_seed: str,
        client_seed: str,
        *,
        first_nonce: int = 1,
        words_per_nonce: int = 16,
        mapping: Mapping = Mapping.COMPATIBLE,
    ) -> None:
        if words_per_nonce < 1:
            raise ValueError(f"words per nonce must be at least 1, got {words_per_nonce}")
        self.server_seed = server_seed
        self.client_seed = client_seed
        self.first_nonce = first_nonce
        self.words_per_nonce = words_per_nonce
        self.mapping = mapping
        self._next_nonce = first_nonce
        self._stream: ProvablyFairStream | None = None
        self._left = 0
        self._children = 0

    def _advance(self) -> ProvablyFairStream:
        self._stream = ProvablyFairStream(self.server_seed, self.client_seed, self._next_nonce)
        self._next_nonce += 1
        self._left = self.words_per_nonce
        return self._stream

    def word(self) -> int:
        stream = self._stream if self._left and self._stream is not None else self._advance()
        self._left -= 1
        return stream.word()

    def words(self, count: int) -> npt.NDArray[np.uint32]:
        chunks: list[bytes] = []
        remaining = count
        while remaining:
            stream = self._stream if self._left and self._stream is not None else self._advance()
            take = min(remaining, self._left)
            chunks.append(stream.bytes(4 * take))
            self._left -= take
            remaining -= take
        return np.frombuffer(b"".join(chunks), dtype=">u4").astype(np.uint32)

    def float(self) -> float:
        return self.word() / _WORD

    def index(self, n: int) -> int:
        return draw_index(self.word, n, self.mapping)

    def spawn(self, n: int) -> list[ConsecutiveNonces]:
        children = []
        for _ in range(n):
            self._children += 1
            children.append(
                ConsecutiveNonces(
                    self.server_seed,
                    f"{self.client_seed}/{self._children}",
                    first_nonce=self.first_nonce,
                    words_per_nonce=self.words_per_nonce,
                    mapping=self.mapping,
                )
            )
        return children

    def describe(self) -> dict[str, Any]:
        """Provenance for a report. The server seed is shown only as its public commitment."""
        return {
            "kind": "provably-fair",
            "server_seed_hash": commitment(self.server_seed),
            "client_seed": self.client_seed,
            "first_nonce": self.first_nonce,
            "words_per_nonce": self.words_per_nonce,
            "mapping": self.mapping.value,
        }

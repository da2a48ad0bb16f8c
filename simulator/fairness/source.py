"""The random source of one live round, as the game's catalogue entry asks for it.

- ``provably-fair`` (the default): the public HMAC-SHA256 stream of (server seed, client seed, nonce); anyone holding
  the revealed server seed can recompute the round in any public verifier.
- ``certified``: a seeded numpy bit generator (PCG64DXSM, raw words scaled by our own code) keyed by the same seed pair
  and spawned per nonce; the "certified RNG" model of regulated markets. It is reproducible by us from the round
  record, and by anyone with this library, but not by third-party verifiers.

- ``hash-chain``: live crash tables. The server seed is the game's hash in the table's bustabit v2 chain and the
  client seed the chain's salt; the stream is ``games.hashchain.ChainSource``, so the bust is the public verifier's
  and the game hash walks forward to the table's published terminating hash.

``mapping`` selects how words become indices: ``compatible`` (``floor(f * n)``, as public verifiers do) or
``unbiased`` (rejection sampling); see docs/fairness.md for the bias that the compatible mapping carries.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from games.hashchain import ChainSource
from games.rng import Mapping, ProvablyFairStream, RandomSource, SeededSource

RngMode = Literal["provably-fair", "certified", "hash-chain"]
RngMapping = Literal["compatible", "unbiased"]


def round_source(mode: RngMode, mapping: RngMapping, server_seed: str, client_seed: str, nonce: int) -> RandomSource:
    scale = Mapping(mapping)
    if mode == "provably-fair":
        return ProvablyFairStream(server_seed, client_seed, nonce, mapping=scale)
    if mode == "hash-chain":
        return ChainSource(server_seed, client_seed, mapping=scale)
    entropy = int.from_bytes(hashlib.sha256(f"{server_seed}:{client_seed}".encode()).digest(), "big")
    return SeededSource(entropy, spawn_key=(nonce,), mapping=scale)

"""Seed pairs. The server seed comes from the ids source: the OS CSPRNG normally, the root seed in deterministic mode.
Only its SHA-256 commitment is shown until the player rotates, which reveals it and commits to a new one."""

from __future__ import annotations

from dataclasses import dataclass

from games.rng import commitment
from simulator.ids import Ids


@dataclass(frozen=True, slots=True)
class SeedPair:
    server_seed: str
    server_seed_hash: str
    client_seed: str


def new_seed_pair(ids: Ids, client_seed: str | None) -> SeedPair:
    server_seed = ids.server_seed()
    return SeedPair(server_seed, commitment(server_seed), client_seed or ids.token()[:16])

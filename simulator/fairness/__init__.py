"""Provably-fair bookkeeping: seed pairs per session, commitment, rotation and reveal, and verification of rounds."""

from simulator.fairness.seeds import SeedPair, new_seed_pair
from simulator.fairness.verify import recompute

__all__ = ["SeedPair", "new_seed_pair", "recompute"]

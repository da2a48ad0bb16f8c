"""The blackjack tables on offer and where each one's math comes from.

Infinite-deck tables get exact math from ``blackjack_exact``. Shoe tables have no practical exact computation (the
shoe's composition changes with every card), so their figures come from a recorded run of ``blackjack_sim``:
20,000,000 rounds per table, ``SeedSequence(entropy).spawn(20)`` with one PCG64DXSM child per million rounds, numpy
2.4. The 99% uncertainty of each recorded RTP is about +-0.00066 (2.576 * sigma / sqrt(20e6)); the slow tests
re-run a fresh seed against it. ``blackjack_sim.record(rules, entropy, SIMULATED_ROUNDS)`` reproduces a figure.
"""

from __future__ import annotations

from collections.abc import Callable

from games.engine import MathProfile
from games.table.blackjack import BlackjackEngine
from games.table.blackjack_exact import exact_blackjack
from games.table.blackjack_rules import Rules

SIMULATED_ROUNDS = 20_000_000


def _exact(rules: Rules) -> Callable[[], MathProfile]:
    return lambda: exact_blackjack(rules).profile()


def _recorded(rtp: float, hit: float, sigma: float) -> Callable[[], MathProfile]:
    profile = MathProfile(rtp=rtp, hit_frequency=hit, std_dev=sigma, max_win_multiplier=9.0, method="simulation")
    return lambda: profile


RECORDED = {
    # engine id: (rtp, hit frequency, sigma, SeedSequence entropy)
    "blackjack-6d-s17": (0.99594685, 0.5238945, 1.153779982048171, 6017),
    "blackjack-6d-h17": (0.993733575, 0.5222069, 1.1603076615353876, 6117),
    "blackjack-8d-s17": (0.995806975, 0.52399365, 1.1543466035127186, 8017),
}

TABLES: dict[str, Rules] = {
    "blackjack": Rules(decks=None, hit_soft_17=False),
    "blackjack-h17": Rules(decks=None, hit_soft_17=True),
    "blackjack-6d-s17": Rules(decks=6, hit_soft_17=False),
    "blackjack-6d-h17": Rules(decks=6, hit_soft_17=True),
    "blackjack-8d-s17": Rules(decks=8, hit_soft_17=False),
}


def blackjack_engines() -> dict[str, BlackjackEngine]:
    engines = {}
    for engine_id, rules in TABLES.items():
        if rules.decks is None:
            profile = _exact(rules)
        else:
            rtp, hit, sigma, _ = RECORDED[engine_id]
            profile = _recorded(rtp, hit, sigma)
        engines[engine_id] = BlackjackEngine(engine_id, rules, profile)
    return engines

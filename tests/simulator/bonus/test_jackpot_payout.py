"""The long run of a pool: what it pays out of stakes matches its contribution rate, and its trigger its declared
probability, within their confidence intervals. Played on the store itself (SQLite), round after round as the
acknowledged bets of a jackpot game feed it, with triggers drawn as the rounds draw them."""

from __future__ import annotations

import math
from pathlib import Path

from games.rng import SeededSource
from simulator.catalog.jackpots import JackpotTerms
from simulator.store.database import open_database
from simulator.store.jackpots import JackpotPools, contribute, take

ROUNDS = 100_000
STAKE = 1_000
Z = 3.29  # two-sided 99.9%


async def test_a_pools_long_run_payout_matches_its_contribution_rate(tmp_path: Path) -> None:
    terms = JackpotTerms(jackpot_id="t", contribution_bp=150, trigger_odds=100, seed_usd_cents=5_000)
    seed = terms.seed_usd_cents
    db = await open_database(f"sqlite:///{tmp_path / 'pools.sqlite3'}")
    try:
        await JackpotPools(db).migrate()
        stream = SeededSource(20261207)
        paid = wins = 0
        for n in range(ROUNDS):
            async with db.transaction() as tx:
                await contribute(tx, "t", "USD", seed, terms.contribution(STAKE), float(n))
                if terms.triggered(stream):
                    paid += await take(tx, "t", "USD", seed, float(n))
                    wins += 1
        [pool] = await JackpotPools(db).all()
    finally:
        await db.close()
    staked = ROUNDS * STAKE
    p = 1 / terms.trigger_odds
    # the trigger: its frequency within the binomial interval around 1 / trigger_odds
    assert abs(wins / ROUNDS - p) <= Z * math.sqrt(p * (1 - p) / ROUNDS)
    # what the pool paid out of stakes (its payouts less the seeds it restarted from) is the contribution rate, less
    # what the last pool still holds: that tail is geometric, with a standard deviation of about trigger_odds rounds
    from_stakes = paid - seed * wins
    assert from_stakes + (pool.value - seed) == pool.contributed == ROUNDS * terms.contribution(STAKE)
    tail_sd = terms.contribution(STAKE) * terms.trigger_odds
    assert abs(from_stakes / staked - terms.rtp_share) <= Z * (tail_sd + terms.contribution(STAKE)) / staked
    # everything it paid, seeds included: rate + seed / (odds * stake), the seeds' count being binomial
    expected = terms.rtp_share + seed * p / STAKE
    sd = math.sqrt((seed**2) * ROUNDS * p * (1 - p) + tail_sd**2) / staked
    assert abs(paid / staked - expected) <= Z * sd

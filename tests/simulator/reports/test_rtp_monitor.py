"""The RTP monitor flags a game whose engine pays off its declared math, and not one whose engine is right."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pytest

from games.engine import Outcome
from games.instant.dice import DiceEngine
from games.rng import RandomSource, SeededSource
from simulator.catalog import build_catalog
from simulator.reports.query import ReportQuery
from simulator.reports.rtp import MIN_ROUNDS, assess, rtp_report
from simulator.settings import Settings
from simulator.store.database import Database
from simulator.store.provider import ProviderStore
from tests.databases import database_url, db
from tests.simulator.reports.rows import insert_rounds, round_row

__all__ = ["database_url", "db"]

ROUNDS = 20_000


class MisconfiguredDice(DiceEngine):
    """Dice shipped with a pay table for 95%: it pays 9,500/w instead of 9,900/w times the stake."""

    def play(self, stake: int, params: Mapping[str, Any], rng: RandomSource) -> Outcome:
        outcome = super().play(stake, params, rng)
        return Outcome(int(Fraction(outcome.win) * Fraction(9500, 9900)), outcome.detail)


async def test_a_misconfigured_engine_is_flagged_and_a_correct_one_is_not(db: Database) -> None:
    await ProviderStore(db).migrate()
    catalog = build_catalog(Settings.model_fields["seed"].default)  # the seed every test app uses: built once
    good, bad = [g for g in catalog.games.values() if g.engine_id == "dice"][:2]
    rows = []
    for game, engine, seed in ((good, DiceEngine(), 1), (bad, MisconfiguredDice(), 2)):
        rng = SeededSource(seed)
        for n in range(ROUNDS):
            stake = 100 * (1 + n % 5)  # stakes vary: the band uses sum(s^2), not n
            win = engine.play(stake, engine.reference_params(), rng).win
            rows.append(
                round_row(
                    n,
                    game_id=game.game_id,
                    studio_id=game.studio_id,
                    engine_id="dice",
                    stake=stake,
                    win=win,
                    at=1_767_225_600.0 + n,
                )
            )
    await insert_rounds(db, rows)
    lines = {line.game_id: line for line in await rtp_report(db, catalog, ReportQuery())}
    assert lines[good.game_id].status == "ok", lines[good.game_id]
    assert lines[bad.game_id].status == "outside", lines[bad.game_id]
    for line in lines.values():
        assert line.rounds == ROUNDS
        # the engine's exact sigma for the reference bet, or the sample's when the rounds spread more
        assert line.sigma_source in ("engine", "sample")
        assert line.sigma is not None and line.sigma >= DiceEngine().math().std_dev
        assert line.declared_rtp == pytest.approx(98.99, abs=0.01)
    observed = lines[bad.game_id].observed_rtp
    assert observed is not None and observed < 96.5
    # one game filtered by id, the other left out
    only = await rtp_report(db, catalog, ReportQuery(game_id=good.game_id))
    assert [line.game_id for line in only] == [good.game_id]


def _line(n: int, wins: int, *, engine_std: float | None) -> str:
    return assess(
        game_id="g",
        engine_id="e",
        currency="USD",
        declared_rtp=96.0,
        n=n,
        stakes=100 * n,
        wins=wins,
        sum_s2=100.0 * 100 * n,
        sum_w2=float(wins) * 100,  # wins of 0 or 100 minor units...
        sum_sw=float(wins) * 100,
        engine_std=engine_std,
        confidence=0.999,
    ).status


def test_too_few_rounds_raise_no_flag_and_the_band_narrows_with_rounds() -> None:
    assert _line(MIN_ROUNDS - 1, 0, engine_std=1.0) == "too_few_rounds"
    # 90% observed against 96% declared: inside the band at 1,000 rounds of sigma 1, outside at 100,000
    assert _line(1_000, 90_000, engine_std=1.0) == "ok"
    assert _line(100_000, 9_000_000, engine_std=1.0) == "outside"

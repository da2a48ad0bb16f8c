"""Live RTP monitoring: each game's observed return to player against the RTP its catalogue entry declares.

For the closed rounds of a game in one currency, with stakes ``s`` and wins ``w``, the observed RTP is ``sum(w) /
sum(s)``. Its standard error follows from the spread of one round's return per unit stake, ``sigma``:
``sigma * sqrt(sum(s^2)) / sum(s)`` (rounds with equal stakes give ``sigma / sqrt(n)``). ``sigma`` is the engine's own
standard deviation for its reference bet (exact, from ``games``' math profiles) or, when the rounds themselves spread
more (players betting other parameters than the reference bet), the sample's, whichever is larger, so a game is not
flagged for the spread of the bets its players chose; ``sigma_source`` says which was used. The band is the declared
RTP plus or minus ``z`` standard errors for the chosen confidence; a game whose observed RTP lies outside is flagged.
With fewer than ``MIN_ROUNDS`` rounds no flag is raised: the normal approximation does not hold yet.

Ratios are statistics, not money, so they are floats; amounts of different currencies are never added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from games.errors import UnknownEngine
from games.registry import get_engine
from simulator.catalog.models import Catalog
from simulator.errors import NotFound
from simulator.reports.query import ReportQuery
from simulator.store.database import Database

MIN_ROUNDS = 100


@dataclass(frozen=True, slots=True)
class RtpLine:
    game_id: str
    engine_id: str
    currency: str
    rounds: int
    stakes: int
    wins: int
    declared_rtp: float  # percent
    observed_rtp: float | None  # percent
    low: float | None  # the band, percent
    high: float | None
    sigma: float | None
    sigma_source: str
    status: str  # "ok", "outside", "too_few_rounds"

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def engine_sigma(engine_id: str) -> float | None:
    try:
        return float(get_engine(engine_id).math().std_dev)
    except UnknownEngine:
        return None


def assess(
    *,
    game_id: str,
    engine_id: str,
    currency: str,
    declared_rtp: float,
    n: int,
    stakes: int,
    wins: int,
    sum_s2: float,
    sum_w2: float,
    sum_sw: float,
    engine_std: float | None,
    confidence: float,
) -> RtpLine:
    observed = sigma = low = high = None
    source = "none"
    status = "too_few_rounds"
    if stakes > 0:
        ratio = wins / stakes
        observed = 100 * ratio
        # the linearised ratio estimator's residual spread per unit stake: sum((w - R s)^2) / sum(s^2)
        residual = max(sum_w2 - 2 * ratio * sum_sw + ratio * ratio * sum_s2, 0.0)
        sample = math.sqrt(residual / sum_s2 * n / (n - 1)) if n > 1 and sum_s2 > 0 else None
        if engine_std is not None and (sample is None or engine_std >= sample):
            sigma, source = engine_std, "engine"
        elif sample is not None:
            sigma, source = sample, "sample"
        if sigma is not None and n >= MIN_ROUNDS:
            z = NormalDist().inv_cdf(0.5 + confidence / 2)
            half = 100 * z * sigma * math.sqrt(sum_s2) / stakes
            low, high = declared_rtp - half, declared_rtp + half
            status = "ok" if low <= observed <= high else "outside"
    return RtpLine(
        game_id, engine_id, currency, n, stakes, wins, declared_rtp, observed, low, high, sigma, source, status
    )


async def rtp_report(db: Database, catalog: Catalog, query: ReportQuery, *, confidence: float = 0.999) -> list[RtpLine]:
    """One line per game and currency with closed rounds matching ``query``'s filters and range."""
    where, args = query.conditions(hour_column="", time_column="created_at")
    sql = (
        "SELECT game_id, engine_id, currency, COUNT(*) AS n, SUM(stake) AS stakes, SUM(win) AS wins,"  # noqa: S608
        " SUM(CAST(stake AS DOUBLE PRECISION) * stake) AS s2, SUM(CAST(win AS DOUBLE PRECISION) * win) AS w2,"
        " SUM(CAST(stake AS DOUBLE PRECISION) * win) AS sw"
        f" FROM rounds WHERE status = 'closed' AND stake > 0 AND {where}"
        " GROUP BY game_id, engine_id, currency ORDER BY game_id, currency"
    )
    if db.dialect == "sqlite":
        sql = sql.replace("DOUBLE PRECISION", "REAL")
    async with db.transaction() as tx:
        rows = await tx.fetchall(sql, *args)
    sigmas: dict[str, float | None] = {}
    out = []
    for row in rows:
        engine_id = str(row["engine_id"])
        if engine_id not in sigmas:
            sigmas[engine_id] = engine_sigma(engine_id)
        try:
            game = catalog.game(str(row["game_id"]))
        except NotFound:
            continue  # a game of another catalogue (another seed): nothing declared to compare with
        # the rounds' wins are the engine's: a jackpot game's pool pays in wins of their own, so its share is left out
        declared = game.rtp if game.jackpot is None else round(game.rtp - game.jackpot.rtp_share * 100, 4)
        out.append(
            assess(
                game_id=str(row["game_id"]),
                engine_id=engine_id,
                currency=str(row["currency"]),
                declared_rtp=declared,
                n=int(row["n"]),
                stakes=int(row["stakes"]),
                wins=int(row["wins"]),
                sum_s2=float(row["s2"]),
                sum_w2=float(row["w2"]),
                sum_sw=float(row["sw"]),
                engine_std=sigmas[engine_id],
                confidence=confidence,
            )
        )
    return out

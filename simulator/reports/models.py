"""Response bodies of the report routes, for the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, Field


class KindTotal(BaseModel):
    count: int
    amount: int = Field(description="Minor units of the row's currency.")


class MoneyFigures(BaseModel):
    bets: int = Field(description="Stakes acknowledged by the wallet (kind bet), minor units.")
    wins: int = Field(description="Game wins acknowledged (kind win), lost rounds' wins of 0 included.")
    rollbacks: int = Field(description="Amounts of acknowledged rollbacks, as sent.")
    stake_reversed: int = Field(description="Acknowledged stakes that an acknowledged rollback gave back.")
    bonus_payouts: int = Field(description="Every other payout kind (free rounds, promotions, jackpots): NGR only.")
    rounds: int = Field(description="Rounds closed by an acknowledged closing win.")
    rounds_rolled_back: int = Field(description="Rounds closed by an acknowledged rollback.")
    ggr: int = Field(description="bets - stake_reversed - wins.")
    ngr: int = Field(description="ggr - bonus_payouts.")
    kinds: dict[str, KindTotal] = Field(description="Count and amount per stored transaction kind.")


class MoneyRow(MoneyFigures):
    day: str | None = None
    hour: str | None = None
    studio_id: str | None = None
    game_id: str | None = None
    currency: str
    player_id: str | None = None


class CurrencyTotals(MoneyFigures):
    currency: str


class ConvertedTotals(BaseModel):
    to: str = Field(description="The currency asked for (convert_to).")
    rates_source: str = Field(description="Where the rates came from: the built-in table or the rates_file's name.")
    rates_fingerprint: str = Field(description="SHA-256 of the whole rates table.")
    base: str = Field(description="The rates' base currency.")
    rates: dict[str, str] = Field(
        description="Value of one unit of each currency involved in the base, exact decimals."
    )
    rounding: str = Field(description="How amounts were rounded.")
    totals: MoneyFigures = Field(description="Every currency's totals converted and added; minor units of `to`.")


class MoneyReportOut(BaseModel):
    group_by: list[str]
    rows: list[MoneyRow]
    totals: list[CurrencyTotals] = Field(description="Per currency, over every row of the report, not this page.")
    converted: ConvertedTotals | None = Field(description="The totals in one currency, only when convert_to is given.")
    next_cursor: str | None
    source: str = Field(description="buckets+log (hourly buckets and the log above them) or log.")


class RtpLineOut(BaseModel):
    game_id: str
    engine_id: str
    currency: str
    rounds: int
    stakes: int
    wins: int
    declared_rtp: float
    observed_rtp: float | None
    low: float | None
    high: float | None
    sigma: float | None
    sigma_source: str = Field(description="engine, sample or none.")
    status: str = Field(description="ok, outside or too_few_rounds.")


class RtpReportOut(BaseModel):
    confidence: float
    games: list[RtpLineOut]
    flagged: int

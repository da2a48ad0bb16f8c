"""The money report: acknowledged transactions by kind, rounds, GGR and NGR for each group of a ``ReportQuery``,
exact integers of minor units, one currency per row (``simulator.reports.kinds`` says how kinds enter GGR and NGR).

Asked to, it also converts the per-currency totals into one currency with the exchange rates table and says so
(``converted``): each currency's amount of each kind, and its stakes reversed, converted once by ``Rates.exchange``
(nearest minor unit, ties to even, exact fractions), then added; bets, wins, rollbacks, bonus payouts, GGR and NGR are
derived from those converted amounts as for any currency, so GGR still equals bets - stake_reversed - wins.

Figures come from the hourly buckets up to the fold and from the log above it (``simulator.reports.buckets``); a
report by or for a player reads the log alone, since buckets hold no player."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.money import exponent
from simulator.rates import Rates
from simulator.reports.buckets import Buckets, log_totals_sql
from simulator.reports.kinds import Role, closes_game_round, role
from simulator.reports.query import COLUMNS, ReportQuery, day_label, decode_cursor, encode_cursor, hour_label
from simulator.store.database import Database, Row


@dataclass(slots=True)
class Totals:
    kinds: dict[str, list[int]] = field(default_factory=dict)  # kind -> [count, amount]
    by_role: dict[Role, int] = field(default_factory=dict)  # role -> amount
    rounds_closed: int = 0  # closing wins acknowledged
    rounds_rolled_back: int = 0  # closing rollbacks acknowledged
    stake_reversed: int = 0

    def add(self, row: Row) -> None:
        kind = str(row["kind"])
        counted = self.kinds.setdefault(kind, [0, 0])
        amount = int(row["amount"])
        counted[0] += int(row["transactions"])
        counted[1] += amount
        kind_role = role(kind)
        self.by_role[kind_role] = self.by_role.get(kind_role, 0) + amount
        if closes_game_round(kind):
            self.rounds_closed += int(row["rounds_closed"])
        elif kind_role is Role.REVERSAL:
            self.rounds_rolled_back += int(row["rounds_closed"])
            self.stake_reversed += int(row["stake_reversed"])

    def merge(self, other: Totals) -> None:
        for kind, (count, amount) in other.kinds.items():
            counted = self.kinds.setdefault(kind, [0, 0])
            counted[0] += count
            counted[1] += amount
        for kind_role, amount in other.by_role.items():
            self.by_role[kind_role] = self.by_role.get(kind_role, 0) + amount
        self.rounds_closed += other.rounds_closed
        self.rounds_rolled_back += other.rounds_rolled_back
        self.stake_reversed += other.stake_reversed

    def exchanged(self, exchange: Callable[[int], int]) -> Totals:
        """These totals with each kind's amount and the stakes reversed passed through ``exchange``; counts kept."""
        out = Totals(
            rounds_closed=self.rounds_closed,
            rounds_rolled_back=self.rounds_rolled_back,
            stake_reversed=exchange(self.stake_reversed),
        )
        for kind, (count, amount) in self.kinds.items():
            converted = exchange(amount)
            out.kinds[kind] = [count, converted]
            kind_role = role(kind)
            out.by_role[kind_role] = out.by_role.get(kind_role, 0) + converted
        return out

    def figures(self) -> dict[str, Any]:
        get = self.by_role.get
        stakes, wins, bonus = get(Role.STAKE, 0), get(Role.WIN, 0), get(Role.BONUS, 0)
        ggr = stakes - self.stake_reversed - wins
        return {
            "bets": stakes,
            "wins": wins,
            "rollbacks": get(Role.REVERSAL, 0),
            "stake_reversed": self.stake_reversed,
            "bonus_payouts": bonus,
            "rounds": self.rounds_closed,
            "rounds_rolled_back": self.rounds_rolled_back,
            "ggr": ggr,
            "ngr": ggr - bonus,
            "kinds": {k: {"count": c, "amount": a} for k, (c, a) in sorted(self.kinds.items())},
        }


@dataclass(frozen=True, slots=True)
class MoneyReport:
    group_by: tuple[str, ...]
    rows: list[dict[str, Any]]  # this page
    totals: list[dict[str, Any]]  # per currency, over every row (not only this page)
    next_cursor: str | None
    source: str  # "buckets+log" or "log"
    converted: dict[str, Any] | None = None  # the totals in one currency, when asked (``converted``)

    def as_json(self) -> dict[str, Any]:
        return {
            "group_by": list(self.group_by),
            "rows": self.rows,
            "totals": self.totals,
            "converted": self.converted,
            "next_cursor": self.next_cursor,
            "source": self.source,
        }


ROUNDING = (
    "each currency's amount per kind, and its stakes reversed, to the nearest minor unit (ties to even), then added"
)


def _exchange(rates: Rates, source: str, target: str, amount: int) -> int:
    return rates.exchange(amount, source, target)


def converted(by_currency: Mapping[str, Totals], rates: Rates, target: str) -> dict[str, Any]:
    """The totals of every currency in ``target``, with the rates used and how they were applied."""
    total = Totals()
    for currency, totals in sorted(by_currency.items()):
        total.merge(totals.exchanged(functools.partial(_exchange, rates, currency, target)))
    return {
        "to": target,
        "rates_source": rates.source,
        "rates_fingerprint": rates.fingerprint,
        "base": rates.base,
        "rates": {c: str(rates.value(c)) for c in sorted({*by_currency, target})},
        "rounding": ROUNDING,
        "totals": total.figures(),
    }


def _unit(query: ReportQuery) -> str:
    return "day" if "day" in query.group_by else "hour" if "hour" in query.group_by else "all"


def _dimensions(query: ReportQuery) -> tuple[str, ...]:
    return tuple(COLUMNS[name] for name in query.group_by if name in COLUMNS)


def _group(query: ReportQuery, rows: Iterable[Row]) -> dict[tuple[str, ...], Totals]:
    label = {"day": day_label, "hour": hour_label}.get(_unit(query))
    labels: dict[int, str] = {}
    groups: dict[tuple[str, ...], Totals] = {}
    for row in rows:
        parts: list[str] = []
        for name in query.group_by:
            if name in COLUMNS:
                parts.append(str(row[COLUMNS[name]]))
            else:
                assert label is not None
                period = int(row["period"])
                text = labels.get(period)
                if text is None:
                    text = labels[period] = label(period)
                parts.append(text)
        key = tuple(parts)
        totals = groups.get(key)
        if totals is None:
            totals = groups[key] = Totals()
        totals.add(row)
    return groups


async def _rows(db: Database, buckets: Buckets, query: ReportQuery) -> tuple[list[Row], str]:
    dimensions, unit = _dimensions(query), _unit(query)
    if query.needs_log:
        where, args = query.conditions(hour_column="", time_column="created_at", prefix="t.")
        sql = log_totals_sql(db.dialect, where=where, dimensions=dimensions, unit=unit)
        async with db.transaction() as tx:
            return await tx.fetchall(sql, *args), "log"
    await buckets.fold()
    # whole days read the day table, thirty times smaller than the hour one on a busy store
    table = "day" if unit != "hour" and all(b is None or b % 24 == 0 for b in (query.start, query.end)) else "hour"
    bucket_where, bucket_args = query.conditions(hour_column="day * 24" if table == "day" else "hour", time_column=None)
    log_where, log_args = query.conditions(hour_column="", time_column="created_at", prefix="t.")
    async with db.transaction() as tx:
        # holding the fold's row keeps another process from folding between the two reads
        folded = await buckets.folded(tx)
        rows = await buckets.read(tx, bucket_where, bucket_args, dimensions=dimensions, unit=unit, table=table)
        tail = log_totals_sql(db.dialect, where=f"t.seq > ? AND {log_where}", dimensions=dimensions, unit=unit)
        rows += await tx.fetchall(tail, folded, *log_args)
    return rows, "buckets+log"


async def money_report(
    db: Database,
    buckets: Buckets,
    query: ReportQuery,
    *,
    cursor: str | None = None,
    limit: int = 500,
    convert: tuple[Rates, str] | None = None,
) -> MoneyReport:
    """``convert``: the rates and the currency to also give the totals in (``UnknownCurrency`` when not one)."""
    if convert is not None:
        exponent(convert[1])
    rows, source = await _rows(db, buckets, query)
    groups = _group(query, rows)
    by_currency: dict[str, Totals] = {}
    for key, totals in groups.items():
        currency = key[query.group_by.index("currency")]
        by_currency.setdefault(currency, Totals()).merge(totals)
    keys = sorted(groups)
    if cursor is not None:
        after = decode_cursor(cursor)
        keys = [k for k in keys if k > after]
    page = keys[:limit]
    names = [COLUMNS.get(name, name) for name in query.group_by]
    out = [dict(zip(names, key, strict=True)) | groups[key].figures() for key in page]
    return MoneyReport(
        group_by=query.group_by,
        rows=out,
        totals=[{"currency": c} | t.figures() for c, t in sorted(by_currency.items())],
        next_cursor=encode_cursor(page[-1]) if len(keys) > limit else None,
        source=source,
        converted=None if convert is None else converted(by_currency, *convert),
    )

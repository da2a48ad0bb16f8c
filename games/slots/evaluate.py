"""Plain-Python evaluation of one spin, as the live ``play`` path sees it.

This is deliberately the straightforward reading of the rules (walk each line left to right, count each symbol per reel
for ways), sharing no code with the exact enumeration or the vectorised simulator, so the tests comparing the three
check the rules three independent ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from games.slots.model import ReelSet, SlotModel


@dataclass(frozen=True, slots=True)
class Win:
    """One paying line (``line`` is its 1-based number) or one paying symbol of a ways game (``line`` is None)."""

    symbol: int
    count: int
    pay: int
    line: int | None = None
    ways: int = 1


@dataclass(frozen=True, slots=True)
class Spin:
    """One evaluated window; ``pay`` (bet units, before any multiplier) is line or ways pays plus scatter pay."""

    stops: tuple[int, ...]
    columns: tuple[tuple[int, ...], ...]
    wins: tuple[Win, ...]
    scatters: int
    scatter_pay: int

    @property
    def pay(self) -> int:
        return sum(w.pay for w in self.wins) + self.scatter_pay


def evaluate(model: SlotModel, reels: ReelSet, stops: Sequence[int]) -> Spin:
    columns = tuple(
        tuple(strip[(stop + row) % len(strip)] for row in range(model.rows))
        for strip, stop in zip(reels.strips, stops, strict=True)
    )
    wins = _ways_wins(model, columns) if model.ways else _line_wins(model, columns)
    scatters = sum(column.count(model.scatter) for column in columns)
    return Spin(
        stops=tuple(stops),
        columns=columns,
        wins=tuple(wins),
        scatters=scatters,
        scatter_pay=model.scatter_pays[scatters],
    )


def _line_wins(model: SlotModel, columns: tuple[tuple[int, ...], ...]) -> list[Win]:
    wins = []
    wild, pays = model.wild, model.pays
    for number, line in enumerate(model.lines, start=1):
        lead = columns[0][line[0]]
        count = 1
        while count < len(line):
            symbol = columns[count][line[count]]
            if symbol != lead and symbol != wild:
                break
            count += 1
        pay = pays[lead][count]
        if pay:
            wins.append(Win(symbol=lead, count=count, pay=pay, line=number))
    return wins


def _ways_wins(model: SlotModel, columns: tuple[tuple[int, ...], ...]) -> list[Win]:
    wins = []
    for symbol in model.paying:
        ways = 1
        count = 0
        for column in columns:
            matching = sum(1 for s in column if s in (symbol, model.wild))
            if matching == 0:
                break
            ways *= matching
            count += 1
        pay = model.pays[symbol][count] * ways
        if pay:
            wins.append(Win(symbol=symbol, count=count, pay=pay, ways=ways))
    return wins

"""Slot math models as values: symbols, pays, lines or ways, scatter, free spins and the strips of each RTP variant.

A model is loaded from a JSON file in ``games/slots/sheets`` (math sheets) and checked once, so that the evaluators, the
exact math and the vectorised simulator rely on the same invariants instead of re-checking them:

- five reels; the wild never appears on reel 1, so every line or way is led by the symbol on reel 1;
- the scatter has no line pay and the wild substitutes for every symbol except the scatter;
- every paying symbol pays for a run of three, and every scatter count that awards free spins also pays, so "nothing
  won" is decided by the first three reels and the scatters alone (this keeps the exact hit frequency a closed formula);
- every model has free spins that can retrigger, played on their own strips; multipliers are at least 1. Retriggers make
  the largest possible win unbounded, which is why ``max_win_multiplier`` is infinite for every slot.

All pays are integers in *bet units*: the stake is split into ``bet_units`` equal units (one per line for line games),
line and ways pays are multiples of a unit, and scatter pays (multiples of the whole stake in the data file) are
converted to units on load. A reel stop ``s`` shows strip positions ``s, s+1, ..., s+rows-1`` (wrapping) from top to
bottom.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

REELS = 5


@dataclass(frozen=True, slots=True)
class ReelSet:
    """Five strips of symbol indices."""

    strips: tuple[tuple[int, ...], ...]

    @property
    def cycle(self) -> int:
        """Number of distinct stop combinations: the full reel cycle."""
        n = 1
        for strip in self.strips:
            n *= len(strip)
        return n

    def columns(self, reel: int, rows: int) -> npt.NDArray[np.int64]:
        """``columns[stop]`` is the window column (top to bottom) that reel ``reel`` shows at ``stop``."""
        strip = np.array(self.strips[reel], dtype=np.int64)
        offsets = np.arange(len(strip))[:, None] + np.arange(rows)[None, :]
        columns: npt.NDArray[np.int64] = strip[offsets % len(strip)]
        return columns


@dataclass(frozen=True, slots=True)
class MathSet:
    """One RTP variant of a model: its base-game strips and its free-spin strips."""

    key: str
    base: ReelSet
    free: ReelSet


@dataclass(frozen=True, slots=True)
class FreeSpins:
    """Free-spin rules. ``award`` (base game) and ``retrigger`` (inside the feature) map a scatter count to spins.

    ``multipliers`` is a wheel: each free spin draws one entry when it has more than one and multiplies its win by it.
    """

    award: Mapping[int, int]
    retrigger: Mapping[int, int]
    multipliers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BonusBuy:
    """Buying the feature: the stake is ``price`` base bets and buys ``spins`` free spins (which may retrigger)."""

    price: int
    spins: int


@dataclass(frozen=True, slots=True, eq=False)
class SlotModel:
    """One slot model. Compared and hashed by identity: models are loaded once and cached results key on them."""

    name: str
    title: str
    volatility: str
    ways: bool
    rows: int
    bet_units: int
    symbols: tuple[str, ...]
    wild: int
    scatter: int
    lines: tuple[tuple[int, ...], ...]
    pays: tuple[tuple[int, ...], ...]
    """``pays[symbol][count]`` in bet units for a run of ``count`` (0..5); per line, or per way for ways games."""
    scatter_pays: tuple[int, ...]
    """``scatter_pays[count]`` in bet units, for that many scatters anywhere in the window (0..rows*5)."""
    free_spins: FreeSpins
    bonus_buy: BonusBuy | None
    variants: Mapping[str, MathSet]

    @property
    def paying(self) -> tuple[int, ...]:
        """Symbols that can lead a winning line or way."""
        return tuple(i for i, row in enumerate(self.pays) if any(row))


def load_model(name: str) -> SlotModel:
    """Load and check ``games/slots/sheets/<name>.json``."""
    text = resources.files("games.slots").joinpath("sheets", f"{name}.json").read_text(encoding="utf-8")
    return parse_model(json.loads(text))


def parse_model(data: Mapping[str, Any]) -> SlotModel:
    """Build a model from its JSON form; a bad file raises ``ValueError`` naming the model and the problem."""
    name = str(data.get("name"))
    try:
        return _parse(name, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"slot model {name!r}: {exc}") from exc


def _parse(name: str, data: Mapping[str, Any]) -> SlotModel:
    symbols = tuple(str(s) for s in data["symbols"])
    if len(set(symbols)) != len(symbols):
        raise ValueError("symbol names repeat")
    index = {s: i for i, s in enumerate(symbols)}
    wild, scatter = index[data["wild"]], index[data["scatter"]]
    rows = int(data["rows"])
    bet_units = int(data["bet_units"])
    if data["pays"] not in ("lines", "ways"):
        raise ValueError(f"pays must be 'lines' or 'ways', got {data['pays']!r}")
    ways = data["pays"] == "ways"
    lines = _lines(data.get("lines", ()), ways, rows, bet_units)

    pays = [[0] * (REELS + 1) for _ in symbols]
    for symbol, table in data["paytable"].items():
        if index[symbol] in (wild, scatter):
            raise ValueError(
                f"{symbol} has no line pays: the wild only substitutes, the scatter pays through scatter_pays"
            )
        for count, pay in table.items():
            pays[index[symbol]][_count(count, REELS)] = _non_negative(pay)
        if any(pays[index[symbol]]) and pays[index[symbol]][3] == 0:
            raise ValueError(f"{symbol} pays but not for three of a kind")
    max_scatter = rows * REELS
    scatter_pays = [0] * (max_scatter + 1)
    for count, multiple in data["scatter_pays"].items():
        scatter_pays[_count(count, max_scatter)] = _non_negative(multiple) * bet_units

    free_spins = _free_spins(data["free_spins"], scatter_pays, max_scatter)
    buy = data.get("bonus_buy")
    bonus_buy = None if buy is None else BonusBuy(price=int(buy["price"]), spins=int(buy["spins"]))
    if bonus_buy is not None and min(bonus_buy.price, bonus_buy.spins) <= 0:
        raise ValueError("a bonus buy needs a positive price and spin count")

    variants = {
        str(key): MathSet(
            key=str(key),
            base=_reel_set(sets["base"], index, wild, rows),
            free=_reel_set(sets["free"], index, wild, rows),
        )
        for key, sets in data["variants"].items()
    }
    if not variants:
        raise ValueError("no RTP variants")

    return SlotModel(
        name=name,
        title=str(data["title"]),
        volatility=str(data["volatility"]),
        ways=ways,
        rows=rows,
        bet_units=bet_units,
        symbols=symbols,
        wild=wild,
        scatter=scatter,
        lines=lines,
        pays=tuple(tuple(row) for row in pays),
        scatter_pays=tuple(scatter_pays),
        free_spins=free_spins,
        bonus_buy=bonus_buy,
        variants=variants,
    )


def _lines(data: Any, ways: bool, rows: int, bet_units: int) -> tuple[tuple[int, ...], ...]:
    lines = tuple(tuple(int(r) for r in line) for line in data)
    if ways:
        if lines:
            raise ValueError("a ways game has no paylines")
        return lines
    if len(lines) != bet_units:
        raise ValueError(f"{len(lines)} lines but bet_units is {bet_units}: a line game bets one unit per line")
    if len(set(lines)) != len(lines):
        raise ValueError("paylines repeat")
    for line in lines:
        if len(line) != REELS or not all(0 <= r < rows for r in line):
            raise ValueError(f"bad payline {line}")
    return lines


def _free_spins(data: Mapping[str, Any], scatter_pays: list[int], max_scatter: int) -> FreeSpins:
    award = {_count(c, max_scatter): int(n) for c, n in data["award"].items() if int(n) > 0}
    retrigger = {_count(c, max_scatter): int(n) for c, n in data["retrigger"].items() if int(n) > 0}
    if not award or not retrigger:
        raise ValueError("free spins must be awarded and able to retrigger")
    for count in (*award, *retrigger):
        if scatter_pays[count] == 0:
            raise ValueError(f"{count} scatters award free spins but pay nothing")
    multipliers = tuple(int(m) for m in data.get("multipliers", [1]))
    if not multipliers or min(multipliers) < 1:
        raise ValueError("free-spin multipliers must be at least 1")
    return FreeSpins(award=award, retrigger=retrigger, multipliers=multipliers)


def _reel_set(strips: Any, index: Mapping[str, int], wild: int, rows: int) -> ReelSet:
    parsed = tuple(tuple(index[s] for s in strip.split()) for strip in strips)
    if len(parsed) != REELS:
        raise ValueError(f"{len(parsed)} strips, expected {REELS}")
    if any(len(strip) < rows for strip in parsed):
        raise ValueError("a strip is shorter than the window")
    if wild in parsed[0]:
        raise ValueError("the wild may not appear on reel 1")
    return ReelSet(strips=parsed)


def _count(text: Any, most: int) -> int:
    count = int(text)
    if not 1 <= count <= most:
        raise ValueError(f"count {count} out of range 1..{most}")
    return count


def _non_negative(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"pays are non-negative integers, got {value!r}")
    return value
